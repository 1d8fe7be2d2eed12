"""Activation modules: Sigmoid, Tanh, ReLU, LeakyReLU, Softmax and LogSoftmax.

Each wraps the Tensor method of the same name, so that activations can sit in a Sequential.
"""

from __future__ import annotations

from ..tensor import Tensor
from .module import Module


class Sigmoid(Module):
    """Element-wise 1 / (1 + e**-x)."""

    def forward(self, input: Tensor) -> Tensor:
        """Apply the activation."""
        return input.sigmoid()


class Tanh(Module):
    """Element-wise hyperbolic tangent."""

    def forward(self, input: Tensor) -> Tensor:
        """Apply the activation."""
        return input.tanh()


class ReLU(Module):
    """Element-wise max(x, 0). ``inplace`` is accepted for PyTorch code; the result is new."""

    def __init__(self, inplace: bool = False) -> None:
        super().__init__()
        self.inplace = inplace

    def forward(self, input: Tensor) -> Tensor:
        """Apply the activation."""
        return input.relu()

    def extra_repr(self) -> str:
        return "inplace=True" if self.inplace else ""


class LeakyReLU(Module):
    """Element-wise x if x > 0 else negative_slope * x."""

    def __init__(self, negative_slope: float = 0.01, inplace: bool = False) -> None:
        super().__init__()
        self.negative_slope = negative_slope
        self.inplace = inplace

    def forward(self, input: Tensor) -> Tensor:
        """Apply the activation."""
        return input.leaky_relu(self.negative_slope)

    def extra_repr(self) -> str:
        return f"negative_slope={self.negative_slope}" + (", inplace=True" if self.inplace else "")


class Softmax(Module):
    """exp(x) / sum(exp(x)) along ``dim``; None means the last dimension (see the note).

    Note: PyTorch's legacy ``dim=None`` picks dim 0 for 0-, 1- and 3-D inputs and dim 1
    otherwise, with a warning; here None always means -1. Pass ``dim`` explicitly.
    """

    def __init__(self, dim: int | None = None) -> None:
        super().__init__()
        self.dim = dim

    def forward(self, input: Tensor) -> Tensor:
        """Apply softmax along ``dim``."""
        return input.softmax(-1 if self.dim is None else self.dim)

    def extra_repr(self) -> str:
        return f"dim={self.dim}"


class LogSoftmax(Module):
    """log(softmax(x)) along ``dim``, computed stably; None means the last dimension."""

    def __init__(self, dim: int | None = None) -> None:
        super().__init__()
        self.dim = dim

    def forward(self, input: Tensor) -> Tensor:
        """Apply log_softmax along ``dim``."""
        return input.log_softmax(-1 if self.dim is None else self.dim)

    def extra_repr(self) -> str:
        return f"dim={self.dim}"
