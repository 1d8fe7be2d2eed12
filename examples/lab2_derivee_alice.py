"""Lab 0, part 0.4.1 (seeds 000 and 001): the partial derivative dL/dw1 for Alice alone.

The lab itself is ``tinygrad_fr/labs/lab2_derivee_alice.py``, shipped in the package:
``tinygrad-fr lab 2`` runs it from any folder; this script is the same, for a checkout.

Run: python examples/lab2_derivee_alice.py --help
"""

from tinygrad_fr.labs.lab2_derivee_alice import main

if __name__ == "__main__":
    main()
