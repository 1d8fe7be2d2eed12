"""PyTorch 0.3-era code: autograd.Variable, torch.autograd.backward, grad(only_inputs=True)."""

import numpy as np
import torch
from torch.autograd import Variable

rng = np.random.default_rng(13)
x = Variable(torch.from_numpy(rng.normal(size=(4, 2)).astype(np.float32)))
w = Variable(torch.Tensor([[0.5], [-0.25]]), requires_grad=True)
y = Variable(torch.Tensor([[1.0], [0.0], [1.0], [0.0]]))
print("is a Variable", isinstance(w, Variable), w.requires_grad, x.requires_grad)

for step in range(5):
    loss = ((torch.sigmoid(x @ w) - y) ** 2).sum()
    torch.autograd.backward([loss])
    with torch.no_grad():
        w -= 0.5 * w.grad
    w.grad.zero_()
    print(step, loss.item())

z = Variable(torch.Tensor([2.0]), requires_grad=True)
(g,) = torch.autograd.grad(z**3, z, only_inputs=True)
print("d/dz z^3 at 2:", g.item())
