"""Stochastic gradient descent, with PyTorch's momentum, Nesterov and weight-decay options.

Plain SGD (no momentum, no weight decay) is the hot path of the course: one NumPy in-place
update per parameter and nothing else.
"""

from __future__ import annotations

from typing import Any

import numpy as np

from .optimizer import Optimizer, ParamsT, check_range


class SGD(Optimizer):
    """Stochastic gradient descent, optionally with momentum (PyTorch's update rule).

    With ``g`` the gradient (negated if ``maximize``), ``g += weight_decay * p``; with
    momentum ``b = momentum * b + (1 - dampening) * g`` (``b = g`` at the first step) and
    ``g = g + momentum * b`` if ``nesterov`` else ``g = b``; then ``p -= lr * g``.
    ``lr`` defaults to 1e-3, as in PyTorch.

    >>> import tinygrad_fr as tg
    >>> w = tg.Tensor([1.0, -2.0], requires_grad=True)
    >>> optimizer = tg.optim.SGD([w], lr=0.1)
    >>> (w * w).sum().backward()
    >>> optimizer.step()
    >>> w
    tensor([ 0.8000, -1.6000], requires_grad=True)
    """

    def __init__(
        self,
        params: ParamsT,
        lr: float = 1e-3,
        momentum: float = 0,
        dampening: float = 0,
        weight_decay: float = 0,
        nesterov: bool = False,
        maximize: bool = False,
    ) -> None:
        defaults = {
            "lr": lr, "momentum": momentum, "dampening": dampening,
            "weight_decay": weight_decay, "nesterov": nesterov, "maximize": maximize,
        }  # fmt: skip
        super().__init__(params, defaults)

    def _check_group(self, group: dict[str, Any]) -> None:
        check_range("SGD", "lr", group["lr"], example="0.01")
        check_range("SGD", "momentum", group["momentum"], example="0.9")
        check_range("SGD", "dampening", group["dampening"])
        check_range("SGD", "weight_decay", group["weight_decay"], example="1e-4")
        if group["nesterov"] and (group["momentum"] <= 0 or group["dampening"] != 0):
            raise ValueError(
                f"SGD: nesterov=True needs momentum > 0 and dampening == 0, got momentum="
                f"{group['momentum']!r} and dampening={group['dampening']!r}; set e.g. "
                "momentum=0.9, dampening=0"
            )

    def _update(self, params: list[Any], group: dict[str, Any]) -> None:
        lr = float(group["lr"])  # a Python float keeps float32 parameters float32
        maximize, nesterov = group["maximize"], group["nesterov"]
        weight_decay, momentum = float(group["weight_decay"]), float(group["momentum"])
        dampening = float(group["dampening"])
        if not (momentum or weight_decay or maximize):
            for param in params:  # plain SGD, the course's hot path
                data = param._mutable_data()
                np.subtract(data, lr * param._grad._data, out=data)
            return
        for param in params:
            data = param._mutable_data()
            grad = param._grad._data
            if maximize:
                grad = -grad
            if weight_decay != 0.0:
                grad = grad + weight_decay * data
            if momentum != 0.0:
                state = self._param_state(param, group)
                buffer = state.get("momentum_buffer")
                if buffer is None:
                    buffer = state["momentum_buffer"] = np.array(grad, dtype=data.dtype)
                else:
                    buffer *= momentum
                    buffer += (1.0 - dampening) * grad
                grad = grad + momentum * buffer if nesterov else buffer
            np.subtract(data, lr * grad, out=data)
