"""Performance benchmark suite for tinygrad_fr.

Each workload times an expert hand-written NumPy version of the same maths, the tinygrad_fr
version and, when ``import torch`` works, PyTorch, in one process on the same data.
Run it from the repository root with ``python -m benchmarks`` (``--help`` lists the options).
This package imports nothing heavy so that thread settings can be fixed before NumPy loads.
"""
