"""Adam and AdamW: adaptive moment estimation, with PyTorch's update rule and options.

AdamW differs only in its weight decay, applied to the parameter (``p *= 1 - lr * wd``)
instead of being added to the gradient.
"""

from __future__ import annotations

from typing import Any

import numpy as np

from .optimizer import Optimizer, ParamsT, check_range


class Adam(Optimizer):
    """Adam (Kingma & Ba), with optional AMSGrad, as PyTorch computes it.

    At step ``t``, with ``g`` the gradient (negated if ``maximize``, plus
    ``weight_decay * p``): ``m = b1 m + (1 - b1) g``, ``v = b2 v + (1 - b2) g²``
    (``vmax = max(vmax, v)`` replaces ``v`` below if ``amsgrad``), then
    ``p -= lr / (1 - b1**t) * m / (sqrt(v) / sqrt(1 - b2**t) + eps)``.

    >>> import tinygrad_fr as tg
    >>> w = tg.Tensor([1.0, -2.0], requires_grad=True)
    >>> optimizer = tg.optim.Adam([w], lr=0.1)
    >>> (w * w).sum().backward()
    >>> optimizer.step()
    >>> w
    tensor([ 0.9000, -1.9000], requires_grad=True)
    """

    _decoupled_weight_decay = False

    def __init__(
        self,
        params: ParamsT,
        lr: float = 1e-3,
        betas: tuple[float, float] = (0.9, 0.999),
        eps: float = 1e-8,
        weight_decay: float = 0,
        amsgrad: bool = False,
        maximize: bool = False,
    ) -> None:
        defaults = {
            "lr": lr, "betas": betas, "eps": eps, "weight_decay": weight_decay,
            "amsgrad": amsgrad, "maximize": maximize,
        }  # fmt: skip
        super().__init__(params, defaults)

    def _check_group(self, group: dict[str, Any]) -> None:
        name = self._name()
        check_range(name, "lr", group["lr"], example="1e-3")
        check_range(name, "eps", group["eps"], example="1e-8")
        betas = group["betas"]
        if not isinstance(betas, (tuple, list)) or len(betas) != 2:
            raise ValueError(f"{name}: betas must be a pair (beta1, beta2), got {betas!r}")
        check_range(name, "betas[0]", betas[0], high=1.0, example="0.9")
        check_range(name, "betas[1]", betas[1], high=1.0, example="0.999")
        check_range(name, "weight_decay", group["weight_decay"], example="1e-2")

    def _update(self, params: list[Any], group: dict[str, Any]) -> None:
        lr, eps = float(group["lr"]), float(group["eps"])
        beta1, beta2 = float(group["betas"][0]), float(group["betas"][1])
        weight_decay = float(group["weight_decay"])
        maximize, amsgrad = group["maximize"], group["amsgrad"]
        for param in params:
            data = param._mutable_data()
            grad = param._grad._data
            state = self._param_state(param, group, "exp_avg", "exp_avg_sq")
            state["step"] += 1
            step = state["step"]
            if maximize:
                grad = -grad
            if weight_decay != 0.0:
                if self._decoupled_weight_decay:
                    data *= 1.0 - lr * weight_decay
                else:
                    grad = grad + weight_decay * data
            exp_avg, exp_avg_sq = state["exp_avg"], state["exp_avg_sq"]
            exp_avg += (1.0 - beta1) * (grad - exp_avg)
            exp_avg_sq *= beta2
            exp_avg_sq += (1.0 - beta2) * (grad * grad)
            if amsgrad:
                max_exp_avg_sq = state.get("max_exp_avg_sq")
                if max_exp_avg_sq is None:
                    max_exp_avg_sq = state["max_exp_avg_sq"] = np.zeros_like(data)
                exp_avg_sq = np.maximum(max_exp_avg_sq, exp_avg_sq, out=max_exp_avg_sq)
            step_size = lr / (1.0 - beta1**step)
            denom = np.sqrt(exp_avg_sq)
            denom /= (1.0 - beta2**step) ** 0.5
            denom += eps
            update = np.divide(exp_avg, denom, out=denom)
            update *= step_size
            np.subtract(data, update, out=data)


class AdamW(Adam):
    """Adam with decoupled weight decay (Loshchilov & Hutter), as PyTorch computes it.

    Before the Adam update, ``p *= 1 - lr * weight_decay``; the gradient is left alone.
    """

    _decoupled_weight_decay = True

    def __init__(
        self,
        params: ParamsT,
        lr: float = 1e-3,
        betas: tuple[float, float] = (0.9, 0.999),
        eps: float = 1e-8,
        weight_decay: float = 1e-2,
        amsgrad: bool = False,
        maximize: bool = False,
    ) -> None:
        super().__init__(params, lr, betas, eps, weight_decay, amsgrad, maximize)
