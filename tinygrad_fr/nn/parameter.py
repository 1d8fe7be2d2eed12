"""Parameter: a Tensor that a Module registers as one of its learnable weights.

Assigning a Parameter to a Module attribute registers it, so that ``parameters()``,
``state_dict()`` and the optimizers find it; a plain Tensor attribute is not registered.
"""

from __future__ import annotations

from typing import Any

import numpy as np

from .. import dtypes
from ..tensor import Tensor, check_flag


class Parameter(Tensor):
    """A Tensor that is a learnable weight of a Module (``requires_grad`` True by default).

    Args:
        data: the initial values (copied, as by :class:`~tinygrad_fr.Tensor`); None gives an
            empty tensor.
        requires_grad: whether the optimizer should train it.

    >>> import tinygrad_fr as tg
    >>> tg.nn.Parameter(tg.zeros(2))
    Parameter containing:
    tensor([0., 0.], requires_grad=True)
    """

    __slots__ = ()

    def __init__(self, data: Any = None, requires_grad: bool = True) -> None:
        if data is None:
            data = np.empty(0, dtype=dtypes.get_default_dtype())
        super().__init__(data)
        if requires_grad is not False:
            self.requires_grad = check_flag(requires_grad, "Parameter")

    def __repr__(self) -> str:
        return "Parameter containing:\n" + super().__repr__()
