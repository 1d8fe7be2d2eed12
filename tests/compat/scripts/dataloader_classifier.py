"""A course-style training loop: TensorDataset, random_split, DataLoader (with the worker
options people pass), a small classifier, CrossEntropyLoss and SGD with momentum."""

import numpy as np
import torch
from torch import nn
from torch.utils.data import DataLoader, TensorDataset, random_split

# Three Gaussian blobs in the plane, labels 0, 1, 2 (int64 from NumPy)
rng = np.random.default_rng(0)
centres = np.array([[0.0, 2.0], [2.0, -1.0], [-2.0, -1.0]])
labels = np.repeat(np.arange(3), 40)
points = (centres[labels] + rng.normal(scale=0.7, size=(120, 2))).astype(np.float32)
X, Y = torch.from_numpy(points), torch.from_numpy(labels)

dataset = TensorDataset(X, Y)
train_set, val_set = random_split(dataset, [0.75, 0.25], generator=torch.Generator().manual_seed(0))
print("split:", len(train_set), len(val_set))

# Deterministic batches (shuffle=False) so that every library sees the same ones
loader = DataLoader(
    dataset, batch_size=16, shuffle=False, drop_last=True, num_workers=2, pin_memory=True
)
print("batches per epoch:", len(loader))

model = nn.Sequential(nn.Linear(2, 16), nn.ReLU(), nn.Linear(16, 3))
with torch.no_grad():
    for param in model.parameters():
        param.copy_(torch.from_numpy(rng.uniform(-0.5, 0.5, tuple(param.shape))))

criterion = nn.CrossEntropyLoss()
optimizer = torch.optim.SGD(model.parameters(), lr=0.1, momentum=0.9)

for epoch in range(5):
    running_loss = 0.0
    for xb, yb in loader:
        optimizer.zero_grad()
        loss = criterion(model(xb), yb)
        loss.backward()
        optimizer.step()
        running_loss += loss.item() * xb.size(0)
    print(f"epoch {epoch}: loss {running_loss / (len(loader) * 16):.6f}")

with torch.no_grad():
    accuracy = (model(X).argmax(dim=1) == Y).float().mean().item()
print(f"accuracy {accuracy:.4f}")
