"""What ``tg.viz`` costs: ``watch``'s share of training time, and drawing a huge trace.

- ``watch(log_freq=10)`` on an MNIST-sized MLP (784-128-10, mini-batches of 32, SGD): the time
  spent inside watch's hooks against the whole step, both as this thread's CPU time (other
  processes do not inflate it); target under 5 %.
- ``Trace.draw()`` of a 25 001-box graph (summarised to 1 500 nodes); target under 3 s.

Run: ``python -m benchmarks.viz``.
"""

from __future__ import annotations

import statistics
import time

import numpy as np

import tinygrad_fr as tg
from tinygrad_fr import nn, optim
from tinygrad_fr.nn import functional as F  # noqa: N812 - PyTorch's usual alias


def watch_fraction(steps: int = 100, log_freq: int = 10, rounds: int = 5) -> list[float]:
    """The fraction of each round's CPU time spent in watch's hooks."""
    tg.manual_seed(0)
    model = nn.Sequential(nn.Linear(784, 128), nn.ReLU(), nn.Linear(128, 10))
    optimizer = optim.SGD(model.parameters(), lr=0.01)
    x, y = tg.rand(32, 784), tg.tensor(np.random.default_rng(0).integers(0, 10, 32))
    watcher = tg.viz.watch(model, log_freq=log_freq)
    spent = [0.0]
    clock = time.thread_time
    for parameter in model.parameters():
        registry = parameter._hooks.post_accumulate
        for key, hook in list(registry.items()):

            def timed(tensor: tg.Tensor, hook: object = hook) -> None:
                start = clock()
                hook(tensor)  # type: ignore[operator]
                spent[0] += clock() - start

            registry[key] = timed
    fractions = []
    for _ in range(rounds):
        spent[0] = 0.0
        start = clock()
        for _ in range(steps):
            optimizer.zero_grad()
            F.cross_entropy(model(x), y).backward()
            optimizer.step()
        fractions.append(spent[0] / (clock() - start))
    watcher.remove()
    return fractions


def draw_seconds(products: int = 12_500, rounds: int = 3) -> list[float]:
    """Seconds to draw a trace of ``2 * products + 1`` boxes (a chain of products by leaves)."""
    weights = [tg.Tensor([1.0001], requires_grad=True) for _ in range(products)]
    with tg.viz.trace() as trace:
        h = tg.Tensor([1.0], requires_grad=True)
        for weight in weights:
            h = h * weight
        h.sum().backward()
    times = []
    for _ in range(rounds):
        start = time.perf_counter()
        trace.draw()
        times.append(time.perf_counter() - start)
    return times


def main() -> None:
    """Print both measurements: median and range over the rounds."""
    seconds = draw_seconds()
    print(
        f"draw() of a 25 001-box trace: {statistics.median(seconds):.2f} s (range "
        f"{min(seconds):.2f}-{max(seconds):.2f}; target < 3 s)"
    )
    fractions = watch_fraction()
    print(
        f"watch(log_freq=10) on 784-128-10, batch 32: {statistics.median(fractions):.1%} of "
        f"training time (range {min(fractions):.1%}-{max(fractions):.1%}; target < 5%)"
    )


if __name__ == "__main__":
    main()
