"""BatchNorm1d and LayerNorm in a small MLP trained with Adam(weight_decay=...): running
statistics, num_batches_tracked, eval mode, and the state_dict's names (in float64: Adam's
first steps turn float32 rounding in near-zero gradients into visible differences)."""

import numpy as np
import torch
from torch import nn

TOLERANCE = 1e-8


class Net(nn.Module):
    def __init__(self):
        super().__init__()
        self.fc1 = nn.Linear(3, 8)
        self.bn = nn.BatchNorm1d(8)
        self.fc2 = nn.Linear(8, 8)
        self.ln = nn.LayerNorm(8)
        self.out = nn.Linear(8, 1)

    def forward(self, x):
        x = torch.relu(self.bn(self.fc1(x)))
        x = torch.tanh(self.ln(self.fc2(x)))
        return self.out(x)


rng = np.random.default_rng(7)
X = torch.from_numpy(rng.normal(2.0, 3.0, size=(64, 3)))
Y = (X[:, :1] * 0.5 - X[:, 1:2] + 0.1 * X[:, 2:3]).tanh()

model = Net().double()
with torch.no_grad():
    for name, param in model.named_parameters():
        if name.startswith("fc") or name.startswith("out"):
            param.copy_(torch.from_numpy(rng.uniform(-0.4, 0.4, tuple(param.shape))))
print(list(model.state_dict().keys()))

optimizer = torch.optim.Adam(model.parameters(), lr=0.01, weight_decay=1e-4)
loss_fn = nn.MSELoss()
model.train()
for step in range(40):
    batch = slice((step % 4) * 16, (step % 4) * 16 + 16)
    optimizer.zero_grad()
    loss = loss_fn(model(X[batch]), Y[batch])
    loss.backward()
    optimizer.step()
    if step % 10 == 9:
        print(step, loss.item())

print("running_mean", model.bn.running_mean.tolist())
print("running_var", model.bn.running_var.tolist())
print("batches tracked", model.bn.num_batches_tracked.item())
model.eval()
with torch.no_grad():
    print("eval loss", loss_fn(model(X), Y).item())
    print("first outputs", model(X[:3]).squeeze(1).tolist())
