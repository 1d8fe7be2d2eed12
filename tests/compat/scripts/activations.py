"""The smooth activations of nn and nn.functional: values and derivatives on a grid, then an
MLP with GELU, SiLU and Mish trained a few steps in float64."""

import numpy as np
import torch
import torch.nn.functional as F
from torch import nn

TOLERANCE = 1e-9

x = torch.linspace(-4, 4, 9, dtype=torch.float64, requires_grad=True)
modules = [
    nn.GELU(),
    nn.GELU(approximate="tanh"),
    nn.SiLU(),
    nn.ELU(alpha=0.5),
    nn.Softplus(beta=2.0, threshold=5.0),
    nn.Mish(),
    nn.LogSigmoid(),
]
for module in modules:
    y = module(x)
    (dy,) = torch.autograd.grad(y.sum(), x, create_graph=True)
    (d2y,) = torch.autograd.grad(dy.sum(), x)
    print(module)
    print("  values", [round(v, 10) for v in y.tolist()])
    print("  slopes", [round(v, 10) for v in dy.tolist()])
    print("  curvature", [round(v, 10) for v in d2y.tolist()])

print("F.gelu", F.gelu(torch.tensor([1.0], dtype=torch.float64)).item())
print("F.softplus", F.softplus(torch.tensor([30.0, -30.0], dtype=torch.float64)).tolist())

rng = np.random.default_rng(10)
data = torch.from_numpy(rng.normal(size=(20, 3)))
target = torch.from_numpy(rng.normal(size=(20, 1)))
model = nn.Sequential(
    nn.Linear(3, 6),
    nn.GELU(),
    nn.Linear(6, 6),
    nn.SiLU(),
    nn.Linear(6, 6),
    nn.Mish(),
    nn.Linear(6, 1),
)
model.double()
with torch.no_grad():
    for param in model.parameters():
        param.copy_(torch.from_numpy(rng.uniform(-0.6, 0.6, tuple(param.shape))))
optimizer = torch.optim.Adam(model.parameters(), lr=0.01)
for step in range(10):
    optimizer.zero_grad()
    loss = F.mse_loss(model(data), target)
    loss.backward()
    optimizer.step()
print("final loss", loss.item())
