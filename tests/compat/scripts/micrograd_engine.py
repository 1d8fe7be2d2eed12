"""micrograd's engine tests (test_sanity_check, test_more_ops), in their PyTorch half."""

import torch

TOLERANCE = 1e-9

x = torch.Tensor([-4.0]).double()
x.requires_grad = True
z = 2 * x + 2 + x
q = z.relu() + z * x
h = (z * z).relu()
y = h + q + q * x
y.backward()
xpt, ypt = x, y
print("sanity: y =", ypt.data.item(), "dy/dx =", xpt.grad.item())

a = torch.Tensor([-4.0]).double()
b = torch.Tensor([2.0]).double()
a.requires_grad = True
b.requires_grad = True
c = a + b
d = a * b + b**3
c = c + c + 1
c = c + 1 + c + (-a)
d = d + d * 2 + (b + a).relu()
d = d + 3 * d + (b - a).relu()
e = c - d
f = e**2
g = f / 2.0
g = g + 10.0 / f
g.backward()
apt, bpt, gpt = a, b, g
print("more ops: g =", gpt.data.item(), "dg/da =", apt.grad.item(), "dg/db =", bpt.grad.item())
