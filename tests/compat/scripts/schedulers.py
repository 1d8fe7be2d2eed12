"""Learning-rate schedulers as training scripts use them: get_last_lr(), param_groups[0]['lr'],
StepLR, MultiStepLR, LambdaLR, ExponentialLR, CosineAnnealingLR, ReduceLROnPlateau, OneCycleLR."""

from torch import nn, optim
from torch.optim import lr_scheduler

TOLERANCE = 1e-9


def fresh(kind="SGD", **options):
    model = nn.Linear(2, 1)
    return getattr(optim, kind)(model.parameters(), **options)


schedules = {
    "StepLR": lambda o: lr_scheduler.StepLR(o, step_size=3, gamma=0.5),
    "MultiStepLR": lambda o: lr_scheduler.MultiStepLR(o, milestones=[2, 5], gamma=0.1),
    "LambdaLR": lambda o: lr_scheduler.LambdaLR(o, lr_lambda=lambda epoch: 0.95**epoch),
    "ExponentialLR": lambda o: lr_scheduler.ExponentialLR(o, gamma=0.9),
    "CosineAnnealingLR": lambda o: lr_scheduler.CosineAnnealingLR(o, T_max=4, eta_min=0.001),
}
for name, make in schedules.items():
    optimizer = fresh(lr=0.1, momentum=0.9)
    scheduler = make(optimizer)
    lrs = []
    for _ in range(8):
        optimizer.step()
        scheduler.step()
        lrs.append(scheduler.get_last_lr()[0])
    print(name, [round(lr, 12) for lr in lrs], optimizer.param_groups[0]["lr"])

optimizer = fresh(lr=1.0)
plateau = lr_scheduler.ReduceLROnPlateau(optimizer, mode="min", factor=0.5, patience=2)
for loss in [1.0, 0.8, 0.81, 0.82, 0.83, 0.7, 0.71, 0.72, 0.73, 0.74]:
    plateau.step(loss)
    print("plateau", loss, optimizer.param_groups[0]["lr"])

optimizer = fresh("Adam", lr=0.01)
one_cycle = lr_scheduler.OneCycleLR(optimizer, max_lr=0.1, total_steps=10)
for step in range(10):
    optimizer.step()
    group = optimizer.param_groups[0]
    print("one cycle", step, round(group["lr"], 12), round(group["betas"][0], 12))
    if step < 9:
        one_cycle.step()
print("state keys", sorted(k for k in one_cycle.state_dict() if not k.startswith("_")))
