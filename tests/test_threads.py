"""Grad mode and anomaly mode belong to a thread, as in PyTorch (anomaly: unlike PyTorch).

A thread looping under ``no_grad`` (an evaluator, a web handler) must never stop another
thread's training; ``backward`` changes only its own thread's mode; threads training their
own models get exactly the numbers of the same trainings run one after the other.
"""

from __future__ import annotations

import gc
import threading

import numpy as np
import pytest

import tinygrad_fr as tg
from tinygrad_fr import nn, optim

STEPS = 300


def _data(seed: int) -> tuple[np.ndarray, np.ndarray]:
    rng = np.random.default_rng(seed)
    return rng.normal(size=(STEPS, 8, 3)), rng.normal(size=(STEPS, 8, 1))


def _train(lib, seed: int, errors: list) -> np.ndarray:
    """A small regression trained by SGD from fixed weights; returns the final weights."""
    try:
        inputs, targets = _data(seed)
        model = lib.nn.Sequential(lib.nn.Linear(3, 4), lib.nn.Tanh(), lib.nn.Linear(4, 1)).double()
        with lib.no_grad():
            for index, param in enumerate(model.parameters()):
                values = np.cos(np.arange(param.numel()) + seed + index).reshape(param.shape)
                param.copy_(lib.from_numpy(values))
        opt = lib.optim.SGD(model.parameters(), lr=0.05)
        for x, y in zip(inputs, targets):
            opt.zero_grad()
            loss = ((model(lib.from_numpy(x)) - lib.from_numpy(y)) ** 2).mean()
            loss.backward()
            opt.step()
        return np.concatenate([p.detach().numpy().ravel() for p in model.parameters()])
    except Exception as error:  # reported by the test, not lost in the thread
        errors.append(error)
        raise


def _run_threads(targets: list) -> None:
    threads = [threading.Thread(target=target) for target in targets]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()


def test_two_threads_training_get_the_numbers_of_sequential_runs():
    errors: list = []
    expected = [_train(tg, seed, errors) for seed in (1, 2)]
    results: dict = {}
    _run_threads([lambda s=s: results.__setitem__(s, _train(tg, s, errors)) for s in (1, 2)])
    assert not errors
    for seed, reference in zip((1, 2), expected):
        assert np.array_equal(results[seed], reference)


def test_a_no_grad_thread_beside_a_training_thread_changes_nothing():
    errors: list = []
    expected = _train(tg, 3, errors)
    stop = threading.Event()
    mode_seen: list = []

    def evaluator() -> None:
        x = tg.ones(4, 3, dtype=tg.float64, requires_grad=True)
        while not stop.is_set():
            with tg.no_grad():
                y = (x * 2).sum()
                mode_seen.append(tg.is_grad_enabled() or y.requires_grad)

    result: list = []

    def trainer() -> None:
        result.append(_train(tg, 3, errors))
        stop.set()

    _run_threads([evaluator, trainer])
    assert not errors and np.array_equal(result[0], expected)
    assert mode_seen and not any(mode_seen)  # the evaluator never recorded
    assert tg.is_grad_enabled()


def test_backward_never_changes_another_threads_grad_mode():
    stop = threading.Event()
    seen: list = []

    def watcher() -> None:
        while not stop.is_set():
            seen.append(tg.is_grad_enabled())

    thread = threading.Thread(target=watcher)
    thread.start()
    x = tg.ones(50, requires_grad=True)
    for _ in range(300):
        (x * 3).sum().backward()
    stop.set()
    thread.join()
    assert seen and all(seen)


def test_grad_mode_does_not_leak_from_threads():
    for _ in range(20):  # threads that end with grad mode off
        _run_threads([lambda: tg.set_grad_enabled(False), lambda: tg.no_grad().__enter__()])
        assert tg.is_grad_enabled()
    gc.collect()
    assert tg.autograd.grad_mode.special_threads <= {t.ident for t in threading.enumerate()}


def test_anomaly_detection_stays_with_the_thread_that_turned_it_on():
    errors: list = []
    started, done = threading.Event(), threading.Event()

    def debugging() -> None:
        with tg.detect_anomaly():
            started.set()
            done.wait(5)

    thread = threading.Thread(target=debugging)
    thread.start()
    started.wait(5)
    try:
        with np.errstate(invalid="ignore"):  # log(-1) is nan here: no anomaly mode on this thread
            for _ in range(200):
                tg.tensor([-1.0]).log()
    except FloatingPointError as error:
        errors.append(error)
    finally:
        done.set()
        thread.join()
    assert not errors and not tg.is_anomaly_enabled()


def test_threads_match_pytorch():
    torch = pytest.importorskip("torch")
    errors: list = []
    mine: dict = {}
    theirs: dict = {}
    _run_threads(
        [lambda s=s: mine.__setitem__(s, _train(tg, s, errors)) for s in (4, 5)]
        + [lambda s=s: theirs.__setitem__(s, _train(torch, s, errors)) for s in (4, 5)]
    )
    assert not errors
    for seed in (4, 5):
        np.testing.assert_allclose(mine[seed], theirs[seed], rtol=1e-10, atol=1e-12)


def test_a_switch_object_shared_by_threads_restores_each_threads_own_mode():
    shared = tg.no_grad()
    results: list = []

    def user() -> None:
        with shared:
            results.append(tg.is_grad_enabled())
        results.append(tg.is_grad_enabled())

    _run_threads([user for _ in range(8)])
    assert results.count(False) == 8 and results.count(True) == 8


def test_nn_and_optim_train_without_the_jit_module(tmp_path):
    """The capture machinery sits on top: the library imports and trains with it blocked."""
    import subprocess
    import sys
    import textwrap

    script = textwrap.dedent(
        """
        import sys
        sys.modules["tinygrad_fr.jit"] = None
        import tinygrad_fr as tg
        from tinygrad_fr import nn, optim
        model = nn.Sequential(nn.Linear(2, 3), nn.Tanh(), nn.Linear(3, 1))
        opt = optim.SGD(model.parameters(), lr=0.1)
        for _ in range(5):
            opt.zero_grad()
            nn.functional.mse_loss(model(tg.ones(4, 2)), tg.zeros(4, 1)).backward()
            opt.step()
        print("trained")
        """
    )
    done = subprocess.run([sys.executable, "-c", script], capture_output=True, text=True)
    assert done.returncode == 0, done.stderr
    assert done.stdout.strip() == "trained"


def test_optimizers_share_one_step_loop():
    for cls in (optim.SGD, optim.Adam, optim.AdamW, optim.RMSprop, optim.Adagrad):
        assert "step" not in cls.__dict__
        assert "_update" in cls.__dict__ or cls is optim.AdamW  # AdamW changes only a flag
    assert "zero_grad" not in nn.Linear.__dict__
