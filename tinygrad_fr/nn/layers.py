"""Layers: Linear, Dropout, Flatten and Identity.

Linear runs as one fused op (x Wᵀ + b) and is initialised as PyTorch's: weight and bias
drawn from U(-1/sqrt(in_features), 1/sqrt(in_features)).
"""

from __future__ import annotations

import math
from typing import Any

import numpy as np

from .. import dtypes
from ..ops.linalg import Linear as LinearOp
from ..tensor import Tensor
from . import functional as F  # noqa: N812 - PyTorch's usual alias
from . import init
from .conversion import check_device
from .module import Module
from .parameter import Parameter


class Linear(Module):
    """y = x Wᵀ + b, with W of shape (out_features, in_features), on (..., in_features) inputs.

    >>> import tinygrad_fr as tg
    >>> layer = tg.nn.Linear(3, 2)
    >>> layer(tg.ones(5, 3)).shape
    (5, 2)
    """

    def __init__(
        self,
        in_features: int,
        out_features: int,
        bias: bool = True,
        device: Any = None,
        dtype: Any = None,
    ) -> None:
        super().__init__()
        check_device(device, "Linear")
        for name, size in (("in_features", in_features), ("out_features", out_features)):
            if isinstance(size, bool) or not isinstance(size, (int, np.integer)) or size < 0:
                raise ValueError(f"Linear: {name} must be a non-negative int, got {size!r}")
        self.in_features = int(in_features)
        self.out_features = int(out_features)
        dtype = dtypes.get_default_dtype() if dtype is None else np.dtype(dtype)
        self.weight = Parameter(np.empty((self.out_features, self.in_features), dtype))
        if bias:
            self.bias = Parameter(np.empty(self.out_features, dtype))
        else:
            self.register_parameter("bias", None)
        self.reset_parameters()

    def reset_parameters(self) -> None:
        """Draw fresh weights as PyTorch does (kaiming_uniform_ with a=sqrt(5), same bias bound)."""
        init.kaiming_uniform_(self.weight, a=math.sqrt(5))
        if self.bias is not None:
            bound = 1 / math.sqrt(self.in_features) if self.in_features > 0 else 0.0
            init.uniform_(self.bias, -bound, bound)

    def forward(self, input: Tensor) -> Tensor:
        """Apply the layer to (..., in_features) (or 1-D (in_features,)) inputs."""
        shape = input.shape
        if not shape or shape[-1] != self.in_features:
            width = shape[-1] if shape else "no"
            raise ValueError(
                f"Linear: input has {width} features (shape {shape}) but this layer expects "
                f"in_features={self.in_features}; reshape the input (e.g. x.flatten(1)) or "
                "build the layer with the right size"
            )
        return LinearOp.apply(input, self.weight, self.bias)

    def extra_repr(self) -> str:
        return (
            f"in_features={self.in_features}, out_features={self.out_features}, "
            f"bias={self.bias is not None}"
        )


class Identity(Module):
    """Return the input unchanged (its arguments are ignored, as in PyTorch)."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__()

    def forward(self, input: Any) -> Any:
        """Return ``input``."""
        return input


class Flatten(Module):
    """Merge dimensions start_dim..end_dim (by default all but the batch dimension)."""

    def __init__(self, start_dim: int = 1, end_dim: int = -1) -> None:
        super().__init__()
        self.start_dim = start_dim
        self.end_dim = end_dim

    def forward(self, input: Tensor) -> Tensor:
        """Flatten ``input``."""
        return input.flatten(self.start_dim, self.end_dim)

    def extra_repr(self) -> str:
        return f"start_dim={self.start_dim}, end_dim={self.end_dim}"


class Dropout(Module):
    """In training, zero each element with probability p and scale the rest by 1/(1-p).

    In evaluation mode (``model.eval()``) it is the identity.

    >>> import tinygrad_fr as tg
    >>> tg.nn.Dropout(0.5).eval()(tg.ones(3))
    tensor([1., 1., 1.])
    """

    def __init__(self, p: float = 0.5, inplace: bool = False) -> None:
        super().__init__()
        F.check_probability(p, "Dropout")
        self.p = p
        self.inplace = inplace

    def forward(self, input: Tensor) -> Tensor:
        """Apply dropout when training, else return ``input``."""
        return F.dropout(input, self.p, self.training)

    def extra_repr(self) -> str:
        return f"p={self.p}, inplace={self.inplace}"
