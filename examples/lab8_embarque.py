"""Lab 8 (AI on embedded boards): train, export to ONNX in float32 and int8, run on ONNX Runtime
and the NumPy-only runner.

The lab itself is ``tinygrad_fr/labs/lab8_embarque.py``, shipped in the package:
``tinygrad-fr lab 8`` runs it from any folder; this script is the same, for a checkout.

Run: python examples/lab8_embarque.py --help
"""

import sys

from tinygrad_fr.labs.lab8_embarque import main

if __name__ == "__main__":
    sys.exit(main())
