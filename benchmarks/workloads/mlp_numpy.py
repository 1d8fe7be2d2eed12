"""Hand-written NumPy training loops for W1-W3: the baselines an expert would write.

Buffers are allocated once and every step writes into them (``out=``, in-place updates). The
learning rate is folded into the output delta, which is small, so that it reaches every weight
gradient through linearity instead of costing one more pass over each weight matrix.
Weights are (out, in) as in ``nn.Linear``: a layer computes ``x @ W.T + b``.
"""

from __future__ import annotations

import numpy as np

Params = list[tuple[np.ndarray, np.ndarray]]


def sigmoid_(z: np.ndarray) -> None:
    """In place: z <- 1 / (1 + exp(-z))."""
    np.negative(z, out=z)
    np.exp(z, out=z)
    z += 1.0
    np.reciprocal(z, out=z)


def slope_(activation: str, a: np.ndarray, out: np.ndarray) -> None:
    """Derivative of the activation from its output a: a(1-a) for sigmoid, 1-a^2 for tanh."""
    if activation == "sigmoid":
        np.subtract(1.0, a, out=out)
        out *= a
    else:
        np.multiply(a, a, out=out)
        np.subtract(1.0, out, out=out)


def train_per_sample(params: Params, images: np.ndarray, targets: np.ndarray, lr: float) -> None:
    """W1: one SGD step per sample of a sigmoid MLP with two layers and MSE (mean of outputs).

    Vectors instead of 1-row matrices: matrix-vector products and outer products.
    """
    (w1, b1), (w2, b2) = params
    hidden, hidden_slope, hidden_delta = (np.empty_like(b1) for _ in range(3))
    out, out_slope, out_delta = (np.empty_like(b2) for _ in range(3))
    w1_step, w2_step = np.empty_like(w1), np.empty_like(w2)
    scale = 2.0 * lr / len(b2)  # d mean((o - y)^2) / do = 2 (o - y) / n_out
    for x, y in zip(images, targets, strict=True):
        np.dot(w1, x, out=hidden)
        hidden += b1
        sigmoid_(hidden)
        np.dot(w2, hidden, out=out)
        out += b2
        sigmoid_(out)
        np.subtract(out, y, out=out_delta)
        loss = np.dot(out_delta, out_delta) / len(b2)  # noqa: F841 - the framework computes it too
        slope_("sigmoid", out, out_slope)
        out_delta *= out_slope
        out_delta *= scale
        np.dot(out_delta, w2, out=hidden_delta)  # uses W2 before its update, as autograd does
        slope_("sigmoid", hidden, hidden_slope)
        hidden_delta *= hidden_slope
        np.outer(out_delta, hidden, out=w2_step)
        w2 -= w2_step
        b2 -= out_delta
        np.outer(hidden_delta, x, out=w1_step)
        w1 -= w1_step
        b1 -= hidden_delta


def train_minibatch(
    params: Params,
    images: np.ndarray,
    targets: np.ndarray,
    lr: float,
    batch: int,
    activation: str,
    output_activation: bool,
    loss: str,
) -> None:
    """W2/W3: mini-batch SGD on an MLP of any depth (incomplete last batch dropped).

    ``loss="mse"`` is the mean over batch and outputs (``nn.MSELoss``); ``loss="half_sse"`` is
    Nielsen's quadratic cost 1/(2m) sum ||a - y||^2.
    """
    n_layers = len(params)
    acts: list[np.ndarray] = [images[:batch]]
    acts += [np.empty((batch, len(b)), images.dtype) for _, b in params]
    deltas = [np.empty_like(a) for a in acts[1:]]
    slopes = [np.empty_like(a) for a in acts[1:]]
    w_steps = [np.empty_like(w) for w, _ in params]
    b_steps = [np.empty_like(b) for _, b in params]
    n_out = params[-1][1].shape[0]
    if loss == "mse":
        loss_scale, grad_scale = 1.0 / (batch * n_out), 2.0 * lr / (batch * n_out)
    else:
        loss_scale, grad_scale = 0.5 / batch, lr / batch
    for start in range(0, len(images) - batch + 1, batch):
        acts[0] = images[start : start + batch]
        for i, (w, b) in enumerate(params):
            np.matmul(acts[i], w.T, out=acts[i + 1])
            acts[i + 1] += b
            if i < n_layers - 1 or output_activation:
                _activate_(activation, acts[i + 1])
        delta = deltas[-1]
        np.subtract(acts[-1], targets[start : start + batch], out=delta)
        value = np.vdot(delta, delta) * loss_scale  # noqa: F841 - the framework computes it too
        if output_activation:
            slope_(activation, acts[-1], slopes[-1])
            delta *= slopes[-1]
        delta *= grad_scale
        for i in range(n_layers - 1, -1, -1):
            w, b = params[i]
            delta = deltas[i]
            if i > 0:  # propagate with W before its update, as autograd does
                np.matmul(delta, w, out=deltas[i - 1])
                slope_(activation, acts[i], slopes[i - 1])
                deltas[i - 1] *= slopes[i - 1]
            np.matmul(delta.T, acts[i], out=w_steps[i])
            w -= w_steps[i]
            np.sum(delta, axis=0, out=b_steps[i])
            b -= b_steps[i]


def _activate_(activation: str, z: np.ndarray) -> None:
    if activation == "sigmoid":
        sigmoid_(z)
    else:
        np.tanh(z, out=z)
