"""RMSprop: divide the gradient by a running root mean square, as PyTorch computes it.

Options: momentum on the scaled step, the centered variant (which subtracts the squared
running mean of the gradient) and weight decay added to the gradient.
"""

from __future__ import annotations

from typing import Any

import numpy as np

from .optimizer import Optimizer, ParamsT, check_range


class RMSprop(Optimizer):
    """RMSprop (Hinton), with PyTorch's update rule.

    With ``g`` the gradient (plus ``weight_decay * p``): ``v = alpha v + (1 - alpha) g²``;
    if ``centered``, ``a = alpha a + (1 - alpha) g`` and ``v~ = v - a²`` else ``v~ = v``;
    ``d = g / (sqrt(v~) + eps)``; then ``b = momentum b + d; p -= lr b`` if ``momentum``
    else ``p -= lr d``.

    >>> import tinygrad_fr as tg
    >>> w = tg.Tensor([1.0, -2.0], requires_grad=True)
    >>> optimizer = tg.optim.RMSprop([w], lr=0.01)
    >>> (w * w).sum().backward()
    >>> optimizer.step()
    >>> w
    tensor([ 0.9000, -1.9000], requires_grad=True)
    """

    def __init__(
        self,
        params: ParamsT,
        lr: float = 1e-2,
        alpha: float = 0.99,
        eps: float = 1e-8,
        weight_decay: float = 0,
        momentum: float = 0,
        centered: bool = False,
        maximize: bool = False,
    ) -> None:
        defaults = {
            "lr": lr, "alpha": alpha, "eps": eps, "weight_decay": weight_decay,
            "momentum": momentum, "centered": centered, "maximize": maximize,
        }  # fmt: skip
        super().__init__(params, defaults)

    def _check_group(self, group: dict[str, Any]) -> None:
        check_range("RMSprop", "lr", group["lr"], example="1e-2")
        check_range("RMSprop", "alpha", group["alpha"], example="0.99")
        check_range("RMSprop", "eps", group["eps"], example="1e-8")
        check_range("RMSprop", "weight_decay", group["weight_decay"])
        check_range("RMSprop", "momentum", group["momentum"], example="0.9")

    def _update(self, params: list[Any], group: dict[str, Any]) -> None:
        lr, alpha, eps = float(group["lr"]), float(group["alpha"]), float(group["eps"])
        weight_decay, momentum = float(group["weight_decay"]), float(group["momentum"])
        maximize, centered = group["maximize"], group["centered"]
        for param in params:
            data = param._mutable_data()
            grad = param._grad._data
            state = self._param_state(param, group, "square_avg")
            state["step"] += 1
            if maximize:
                grad = -grad
            if weight_decay != 0.0:
                grad = grad + weight_decay * data
            square_avg = state["square_avg"]
            square_avg *= alpha
            square_avg += (1.0 - alpha) * (grad * grad)
            if centered:
                grad_avg = _buffer(state, "grad_avg", data)
                grad_avg += (1.0 - alpha) * (grad - grad_avg)
                avg = np.sqrt(square_avg - grad_avg * grad_avg)
            else:
                avg = np.sqrt(square_avg)
            avg += eps
            if momentum > 0.0:
                buffer = _buffer(state, "momentum_buffer", data)
                buffer *= momentum
                buffer += grad / avg
                np.subtract(data, lr * buffer, out=data)
            else:
                update = np.divide(grad, avg, out=avg)
                update *= lr
                np.subtract(data, update, out=data)


def _buffer(state: dict[str, Any], key: str, like: np.ndarray) -> np.ndarray:
    """The state array ``key``, created as zeros the first time it is needed."""
    array = state.get(key)
    if array is None:
        array = state[key] = np.zeros_like(like)
    return array
