"""A bag-of-words text classifier: nn.Embedding with padding_idx, mean pooling, a linear
layer, cross-entropy on integer labels; then Embedding.from_pretrained."""

import numpy as np
import torch
import torch.nn.functional as F
from torch import nn

sentences = [[1, 2, 3, 0], [4, 5, 0, 0], [1, 5, 6, 2], [7, 8, 9, 0], [3, 3, 2, 1], [8, 7, 0, 0]]
labels = [0, 1, 0, 1, 0, 1]
tokens = torch.tensor(sentences, dtype=torch.long)
targets = torch.tensor(labels, dtype=torch.long)


class BagOfWords(nn.Module):
    def __init__(self, vocab_size, dim, classes):
        super().__init__()
        self.embedding = nn.Embedding(vocab_size, dim, padding_idx=0)
        self.fc = nn.Linear(dim, classes)

    def forward(self, tokens):
        vectors = self.embedding(tokens)
        mask = (tokens != 0).float().unsqueeze(-1)
        pooled = (vectors * mask).sum(1) / mask.sum(1)
        return self.fc(pooled)


model = BagOfWords(10, 4, 2)
rng = np.random.default_rng(8)
with torch.no_grad():
    for param in model.parameters():
        param.copy_(torch.from_numpy(rng.normal(scale=0.5, size=tuple(param.shape))))
    model.embedding.weight[0].fill_(0)

optimizer = torch.optim.Adam(model.parameters(), lr=0.05)
for epoch in range(15):
    optimizer.zero_grad()
    loss = F.cross_entropy(model(tokens), targets)
    loss.backward()
    optimizer.step()
    if epoch % 5 == 4:
        print(epoch, loss.item())
print(
    "padding row",
    model.embedding.weight[0].tolist(),
    "grad",
    model.embedding.weight.grad[0].tolist(),
)
print("predictions", model(tokens).argmax(1).tolist())

pretrained = nn.Embedding.from_pretrained(model.embedding.weight.detach().clone())
print(
    "frozen",
    pretrained.weight.requires_grad,
    pretrained(torch.tensor([3], dtype=torch.long)).tolist(),
)
one_hot = F.one_hot(targets, num_classes=2)
print("one hot", one_hot.tolist(), str(one_hot.dtype).split(".")[-1])
