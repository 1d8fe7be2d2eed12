"""W1-W3 written the PyTorch way, run with tinygrad_fr or torch as ``fw.lib``.

This is the code a course student writes: ``nn.Sequential`` of ``nn.Linear`` and activations,
a loss, ``optim.SGD``, and the loop zero_grad, forward, loss, backward, step. The weights are
overwritten with the NumPy baseline's initial values so that both train the same network.
"""

from __future__ import annotations

from typing import Any

import numpy as np

from benchmarks.frameworks import Framework
from benchmarks.harness import Prepared

Params = list[tuple[np.ndarray, np.ndarray]]


def build_mlp(fw: Framework, params: Params, activation: str, output_activation: bool) -> Any:
    """``nn.Sequential(Linear, act, ..., Linear[, act])`` holding copies of ``params``."""
    nn = fw.lib.nn
    act = nn.Sigmoid if activation == "sigmoid" else nn.Tanh
    layers = []
    for i, (weight, bias) in enumerate(params):
        linear = nn.Linear(weight.shape[1], weight.shape[0])
        fw.set_data(linear.weight, weight)
        fw.set_data(linear.bias, bias)
        layers.append(linear)
        if i < len(params) - 1 or output_activation:
            layers.append(act())
    return nn.Sequential(*layers)


def half_sse(out: Any, target: Any) -> Any:
    """Nielsen's quadratic cost: 1/(2m) sum over the batch of ||out - target||^2."""
    return 0.5 * ((out - target) ** 2).sum(dim=1).mean()


def prepare_training(
    fw: Framework,
    params: Params,
    images: np.ndarray,
    targets: np.ndarray,
    *,
    lr: float,
    batch: int,
    activation: str,
    output_activation: bool,
    loss: str,
    captured: bool = False,
) -> Prepared:
    """Build the model and optimizer; ``run`` trains one pass over ``images`` (last batch
    dropped when incomplete), ``result`` returns the trained parameters as arrays.

    With ``captured`` (tinygrad_fr only) the step is wrapped in ``tg.jit.capture``: recorded
    on its first two calls, replayed afterwards with identical results.
    """
    model = build_mlp(fw, params, activation, output_activation)
    criterion = fw.lib.nn.MSELoss() if loss == "mse" else half_sse
    optimizer = fw.lib.optim.SGD(model.parameters(), lr=lr)

    def step(x: Any, y: Any) -> Any:
        optimizer.zero_grad()
        cost = criterion(model(x), y)
        cost.backward()
        optimizer.step()
        return cost

    if captured:
        step = fw.lib.jit.capture(step)

    def run() -> None:
        for start in range(0, len(images) - batch + 1, batch):
            step(
                fw.tensor(images[start : start + batch]), fw.tensor(targets[start : start + batch])
            )

    def result() -> list[np.ndarray]:
        return [fw.to_numpy(p) for p in model.parameters()]

    return run, result
