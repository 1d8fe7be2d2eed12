"""The demo: ``python -m tinygrad_fr``. The French course's first lab, done with autograd.

It computes the course's neuron and 2-2-1 network, the derivative dL/dw1 for Alice by
backpropagation, trains the gender network with SGD, and draws the graph of one neuron's
computation with its values and gradients (SVG with Graphviz's ``dot``, else DOT text).
"""

from __future__ import annotations

import argparse
import os
import shutil
import sys
import time

import tinygrad_fr as tg
from tinygrad_fr import nn, optim
from tinygrad_fr.datasets import gender, gender_unseen


def neuron_and_network() -> None:
    """Lab 0, parts 1 and 2: the course's numbers, exactly."""
    w, b = tg.Tensor([0.0, 1.0], dtype=tg.float64), 4.0
    x = tg.Tensor([2.0, 3.0], dtype=tg.float64)
    print("neuron f(w.x + b):          ", (w @ x + b).sigmoid().item())
    hidden = tg.stack([(w @ x).sigmoid(), (w @ x).sigmoid()])
    print("2-2-1 network:              ", (w @ hidden).sigmoid().item())
    y_true, y_pred = tg.Tensor([1.0, 0, 0, 1], dtype=tg.float64), tg.zeros(4, dtype=tg.float64)
    print("MSE of an all-0 prediction: ", ((y_true - y_pred) ** 2).mean().item())


def derivative_for_alice() -> None:
    """Lab 0, part 4: dL/dw1 for Alice by backward, next to the course's rounded hand result."""
    layer1, layer2 = nn.Linear(2, 2).double(), nn.Linear(2, 1).double()
    for layer in (layer1, layer2):
        nn.init.ones_(layer.weight)
        nn.init.zeros_(layer.bias)
    x = tg.Tensor([-2.0, -1.0], dtype=tg.float64)
    y_pred = layer2(layer1(x).sigmoid()).sigmoid()
    loss = ((1.0 - y_pred) ** 2).sum()
    loss.backward()
    dw1 = layer1.weight.grad[0, 0].item()
    print(f"dL/dw1 for Alice by autograd: {dw1:.4f} ({dw1!r}); course, by hand: 0.0214")
    print("  (the course multiplies rounded intermediates: -0.952 * 0.249 * -0.0904)")


def train_gender(epochs: int) -> None:
    """Lab 0, part 5: the 2-2-1 sigmoid network trained by per-sample SGD, lr 0.1."""
    tg.manual_seed(0)
    data, labels = gender()
    model = nn.Sequential(nn.Linear(2, 2), nn.Sigmoid(), nn.Linear(2, 1), nn.Sigmoid()).double()
    for parameter in model.parameters():
        nn.init.normal_(parameter)  # the course draws every weight from N(0, 1)
    optimizer = optim.SGD(model.parameters(), lr=0.1)
    criterion = nn.MSELoss()
    inputs, targets = tg.Tensor(data), tg.Tensor(labels.reshape(-1, 1))
    for epoch in range(epochs):
        for x, y in zip(inputs, targets):
            optimizer.zero_grad()
            criterion(model(x), y).backward()
            optimizer.step()
        if epoch % (epochs // 10) == 0:
            with tg.no_grad():
                print(f"Epoch {epoch} loss: {criterion(model(inputs), targets).item():.3f}")
    with tg.no_grad():
        for name, values in gender_unseen().items():
            print(f"{name}: {model(tg.Tensor(values)).item():.3f}")


def draw_neuron_graph(folder: str) -> None:
    """The graph of the course's neuron with its values and gradients, as SVG or DOT."""
    w = tg.Tensor([0.0, 1.0], dtype=tg.float64, requires_grad=True)
    b = tg.Tensor(4.0, dtype=tg.float64, requires_grad=True)
    w.name, b.name = "w", "b"
    y = (w @ tg.Tensor([2.0, 3.0], dtype=tg.float64) + b).sigmoid()
    y.backward(retain_graph=True)
    if shutil.which("dot"):
        path = tg.viz.save_graph(y, os.path.join(folder, "tinygrad_fr_graph.svg"))
    else:
        path = os.path.join(folder, "tinygrad_fr_graph.dot")
        with open(path, "w", encoding="utf-8") as file:
            file.write(tg.viz.draw_graph(y).source)
        print("Graphviz's `dot` is not installed (apt-get install graphviz): wrote DOT text.")
    print(f"graph of y = sigmoid(w.x + b) with values and gradients: {path}")


def main(argv: list[str] | None = None) -> int:
    """Run the demo; ``--epochs`` shortens the training, ``--out`` picks the graph's folder."""
    parser = argparse.ArgumentParser(prog="python -m tinygrad_fr", description=__doc__)
    parser.add_argument("--epochs", type=int, default=1000, help="SGD epochs (course: 1000)")
    parser.add_argument("--out", default=".", help="folder for the graph drawing")
    args = parser.parse_args(argv)
    start = time.perf_counter()
    print(f"tinygrad_fr {tg.__version__}: lab 0 of the French course, with autograd\n")
    neuron_and_network()
    print()
    derivative_for_alice()
    print()
    train_gender(max(args.epochs, 10))
    print()
    draw_neuron_graph(args.out)
    print(f"\ndone in {time.perf_counter() - start:.1f} s; the seven labs are in examples/")
    return 0


if __name__ == "__main__":
    sys.exit(main())
