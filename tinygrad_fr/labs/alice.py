"""Alice and the course's 2-2-1 network (Lab 0, 0.4.1), traced by ``tg.viz.trace``.

Every weight 1, every bias 0, Alice is x = [-2, -1] with y_true = 1 and the loss is her squared
error. The trace holds the whole computation and its backward: the lab, the demo and the
tutorials draw it, step through it and explain dL/dw1 = dL/dypred × dypred/dh1 × dh1/dw1 with
it. ``COURSE_NAMES`` gives the elements the course's names (w1..w6, b1..b3, h1, h2, ypred).

>>> from tinygrad_fr.labs import alice
>>> run = alice.traced()
>>> print(run.trace.explain(wrt=run.model[0].weight, index=(0, 0), names=alice.COURSE_NAMES)
...       .chain.text())
dL/dw1 = dL/dypred × dypred/dh1 × dh1/dw1 = -0.9526 × 0.2494 × -0.09035 = 0.02147
"""

from __future__ import annotations

from typing import NamedTuple

import tinygrad_fr as tg
from tinygrad_fr import nn
from tinygrad_fr.nn import functional as F  # noqa: N812 - PyTorch's usual alias

X_ALICE = [-2.0, -1.0]  # weight - 135 lb, height - 66 in
Y_ALICE = [1.0]  # female

COURSE_NAMES = {
    "0.weight[0, 0]": "w1", "0.weight[0, 1]": "w2", "0.weight[1, 0]": "w3",
    "0.weight[1, 1]": "w4", "2.weight[0, 0]": "w5", "2.weight[0, 1]": "w6",
    "0.bias[0]": "b1", "0.bias[1]": "b2", "2.bias": "b3",
    "1.out[0]": "h1", "1.out[1]": "h2", "3.out": "ypred",
}  # fmt: skip


class Alice(NamedTuple):
    """The traced computation: the trace, the network, and the loss."""

    trace: tg.viz.Trace
    model: nn.Sequential
    loss: tg.Tensor


def network() -> nn.Sequential:
    """The 2-2-1 sigmoid network in float64, every weight 1 and every bias 0."""
    model = nn.Sequential(nn.Linear(2, 2), nn.Sigmoid(), nn.Linear(2, 1), nn.Sigmoid())
    model.double()
    for layer in (model[0], model[2]):
        nn.init.ones_(layer.weight)
        nn.init.zeros_(layer.bias)
    return model


def traced() -> Alice:
    """Alice's forward and backward through the network, recorded."""
    model = network()
    x = tg.tensor(X_ALICE, dtype=tg.float64)
    y_true = tg.tensor(Y_ALICE, dtype=tg.float64)
    with tg.viz.trace(model) as trace:
        loss = F.mse_loss(model(x), y_true)  # (y_true - y_pred)**2: Alice alone
        loss.backward()
    return Alice(trace, model, loss)
