"""Optional cross-check against PyTorch: values and gradients in float64 to 1e-9."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import numpy as np
import pytest

import tinygrad_fr as tg
from tinygrad_fr import nn

torch = pytest.importorskip("torch")

RNG = np.random.default_rng(2024)
N, C = 5, 4
LOGITS = RNG.normal(size=(N, C)) * 3
SOFT = RNG.uniform(size=(N, C))
PROBS = SOFT / SOFT.sum(axis=1, keepdims=True)
TARGET = RNG.normal(size=(N, C))
CLASSES = np.array([0, 3, 1, 3, 2])
IGNORED = np.array([0, -100, 1, 3, -100])
WEIGHT = np.array([0.5, 1.0, 2.0, 1.5])
POS_WEIGHT = np.array([1.0, 3.0, 0.5, 2.0])
REDUCTIONS = ("mean", "sum", "none")
LOGITS_WITH_ZEROS = np.where(np.arange(N * C).reshape(N, C) % 3 == 0, 0.0, LOGITS)


def compare(
    ours: Callable[..., Any], theirs: Callable[..., Any], *arrays: np.ndarray, **kwargs: Any
) -> None:
    """Run both on float64 copies of ``arrays`` (leaves); compare outputs and gradients."""
    our_inputs = [tg.Tensor(a, requires_grad=True) for a in arrays]
    their_inputs = [torch.tensor(a, requires_grad=True) for a in arrays]
    our_out, their_out = ours(*our_inputs), theirs(*their_inputs)
    assert our_out.shape == tuple(their_out.shape)
    np.testing.assert_allclose(our_out.numpy(), their_out.detach().numpy(), rtol=1e-9, atol=1e-9)
    seed = RNG.normal(size=our_out.shape)
    our_out.backward(tg.Tensor(seed))
    their_out.backward(torch.tensor(seed))
    for mine, reference in zip(our_inputs, their_inputs):
        np.testing.assert_allclose(mine.grad.numpy(), reference.grad.numpy(), rtol=1e-9, atol=1e-9)


def t(array: np.ndarray) -> Any:
    return torch.tensor(array)


def ours(array: np.ndarray) -> tg.Tensor:
    return tg.Tensor(array)


# -- layers and activations -----------------------------------------------------------------


@pytest.mark.parametrize("shape", [(3,), (6, 3), (2, 4, 3)])
def test_linear_with_copied_weights(shape: tuple):
    layer = nn.Linear(3, 2, dtype=tg.float64)
    reference = torch.nn.Linear(3, 2, dtype=torch.float64)
    with torch.no_grad():
        reference.weight.copy_(torch.tensor(layer.weight.numpy()))
        reference.bias.copy_(torch.tensor(layer.bias.numpy()))
    x = RNG.normal(size=shape)
    compare(layer, reference, x)
    layer.zero_grad()
    reference.zero_grad()
    layer(tg.Tensor(x)).sum().backward()
    reference(torch.tensor(x)).sum().backward()
    np.testing.assert_allclose(layer.weight.grad.numpy(), reference.weight.grad.numpy(), rtol=1e-9)
    np.testing.assert_allclose(layer.bias.grad.numpy(), reference.bias.grad.numpy(), rtol=1e-9)


def test_state_dict_loads_from_pytorch_arrays():
    reference = torch.nn.Sequential(torch.nn.Linear(3, 4), torch.nn.Tanh(), torch.nn.Linear(4, 2))
    model = nn.Sequential(nn.Linear(3, 4), nn.Tanh(), nn.Linear(4, 2))
    assert list(model.state_dict()) == list(reference.state_dict())
    model.load_state_dict({k: v.numpy() for k, v in reference.state_dict().items()})
    x = RNG.normal(size=(2, 3)).astype(np.float32)
    np.testing.assert_allclose(
        model(tg.Tensor(x)).numpy(), reference(torch.tensor(x)).detach().numpy(), rtol=1e-5
    )


@pytest.mark.parametrize(
    ("module", "reference"),
    [
        (nn.Sigmoid(), torch.nn.Sigmoid()),
        (nn.Tanh(), torch.nn.Tanh()),
        (nn.ReLU(), torch.nn.ReLU()),
        (nn.LeakyReLU(0.1), torch.nn.LeakyReLU(0.1)),
        (nn.Softmax(dim=1), torch.nn.Softmax(dim=1)),
        (nn.LogSoftmax(dim=0), torch.nn.LogSoftmax(dim=0)),
        (nn.Flatten(), torch.nn.Flatten()),
        (nn.Identity(), torch.nn.Identity()),
    ],
    ids=lambda m: type(m).__name__,
)
def test_activations(module: nn.Module, reference: Any):
    compare(module, reference, LOGITS)
    assert repr(module) == repr(reference)


def test_reprs_match():
    model = nn.Sequential(nn.Linear(2, 3), nn.Tanh(), nn.Dropout(0.2), nn.Linear(3, 1, bias=False))
    reference = torch.nn.Sequential(
        torch.nn.Linear(2, 3), torch.nn.Tanh(), torch.nn.Dropout(0.2),
        torch.nn.Linear(3, 1, bias=False),
    )  # fmt: skip
    assert repr(model) == repr(reference)
    layers = nn.ModuleList([nn.Linear(2, 2)] * 3 + [nn.ReLU()])
    assert repr(layers) == repr(
        torch.nn.ModuleList([torch.nn.Linear(2, 2)] * 3 + [torch.nn.ReLU()])
    )


# -- losses --------------------------------------------------------------------------------

Tf = torch.nn.functional
Ff = tg.nn.functional


@pytest.mark.parametrize("reduction", REDUCTIONS)
def test_mse_and_l1(reduction: str):
    compare(
        lambda x, y: Ff.mse_loss(x, y, reduction=reduction),
        lambda x, y: Tf.mse_loss(x, y, reduction=reduction),
        LOGITS, TARGET,
    )  # fmt: skip
    compare(
        lambda x, y: Ff.l1_loss(x, y, reduction=reduction),
        lambda x, y: Tf.l1_loss(x, y, reduction=reduction),
        LOGITS, TARGET,
    )  # fmt: skip


@pytest.mark.parametrize("reduction", REDUCTIONS)
@pytest.mark.parametrize("weighted", [False, True])
def test_bce(reduction: str, weighted: bool):
    probs = 1 / (1 + np.exp(-LOGITS))
    ours_w, theirs_w = (ours(WEIGHT), t(WEIGHT)) if weighted else (None, None)
    compare(
        lambda p: nn.BCELoss(ours_w, reduction=reduction)(p, ours(SOFT)),
        lambda p: torch.nn.BCELoss(theirs_w, reduction=reduction)(p, t(SOFT)),
        probs,
    )  # fmt: skip


def test_bce_at_exact_0_and_1_values_match():
    p, target = np.array([0.0, 1.0, 0.0, 1.0, 0.3]), np.array([1.0, 0.0, 0.0, 1.0, 0.5])
    ours_out = Ff.binary_cross_entropy(ours(p), ours(target), reduction="none")
    theirs_out = Tf.binary_cross_entropy(t(p), t(target), reduction="none")
    np.testing.assert_allclose(ours_out.numpy(), theirs_out.numpy(), rtol=1e-12)


@pytest.mark.parametrize("reduction", REDUCTIONS)
@pytest.mark.parametrize("options", ["plain", "weight", "pos_weight", "both"])
def test_bce_with_logits(reduction: str, options: str):
    kwargs_ours: dict = {"reduction": reduction}
    kwargs_theirs: dict = {"reduction": reduction}
    if options in ("weight", "both"):
        kwargs_ours["weight"], kwargs_theirs["weight"] = ours(WEIGHT), t(WEIGHT)
    if options in ("pos_weight", "both"):
        kwargs_ours["pos_weight"], kwargs_theirs["pos_weight"] = ours(POS_WEIGHT), t(POS_WEIGHT)
    compare(
        lambda x, y: nn.BCEWithLogitsLoss(**kwargs_ours)(x, y),
        lambda x, y: torch.nn.BCEWithLogitsLoss(**kwargs_theirs)(x, y),
        LOGITS_WITH_ZEROS * 10, SOFT,
    )  # fmt: skip


CE_CASES = {
    "plain": ({}, CLASSES),
    "weight": ({"weight": WEIGHT}, CLASSES),
    "ignore_index": ({"ignore_index": -100}, IGNORED),
    "ignore_index 3": ({"ignore_index": 3}, CLASSES),
    "weight ignore": ({"weight": WEIGHT}, IGNORED),
    "smoothing": ({"label_smoothing": 0.15}, CLASSES),
    "smoothing weight ignore": ({"label_smoothing": 0.3, "weight": WEIGHT}, IGNORED),
}


def _split(options: dict) -> tuple[dict, dict]:
    mine = {k: ours(v) if k == "weight" else v for k, v in options.items()}
    theirs = {k: t(v) if k == "weight" else v for k, v in options.items()}
    return mine, theirs


@pytest.mark.parametrize("reduction", REDUCTIONS)
@pytest.mark.parametrize("case", list(CE_CASES))
def test_cross_entropy_class_indices(case: str, reduction: str):
    options, target = CE_CASES[case]
    mine, theirs = _split(options)
    compare(
        lambda x: nn.CrossEntropyLoss(**mine, reduction=reduction)(x, target),
        lambda x: torch.nn.CrossEntropyLoss(**theirs, reduction=reduction)(x, t(target)),
        LOGITS,
    )  # fmt: skip


@pytest.mark.parametrize("reduction", REDUCTIONS)
@pytest.mark.parametrize("options", [{}, {"weight": WEIGHT, "label_smoothing": 0.2}])
def test_cross_entropy_probabilities(reduction: str, options: dict):
    mine, theirs = _split(options)
    compare(
        lambda x, p: Ff.cross_entropy(x, p, **mine, reduction=reduction),
        lambda x, p: Tf.cross_entropy(x, p, **theirs, reduction=reduction),
        LOGITS, PROBS,
    )  # fmt: skip


@pytest.mark.parametrize("reduction", REDUCTIONS)
def test_cross_entropy_extra_dimensions_and_one_sample(reduction: str):
    x = RNG.normal(size=(2, C, 3, 2))
    target = RNG.integers(0, C, size=(2, 3, 2))
    target[0, 1, 1] = -100
    options = {"weight": WEIGHT, "label_smoothing": 0.1}
    mine, theirs = _split(options)
    compare(
        lambda v: Ff.cross_entropy(v, target, **mine, reduction=reduction),
        lambda v: Tf.cross_entropy(v, t(target), **theirs, reduction=reduction),
        x,
    )  # fmt: skip
    compare(
        lambda v: Ff.cross_entropy(v, np.array(2), reduction=reduction),
        lambda v: Tf.cross_entropy(v, torch.tensor(2), reduction=reduction),
        LOGITS[0],
    )  # fmt: skip


@pytest.mark.parametrize("reduction", REDUCTIONS)
@pytest.mark.parametrize("case", ["plain", "weight", "weight ignore", "ignore_index 3"])
def test_nll_loss(case: str, reduction: str):
    options, target = CE_CASES[case]
    mine, theirs = _split(options)
    logp = LOGITS - np.log(np.exp(LOGITS).sum(axis=1, keepdims=True))
    compare(
        lambda x: nn.NLLLoss(**mine, reduction=reduction)(x, target),
        lambda x: torch.nn.NLLLoss(**theirs, reduction=reduction)(x, t(target)),
        logp,
    )  # fmt: skip


def test_cross_entropy_huge_logits():
    x = np.array([[1e4, -1e4, 0.0], [-1e4, 1e4, 5.0]])
    compare(
        lambda v: Ff.cross_entropy(v, np.array([1, 2]), label_smoothing=0.1),
        lambda v: Tf.cross_entropy(v, torch.tensor([1, 2]), label_smoothing=0.1),
        x,
    )  # fmt: skip


# -- default initialisation -------------------------------------------------------------------


def test_linear_default_init_statistics_match_pytorch():
    torch.manual_seed(0)
    reference = torch.nn.Linear(256, 128)
    layer = nn.Linear(256, 128)
    for mine, theirs in ((layer.weight, reference.weight), (layer.bias, reference.bias)):
        a, b = mine.numpy(), theirs.detach().numpy()
        assert abs(a).max() <= 1 / 16 and abs(b).max() <= 1 / 16
        assert a.std() == pytest.approx(b.std(), rel=0.1)
        assert abs(a.mean()) < 0.01 and abs(b.mean()) < 0.01


@pytest.mark.parametrize(
    "name", ["xavier_uniform_", "xavier_normal_", "kaiming_uniform_", "kaiming_normal_"]
)
def test_init_statistics_match_pytorch(name: str):
    mine = getattr(tg.nn.init, name)(tg.zeros(200, 300)).numpy()
    theirs = getattr(torch.nn.init, name)(torch.zeros(200, 300)).numpy()
    assert mine.std() == pytest.approx(theirs.std(), rel=0.03)
    if name.endswith("uniform_"):
        assert abs(mine).max() == pytest.approx(abs(theirs).max(), rel=0.01)
