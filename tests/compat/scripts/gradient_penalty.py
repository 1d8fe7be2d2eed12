"""A WGAN-GP style gradient penalty: the critic's gradient at interpolated points, taken with
create_graph=True, is pushed towards norm 1 and trained through."""

import numpy as np
import torch
from torch import autograd, nn

NEEDS = {"norm"}

rng = np.random.default_rng(3)
real = torch.from_numpy(rng.normal(1.0, 0.5, size=(16, 4)).astype(np.float32))
fake = torch.from_numpy(rng.normal(-1.0, 0.5, size=(16, 4)).astype(np.float32))
alpha = torch.from_numpy(rng.uniform(size=(16, 1)).astype(np.float32))

critic = nn.Sequential(nn.Linear(4, 8), nn.Tanh(), nn.Linear(8, 1))
with torch.no_grad():
    for param in critic.parameters():
        param.copy_(torch.from_numpy(rng.uniform(-0.5, 0.5, tuple(param.shape))))
optimizer = torch.optim.Adam(critic.parameters(), lr=1e-3, betas=(0.5, 0.9))


def gradient_penalty(critic, real, fake):
    interpolates = (alpha * real + (1 - alpha) * fake).requires_grad_(True)
    scores = critic(interpolates)
    gradients = autograd.grad(
        outputs=scores,
        inputs=interpolates,
        grad_outputs=torch.ones_like(scores),
        create_graph=True,
        retain_graph=True,
        only_inputs=True,
    )[0]
    return ((gradients.norm(2, dim=1) - 1) ** 2).mean()


for step in range(20):
    optimizer.zero_grad()
    penalty = gradient_penalty(critic, real, fake)
    loss = critic(fake).mean() - critic(real).mean() + 10 * penalty
    loss.backward()
    optimizer.step()
    if step % 5 == 4:
        print(step, loss.item(), penalty.item())
