"""A captured step is never silently wrong: every change between calls gives eager's result.

Two twins run the same seeded model: one calls the step as written, the other through
``tg.jit.capture``. Between calls a change is applied to both (a parameter, a layer or the
model replaced, a layer frozen, ``eval()``, ``detect_anomaly``, a global float, the learning
rate, the input shape...). At every call both must give bit-identical losses, parameters and
gradients, or both must raise the same kind of error.
"""

from __future__ import annotations

import contextlib
import types
from collections.abc import Callable
from typing import Any

import numpy as np
import pytest

import tinygrad_fr as tg
from tinygrad_fr import nn

STEP_SOURCE = """
def make(factor):
    def step(x, y):
        OPT.zero_grad()
        loss = LOSS(MODEL(x), y) * SCALE * factor
        loss.backward()
        OPT.step()
        return loss

    def set_factor(value):
        nonlocal factor
        factor = value

    return step, set_factor
"""

RNG = np.random.default_rng(7)
X = RNG.standard_normal((40, 4))
Y = RNG.standard_normal((40, 2))


def quadratic(out: tg.Tensor, y: tg.Tensor) -> tg.Tensor:
    return ((out - y) ** 2).sum(dim=1).mean()


def _model(dropout: float = 0.0) -> nn.Module:
    layers: list[nn.Module] = [nn.Linear(4, 3), nn.Sigmoid()]
    if dropout:
        layers.append(nn.Dropout(dropout))
    return nn.Sequential(*layers, nn.Linear(3, 2)).double()


class Twin:
    """One copy of the world: a model, an optimizer, a loss, globals, and the step."""

    def __init__(self, captured: bool, dropout: float) -> None:
        tg.manual_seed(0)
        self.globals: dict[str, Any] = {"__name__": "twin_world"}
        self.globals["MODEL"] = _model(dropout)
        self.globals["OPT"] = tg.optim.SGD(self.globals["MODEL"].parameters(), lr=0.05)
        self.globals["LOSS"] = nn.MSELoss()
        self.globals["SCALE"] = 1.0
        exec(compile(STEP_SOURCE, "<twin>", "exec"), self.globals)
        step, self.set_factor = self.globals["make"](1.0)
        self.step = tg.jit.capture(step) if captured else step

    @property
    def model(self) -> nn.Module:
        return self.globals["MODEL"]

    @property
    def optimizer(self) -> Any:
        return self.globals["OPT"]

    def call(self, index: int, x: np.ndarray, y: np.ndarray, requires_grad: bool) -> Any:
        tg.manual_seed(100 + index)  # the same dropout masks for both twins
        inputs = tg.from_numpy(x.copy())
        if requires_grad:
            inputs.requires_grad_()
        try:
            loss = self.step(inputs, tg.from_numpy(y.copy()))
        except Exception as error:  # compared with the other twin's outcome
            return ("error", type(error))
        grads = [None if p.grad is None else p.grad.numpy().copy() for p in self.model.parameters()]
        params = [p.numpy().copy() for p in self.model.parameters()]
        input_grad = None if inputs.grad is None else inputs.grad.numpy().copy()
        return ("ok", loss.numpy().copy(), params, grads, input_grad)


def _same(a: Any, b: Any) -> bool:
    if isinstance(a, np.ndarray) or isinstance(b, np.ndarray):
        return (
            isinstance(a, np.ndarray) and isinstance(b, np.ndarray) and a.dtype == b.dtype
            and a.shape == b.shape and np.array_equal(a, b, equal_nan=True)
        )  # fmt: skip
    if isinstance(a, (list, tuple)):
        return type(a) is type(b) and len(a) == len(b) and all(map(_same, a, b))
    return bool(a == b)


Change = Callable[[Twin], None]


def _run(change: Change, at: int = 4, calls: int = 9, dropout: float = 0.0, **options: Any) -> Twin:
    """Run both twins, applying ``change`` to both before call ``at``; compare every call."""
    eager, captured = Twin(False, dropout), Twin(True, dropout)
    requires_grad = False
    shapes = options.get("shapes", {})
    for index in range(calls):
        if index == at:
            for twin in (eager, captured):
                change(twin)
            requires_grad = options.get("input_requires_grad", False)
        rows = shapes.get(index, 5)
        x = X[index * 4 : index * 4 + rows]
        y = Y[index * 4 : index * 4 + rows]
        if "dtype" in options and index >= at:
            x, y = x.astype(options["dtype"]), y.astype(options["dtype"])
        context = options.get("context")
        with context() if context is not None and index >= at else contextlib.nullcontext():
            mine = captured.call(index, x, y, requires_grad)
            reference = eager.call(index, x, y, requires_grad)
        assert _same(mine, reference), f"call {index}: captured {mine} != eager {reference}"
    return captured


def _seeded(build: Callable[[], Any]) -> Any:
    tg.manual_seed(42)
    return build()


def _replace_parameter(t: Twin) -> None:
    t.model[0].weight = nn.Parameter(_seeded(lambda: tg.randn(3, 4, dtype=tg.float64)))


def _replace_layer(t: Twin) -> None:
    t.model[2] = _seeded(lambda: nn.Linear(3, 2).double())


def _replace_model(t: Twin) -> None:
    t.globals["MODEL"] = _seeded(_model)
    t.globals["OPT"] = tg.optim.SGD(t.globals["MODEL"].parameters(), lr=0.05)


def _replace_model_only(t: Twin) -> None:
    t.globals["MODEL"] = _seeded(_model)  # the optimizer still holds the old parameters


def _new_activation(t: Twin) -> None:
    t.model[1] = nn.Tanh()


def _append_layer(t: Twin) -> None:
    t.model.append(nn.Tanh())


def _freeze_first_layer(t: Twin) -> None:
    t.model[0].requires_grad_(False)


def _unfreeze(t: Twin) -> None:
    t.model[0].requires_grad_(True)


def _eval(t: Twin) -> None:
    t.model.eval()


def _global_scale(t: Twin) -> None:
    t.globals["SCALE"] = 0.25


def _closure_factor(t: Twin) -> None:
    t.set_factor(3.0)


def _learning_rate(t: Twin) -> None:
    t.optimizer.param_groups[0]["lr"] = 0.2


def _scheduler(t: Twin) -> None:
    tg.optim.lr_scheduler.StepLR(t.optimizer, step_size=1, gamma=0.5).step()


def _momentum(t: Twin) -> None:
    t.optimizer.param_groups[0]["momentum"] = 0.9


def _new_optimizer(t: Twin) -> None:
    t.globals["OPT"] = tg.optim.Adam(t.model.parameters(), lr=0.01)


def _param_group(t: Twin) -> None:
    extra = nn.Parameter(tg.ones(2, dtype=tg.float64))
    t.model[2].register_parameter("scale", extra)
    t.optimizer.add_param_group({"params": [extra], "lr": 0.1})


def _load_state_dict(t: Twin) -> None:
    state = t.optimizer.state_dict()
    state["param_groups"][0]["lr"] = 0.01
    t.optimizer.load_state_dict(state)


def _loss_function(t: Twin) -> None:
    t.globals["LOSS"] = quadratic


def _loss_reduction(t: Twin) -> None:
    t.globals["LOSS"].reduction = "sum"


def _dropout_p(t: Twin) -> None:
    t.model[2].p = 0.6


def _data_replaced(t: Twin) -> None:
    t.model[0].weight.data = np.full((3, 4), 0.1)


def _data_other_shape(t: Twin) -> None:
    t.model[0].weight.data = np.full((3, 5), 0.1)


def _data_other_dtype(t: Twin) -> None:
    t.model.float()


def _forward_hook(t: Twin) -> None:
    t.model[1].register_forward_hook(lambda module, args, out: out * 2)


def _tensor_hook(t: Twin) -> None:
    t.model[0].weight.register_hook(lambda grad: grad * 0)


def _grad_set(t: Twin) -> None:
    for p in t.model.parameters():
        p.grad = tg.ones_like(p)


def _default_dtype(t: Twin) -> None:
    tg.set_default_dtype(tg.float64)


def _nothing_changes(t: Twin) -> None:
    pass


CHANGES: dict[str, Change] = {
    "replace a parameter": _replace_parameter,
    "replace a layer": _replace_layer,
    "replace the model and optimizer": _replace_model,
    "replace the model only": _replace_model_only,
    "another activation": _new_activation,
    "append a layer": _append_layer,
    "freeze a layer": _freeze_first_layer,
    "global float": _global_scale,
    "closure float": _closure_factor,
    "learning rate": _learning_rate,
    "scheduler": _scheduler,
    "momentum": _momentum,
    "another optimizer": _new_optimizer,
    "new param group": _param_group,
    "optimizer load_state_dict": _load_state_dict,
    "loss function": _loss_function,
    "loss reduction": _loss_reduction,
    "parameter data": _data_replaced,
    "parameter data of another shape": _data_other_shape,
    "model to float32": _data_other_dtype,
    "forward hook": _forward_hook,
    "tensor hook": _tensor_hook,
    ".grad set between calls": _grad_set,
    "nothing": _nothing_changes,
}


@pytest.mark.parametrize("name", list(CHANGES))
def test_a_change_between_calls_gives_eager_results(name: str) -> None:
    _run(CHANGES[name])


def test_unfreezing_a_frozen_layer_gives_eager_results() -> None:
    def freeze_then_unfreeze(t: Twin) -> None:
        _freeze_first_layer(t)

    eager, captured = Twin(False, 0.0), Twin(True, 0.0)
    for twin in (eager, captured):
        _freeze_first_layer(twin)
    for index in range(8):
        if index == 4:
            for twin in (eager, captured):
                _unfreeze(twin)
        x, y = X[index * 4 : index * 4 + 5], Y[index * 4 : index * 4 + 5]
        assert _same(captured.call(index, x, y, False), eager.call(index, x, y, False))
    assert captured.step.recompiles == 1


@pytest.mark.parametrize("change", [_eval, _dropout_p, _nothing_changes], ids=["eval", "p", "none"])
def test_dropout_changes_and_fresh_masks_give_eager_results(change: Change) -> None:
    captured = _run(change, dropout=0.5)
    assert captured.step.replays > 0


def test_train_after_eval_gives_eager_results() -> None:
    def eval_then_train(t: Twin) -> None:
        t.model.train()

    eager, captured = Twin(False, 0.5), Twin(True, 0.5)
    for index in range(10):
        for twin in (eager, captured):
            (twin.model.eval if index % 3 == 0 else twin.model.train)()
        x, y = X[index * 3 : index * 3 + 5], Y[index * 3 : index * 3 + 5]
        assert _same(captured.call(index, x, y, False), eager.call(index, x, y, False))
    assert captured.step.replays > 0


def test_detect_anomaly_is_not_ignored() -> None:
    def poison(t: Twin) -> None:
        with tg.no_grad():
            t.model[0].bias.data = np.array([np.nan, 0.0, 0.0])

    _run(poison, context=tg.detect_anomaly)


def test_no_grad_around_the_call_gives_eager_results() -> None:
    _run(_nothing_changes, context=tg.no_grad)


def test_a_new_input_shape_or_dtype_gives_eager_results() -> None:
    _run(_nothing_changes, shapes={5: 3, 6: 3, 8: 1})
    _run(_nothing_changes, dtype=np.float32)


def test_inputs_that_require_grad_get_eager_gradients() -> None:
    _run(_nothing_changes, input_requires_grad=True)


def test_a_changed_default_dtype_gives_eager_results() -> None:
    try:
        _run(_default_dtype)
    finally:
        tg.set_default_dtype(tg.float32)


def test_too_many_recompiles_warn_once_and_run_eagerly() -> None:
    twin = Twin(True, 0.0)
    with pytest.warns(tg.jit.CaptureWarning, match="runs eagerly from now on"):
        for index in range(16):
            twin.globals["SCALE"] = float(index)
            twin.call(index, X[:5], Y[:5], False)
    assert twin.step.eager
    assert "SCALE" in " ".join(twin.step.reasons)


def test_every_change_is_explained() -> None:
    captured = _run(_freeze_first_layer)
    assert captured.step.recompiles == 1
    assert "requires grad" in captured.step.reasons[-1]


def test_the_module_namespace_is_a_plain_dict() -> None:
    assert isinstance(types.SimpleNamespace(), object)
