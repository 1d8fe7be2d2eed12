"""Lab 0, parts 0.1 to 0.3 (seeds 000 and 001): a neuron, a 2-2-1 network and the MSE loss.

The lab itself is ``tinygrad_fr/labs/lab1_neurone.py``, shipped in the package:
``tinygrad-fr lab 1`` runs it from any folder; this script is the same, for a checkout.

Run: python examples/lab1_neurone.py --help
"""

from tinygrad_fr.labs.lab1_neurone import main

if __name__ == "__main__":
    main()
