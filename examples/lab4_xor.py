"""Neural networks from scratch (seed 002): XOR with FC(2,3)-tanh-FC(3,1)-tanh, MSE, lr 0.1.

The lab itself is ``tinygrad_fr/labs/lab4_xor.py``, shipped in the package:
``tinygrad-fr lab 4`` runs it from any folder; this script is the same, for a checkout.

Run: python examples/lab4_xor.py --help
"""

from tinygrad_fr.labs.lab4_xor import main

if __name__ == "__main__":
    main()
