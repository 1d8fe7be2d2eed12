"""torch.autograd.functional on small functions of one and of several inputs: jacobian,
hessian, vjp and jvp, with their return structures, in float64."""

import torch
from torch.autograd.functional import hessian, jacobian, jvp, vjp

TOLERANCE = 1e-9


def f(x, y):
    return x * y.sum() + torch.exp(x), (y**2).sum()


x = torch.tensor([0.5, -1.0], dtype=torch.float64)
y = torch.tensor([2.0, 1.0, -0.5], dtype=torch.float64)

jac = jacobian(f, (x, y))
for i, row in enumerate(jac):
    for j, block in enumerate(row):
        print(f"d out{i} / d in{j}", list(block.shape), block.reshape(-1).tolist())

H = hessian(lambda x, y: (x.sum() * y**3).sum(), (x, y))
for i, row in enumerate(H):
    for j, block in enumerate(row):
        print(f"H[{i}][{j}]", list(block.shape), block.reshape(-1).tolist())

out, product = vjp(lambda x: torch.tanh(x) * x, x, torch.tensor([1.0, 2.0], dtype=torch.float64))
print("vjp", out.tolist(), product.tolist())
out, product = jvp(lambda x: torch.tanh(x) * x, x, torch.tensor([1.0, 2.0], dtype=torch.float64))
print("jvp", out.tolist(), product.tolist())
single = jacobian(lambda x: x**2, x, create_graph=True)
print("create_graph", single.requires_grad, single.sum().item())
