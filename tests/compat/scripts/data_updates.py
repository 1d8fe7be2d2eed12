"""Older course code: updates and initialisation through ``.data`` (p.data -= lr * p.grad,
.data.zero_(), .data.fill_(), .data.copy_())."""

import numpy as np
import torch
from torch import nn

NEEDS = {"data-tensor"}

rng = np.random.default_rng(2)
x = torch.from_numpy(rng.normal(size=(32, 3)).astype(np.float32))
true_w = torch.tensor([[1.5], [-2.0], [0.5]])
y = x @ true_w + 0.3

w = torch.zeros(3, 1, requires_grad=True)
b = torch.zeros(1, requires_grad=True)
lr = 0.1
for step in range(60):
    loss = ((x @ w + b - y) ** 2).mean()
    loss.backward()
    w.data -= lr * w.grad.data
    b.data -= lr * b.grad.data
    w.grad.data.zero_()
    b.grad.data.zero_()
    if step % 10 == 9:
        print(step, loss.item())
print("w:", w.data.numpy().ravel().tolist(), "b:", b.item())

layer = nn.Linear(3, 1)
layer.weight.data.copy_(torch.tensor([[0.1, 0.2, 0.3]]))
layer.bias.data.fill_(0)
for p in layer.parameters():
    print(p.data.requires_grad, p.requires_grad)
for step in range(30):
    loss = ((layer(x) - y) ** 2).mean()
    layer.zero_grad()
    loss.backward()
    for p in layer.parameters():
        p.data -= lr * p.grad
print("layer:", layer.weight.data.numpy().ravel().tolist(), layer.bias.item())
