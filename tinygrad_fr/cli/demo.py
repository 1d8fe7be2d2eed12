"""``tinygrad-fr demo``: the course's first lab with autograd, and its pictures.

It prints the course's neuron, 2-2-1 network and MSE, the derivative dL/dw1 for Alice (by
backward, with the chain rule line), trains the gender network by SGD; then it writes into the
output folder the traced Alice graph with gradients and the chain rule (SVG, or DOT text
without Graphviz), the explanation table in French (.txt), the step-through page (.html) and
the training curves (.png, or .csv without matplotlib), and says where they are.
"""

from __future__ import annotations

import argparse
import os
import shutil
import time

import numpy as np

import tinygrad_fr as tg
from tinygrad_fr import nn, optim
from tinygrad_fr.datasets import gender, gender_unseen

from ..labs import alice
from .parser import positive_int
from .progress import progress

FILES = {
    "graph": "alice_graph.svg", "table": "alice_explain.fr.txt", "page": "alice_backward.html",
    "curves": "training_curves.png",
}  # fmt: skip


def add_arguments(parser: argparse.ArgumentParser) -> None:
    """The demo's options."""
    parser.add_argument(
        "--epochs",
        type=positive_int,
        default=1000,
        help="SGD epochs of the gender network (course: 1000)",
    )
    parser.add_argument(
        "--out",
        default="tinygrad_fr_demo",
        help="folder for the pictures (default: ./tinygrad_fr_demo)",
    )
    parser.add_argument(
        "--no-progress",
        dest="progress",
        action="store_false",
        default=None,
        help="no progress bar (shown on a terminal when tqdm is installed)",
    )


def neuron_and_network() -> None:
    """Lab 0, parts 1 and 2: the course's numbers, exactly."""
    w, b = tg.Tensor([0.0, 1.0], dtype=tg.float64), 4.0
    x = tg.Tensor([2.0, 3.0], dtype=tg.float64)
    print("neuron f(w.x + b):          ", (w @ x + b).sigmoid().item())
    hidden = tg.stack([(w @ x).sigmoid(), (w @ x).sigmoid()])
    print("2-2-1 network:              ", (w @ hidden).sigmoid().item())
    y_true, y_pred = tg.Tensor([1.0, 0, 0, 1], dtype=tg.float64), tg.zeros(4, dtype=tg.float64)
    print("MSE of an all-0 prediction: ", ((y_true - y_pred) ** 2).mean().item())


def derivative_for_alice() -> alice.Alice:
    """Lab 0, part 4: dL/dw1 for Alice by backward, its chain rule, and the course's value."""
    run = alice.traced()
    dw1 = run.model[0].weight.grad[0, 0].item()
    print(f"dL/dw1 for Alice by autograd: {dw1:.4f} ({dw1!r}); course, by hand: 0.0214")
    table = run.trace.explain(run.model[0].weight, (0, 0), names=alice.COURSE_NAMES)
    print(f"  chain rule: {table.chain.text()}" if table.chain else "")
    print("  (the course multiplies rounded intermediates: -0.952 * 0.249 * -0.0904)")
    return run


def train_gender(epochs: int, show_progress: bool | None) -> tg.viz.History:
    """Lab 0, part 5: the 2-2-1 sigmoid network trained by per-sample SGD, lr 0.1."""
    tg.manual_seed(0)
    data, labels = gender()
    model = nn.Sequential(nn.Linear(2, 2), nn.Sigmoid(), nn.Linear(2, 1), nn.Sigmoid()).double()
    for parameter in model.parameters():
        nn.init.normal_(parameter)  # the course draws every weight from N(0, 1)
    optimizer = optim.SGD(model.parameters(), lr=0.1)
    criterion = nn.MSELoss()
    inputs, targets = tg.Tensor(data), tg.Tensor(labels.reshape(-1, 1))
    history = tg.viz.History()
    for epoch in progress(range(epochs), total=epochs, desc="epochs", show=show_progress):
        for x, y in zip(inputs, targets):
            optimizer.zero_grad()
            criterion(model(x), y).backward()
            optimizer.step()
        with tg.no_grad():
            predictions = model(inputs)
            loss = criterion(predictions, targets).item()
        right = float(np.mean((predictions.numpy() > 0.5) == (targets.numpy() > 0.5)))
        history.log(epoch, loss=loss, accuracy=right)
        if epoch % max(epochs // 10, 1) == 0:
            print(f"Epoch {epoch} loss: {loss:.3f}")
    with tg.no_grad():
        for name, values in gender_unseen().items():
            print(f"{name}: {model(tg.Tensor(values)).item():.3f}")
    return history


def write_pictures(folder: str, run: alice.Alice, history: tg.viz.History) -> list[tuple]:
    """Write the demo's four files into ``folder``; returns (what, path) for each."""
    os.makedirs(folder, exist_ok=True)
    trace = run.trace
    written = []
    if shutil.which("dot"):
        path = trace.save(os.path.join(folder, FILES["graph"]))
        written.append(("the Alice graph: values, gradients, chain rule", path))
    else:
        path = trace.save(os.path.join(folder, "alice_graph.dot"))
        written.append(("the Alice graph as DOT text (apt-get install graphviz for SVG)", path))
    table = trace.explain(run.model[0].weight, (0, 0), lang="fr", names=alice.COURSE_NAMES)
    path = os.path.join(folder, FILES["table"])
    with open(path, "w", encoding="utf-8") as file:
        file.write(str(table) + "\n")
    written.append(("the backward, node by node, in French", path))
    path = trace.save(os.path.join(folder, FILES["page"]), lang="fr")
    written.append(("the step-through page (open it in a browser)", path))
    try:
        path = history.plot(os.path.join(folder, FILES["curves"]), title="Lab 0: SGD, lr 0.1")
        written.append(("the training curves (loss, accuracy)", path))
    except ImportError:
        path = history.to_csv(os.path.join(folder, "training_curves.csv"))
        hint = 'pip install "tinygrad_fr[plot]" for the PNG'
        written.append((f"the training curves as CSV ({hint})", path))
    return written


def run(args: argparse.Namespace) -> int:
    """Run the demo with parsed options; returns the exit status."""
    start = time.perf_counter()
    os.makedirs(args.out, exist_ok=True)  # a folder we cannot write stops the demo first
    print(f"tinygrad_fr {tg.__version__}: lab 0 of the French course, with autograd\n")
    neuron_and_network()
    print()
    alice_run = derivative_for_alice()
    print()
    history = train_gender(args.epochs, args.progress)
    print()
    written = write_pictures(args.out, alice_run, history)
    width = max(len(what) for what, _ in written)
    print("written:")
    for what, path in written:
        print(f"  {what + ':':<{width + 1}}  {path}")
    print(f"\ndone in {time.perf_counter() - start:.1f} s; the labs: tinygrad-fr lab")
    return 0
