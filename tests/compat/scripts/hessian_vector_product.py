"""Hessian-vector products: by double backward (grad of the gradient's dot product with v),
and with torch.autograd.functional.hvp, vhp and hessian, in float64."""

import numpy as np
import torch
from torch.autograd.functional import hessian, hvp, vhp

TOLERANCE = 1e-9

rng = np.random.default_rng(4)
A = torch.from_numpy(rng.normal(size=(5, 3)))
target = torch.from_numpy(rng.normal(size=5))
v = torch.from_numpy(rng.normal(size=3))


def loss_fn(w):
    return ((torch.tanh(A @ w) - target) ** 2).sum() + 0.1 * (w**4).sum()


w = torch.from_numpy(rng.normal(size=3)).requires_grad_()

# Double backward: H v = d/dw (g . v)
loss = loss_fn(w)
(grad,) = torch.autograd.grad(loss, w, create_graph=True)
(hv,) = torch.autograd.grad((grad * v).sum(), w)
print("loss", loss.item())
print("grad", grad.detach().numpy().tolist())
print("Hv (double backward)", hv.numpy().tolist())

_, hv_functional = hvp(loss_fn, w.detach(), v)
print("Hv (functional.hvp)", hv_functional.numpy().tolist())
_, vh_functional = vhp(loss_fn, w.detach(), v)
print("vH (functional.vhp)", vh_functional.numpy().tolist())
H = hessian(loss_fn, w.detach())
print("H v (full hessian)", (H @ v).numpy().tolist())
print("symmetric", bool(((H - H.T).abs() < 1e-12).all()))

# Newton step on the same function, with the Hessian and its gradient
with torch.no_grad():
    step = torch.from_numpy(np.linalg.solve(H.numpy(), grad.detach().numpy()))
    w_new = w - step
print("after a Newton step", loss_fn(w_new).item())
