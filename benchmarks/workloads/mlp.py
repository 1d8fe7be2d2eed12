"""W1-W3: training an MLP on synthetic MNIST, NumPy baseline vs frameworks.

Every implementation starts from the same weights and sees the same samples in the same order,
so at the end their weights must agree: the largest difference is reported next to the times.
A full epoch is long for the slower columns, so a fixed prefix of it is timed and the report
gives time per sample, with the per-epoch figure extrapolated (said so in the notes).
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import partial

import numpy as np

from benchmarks.data import init_mlp, mnist_like
from benchmarks.frameworks import Framework, frameworks
from benchmarks.harness import (
    BASELINE,
    BASELINE_CAPTURED,
    CAPTURED,
    NUMPY,
    TINYGRAD,
    Config,
    Prepared,
    Row,
    Target,
    seconds_text,
    time_impls,
)
from benchmarks.workloads import mlp_framework, mlp_numpy

# Agreement with the NumPy weights after training; float32 differs by rounding order only.
TOLERANCE = {"float32": 1e-4, "float64": 1e-9}


@dataclass(frozen=True)
class MlpSpec:
    """One training workload: network, loss, optimizer settings and sample counts."""

    id: str
    name: str  # short, for the table
    description: str  # the maths in full, for the notes
    sizes: tuple[int, ...]
    activation: str
    output_activation: bool
    loss: str  # "mse" (nn.MSELoss, mean) or "half_sse" (Nielsen's 1/(2m) sum ||a - y||^2)
    lr: float
    batch: int
    epoch: int  # samples in the epoch the spec describes
    timed: int  # samples actually timed in a full run
    quick: int  # samples timed with --quick
    target: Target


W1 = MlpSpec(
    id="W1",
    name="MLP 784-20-10 sigmoid, batch 1",
    description="sigmoid on both layers, MSE (mean of 10 outputs), SGD lr 0.01, batch 1",
    sizes=(784, 20, 10),
    activation="sigmoid",
    output_activation=True,
    loss="mse",
    lr=0.01,
    batch=1,
    epoch=10_000,
    timed=2_000,
    quick=100,
    target=Target(2.0, captured=1.3),
)
W2 = MlpSpec(
    id="W2",
    name="MLP 784-30-10 sigmoid, batch 10",
    description="sigmoid on both layers, Nielsen cost 1/(2m) sum ||a-y||^2, SGD eta 3.0, batch 10",
    sizes=(784, 30, 10),
    activation="sigmoid",
    output_activation=True,
    loss="half_sse",
    lr=3.0,
    batch=10,
    epoch=50_000,
    timed=10_000,
    quick=200,
    target=Target(1.5, stretch=1.2, captured=1.2),
)
W3 = MlpSpec(
    id="W3",
    name="MLP 784-256-256-10 tanh, batch 256",
    description="tanh hidden layers, linear output, MSE (mean), SGD lr 0.01, batch 256",
    sizes=(784, 256, 256, 10),
    activation="tanh",
    output_activation=False,
    loss="mse",
    lr=0.01,
    batch=256,
    epoch=49_920,  # 50 000 samples, incomplete last batch dropped: 195 steps
    timed=10_240,
    quick=512,
    target=Target(1.1, captured=1.05),
)


def prepare_numpy(spec: MlpSpec, params: list, images: np.ndarray, targets: np.ndarray) -> Prepared:
    """Fresh copies of the weights and a ``run`` that trains them with the NumPy baseline."""
    own = [(w.copy(), b.copy()) for w, b in params]
    if spec.batch == 1:
        run = partial(mlp_numpy.train_per_sample, own, images, targets, spec.lr)
    else:
        run = partial(
            mlp_numpy.train_minibatch,
            own,
            images,
            targets,
            spec.lr,
            spec.batch,
            spec.activation,
            spec.output_activation,
            spec.loss,
        )
    return run, lambda: [a for pair in own for a in pair]


def prepare_framework(
    spec: MlpSpec, fw: Framework, params: list, images: np.ndarray, targets: np.ndarray,
    captured: bool = False,
) -> Prepared:  # fmt: skip
    """The framework side of ``spec`` (``captured``: the step wrapped in tg.jit.capture)."""
    return mlp_framework.prepare_training(
        fw,
        params,
        images,
        targets,
        lr=spec.lr,
        batch=spec.batch,
        activation=spec.activation,
        output_activation=spec.output_activation,
        loss=spec.loss,
        captured=captured,
    )


def implementations(spec: MlpSpec, config: Config, dtype: str, n: int) -> tuple[dict, dict]:
    """The ``prepare`` callables of every available implementation, and the missing ones."""
    images, targets = mnist_like(n, np.dtype(dtype))
    params = init_mlp(spec.sizes, np.dtype(dtype))
    impls = {NUMPY: partial(prepare_numpy, spec, params, images, targets)}
    available, missing = frameworks(config)
    for fw in available:
        captured_name = {TINYGRAD: CAPTURED, BASELINE: BASELINE_CAPTURED}.get(fw.name)
        variants = [(fw.name, False)] + ([(captured_name, True)] if captured_name else [])
        for name, captured in variants:
            impls[name] = partial(prepare_framework, spec, fw, params, images, targets, captured)
    return impls, missing


def run_spec(spec: MlpSpec, config: Config) -> list[Row]:
    """Time ``spec`` for every dtype and return one row per dtype (microseconds per sample)."""
    rows = []
    n = spec.quick if config.quick else spec.timed
    for dtype in config.dtypes:
        impls, missing = implementations(spec, config, dtype, n)
        timings, failures = time_impls(impls, config.repeats, config.warmup)
        row = Row(
            spec.id,
            spec.name,
            dtype,
            "us/sample",
            target=spec.target,
            tolerance=TOLERANCE[dtype],
            skipped=dict(missing),
        )
        for name, error in failures.items():
            row.fail(name, error)
        reference = timings[NUMPY].result
        for name, timing in timings.items():
            row.values[name] = timing.median / n * 1e6
            row.samples[name] = [t / n * 1e6 for t in timing.times]
            if name != NUMPY:
                row.compare(name, reference, timing.result)
        epoch = ", ".join(
            f"{name} {seconds_text(v * spec.epoch / 1e6)}" for name, v in row.values.items()
        )
        row.notes.append(spec.description)
        row.notes.append(
            f"timed {n} of {spec.epoch} samples (first {n // spec.batch} steps); "
            f"per epoch, extrapolated: {epoch}"
        )
        rows.append(row)
    return rows


def run_w1(config: Config) -> list[Row]:
    """W1: per-sample SGD, 784-20-10 sigmoid MLP (French course)."""
    return run_spec(W1, config)


def run_w2(config: Config) -> list[Row]:
    """W2: mini-batch SGD, 784-30-10 sigmoid MLP (Nielsen's network)."""
    return run_spec(W2, config)


def run_w3(config: Config) -> list[Row]:
    """W3: large-batch SGD, 784-256-256-10 tanh MLP."""
    return run_spec(W3, config)
