"""Lab 0, parts 0.4.2 and 0.5 (seeds 000 and 001): train the 2-2-1 network on the gender data.

The lab itself is ``tinygrad_fr/labs/lab3_genre_sgd.py``, shipped in the package:
``tinygrad-fr lab 3`` runs it from any folder; this script is the same, for a checkout.

Run: python examples/lab3_genre_sgd.py --help
"""

from tinygrad_fr.labs.lab3_genre_sgd import main

if __name__ == "__main__":
    main()
