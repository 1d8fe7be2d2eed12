"""What is an artificial neural network? (seed 003): MNIST digits with a 784-20-10 sigmoid network.

The lab itself is ``tinygrad_fr/labs/lab5_mnist.py``, shipped in the package:
``tinygrad-fr lab 5`` runs it from any folder; this script is the same, for a checkout.

Run: python examples/lab5_mnist.py --help
"""

from tinygrad_fr.labs.lab5_mnist import main

if __name__ == "__main__":
    main()
