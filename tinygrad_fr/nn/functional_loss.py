"""Loss functions of the functional API (re-exported by :mod:`tinygrad_fr.nn.functional`).

Each takes ``reduction='mean'|'sum'|'none'`` as PyTorch does (and its deprecated
``size_average``/``reduce`` arguments, with its warning). Mean squared error and
negative log-likelihood run as one fused op each; cross-entropy is log_softmax followed by
that fused NLL (stable for any logits); the others are written from element-wise ops.
"""

from __future__ import annotations

import warnings
from typing import Any

import numpy as np

from ..functions import where
from ..ops.loss import MSELoss, NLLLoss
from ..tensor import Tensor

_REDUCTIONS = ("mean", "sum", "none")
_LOG_FLOOR = -100.0  # PyTorch clamps BCE's logarithms here, so that log(0) gives a finite loss


def legacy_reduction(size_average: bool | None, reduce: bool | None, reduction: str) -> str:
    """The ``reduction`` PyTorch's deprecated ``size_average``/``reduce`` arguments mean (with
    PyTorch's warning when either is given)."""
    if size_average is None and reduce is None:
        return reduction
    size_average = True if size_average is None else size_average
    reduce = True if reduce is None else reduce
    reduction = ("mean" if size_average else "sum") if reduce else "none"
    warnings.warn(
        f"size_average and reduce args will be deprecated, please use reduction='{reduction}' "
        "instead.",
        UserWarning,
        stacklevel=3,
    )
    return reduction


def check_reduction(reduction: Any, op: str) -> None:
    """Raise a ValueError unless ``reduction`` is 'mean', 'sum' or 'none'."""
    if reduction not in _REDUCTIONS:
        raise ValueError(f"{op}: reduction must be 'mean', 'sum' or 'none', got {reduction!r}")


def _reduce(losses: Tensor, reduction: str) -> Tensor:
    if reduction == "mean":
        return losses.mean()
    return losses.sum() if reduction == "sum" else losses


def _input(value: Any, op: str) -> Tensor:
    if not isinstance(value, Tensor):
        raise TypeError(f"{op}: input must be a Tensor, got {type(value).__name__}")
    if value.dtype.kind != "f":
        raise TypeError(f"{op}: input must be floating point, got dtype {value.dtype}")
    return value


def constant_of(value: Any) -> Any:
    """The array behind a Tensor (other values unchanged)."""
    return value._data if isinstance(value, Tensor) else value


def _dtype_kind(value: Any) -> str:
    return str(np.asarray(constant_of(value)).dtype.kind)


def _float_target(target: Any, x: Tensor, op: str) -> Tensor:
    """The target as a floating Tensor of the input's shape (a float Tensor passes as is)."""
    if isinstance(target, Tensor):
        if target.dtype.kind != "f":
            target = Tensor._make(target._data.astype(x.dtype), False, None)
    else:
        array = np.asarray(target)
        if array.dtype.kind not in "biuf":
            raise TypeError(f"{op}: target must be numeric, got {type(target).__name__}")
        target = Tensor._make(array.astype(x.dtype), False, None)
    if target.shape != x.shape:
        raise ValueError(
            f"{op}: target has shape {target.shape} but input has shape {x.shape}; they "
            "must match (no broadcasting, to catch an (N,) target against an (N, 1) output: "
            "reshape one of them)"
        )
    return target


def _broadcast_weight(weight: Any, shape: tuple, dtype: np.dtype, op: str, name: str) -> Any:
    """An element weight as an ndarray that broadcasts to ``shape`` (None stays None)."""
    if weight is None:
        return None
    array = weight._data if isinstance(weight, Tensor) else np.asarray(weight)
    try:
        fits = np.broadcast_shapes(array.shape, shape) == shape
    except ValueError:
        fits = False
    if not fits:
        raise ValueError(
            f"{op}: {name} has shape {array.shape}, which does not broadcast to the input's "
            f"shape {shape}"
        )
    return array.astype(dtype, copy=False)


def mse_loss(
    input: Tensor,
    target: Any,
    *,
    size_average: bool | None = None,
    reduce: bool | None = None,
    reduction: str = "mean",
) -> Tensor:
    """Mean squared error: reduce((input - target)**2).

    Shapes must match exactly (PyTorch broadcasts with a warning; here it is an error).

    >>> import tinygrad_fr as tg
    >>> tg.nn.functional.mse_loss(tg.Tensor([1.0, 3.0]), tg.Tensor([0.0, 1.0]))
    tensor(2.5000)
    """
    reduction = legacy_reduction(size_average, reduce, reduction)
    check_reduction(reduction, "mse_loss")
    x = _input(input, "mse_loss")
    return MSELoss.apply(x, _float_target(target, x, "mse_loss"), reduction)


def l1_loss(
    input: Tensor,
    target: Any,
    *,
    size_average: bool | None = None,
    reduce: bool | None = None,
    reduction: str = "mean",
) -> Tensor:
    """Mean absolute error: reduce(|input - target|); shapes must match."""
    reduction = legacy_reduction(size_average, reduce, reduction)
    check_reduction(reduction, "l1_loss")
    x = _input(input, "l1_loss")
    return _reduce((x - _float_target(target, x, "l1_loss")).abs(), reduction)


def smooth_l1_loss(
    input: Tensor,
    target: Any,
    *,
    size_average: bool | None = None,
    reduce: bool | None = None,
    reduction: str = "mean",
    beta: float = 1.0,
) -> Tensor:
    """reduce(0.5 d² / beta where |d| < beta, else |d| - 0.5 beta), d = input - target.

    ``beta=0`` is the L1 loss. Shapes must match.

    >>> import tinygrad_fr as tg
    >>> tg.nn.functional.smooth_l1_loss(tg.Tensor([0.5, 3.0]), tg.Tensor([0.0, 0.0]))
    tensor(1.3125)
    """
    reduction = legacy_reduction(size_average, reduce, reduction)
    check_reduction(reduction, "smooth_l1_loss")
    if beta < 0:
        raise RuntimeError(f"smooth_l1_loss: beta must be non-negative, got {beta}")
    x = _input(input, "smooth_l1_loss")
    return _reduce(
        _huber(x - _float_target(target, x, "smooth_l1_loss"), beta, 1 / beta if beta else 0),
        reduction,
    )


def huber_loss(input: Tensor, target: Any, reduction: str = "mean", delta: float = 1.0) -> Tensor:
    """reduce(0.5 d² where |d| < delta, else delta (|d| - 0.5 delta)), d = input - target.

    The smooth L1 loss times ``delta``. Shapes must match.

    >>> import tinygrad_fr as tg
    >>> tg.nn.functional.huber_loss(tg.Tensor([0.5, 3.0]), tg.Tensor([0.0, 0.0]), delta=2.0)
    tensor(2.0625)
    """
    check_reduction(reduction, "huber_loss")
    if not delta > 0:
        raise RuntimeError(f"huber_loss: delta must be positive, got {delta}")
    x = _input(input, "huber_loss")
    return _reduce(_huber(x - _float_target(target, x, "huber_loss"), delta, 1.0), reduction)


def _huber(diff: Tensor, cutoff: float, quadratic_scale: float) -> Tensor:
    """Element-wise 0.5 d² scale where |d| < cutoff, else (|d| - 0.5 cutoff) cutoff scale."""
    size = diff.abs()
    if cutoff == 0:
        return size
    inside = size._data < cutoff
    linear = (size - 0.5 * cutoff) * (cutoff * quadratic_scale)
    if not inside.any():
        return linear
    return where(inside, diff * diff * (0.5 * quadratic_scale), linear)


def _clamped_log(p: Tensor) -> Tensor:
    """max(log(p), -100) for p in [0, 1], without ever taking the log of 0."""
    data = p._data
    # Below this, log(p) < -100 (float64) or 1/p would overflow in backward (float32).
    floor = max(np.exp(_LOG_FLOOR), float(np.finfo(data.dtype).tiny))
    usable = data >= floor
    if usable.all():
        return p.log()
    return where(usable, where(usable, p, 1.0).log(), _LOG_FLOOR)


def binary_cross_entropy(
    input: Tensor,
    target: Any,
    weight: Any = None,
    *,
    size_average: bool | None = None,
    reduce: bool | None = None,
    reduction: str = "mean",
) -> Tensor:
    """-(t log(x) + (1 - t) log(1 - x)) on probabilities x, each log clamped at -100.

    >>> import tinygrad_fr as tg
    >>> tg.nn.functional.binary_cross_entropy(tg.Tensor([0.5]), tg.Tensor([1.0]))
    tensor(0.6931)
    """
    op = "binary_cross_entropy"
    reduction = legacy_reduction(size_average, reduce, reduction)
    check_reduction(reduction, op)
    x = _input(input, op)
    target = _float_target(target, x, op)
    data = x._data
    inside = (data >= 0) & (data <= 1)
    if not inside.all():
        bad = data[~inside]
        raise ValueError(
            f"{op}: input must hold probabilities in [0, 1] but {bad.size} of its "
            f"{data.size} values are outside (e.g. {bad.flat[0]}); apply sigmoid first, or "
            "use binary_cross_entropy_with_logits on the raw scores (more stable)"
        )
    losses = -(target * _clamped_log(x) + (1 - target) * _clamped_log(1 - x))
    scale = _broadcast_weight(weight, x.shape, x.dtype, op, "weight")
    return _reduce(losses if scale is None else losses * scale, reduction)


def binary_cross_entropy_with_logits(
    input: Tensor,
    target: Any,
    weight: Any = None,
    *,
    size_average: bool | None = None,
    reduce: bool | None = None,
    reduction: str = "mean",
    pos_weight: Any = None,
) -> Tensor:
    """Binary cross-entropy on logits x: max(x, 0) - x t + log(1 + e**-|x|), stable for any x.

    ``pos_weight`` multiplies the loss of positive targets, broadcast along the last
    dimension (one weight per class), as in PyTorch.

    >>> import tinygrad_fr as tg
    >>> F = tg.nn.functional
    >>> F.binary_cross_entropy_with_logits(tg.Tensor([0.0, 1000.0]), tg.Tensor([1.0, 1.0]))
    tensor(0.3466)
    """
    op = "binary_cross_entropy_with_logits"
    reduction = legacy_reduction(size_average, reduce, reduction)
    check_reduction(reduction, op)
    x = _input(input, op)
    target = _float_target(target, x, op)
    # softplus(-x) = max(-x, 0) + log(1 + e**-|x|): the log stays in (0, log 2] for any x.
    # -|x| is chosen by a where with x >= 0 taking -x, the branch relu(-x) also follows at
    # 0, so that the gradient at x = 0 is sigmoid(0) - t (abs() would give -t).
    softplus_neg = (-x).relu() + where(x >= 0, -x, x).exp().add(1.0).log()
    if pos_weight is None:
        losses = (1 - target) * x + softplus_neg
    else:
        positive = _broadcast_weight(pos_weight, x.shape, x.dtype, op, "pos_weight")
        losses = (1 - target) * x + ((positive - 1) * target + 1) * softplus_neg
    scale = _broadcast_weight(weight, x.shape, x.dtype, op, "weight")
    return _reduce(losses if scale is None else losses * scale, reduction)


def _class_targets(target: Any, x: Tensor, ignore_index: int, op: str) -> np.ndarray:
    """Class-index targets as an int64 array, checked against the input's shape and classes."""
    array = target._data if isinstance(target, Tensor) else np.asarray(target)
    if array.dtype.kind not in "iu":
        # As PyTorch: floats are not class indices (torch.Tensor([0, 1]) is float32).
        raise RuntimeError(
            f"{op}: expected class-index targets of an integer dtype (int64, PyTorch's Long), "
            f"got dtype {array.dtype} and shape {array.shape}; convert them with "
            f"target.long(), or give class probabilities of the input's shape {x.shape}"
        )
    array = array.astype(np.int64, copy=False)
    shape = x.shape
    expected = () if len(shape) == 1 else shape[:1] + shape[2:]
    if array.shape != expected:
        raise ValueError(
            f"{op}: target has shape {array.shape} but input of shape {shape} needs class "
            f"indices of shape {expected} (or, for cross_entropy, probabilities of shape "
            f"{shape})"
        )
    classes = shape[0] if len(shape) == 1 else shape[1]
    if array.size and (array.min() < 0 or array.max() >= classes):
        valid = ((array >= 0) & (array < classes)) | (array == ignore_index)
        if not valid.all():
            raise IndexError(
                f"{op}: target holds class {array[~valid].flat[0]} but the input has "
                f"{classes} classes; targets must be in 0..{classes - 1} (or equal "
                f"ignore_index={ignore_index})"
            )
    return array


def _class_weights(weight: Any, classes: int, dtype: np.dtype, op: str) -> Any:
    if weight is None:
        return None
    array = weight._data if isinstance(weight, Tensor) else np.asarray(weight)
    if array.shape != (classes,):
        raise ValueError(
            f"{op}: weight has shape {array.shape} but the input has {classes} classes; give "
            f"one weight per class, shape ({classes},)"
        )
    return array.astype(dtype, copy=False)


def _check_classes_input(x: Tensor, op: str) -> int:
    """The class dimension of an (N, C, d1, ...) or (C,) input."""
    if x.ndim == 0:
        raise ValueError(f"{op}: input must be (N, C), (C,) or (N, C, d1, ...), got a 0-d tensor")
    return 0 if x.ndim == 1 else 1


def nll_loss(
    input: Tensor,
    target: Any,
    weight: Any = None,
    *,
    ignore_index: int = -100,
    size_average: bool | None = None,
    reduce: bool | None = None,
    reduction: str = "mean",
) -> Tensor:
    """Negative log-likelihood of class indices, given log-probabilities (N, C, d1...) or (C,).

    'mean' divides by the summed weight of the counted targets, as in PyTorch.
    """
    op = "nll_loss"
    reduction = legacy_reduction(size_average, reduce, reduction)
    check_reduction(reduction, op)
    x = _input(input, op)
    class_dim = _check_classes_input(x, op)
    classes = x.shape[class_dim]
    targets = _class_targets(target, x, ignore_index, op)
    weights = _class_weights(weight, classes, x.dtype, op)
    if x.ndim <= 2:
        return NLLLoss.apply(x, targets, weights, ignore_index, reduction)
    # (N, C, d1, ...): move the classes last and treat every position as a row.
    rows = x.permute(0, *range(2, x.ndim), 1).reshape(-1, classes)
    out = NLLLoss.apply(rows, targets.reshape(-1), weights, ignore_index, reduction)
    return out.reshape(targets.shape) if reduction == "none" else out


def cross_entropy(
    input: Tensor,
    target: Any,
    weight: Any = None,
    *,
    ignore_index: int = -100,
    size_average: bool | None = None,
    reduce: bool | None = None,
    reduction: str = "mean",
    label_smoothing: float = 0.0,
) -> Tensor:
    """Cross-entropy of logits (N, C, d1...) or (C,): log_softmax then negative log-likelihood.

    ``target`` holds class indices (shape without the C dimension; an integer array or
    Tensor: floats are refused, as in PyTorch) or class probabilities (floats of the input's
    shape).

    >>> import numpy as np, tinygrad_fr as tg
    >>> tg.nn.functional.cross_entropy(tg.Tensor([[1e4, -1e4]]), np.array([1]))
    tensor(20000.)
    """
    op = "cross_entropy"
    reduction = legacy_reduction(size_average, reduce, reduction)
    check_reduction(reduction, op)
    x = _input(input, op)
    if not 0.0 <= label_smoothing <= 1.0:
        raise ValueError(f"{op}: label_smoothing must be between 0 and 1, got {label_smoothing}")
    class_dim = _check_classes_input(x, op)
    classes = x.shape[class_dim]
    logp = x.log_softmax(class_dim)
    weights = _class_weights(weight, classes, x.dtype, op)
    weight_shape = [1] * x.ndim
    weight_shape[class_dim] = classes
    if np.shape(target._data if isinstance(target, Tensor) else target) == x.shape:
        if ignore_index >= 0:
            raise ValueError(f"{op}: ignore_index is not supported with class-probability targets")
        if _dtype_kind(target) != "f":
            raise RuntimeError(
                f"{op}: a target of the input's shape {x.shape} holds class probabilities and "
                f"must be floating point, got dtype {np.asarray(constant_of(target)).dtype}; "
                "give class indices of shape (N,) instead, or convert with target.float()"
            )
        probs = _float_target(target, x, op)
        if label_smoothing > 0:
            probs = probs * (1 - label_smoothing) + label_smoothing / classes
        terms = logp * probs if weights is None else logp * probs * weights.reshape(weight_shape)
        if reduction == "none":
            return -terms.sum(class_dim)
        total = -terms.sum()
        return total if reduction == "sum" else total / (x._data.size / classes)
    targets = _class_targets(target, x, ignore_index, op)
    nll = nll_loss(logp, targets, weights, ignore_index=ignore_index, reduction=reduction)
    if label_smoothing == 0:
        return nll
    # PyTorch's smoothing: a uniform-target term, masked and normalised as the NLL term is.
    uniform = logp if weights is None else logp * weights.reshape(weight_shape)
    smooth = -uniform.sum(class_dim)
    kept = targets != ignore_index
    if not kept.all():
        smooth = where(kept, smooth, 0.0)
    if reduction == "mean":
        counted = kept.sum() if weights is None else weights[targets[kept]].sum()
        smooth = smooth.sum() / counted
    elif reduction == "sum":
        smooth = smooth.sum()
    return nll * (1 - label_smoothing) + smooth * (label_smoothing / classes)
