"""micrograd's demo notebook in PyTorch: a 2-16-16-1 MLP on two interleaved half-moons,
SVM hinge loss with L2 regularisation, SGD with a decaying learning rate."""

import numpy as np
import torch
from torch import nn

rng = np.random.default_rng(5)
n = 100
angles = rng.uniform(0, np.pi, n)
upper = np.stack([np.cos(angles), np.sin(angles)], 1)
lower = np.stack([1 - np.cos(angles), 0.5 - np.sin(angles)], 1)
X = np.concatenate([upper[: n // 2], lower[n // 2 :]]) + rng.normal(scale=0.1, size=(n, 2))
y = np.concatenate([np.ones(n // 2), -np.ones(n // 2)])
Xb, yb = torch.from_numpy(X.astype(np.float32)), torch.from_numpy(y.astype(np.float32))

model = nn.Sequential(nn.Linear(2, 16), nn.ReLU(), nn.Linear(16, 16), nn.ReLU(), nn.Linear(16, 1))
with torch.no_grad():
    for param in model.parameters():
        param.copy_(torch.from_numpy(rng.uniform(-1, 1, tuple(param.shape))))
print("number of parameters", sum(p.numel() for p in model.parameters()))


def loss():
    scores = model(Xb).squeeze(1)
    losses = (1 + -yb * scores).relu()
    data_loss = losses.mean()
    alpha = 1e-4
    reg_loss = alpha * sum((p * p).sum() for p in model.parameters())
    total_loss = data_loss + reg_loss
    accuracy = ((yb > 0) == (scores > 0)).float().mean()
    return total_loss, accuracy


for k in range(30):
    total_loss, acc = loss()
    model.zero_grad()
    total_loss.backward()
    learning_rate = 1.0 - 0.9 * k / 100
    with torch.no_grad():
        for p in model.parameters():
            p -= learning_rate * p.grad
    if k % 5 == 0:
        print(f"step {k} loss {total_loss.item()}, accuracy {acc.item() * 100}%")
