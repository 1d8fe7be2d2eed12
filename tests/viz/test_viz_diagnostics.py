"""Gradient-flow diagnostics: watch (statistics per parameter and step, update ratios, CSV,
plot, low overhead), plot_grad_flow (no crash without a gradient), History, progress bars."""

from __future__ import annotations

import csv
import sys

import numpy as np
import pytest

import tinygrad_fr as tg
from tinygrad_fr import nn, optim
from tinygrad_fr.cli import progress
from tinygrad_fr.nn import functional as F  # noqa: N812 - PyTorch's usual alias
from tinygrad_fr.viz.diagnostics import KEYS, gradient_statistics


def _train(model, steps, lr=0.01, batch=8, seed=0):
    rng = np.random.default_rng(seed)
    optimizer = optim.SGD(model.parameters(), lr=lr)
    n_in = model[0].in_features
    x = tg.Tensor(rng.normal(size=(batch, n_in)), dtype=tg.float64)
    y = tg.Tensor(rng.normal(size=(batch, model[-2].out_features)), dtype=tg.float64)
    for _ in range(steps):
        optimizer.zero_grad()
        F.mse_loss(model(x), y).backward()
        optimizer.step()


def _model():
    model = nn.Sequential(nn.Linear(3, 4), nn.Tanh(), nn.Linear(4, 2), nn.Identity())
    model.double()
    return model


def test_history_has_one_record_per_parameter_and_logged_step():
    model = _model()
    watcher = tg.viz.watch(model, log_freq=2)
    _train(model, 5)
    history = watcher.history
    assert all(tuple(record) == KEYS for record in history)
    assert sorted((r["step"], r["name"]) for r in history[:4]) == [
        (0, "0.bias"),
        (0, "0.weight"),
        (0, "2.bias"),
        (0, "2.weight"),
    ]
    assert [r["step"] for r in history if r["name"] == "0.weight"] == [0, 2, 4]
    assert all(r["update_ratio"] is None for r in history)  # log="gradients"


def test_statistics_are_those_of_the_gradient():
    model = _model()
    watcher = tg.viz.watch(model)
    _train(model, 1)
    grad = model[0].weight.grad.numpy()
    (record,) = [r for r in watcher.history if r["name"] == "0.weight"]
    assert record["grad_norm"] == pytest.approx(np.linalg.norm(grad), rel=1e-12)
    assert record["grad_mean_abs"] == pytest.approx(np.abs(grad).mean(), rel=1e-12)
    assert record["grad_max_abs"] == pytest.approx(np.abs(grad).max(), rel=1e-12)
    assert record["zero_fraction"] == 0.0 and record["nonfinite"] == 0


def test_large_and_small_gradients_give_the_same_statistics():
    rng = np.random.default_rng(0)
    for size in (10, 5000):
        grad = rng.normal(size=size)
        grad[:3] = 0.0
        expected = gradient_statistics(grad)
        model = nn.Linear(size, 1, bias=False).double()
        watcher = tg.viz.watch(model)
        model.weight.grad = tg.Tensor(grad.reshape(1, -1), dtype=tg.float64)
        model.weight._hooks.post_accumulate[next(iter(model.weight._hooks.post_accumulate))](
            model.weight
        )
        record = watcher.history[0]
        for key, value in expected.items():
            assert record[key] == pytest.approx(value, rel=1e-12), (size, key)
        assert record["zero_fraction"] == pytest.approx(3 / size)


def test_zeros_and_nonfinite_values_are_counted():
    stats = gradient_statistics(np.array([0.0, 0.0, np.nan, np.inf, 2.0, -4.0]))
    assert stats["zero_fraction"] == pytest.approx(2 / 6) and stats["nonfinite"] == 2
    assert stats["grad_max_abs"] == 4.0 and stats["grad_mean_abs"] == pytest.approx(6 / 4)


def test_update_ratio_is_the_update_over_the_values_and_is_flagged_outside_the_range():
    model = _model()
    watcher = tg.viz.watch(model, log="all")
    weight_before = model[0].weight.numpy().copy()
    _train(model, 1, lr=0.5)
    grad = model[0].weight.grad.numpy()
    (record,) = [r for r in watcher.history if r["name"] == "0.weight"]
    expected = np.linalg.norm(0.5 * grad) / np.linalg.norm(weight_before)
    assert record["update_ratio"] == pytest.approx(expected, rel=1e-12)
    assert record in watcher.flagged()  # lr 0.5: far above 1e-2
    assert "outside [1e-4, 1e-2]" in watcher.summary()
    tiny = _model()
    quiet = tg.viz.watch(tiny, log="parameters")
    _train(tiny, 3, lr=1e-3)
    assert all(r["grad_norm"] is None for r in quiet.history)
    assert all(1e-5 < r["update_ratio"] < 1e-2 for r in quiet.history[:-4])


def test_csv_plot_and_remove(tmp_path):
    pytest.importorskip("matplotlib")
    model = _model()
    watcher = tg.viz.watch(model, log="all")
    _train(model, 3)
    with open(watcher.to_csv(tmp_path / "watch.csv"), encoding="utf-8") as file:
        rows = list(csv.DictReader(file))
    assert list(rows[0]) == list(KEYS) and len(rows) == 12
    assert (tmp_path / "watch.png").exists() is False
    watcher.plot(tmp_path / "watch.png")
    assert (tmp_path / "watch.png").read_bytes()[:4] == b"\x89PNG"
    watcher.remove()
    _train(model, 2)
    assert len(watcher.history) == 12
    assert all(not p._hooks.post_accumulate for p in model.parameters())


def test_watch_rejects_bad_arguments():
    with pytest.raises(ValueError, match="log must be one of gradients, parameters, all"):
        tg.viz.watch(_model(), log="weights")
    with pytest.raises(ValueError, match="log_freq must be an int >= 1"):
        tg.viz.watch(_model(), log_freq=0)


def test_watch_at_log_freq_10_computes_statistics_one_step_in_ten():
    """Its cost is measured, not asserted: ``python -m benchmarks.viz``."""
    tg.manual_seed(0)
    model = nn.Sequential(nn.Linear(784, 128), nn.ReLU(), nn.Linear(128, 10))
    optimizer = optim.SGD(model.parameters(), lr=0.01)
    x, y = tg.rand(32, 784), tg.tensor(np.random.default_rng(0).integers(0, 10, 32))
    watcher = tg.viz.watch(model, log_freq=10)
    for _ in range(100):
        optimizer.zero_grad()
        F.cross_entropy(model(x), y).backward()
        optimizer.step()
    assert len(watcher.history) == 10 * 4  # 10 logged steps x 4 parameters
    assert sorted({row["step"] for row in watcher.history}) == list(range(0, 100, 10))


# -- plot_grad_flow and History --------------------------------------------------------------


def test_plot_grad_flow_marks_a_parameter_without_gradient_instead_of_crashing():
    pytest.importorskip("matplotlib")
    model = nn.Sequential(nn.Linear(2, 3), nn.Tanh(), nn.Linear(3, 1), nn.Linear(1, 1))
    model[:3](tg.ones(2)).sum().backward()  # the last layer gets no gradient
    ax = tg.viz.plot_grad_flow(model.named_parameters())
    assert ax.get_yscale() == "log"
    assert [t.get_text() for t in ax.get_xticklabels()] == [
        "0.weight",
        "0.bias",
        "2.weight",
        "2.bias",
        "3.weight",
        "3.bias",
    ]
    assert [t.get_text() for t in ax.texts] == ["no grad", "no grad"]
    import matplotlib.pyplot as plt

    plt.close(ax.figure)


def test_plot_grad_flow_draws_on_a_given_axes():
    plt = pytest.importorskip("matplotlib.pyplot")
    figure, ax = plt.subplots()
    model = nn.Linear(2, 1)
    model(tg.ones(2)).sum().backward()
    assert tg.viz.plot_grad_flow(model.named_parameters(), ax=ax) is ax
    plt.close(figure)


def test_history_plots_loss_and_metrics_to_png_and_svg(tmp_path):
    pytest.importorskip("matplotlib")
    history = tg.viz.History()
    for epoch in range(5):
        history.log(loss=tg.Tensor(1.0 / (epoch + 1)), accuracy=0.2 * epoch)
    assert history.metrics == ["loss", "accuracy"] and history["epoch"] == [0, 1, 2, 3, 4]
    assert history.plot(tmp_path / "h.png").endswith("h.png")
    assert (tmp_path / "h.png").read_bytes()[:4] == b"\x89PNG"
    history.plot(tmp_path / "h.svg", title="training")
    assert "<svg" in (tmp_path / "h.svg").read_text(encoding="utf-8")
    assert (tmp_path / "h.csv").exists() is False
    history.to_csv(tmp_path / "h.csv")
    assert (tmp_path / "h.csv").read_text(encoding="utf-8").splitlines()[1] == "0,1.0,0.0"


def test_history_without_matplotlib_says_how_to_get_it(monkeypatch, tmp_path):
    history = tg.viz.History()
    history.log(loss=1.0)
    monkeypatch.setitem(sys.modules, "matplotlib", None)
    with pytest.raises(ImportError, match=r'pip install "tinygrad_fr\[plot\]"'):
        history.plot(tmp_path / "h.png")
    with pytest.raises(ImportError, match="plot_grad_flow needs matplotlib"):
        tg.viz.plot_grad_flow([])


def test_history_rejects_an_empty_log_and_an_unknown_metric():
    history = tg.viz.History()
    with pytest.raises(ValueError, match="at least one metric"):
        history.log()
    with pytest.raises(KeyError, match="no metric 'loss'"):
        history["loss"]


# -- progress bars ---------------------------------------------------------------------------


def test_progress_bars_follow_the_switch(monkeypatch):
    monkeypatch.setenv(progress.ENV_VAR, "0")
    assert progress.enabled() is False and progress.enabled(True) is True
    monkeypatch.setenv(progress.ENV_VAR, "1")
    assert progress.enabled() is True and progress.enabled(False) is False
    monkeypatch.delenv(progress.ENV_VAR)
    assert progress.enabled() is sys.stderr.isatty()
    assert list(progress.progress(range(3), show=False)) == [0, 1, 2]


def test_progress_bar_is_tqdm_when_on(capsys):
    pytest.importorskip("tqdm")
    bar = progress.progress(range(3), total=3, desc="epochs", show=True)
    assert type(bar).__name__ == "tqdm" and list(bar) == [0, 1, 2]
    assert "epochs" in capsys.readouterr().err


def test_progress_without_tqdm_is_the_plain_loop(monkeypatch):
    monkeypatch.setitem(sys.modules, "tqdm", None)
    assert list(progress.progress(range(2), show=True)) == [0, 1]
