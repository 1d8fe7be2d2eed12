"""PyTorch's "Learning PyTorch with Examples": the polynomial fit with torch.optim.RMSprop."""

import math

import numpy as np
import torch

NEEDS = {"sin"}
# sin is odd, so the exact gradients of the bias and of the x^2 coefficient vanish at the optimum:
# RMSprop divides what is left (rounding noise, different between any two libraries) by its own
# running size, so those two coefficients take steps of about lr whatever their gradient's sign.
# The two runs agree to 1e-12 for the first 250 steps in float64, then drift apart by up to 2% in
# the loss in float32 (8.908 against 8.906 at the end). Exact agreement is checked by the other
# polynomial scripts, which use plain gradient descent.
# The two noise coefficients end anywhere within about lr of zero (0.0005 with PyTorch, 0.0000
# here on one machine), so they are compared to within 2 * lr.
TOLERANCE = 5e-2
ABS_TOLERANCE = 2e-3

x = torch.linspace(-math.pi, math.pi, 2000)
y = torch.sin(x)

p = torch.tensor([1, 2, 3])
xx = x.unsqueeze(-1).pow(p)

model = torch.nn.Sequential(torch.nn.Linear(3, 1), torch.nn.Flatten(0, 1))
rng = np.random.default_rng(1)
with torch.no_grad():
    for param in model.parameters():
        param.copy_(torch.from_numpy(rng.uniform(-0.1, 0.1, tuple(param.shape))))
loss_fn = torch.nn.MSELoss(reduction="sum")

learning_rate = 1e-3
optimizer = torch.optim.RMSprop(model.parameters(), lr=learning_rate)
for t in range(2000):
    y_pred = model(xx)

    loss = loss_fn(y_pred, y)
    if t % 100 == 99:
        print(t, loss.item())

    optimizer.zero_grad()
    loss.backward()
    optimizer.step()

linear_layer = model[0]
print(
    f"Result: y = {linear_layer.bias.item():.3f} + {linear_layer.weight[:, 0].item()} x + "
    f"{linear_layer.weight[:, 1].item():.3f} x^2 + {linear_layer.weight[:, 2].item()} x^3"
)
