"""Building models with containers: Sequential from an OrderedDict, ModuleList, ModuleDict,
ParameterList, ParameterDict; named_parameters, state_dict, load_state_dict, to('cpu')."""

from collections import OrderedDict

import numpy as np
import torch
from torch import nn


class Heads(nn.Module):
    def __init__(self):
        super().__init__()
        self.body = nn.Sequential(
            OrderedDict([("fc", nn.Linear(3, 4)), ("act", nn.ReLU(inplace=True))])
        )
        self.blocks = nn.ModuleList([nn.Linear(4, 4) for _ in range(2)])
        self.heads = nn.ModuleDict({"mean": nn.Linear(4, 1), "scale": nn.Linear(4, 1)})
        self.gains = nn.ParameterList([nn.Parameter(torch.ones(4)) for _ in range(2)])
        self.offsets = nn.ParameterDict({"mean": nn.Parameter(torch.zeros(1))})

    def forward(self, x):
        x = self.body(x)
        for block, gain in zip(self.blocks, self.gains):
            x = torch.tanh(block(x)) * gain
        return self.heads["mean"](x) + self.offsets["mean"], nn.functional.softplus(
            self.heads["scale"](x)
        )


model = Heads().to("cpu")
rng = np.random.default_rng(12)
with torch.no_grad():
    for param in model.parameters():
        param.copy_(torch.from_numpy(rng.uniform(-0.5, 0.5, tuple(param.shape))))

for name, param in model.named_parameters():
    print(name, list(param.shape), param.requires_grad)
print("count", sum(p.numel() for p in model.parameters()))
print("modules", [name for name, _ in model.named_modules()])

x = torch.from_numpy(rng.normal(size=(5, 3)).astype(np.float32))
mean, scale = model(x)
loss = (mean**2).mean() + scale.mean()
loss.backward()
print("loss", loss.item(), "grad of gains[1]", model.gains[1].grad.tolist())

state = model.state_dict()
print("state", list(state.keys()))
copy = Heads()
result = copy.load_state_dict(state)
print("missing", result.missing_keys, "unexpected", result.unexpected_keys)
print("same output", bool((copy(x)[0] == mean).all()))
