"""The device-agnostic idiom of PyTorch tutorials: pick CUDA when available, else the CPU."""

import numpy as np
import torch
from torch import nn

NEEDS = {"device"}

device = torch.device("cuda" if torch.cuda.is_available() else "cpu")
print("device", device, torch.backends.mps.is_available())

model = nn.Sequential(nn.Linear(2, 3), nn.Tanh(), nn.Linear(3, 1)).to(device)
rng = np.random.default_rng(14)
with torch.no_grad():
    for param in model.parameters():
        param.copy_(torch.from_numpy(rng.uniform(-0.5, 0.5, tuple(param.shape))))

x = torch.from_numpy(rng.normal(size=(8, 2)).astype(np.float32)).to(device)
y = torch.zeros(8, 1, device=device)
optimizer = torch.optim.SGD(model.parameters(), lr=0.1)
for step in range(5):
    optimizer.zero_grad()
    loss = ((model(x) - y) ** 2).mean()
    loss.backward()
    optimizer.step()
    print(step, loss.item())
print("on", next(model.parameters()).device, x.cpu().to("cpu").device)
