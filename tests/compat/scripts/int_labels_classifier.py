"""Integer labels from torch.tensor([...]), torch.argmax, and a format spec on a 0-d tensor."""

import torch
from torch import nn

NEEDS = {"int64", "argmax", "format"}

features = torch.tensor([[0.0, 1.0], [1.0, 0.0], [1.0, 1.0], [0.2, 0.1], [0.9, 0.8], [0.1, 0.9]])
labels = torch.tensor([1, 0, 2, 0, 2, 1])
print(labels.dtype == torch.int64)  # tg dtypes print as NumPy's (int64, not torch.int64)

model = nn.Linear(2, 3)
with torch.no_grad():
    model.weight.copy_(torch.tensor([[0.1, -0.2], [0.3, 0.1], [-0.1, 0.2]]))
    model.bias.fill_(0.0)
criterion = nn.CrossEntropyLoss()
optimizer = torch.optim.SGD(model.parameters(), lr=0.5)
for epoch in range(20):
    optimizer.zero_grad()
    logits = model(features)
    loss = criterion(logits, labels)
    loss.backward()
    optimizer.step()
    if epoch % 5 == 4:
        predictions = torch.argmax(logits, dim=1)
        print(f"epoch {epoch}: loss {loss:.4f}, correct {(predictions == labels).sum().item()}")
print(labels[predictions == labels].tolist())
