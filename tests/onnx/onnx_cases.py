"""The models every ONNX test exports: each supported layer, user modules made of the
supported operations, and the course's networks. One row per case: a name, a function that
builds the model, and the shape of one input sample (the batch dimension comes first)."""

from __future__ import annotations

from collections.abc import Callable
from typing import NamedTuple

import numpy as np

import tinygrad_fr as tg
from tinygrad_fr import nn
from tinygrad_fr.nn import functional as F  # noqa: N812 - PyTorch's usual alias


class Case(NamedTuple):
    name: str
    build: Callable[[], nn.Module]
    sample_shape: tuple[int, ...]  # one sample; inputs are (batch, *sample_shape)


class Arithmetic(nn.Module):
    """add, sub, mul, div, matmul with Python numbers and tensors on both sides."""

    def __init__(self) -> None:
        super().__init__()
        self.w = nn.Parameter(tg.randn(5, 4))
        self.b = nn.Parameter(tg.randn(4))

    def forward(self, x: tg.Tensor) -> tg.Tensor:
        y = x @ self.w + self.b
        y = (y - 0.5) * 2.0 / (y * y + 1.0)
        return 1.0 - y + 3.0 * x.sum(dim=1, keepdim=True)


class Pointwise(nn.Module):
    """exp, log, tanh, sigmoid, relu, abs, sqrt, pow, neg, clamp, maximum, leaky_relu."""

    def forward(self, x: tg.Tensor) -> tg.Tensor:
        positive = x.abs() + 1.0
        y = positive.log() + (x * 0.5).exp() + x.tanh() - x.sigmoid() + x.relu()
        y = y + positive.sqrt() - (x**2) * 0.1 + (-x).clamp(-1.0, 0.5)
        return tg.maximum(y, x) + F.leaky_relu(x, 0.1) - tg.minimum(x, 0.0)


class Shapes(nn.Module):
    """reshape, flatten, transpose, permute, cat, stack, squeeze/unsqueeze on (N, 2, 3, 4)."""

    def forward(self, x: tg.Tensor) -> tg.Tensor:
        a = x.reshape(-1, 6, 4).transpose(1, 2)  # (N, 4, 6)
        b = x.permute(0, 3, 1, 2).flatten(2)  # (N, 4, 6)
        c = tg.cat([a, b], dim=2)  # (N, 4, 12)
        d = tg.stack([a, b], dim=1).flatten(1)  # (N, 48)
        e = c.unsqueeze(1).squeeze(1).flatten(1)  # (N, 48)
        return d + e * x.reshape(x.shape[0], -1).sum(dim=1, keepdim=True)


class Reductions(nn.Module):
    """sum, mean, max over dims and along one dim, softmax and log_softmax along any dim."""

    def forward(self, x: tg.Tensor) -> tg.Tensor:
        s = x.softmax(dim=1) + F.log_softmax(x, dim=-1) + F.softmax(x, dim=2)
        m = x.mean(dim=(1, 2), keepdim=True) + x.max(dim=2, keepdim=True).values
        return s - m + x.amin(dim=1, keepdim=True) + x.sum(dim=2).unsqueeze(2)


class Indexing(nn.Module):
    """x[...] with ints, slices (negative, stepped, reversed), None and Ellipsis on (N, 3, 4)."""

    def forward(self, x: tg.Tensor) -> tg.Tensor:
        a = x[:, 1:3].flatten(1)[:, ::3]  # (N, 3)
        b = x[..., ::2][:, :, -1]  # (N, 3)
        c = x[:, None, 0, 1:].flatten(1)  # (N, 3)
        return a + b * c - x[:, ::-1, -1] + x[:, -1][:, :3] + x[...][:, 0, :3]


class TwoInputsTwoOutputs(nn.Module):
    """Several inputs and outputs, one of them an int64 argmax."""

    def __init__(self) -> None:
        super().__init__()
        self.left = nn.Linear(3, 4)
        self.right = nn.Linear(2, 4)

    def forward(self, x: tg.Tensor, y: tg.Tensor) -> tuple[tg.Tensor, tg.Tensor]:
        z = self.left(x).tanh() + self.right(y).sigmoid()
        return z, z.argmax(dim=1)


def _course_lab6() -> nn.Module:
    from tinygrad_fr.labs.lab6_reseau import Reseau

    return Reseau([64, 30, 10])


LAYERS = [
    Case("linear", lambda: nn.Linear(5, 3), (5,)),
    Case("linear_no_bias", lambda: nn.Linear(5, 3, bias=False), (5,)),
    Case("linear_3d", lambda: nn.Linear(5, 3), (4, 5)),
    Case("relu", nn.ReLU, (6,)),
    Case("sigmoid", nn.Sigmoid, (6,)),
    Case("tanh", nn.Tanh, (6,)),
    Case("leaky_relu", lambda: nn.LeakyReLU(0.2), (6,)),
    Case("softmax", lambda: nn.Softmax(dim=-1), (6,)),
    Case("softmax_dim1_of_3d", lambda: nn.Softmax(dim=1), (3, 4)),
    Case("log_softmax", lambda: nn.LogSoftmax(dim=1), (6,)),
    Case("flatten", nn.Flatten, (2, 3, 4)),
    Case("flatten_from_2", lambda: nn.Flatten(2), (2, 3, 4)),
    Case("identity", lambda: nn.Sequential(nn.Identity(), nn.Linear(3, 3), nn.Identity()), (3,)),
    Case("dropout", lambda: nn.Sequential(nn.Linear(4, 8), nn.Dropout(0.5), nn.ReLU()), (4,)),
    Case("sequential", lambda: nn.Sequential(nn.Flatten(), nn.Linear(12, 8), nn.Tanh(),
                                             nn.Linear(8, 3), nn.LogSoftmax(dim=1)), (3, 4)),
    Case("arithmetic", Arithmetic, (5,)),
    Case("pointwise", Pointwise, (5,)),
    Case("shapes", Shapes, (2, 3, 4)),
    Case("reductions", Reductions, (3, 4)),
    Case("indexing", Indexing, (3, 4)),
]  # fmt: skip

COURSE = [
    Case("lab3_gender_2_2_1", lambda: nn.Sequential(
        nn.Linear(2, 2), nn.Sigmoid(), nn.Linear(2, 1), nn.Sigmoid()).double(), (2,)),
    Case("lab4_xor_2_3_1", lambda: nn.Sequential(
        nn.Linear(2, 3), nn.Tanh(), nn.Linear(3, 1), nn.Tanh()), (2,)),
    Case("lab5_mnist_784_20_10", lambda: nn.Sequential(
        nn.Linear(784, 20), nn.Sigmoid(), nn.Linear(20, 10), nn.Sigmoid()), (784,)),
    Case("lab6_reseau_64_30_10", _course_lab6, (64,)),
    Case("digits_64_128_10", lambda: nn.Sequential(
        nn.Linear(64, 128), nn.ReLU(), nn.Linear(128, 10)), (64,)),
]  # fmt: skip


def batch(case: Case, size: int, seed: int, dtype: np.dtype | None = None) -> np.ndarray:
    """A random input batch for ``case`` (the dtype of the model's parameters by default)."""
    rng = np.random.default_rng(seed)
    return rng.standard_normal((size, *case.sample_shape)).astype(dtype or np.float32)
