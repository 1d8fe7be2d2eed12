"""Each optimizer's trajectory against a NumPy transcription of PyTorch's documented algorithm.

The objective is a Rosenbrock-like valley for a vector plus a quadratic bowl for a matrix, in
float64; 20 steps must agree to 1e-12 for every option combination in the tables.
"""

from __future__ import annotations

import math
from typing import Any

import numpy as np
import pytest

import tinygrad_fr as tg
from tinygrad_fr import optim

STEPS = 20
START = (np.array([-1.2, 1.0, 0.5]), np.array([[1.0, -2.0], [0.5, 3.0]]))
BOWL = np.array([[1.0, 2.0], [0.5, 4.0]])


def gradients(w: np.ndarray, b: np.ndarray, sign: float = 1.0) -> list[np.ndarray]:
    """Gradient of sign * (sum((1 - w)²) + 5 sum((w[1:] - w[:-1]²)²) + sum(BOWL b²) - sum(b)).

    Runs with ``maximize=True`` climb ``-f`` (sign -1), so that they converge too.
    """
    valley = w[1:] - w[:-1] ** 2
    grad_w = -2.0 * (1.0 - w)
    grad_w[1:] += 10.0 * valley
    grad_w[:-1] += -20.0 * valley * w[:-1]
    return [sign * grad_w, sign * (2.0 * BOWL * b - 1.0)]


# -- the documented algorithms, one step for one parameter -----------------------------------


def sgd(theta, g, state, t, lr, momentum=0, dampening=0, weight_decay=0, nesterov=False,
        maximize=False):  # fmt: skip
    g = -g if maximize else g
    if weight_decay != 0:
        g = g + weight_decay * theta
    if momentum != 0:
        b = g if t == 1 else momentum * state["b"] + (1 - dampening) * g
        state["b"] = b
        g = g + momentum * b if nesterov else b
    return theta - lr * g


def adam(theta, g, state, t, lr=1e-3, betas=(0.9, 0.999), eps=1e-8, weight_decay=0,
         amsgrad=False, maximize=False, decoupled=False):  # fmt: skip
    beta1, beta2 = betas
    g = -g if maximize else g
    if weight_decay != 0:
        if decoupled:
            theta = theta - lr * weight_decay * theta
        else:
            g = g + weight_decay * theta
    m = beta1 * state.get("m", 0.0) + (1 - beta1) * g
    v = beta2 * state.get("v", 0.0) + (1 - beta2) * g**2
    state["m"], state["v"] = m, v
    m_hat = m / (1 - beta1**t)
    if amsgrad:
        state["vmax"] = np.maximum(state.get("vmax", 0.0), v)
        v_hat = state["vmax"] / (1 - beta2**t)
    else:
        v_hat = v / (1 - beta2**t)
    return theta - lr * m_hat / (np.sqrt(v_hat) + eps)


def adamw(theta, g, state, t, weight_decay=1e-2, **options):
    return adam(theta, g, state, t, weight_decay=weight_decay, decoupled=True, **options)


def rmsprop(theta, g, state, t, lr=1e-2, alpha=0.99, eps=1e-8, weight_decay=0, momentum=0,
            centered=False, maximize=False):  # fmt: skip
    g = -g if maximize else g
    if weight_decay != 0:
        g = g + weight_decay * theta
    v = alpha * state.get("v", 0.0) + (1 - alpha) * g**2
    state["v"] = v
    v_tilde = v
    if centered:
        state["g_ave"] = state.get("g_ave", 0.0) * alpha + (1 - alpha) * g
        v_tilde = v_tilde - state["g_ave"] ** 2
    if momentum > 0:
        state["b"] = momentum * state.get("b", 0.0) + g / (np.sqrt(v_tilde) + eps)
        return theta - lr * state["b"]
    return theta - lr * g / (np.sqrt(v_tilde) + eps)


def adagrad(theta, g, state, t, lr=1e-2, lr_decay=0, weight_decay=0,
            initial_accumulator_value=0, eps=1e-10, maximize=False):  # fmt: skip
    g = -g if maximize else g
    lr_t = lr / (1 + (t - 1) * lr_decay)
    if weight_decay != 0:
        g = g + weight_decay * theta
    state["sum"] = state.get("sum", initial_accumulator_value) + g**2
    return theta - lr_t * g / (np.sqrt(state["sum"]) + eps)


REFERENCES = {"SGD": sgd, "Adam": adam, "AdamW": adamw, "RMSprop": rmsprop, "Adagrad": adagrad}

CASES = [
    ("SGD", {"lr": 0.01}),
    ("SGD", {"lr": 0.01, "momentum": 0.9}),
    ("SGD", {"lr": 0.01, "momentum": 0.9, "dampening": 0.3}),
    ("SGD", {"lr": 0.01, "momentum": 0.9, "nesterov": True}),
    ("SGD", {"lr": 0.01, "weight_decay": 0.1}),
    ("SGD", {"lr": 0.01, "momentum": 0.5, "weight_decay": 0.1, "maximize": True}),
    ("Adam", {}),
    ("Adam", {"lr": 0.05}),
    ("Adam", {"lr": 0.05, "betas": (0.8, 0.99), "eps": 1e-6}),
    ("Adam", {"lr": 0.05, "amsgrad": True}),
    ("Adam", {"lr": 0.05, "weight_decay": 0.1}),
    ("Adam", {"lr": 0.05, "weight_decay": 0.1, "amsgrad": True, "maximize": True}),
    ("AdamW", {"lr": 0.05}),
    ("AdamW", {"lr": 0.05, "weight_decay": 0.3, "amsgrad": True}),
    ("AdamW", {"lr": 0.05, "maximize": True}),
    ("RMSprop", {}),
    ("RMSprop", {"lr": 0.01, "alpha": 0.9}),
    ("RMSprop", {"lr": 0.01, "momentum": 0.9}),
    ("RMSprop", {"lr": 0.01, "centered": True}),
    ("RMSprop", {"lr": 0.01, "centered": True, "momentum": 0.5, "weight_decay": 0.1}),
    ("RMSprop", {"lr": 0.01, "maximize": True}),
    ("Adagrad", {}),
    ("Adagrad", {"lr": 0.1, "lr_decay": 0.05}),
    ("Adagrad", {"lr": 0.1, "initial_accumulator_value": 0.5, "eps": 1e-6}),
    ("Adagrad", {"lr": 0.1, "weight_decay": 0.1, "maximize": True}),
]


def reference_trajectory(name: str, options: dict[str, Any]) -> list[list[np.ndarray]]:
    """``STEPS`` states of both parameters under the documented algorithm."""
    thetas = [array.copy() for array in START]
    states: list[dict[str, Any]] = [{}, {}]
    trajectory = []
    for t in range(1, STEPS + 1):
        grads = gradients(*thetas, sign=-1.0 if options.get("maximize") else 1.0)
        thetas = [
            REFERENCES[name](theta, g, state, t, **options)
            for theta, g, state in zip(thetas, grads, states, strict=True)
        ]
        trajectory.append(thetas)
    return trajectory


def our_trajectory(name: str, options: dict[str, Any]) -> list[list[np.ndarray]]:
    params = [tg.Tensor(array, requires_grad=True) for array in START]
    optimizer = getattr(optim, name)(params, **options)
    sign = -1.0 if options.get("maximize") else 1.0
    trajectory = []
    for _ in range(STEPS):
        grads = gradients(params[0]._data, params[1]._data, sign)
        for param, grad in zip(params, grads, strict=True):
            param.grad = tg.Tensor(grad)
        optimizer.step()
        trajectory.append([p._data.copy() for p in params])
    return trajectory


@pytest.mark.parametrize(("name", "options"), CASES, ids=[f"{n}-{o}" for n, o in CASES])
def test_trajectory_matches_documented_algorithm(name: str, options: dict[str, Any]) -> None:
    expected = reference_trajectory(name, options)
    for step, (ours, theirs) in enumerate(
        zip(our_trajectory(name, options), expected, strict=True)
    ):
        for param, (a, b) in enumerate(zip(ours, theirs, strict=True)):
            np.testing.assert_allclose(
                a, b, rtol=0, atol=1e-12, err_msg=f"step {step} param {param}"
            )


@pytest.mark.parametrize("name", sorted(REFERENCES))
def test_trajectory_moves_downhill(name: str) -> None:
    options = {"lr": 0.01} if name == "SGD" else {"lr": 0.05}
    final = our_trajectory(name, options)[-1]
    loss = lambda w, b: float(((1 - w) ** 2).sum() + (BOWL * b**2).sum() - b.sum())  # noqa: E731
    assert loss(*final) < loss(*START)


def test_gradients_helper_matches_autograd() -> None:
    w = tg.Tensor(START[0], requires_grad=True)
    b = tg.Tensor(START[1], requires_grad=True)
    valley = w[1:] - w[:-1] * w[:-1]
    loss = ((1 - w) * (1 - w)).sum() + 5 * (valley * valley).sum()
    loss = loss + (tg.Tensor(BOWL) * b * b).sum() - b.sum()
    loss.backward()
    grad_w, grad_b = gradients(*START)
    np.testing.assert_allclose(w.grad._data, grad_w, rtol=1e-12)
    np.testing.assert_allclose(b.grad._data, grad_b, rtol=1e-12)


def test_training_with_backward_reaches_the_minimum() -> None:
    w = tg.Tensor([3.0, -2.0], requires_grad=True, dtype=tg.float64)
    optimizer = optim.SGD([w], lr=0.1, momentum=0.5)
    for _ in range(100):
        optimizer.zero_grad()
        ((w - tg.Tensor([1.0, 2.0], dtype=tg.float64)) ** 2).sum().backward()
        optimizer.step()
    assert math.isclose(w._data[0], 1.0, abs_tol=1e-6) and math.isclose(
        w._data[1], 2.0, abs_tol=1e-6
    )
