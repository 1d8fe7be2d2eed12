"""Variable: PyTorch's deprecated wrapper, kept so that old scripts run.

Since PyTorch 0.4 a Variable is a Tensor: ``Variable(t, requires_grad=True)`` returns a new
leaf sharing ``t``'s memory, and ``isinstance(t, Variable)`` holds for every Tensor.
"""

from __future__ import annotations

import warnings
from typing import Any

from . import function


class _VariableMeta(type):
    def __instancecheck__(cls, instance: Any) -> bool:
        return isinstance(instance, function.Tensor)


class Variable(metaclass=_VariableMeta):
    """Deprecated: use Tensors directly (``t.requires_grad_()``); returns a Tensor.

    >>> import warnings, tinygrad_fr as tg
    >>> with warnings.catch_warnings():
    ...     warnings.simplefilter("ignore")
    ...     x = tg.autograd.Variable(tg.ones(2), requires_grad=True)
    >>> x, isinstance(x, tg.autograd.Variable)
    (tensor([1., 1.], requires_grad=True), True)
    """

    def __new__(  # type: ignore[misc]
        cls, data: Any, requires_grad: bool = False, volatile: bool = False
    ) -> Any:
        warnings.warn(
            "torch.autograd.Variable is deprecated (since PyTorch 0.4, a Variable is a "
            "Tensor): use the Tensor itself, with requires_grad=True where needed",
            DeprecationWarning,
            stacklevel=2,
        )
        if not isinstance(data, function.Tensor):
            raise TypeError(f"Variable data has to be a tensor, but got {type(data).__name__}")
        if volatile:
            warnings.warn(
                "volatile was removed (Variable.volatile is always False); use "
                "`with torch.no_grad():` instead",
                UserWarning,
                stacklevel=2,
            )
        out = data.detach()
        if requires_grad:
            out.requires_grad_(True)
        return out
