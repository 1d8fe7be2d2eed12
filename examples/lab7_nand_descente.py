"""Deep Learning, the biological intuition (seed 004): the NAND perceptron and gradient descent.

The lab itself is ``tinygrad_fr/labs/lab7_nand_descente.py``, shipped in the package:
``tinygrad-fr lab 7`` runs it from any folder; this script is the same, for a checkout.

Run: python examples/lab7_nand_descente.py --help
"""

from tinygrad_fr.labs.lab7_nand_descente import main

if __name__ == "__main__":
    main()
