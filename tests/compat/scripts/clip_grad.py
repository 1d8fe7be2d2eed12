"""Gradient clipping in a training loop (clip_grad_norm_, clip_grad_value_) and flat
parameter vectors (parameters_to_vector, vector_to_parameters)."""

import numpy as np
import torch
from torch import nn
from torch.nn.utils import (
    clip_grad_norm_,
    clip_grad_value_,
    parameters_to_vector,
    vector_to_parameters,
)

rng = np.random.default_rng(9)
X = torch.from_numpy(rng.normal(size=(32, 5)).astype(np.float32))
Y = torch.from_numpy(rng.normal(size=(32, 1)).astype(np.float32)) * 10

model = nn.Sequential(nn.Linear(5, 8), nn.Tanh(), nn.Linear(8, 1))
vector_to_parameters(
    torch.from_numpy(rng.uniform(-0.5, 0.5, 57).astype(np.float32)), model.parameters()
)
print("parameters", parameters_to_vector(model.parameters()).shape[0])

optimizer = torch.optim.SGD(model.parameters(), lr=0.05)
for step in range(20):
    optimizer.zero_grad()
    loss = ((model(X) - Y) ** 2).mean()
    loss.backward()
    if step % 2 == 0:
        norm = clip_grad_norm_(model.parameters(), max_norm=1.0)
        kind = "norm"
    else:
        clip_grad_value_(model.parameters(), clip_value=0.1)
        norm = torch.nn.utils.get_total_norm([p.grad for p in model.parameters()])
        kind = "value"
    optimizer.step()
    if step % 4 < 2:
        print(step, kind, loss.item(), norm.item())

flat = parameters_to_vector(model.parameters())
print("flat sum", flat.sum().item(), "max", flat.abs().max().item())
print("inf norm", clip_grad_norm_(model.parameters(), 1e9, norm_type=float("inf")).item())
