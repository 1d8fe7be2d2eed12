"""The Tensor's operations, each written once as a function of its input, grouped by kind.

``tinygrad_fr.tensor`` binds them as methods (``Tensor.exp = pointwise.exp``) and
``tinygrad_fr.functions`` exports them as ``tg.exp(x)``. Each checks and normalises its
arguments (PyTorch's names, NumPy's aliases), then applies one op of :mod:`tinygrad_fr.ops`;
composite ones (``var``, ``transpose``...) are written from those ops and need no backward.
"""
