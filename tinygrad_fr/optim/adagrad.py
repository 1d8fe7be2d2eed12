"""Adagrad: per-coordinate steps shrinking with the sum of squared gradients (PyTorch's rule).

As in PyTorch, the accumulator of every parameter is created when its group is added, filled
with ``initial_accumulator_value``.
"""

from __future__ import annotations

from typing import Any

import numpy as np

from .optimizer import Optimizer, ParamsT, check_range


class Adagrad(Optimizer):
    """Adagrad (Duchi et al.), with PyTorch's update rule.

    At step ``t``, with ``g`` the gradient (plus ``weight_decay * p``):
    ``clr = lr / (1 + (t - 1) lr_decay)``, ``s += g²``, ``p -= clr g / (sqrt(s) + eps)``.

    >>> import tinygrad_fr as tg
    >>> w = tg.Tensor([1.0, -2.0], requires_grad=True)
    >>> optimizer = tg.optim.Adagrad([w], lr=0.1)
    >>> (w * w).sum().backward()
    >>> optimizer.step()
    >>> w
    tensor([ 0.9000, -1.9000], requires_grad=True)
    """

    def __init__(
        self,
        params: ParamsT,
        lr: float = 1e-2,
        lr_decay: float = 0,
        weight_decay: float = 0,
        initial_accumulator_value: float = 0,
        eps: float = 1e-10,
        maximize: bool = False,
    ) -> None:
        defaults = {
            "lr": lr, "lr_decay": lr_decay, "weight_decay": weight_decay,
            "initial_accumulator_value": initial_accumulator_value, "eps": eps,
            "maximize": maximize,
        }  # fmt: skip
        super().__init__(params, defaults)

    def _check_group(self, group: dict[str, Any]) -> None:
        check_range("Adagrad", "lr", group["lr"], example="1e-2")
        check_range("Adagrad", "lr_decay", group["lr_decay"])
        check_range("Adagrad", "weight_decay", group["weight_decay"])
        check_range("Adagrad", "initial_accumulator_value", group["initial_accumulator_value"])
        check_range("Adagrad", "eps", group["eps"], example="1e-10")

    def add_param_group(self, param_group: dict[str, Any]) -> None:
        """Add a group of parameters and create their accumulators."""
        super().add_param_group(param_group)
        group = self.param_groups[-1]
        for param in group["params"]:
            self._init_state(param, group)

    def _init_state(self, param: Any, group: dict[str, Any]) -> dict[str, Any]:
        state = self._param_state(param, group)
        if not state:
            state["step"] = 0
            value = float(group["initial_accumulator_value"])
            state["sum"] = np.full_like(param._data, value)
        return state

    def _update(self, params: list[Any], group: dict[str, Any]) -> None:
        lr, lr_decay, eps = float(group["lr"]), float(group["lr_decay"]), float(group["eps"])
        weight_decay, maximize = float(group["weight_decay"]), group["maximize"]
        for param in params:
            data = param._mutable_data()
            grad = param._grad._data
            state = self._init_state(param, group)
            state["step"] += 1
            if maximize:
                grad = -grad
            if weight_decay != 0.0:
                grad = grad + weight_decay * data
            clr = lr / (1.0 + (state["step"] - 1) * lr_decay)
            accumulator = state["sum"]
            accumulator += grad * grad
            std = np.sqrt(accumulator)
            std += eps
            update = np.divide(grad, std, out=std)
            update *= clr
            np.subtract(data, update, out=data)
