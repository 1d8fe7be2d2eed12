"""Training utilities, as torch.nn.utils: gradient clipping and flat parameter vectors.

Clipping rescales the ``.grad`` of each parameter in place (between ``backward()`` and
``optimizer.step()``), with PyTorch's arithmetic: the total norm is the norm of the
per-parameter norms, and gradients are multiplied by ``min(1, max_norm / (norm + 1e-6))``.
"""

from __future__ import annotations

import math
from collections.abc import Iterable
from typing import Any

import numpy as np

from ..autograd.grad_mode import no_grad
from ..autograd.observer import observable
from ..functions import cat
from ..tensor import Tensor


def _tensors(parameters: Any) -> list[Tensor]:
    return [parameters] if isinstance(parameters, Tensor) else list(parameters)


def _grads(parameters: Any) -> list[Tensor]:
    return [p.grad for p in _tensors(parameters) if p.grad is not None]


def get_total_norm(
    tensors: Any, norm_type: float = 2.0, error_if_nonfinite: bool = False, foreach: Any = None
) -> Tensor:
    """The ``norm_type`` norm of the per-tensor norms of ``tensors`` (inf: the largest |x|)."""
    arrays = [t._data for t in _tensors(tensors)]
    if not arrays:
        return Tensor(0.0)
    norm_type = float(norm_type)
    norms = np.stack([_vector_norm(a.reshape(-1), norm_type) for a in arrays])
    total = _vector_norm(norms, norm_type)
    if error_if_nonfinite and not np.isfinite(total):
        raise RuntimeError(
            f"clip_grad_norm_: the total norm of order {norm_type} of the gradients is "
            f"{total}, so they cannot be clipped; pass error_if_nonfinite=False to clip "
            "anyway (the gradients then become nan)"
        )
    return Tensor._make(np.asarray(total), False, None)


def _vector_norm(values: np.ndarray, norm_type: float) -> np.ndarray:
    if math.isinf(norm_type):
        if not values.size:
            return np.zeros((), values.dtype)
        return np.abs(values).max() if norm_type > 0 else np.abs(values).min()
    return np.asarray(np.linalg.norm(values, ord=norm_type)).astype(values.dtype)


def clip_grads_with_norm_(
    parameters: Any, max_norm: float, total_norm: Tensor, foreach: Any = None
) -> None:
    """Multiply every gradient by min(1, max_norm / (total_norm + 1e-6)), in place."""
    grads = _grads(parameters)
    if not grads:
        return
    coefficient = min(float(max_norm) / (total_norm._data + 1e-6), 1.0)
    with no_grad():
        for grad in grads:
            grad.mul_(np.asarray(coefficient, grad.dtype))


def clip_grad_norm_(
    parameters: Any,
    max_norm: float,
    norm_type: float = 2.0,
    error_if_nonfinite: bool = False,
    foreach: Any = None,
) -> Tensor:
    """Rescale the gradients so that their total norm is at most ``max_norm``; return the
    total norm before clipping.

    >>> import tinygrad_fr as tg
    >>> w = tg.Tensor([0.0, 0.0], requires_grad=True)
    >>> (w * tg.Tensor([3.0, 4.0])).sum().backward()
    >>> tg.nn.utils.clip_grad_norm_([w], max_norm=1.0), w.grad
    (tensor(5.), tensor([0.6000, 0.8000]))
    """
    # A tuple: a generator could be read only once (and a replay needs the parameters again).
    return _CLIPPING.norm(tuple(_tensors(parameters)), max_norm, norm_type, error_if_nonfinite)


def clip_grad_value_(parameters: Any, clip_value: float, foreach: Any = None) -> None:
    """Clamp every gradient into [-clip_value, clip_value], in place."""
    _CLIPPING.value(tuple(_tensors(parameters)), float(clip_value))


class _Clipping:
    """Clipping as observable calls on one owner, so that tools built on the observer see
    each as one step (tg.jit.capture replays it on the same parameters)."""

    @observable
    def norm(
        self, parameters: tuple, max_norm: float, norm_type: float, error_if_nonfinite: bool
    ) -> Tensor:
        total = get_total_norm(_grads(parameters), norm_type, error_if_nonfinite)
        clip_grads_with_norm_(parameters, max_norm, total)
        return total

    @observable
    def value(self, parameters: tuple, clip_value: float) -> None:
        with no_grad():
            for grad in _grads(parameters):
                grad.clamp_(-clip_value, clip_value)


_CLIPPING = _Clipping()


def parameters_to_vector(parameters: Iterable[Tensor]) -> Tensor:
    """The parameters flattened and concatenated into one 1-D Tensor (differentiable).

    >>> import tinygrad_fr as tg
    >>> tg.nn.utils.parameters_to_vector(tg.nn.Linear(3, 2).parameters()).shape
    (8,)
    """
    return cat([_checked(p, "parameters_to_vector").reshape(-1) for p in parameters])


def vector_to_parameters(vec: Tensor, parameters: Iterable[Tensor]) -> None:
    """Copy consecutive slices of the 1-D ``vec`` into the parameters' data (not recorded)."""
    _checked(vec, "vector_to_parameters")
    params = list(parameters)
    needed = sum(p.numel() for p in params)
    if vec.ndim != 1 or vec.numel() != needed:
        raise RuntimeError(
            f"vector_to_parameters: vec has shape {vec.shape} but the parameters hold "
            f"{needed} values; give a 1-D tensor of that length"
        )
    start = 0
    for param in params:
        count = param.numel()
        param.data = vec._data[start : start + count].reshape(param.shape)
        start += count


def _checked(value: Any, op: str) -> Tensor:
    if not isinstance(value, Tensor):
        raise TypeError(f"{op}: expected a Tensor, but got {type(value).__name__}")
    return value
