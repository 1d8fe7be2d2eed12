"""Loss modules: MSELoss, L1Loss, SmoothL1Loss, HuberLoss, BCELoss, BCEWithLogitsLoss,
CrossEntropyLoss, NLLLoss.

Each stores its options and calls the function of the same role in :mod:`.functional`.
Options after ``weight`` are keyword-only: PyTorch's legacy positional arguments
(size_average, reduce) come first there, so no positional call could mean two things; as
keywords they are accepted, with PyTorch's deprecation warning.
"""

from __future__ import annotations

from typing import Any

from ..tensor import Tensor
from . import functional as F  # noqa: N812 - PyTorch's usual alias
from .functional_loss import check_reduction, legacy_reduction
from .module import Module


def _buffer_value(value: Any) -> Tensor | None:
    return value if value is None or isinstance(value, Tensor) else Tensor(value)


class _Loss(Module):
    """Base of the losses: checks and stores ``reduction``."""

    def __init__(
        self,
        reduction: str = "mean",
        size_average: bool | None = None,
        reduce: bool | None = None,
    ) -> None:
        super().__init__()
        reduction = legacy_reduction(size_average, reduce, reduction)
        check_reduction(reduction, type(self).__name__)
        self.reduction = reduction


class MSELoss(_Loss):
    """Mean squared error: ``loss(input, target)`` = reduce((input - target)**2).

    >>> import tinygrad_fr as tg
    >>> tg.nn.MSELoss()(tg.Tensor([1.0, 3.0]), tg.Tensor([0.0, 1.0]))
    tensor(2.5000)
    """

    def __init__(
        self,
        *,
        size_average: bool | None = None,
        reduce: bool | None = None,
        reduction: str = "mean",
    ) -> None:
        super().__init__(reduction, size_average, reduce)

    def forward(self, input: Tensor, target: Any) -> Tensor:
        """The loss of ``input`` against ``target`` (same shape)."""
        return F.mse_loss(input, target, reduction=self.reduction)


class L1Loss(_Loss):
    """Mean absolute error: reduce(|input - target|)."""

    def __init__(
        self,
        *,
        size_average: bool | None = None,
        reduce: bool | None = None,
        reduction: str = "mean",
    ) -> None:
        super().__init__(reduction, size_average, reduce)

    def forward(self, input: Tensor, target: Any) -> Tensor:
        """The loss of ``input`` against ``target`` (same shape)."""
        return F.l1_loss(input, target, reduction=self.reduction)


class SmoothL1Loss(_Loss):
    """0.5 d² / beta where |d| < beta, else |d| - 0.5 beta (d = input - target), reduced.

    >>> import tinygrad_fr as tg
    >>> tg.nn.SmoothL1Loss(beta=0.5)(tg.Tensor([0.25, 2.0]), tg.Tensor([0.0, 0.0]))
    tensor(0.9062)
    """

    def __init__(
        self,
        *,
        size_average: bool | None = None,
        reduce: bool | None = None,
        reduction: str = "mean",
        beta: float = 1.0,
    ) -> None:
        super().__init__(reduction, size_average, reduce)
        self.beta = beta

    def forward(self, input: Tensor, target: Any) -> Tensor:
        """The loss of ``input`` against ``target`` (same shape)."""
        return F.smooth_l1_loss(input, target, reduction=self.reduction, beta=self.beta)


class HuberLoss(_Loss):
    """0.5 d² where |d| < delta, else delta (|d| - 0.5 delta) (d = input - target), reduced."""

    def __init__(self, reduction: str = "mean", delta: float = 1.0) -> None:
        super().__init__(reduction)
        self.delta = delta

    def forward(self, input: Tensor, target: Any) -> Tensor:
        """The loss of ``input`` against ``target`` (same shape)."""
        return F.huber_loss(input, target, reduction=self.reduction, delta=self.delta)


class BCELoss(_Loss):
    """Binary cross-entropy on probabilities in [0, 1] (logs clamped at -100, as PyTorch)."""

    def __init__(
        self,
        weight: Any = None,
        *,
        size_average: bool | None = None,
        reduce: bool | None = None,
        reduction: str = "mean",
    ) -> None:
        super().__init__(reduction, size_average, reduce)
        self.register_buffer("weight", _buffer_value(weight))

    def forward(self, input: Tensor, target: Any) -> Tensor:
        """The loss of probabilities ``input`` against ``target`` (same shape)."""
        return F.binary_cross_entropy(input, target, self.weight, reduction=self.reduction)


class BCEWithLogitsLoss(_Loss):
    """Binary cross-entropy on logits (sigmoid built in), stable for any logit."""

    def __init__(
        self,
        weight: Any = None,
        *,
        size_average: bool | None = None,
        reduce: bool | None = None,
        reduction: str = "mean",
        pos_weight: Any = None,
    ) -> None:
        super().__init__(reduction, size_average, reduce)
        self.register_buffer("weight", _buffer_value(weight))
        self.register_buffer("pos_weight", _buffer_value(pos_weight))

    def forward(self, input: Tensor, target: Any) -> Tensor:
        """The loss of logits ``input`` against ``target`` (same shape)."""
        return F.binary_cross_entropy_with_logits(
            input, target, self.weight, reduction=self.reduction, pos_weight=self.pos_weight
        )


class CrossEntropyLoss(_Loss):
    """Cross-entropy of logits against class indices or class probabilities.

    >>> import numpy as np, tinygrad_fr as tg
    >>> loss = tg.nn.CrossEntropyLoss()(tg.Tensor([[2.0, 0.0], [0.0, 2.0]]), np.array([0, 1]))
    >>> round(loss.item(), 4)
    0.1269
    """

    def __init__(
        self,
        weight: Any = None,
        *,
        size_average: bool | None = None,
        ignore_index: int = -100,
        reduce: bool | None = None,
        reduction: str = "mean",
        label_smoothing: float = 0.0,
    ) -> None:
        super().__init__(reduction, size_average, reduce)
        if not 0.0 <= label_smoothing <= 1.0:
            raise ValueError(
                f"CrossEntropyLoss: label_smoothing must be between 0 and 1, got {label_smoothing}"
            )
        self.register_buffer("weight", _buffer_value(weight))
        self.ignore_index = ignore_index
        self.label_smoothing = label_smoothing

    def forward(self, input: Tensor, target: Any) -> Tensor:
        """The loss of logits ``input`` (N, C, ...) against ``target``."""
        return F.cross_entropy(
            input, target, self.weight, ignore_index=self.ignore_index,
            reduction=self.reduction, label_smoothing=self.label_smoothing,
        )  # fmt: skip


class NLLLoss(_Loss):
    """Negative log-likelihood of class indices, given log-probabilities (after LogSoftmax)."""

    def __init__(
        self,
        weight: Any = None,
        *,
        size_average: bool | None = None,
        ignore_index: int = -100,
        reduce: bool | None = None,
        reduction: str = "mean",
    ) -> None:
        super().__init__(reduction, size_average, reduce)
        self.register_buffer("weight", _buffer_value(weight))
        self.ignore_index = ignore_index

    def forward(self, input: Tensor, target: Any) -> Tensor:
        """The loss of log-probabilities ``input`` (N, C, ...) against ``target``."""
        return F.nll_loss(
            input, target, self.weight, ignore_index=self.ignore_index, reduction=self.reduction
        )
