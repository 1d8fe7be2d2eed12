"""Deep Learning, the biological intuition (seed 004): the class ``Reseau`` and its mini-batch SGD.

The lab itself is ``tinygrad_fr/labs/lab6_reseau.py``, shipped in the package:
``tinygrad-fr lab 6`` runs it from any folder; this script is the same, for a checkout.

Run: python examples/lab6_reseau.py --help
"""

from tinygrad_fr.labs.lab6_reseau import main

if __name__ == "__main__":
    main()
