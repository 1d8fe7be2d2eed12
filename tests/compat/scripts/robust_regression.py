"""Regression with outliers: SmoothL1Loss, HuberLoss and MSELoss(reduction=...), weights
initialised through model.apply(init_fn) with nn.init."""

import numpy as np
import torch
from torch import nn

rng = np.random.default_rng(11)
X = torch.from_numpy(rng.uniform(-2, 2, size=(40, 1)).astype(np.float32))
Y = 3 * X - 1
Y[::8] += 15.0  # outliers


def init_weights(module):
    if isinstance(module, nn.Linear):
        nn.init.constant_(module.weight, 0.5)
        nn.init.zeros_(module.bias)


for name, loss_fn in [
    ("mse", nn.MSELoss(reduction="mean")),
    ("smooth_l1", nn.SmoothL1Loss(beta=0.5)),
    ("huber", nn.HuberLoss(delta=2.0)),
    ("l1_sum", nn.L1Loss(reduction="sum")),
]:
    model = nn.Sequential(nn.Linear(1, 1))
    model.apply(init_weights)
    optimizer = torch.optim.SGD(model.parameters(), lr=0.05 if name != "l1_sum" else 0.002)
    for _ in range(100):
        optimizer.zero_grad()
        loss = loss_fn(model(X), Y)
        loss.backward()
        optimizer.step()
    print(name, loss.item(), model[0].weight.item(), model[0].bias.item())

none = nn.SmoothL1Loss(reduction="none")(torch.tensor([0.2, 1.5, -3.0]), torch.zeros(3))
print("per element", none.tolist())
