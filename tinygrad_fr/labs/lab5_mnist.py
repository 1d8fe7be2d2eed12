"""What is an artificial neural network? (seed 003): MNIST digits with a 784-20-10 sigmoid network.

Weights from U(-0.5, 0.5), biases 0, per-sample SGD with learning rate 0.01 for 3 epochs, the
training accuracy printed after each epoch ("Epoch : 0, Précision : 93.1%"), then the digit the
network recognises in one image (``--index``, saved as a PNG if matplotlib is installed; no
``input()``, no window). Without MNIST on disk it runs on scikit-learn's 8x8 digits (64 inputs).

Finally the course's NumPy loop is run from the same initial weights on a small subset: it
updates w_h_o before computing delta_h with it, an accident of ordering that autograd (which
uses the weights of the forward pass) does not share; with the two lines swapped it agrees
with autograd to rounding error.

Run: tinygrad-fr lab 5 [--fast] [--index 0] [--mnist-path DIR]  (or: python examples/lab5_mnist.py)
"""

from __future__ import annotations

from pathlib import Path

import numpy as np

import tinygrad_fr as tg
from tinygrad_fr import nn
from tinygrad_fr.datasets import one_hot
from tinygrad_fr.nn import functional as F  # noqa: N812 - PyTorch's usual alias

from ..cli.progress import progress
from .common import (
    PLOT_HINT,
    Digits,
    add_common_arguments,
    add_mnist_argument,
    is_fast,
    lab_parser,
    load_course_digits,
    pyplot,
)

HIDDEN = 20
LEARN_RATE = 0.01
EPOCHS = 3
FAST_TRAIN, FAST_EPOCHS = 500, 1
COMPARE_SAMPLES, FAST_COMPARE_SAMPLES = 1000, 200


def make_network(n_inputs: int) -> nn.Sequential:
    """input -> 20 sigmoid -> 10 sigmoid; Linear's weight is the course's w_i_h / w_h_o."""
    network = nn.Sequential(
        nn.Linear(n_inputs, HIDDEN), nn.Sigmoid(), nn.Linear(HIDDEN, 10), nn.Sigmoid()
    )
    for layer in (network[0], network[2]):
        nn.init.uniform_(layer.weight, -0.5, 0.5)  # np.random.uniform(-0.5, 0.5, (20, 784))
        nn.init.zeros_(layer.bias)  # np.zeros((20, 1))
    return network


def train_epoch(
    network: nn.Module,
    optimizer: tg.optim.SGD,
    images: np.ndarray,
    labels: np.ndarray,
    show_progress: bool | None = False,
) -> int:
    """One pass of per-sample SGD; returns how many images were classified right on the way."""
    nr_correct = 0
    samples = progress(zip(images, labels), total=len(images), desc="images", show=show_progress)
    for img, l in samples:  # noqa: E741 - the course's name for the label
        x, target = tg.tensor(img[None, :]), tg.tensor(l[None, :])
        o = network(x)  # forward propagation input -> hidden -> output
        nr_correct += int(o.argmax().item() == l.argmax())
        # The course prints the error e = mean((o - l)**2) but updates with delta_o = o - l.
        # o - l is not the gradient of that MSE: it is the gradient, with respect to the
        # pre-activation o_pre, of the binary cross-entropy summed over the 10 outputs,
        # -sum(l log o + (1 - l) log(1 - o)), as the sigmoid's derivative o (1 - o) cancels
        # (the MSE's would be 2/10 (o - l) o (1 - o)).
        # Minimising that loss reproduces the course's update rule; autograd then finds
        # delta_o, delta_h and the four updates by itself. (binary_cross_entropy_with_logits
        # on o_pre, with reduction="sum", would do the same from a network without the last
        # Sigmoid.)
        loss = F.binary_cross_entropy(o, target, reduction="sum")
        optimizer.zero_grad()
        loss.backward()
        optimizer.step()
    return nr_correct


def accuracy_line(epoch: int, nr_correct: int, count: int) -> str:
    """The course's line, with its rounding."""
    return f"Epoch : {epoch}, Précision : {round((nr_correct / count) * 100, 2)}%"


def course_training(images, labels, weights, epochs, learn_rate, fixed_order=False):
    """The course's training loop (file 003) from the given (w_i_h, b_i_h, w_h_o, b_h_o).

    ``fixed_order=True`` computes delta_h before w_h_o is updated (not in the course).
    Returns the trained weights and the lines the course prints.
    """
    w_i_h, b_i_h, w_h_o, b_h_o = (array.copy() for array in weights)
    lines = []
    nr_correct = 0
    for epoch in range(epochs):
        for img, l in zip(images, labels):  # noqa: E741
            img.shape += (1,)
            l.shape += (1,)
            # Forward propagation input -> hidden
            h_pre = b_i_h + w_i_h @ img
            h = 1 / (1 + np.exp(-h_pre))
            # Forward propagation hidden -> output
            o_pre = b_h_o + w_h_o @ h
            o = 1 / (1 + np.exp(-o_pre))
            # Cost / Error calculation
            e = 1 / len(o) * np.sum((o - l) ** 2, axis=0)  # noqa: F841 - displayed in the course
            nr_correct += int(np.argmax(o) == np.argmax(l))
            # Backpropagation output -> hidden (cost function derivative)
            delta_o = o - l
            if fixed_order:  # not in the course: delta_h with w_h_o before its update
                delta_h = np.transpose(w_h_o) @ delta_o * (h * (1 - h))
            w_h_o += -learn_rate * delta_o @ np.transpose(h)
            b_h_o += -learn_rate * delta_o
            # Backpropagation hidden -> input (activation function derivative)
            if not fixed_order:
                delta_h = np.transpose(w_h_o) @ delta_o * (h * (1 - h))
            w_i_h += -learn_rate * delta_h @ np.transpose(img)
            b_i_h += -learn_rate * delta_h
        # Show accuracy for this epoch
        lines.append(accuracy_line(epoch, nr_correct, images.shape[0]))
        nr_correct = 0
    return (w_i_h, b_i_h, w_h_o, b_h_o), lines


def course_weights(network: nn.Sequential) -> tuple[np.ndarray, ...]:
    """(w_i_h, b_i_h, w_h_o, b_h_o) in the course's shapes: biases as (n, 1) columns."""
    hidden, output = network[0], network[2]
    return (
        hidden.weight.numpy().copy(),
        hidden.bias.numpy().reshape(-1, 1).copy(),
        output.weight.numpy().copy(),
        output.bias.numpy().reshape(-1, 1).copy(),
    )


def recognise(network: nn.Module, digits: Digits, index: int, image_path: Path) -> None:
    """Print the digit the network sees in training image ``index`` and save that image."""
    img = digits.x_train[index]
    with tg.no_grad():
        o = network(tg.tensor(img[None, :]))
    title = f"le réseau de neurones a reconnu le chiffre {o.argmax().item()} "
    print(f"Image {index} (étiquette : {digits.y_train[index]}) : {title.strip()}")
    plt = pyplot()
    if plt is None:
        print(f"Image non enregistrée : {PLOT_HINT}")
        return
    figure, axes = plt.subplots()
    axes.imshow(img.reshape(digits.side, digits.side), cmap="Greys")
    axes.set_title(title)
    figure.savefig(image_path)
    plt.close(figure)
    print(f"Image enregistrée dans {image_path.resolve()}")


def compare_with_course(
    initial: tuple[np.ndarray, ...], images: np.ndarray, labels: np.ndarray
) -> None:
    """Train autograd and the course's NumPy loop from ``initial`` on a subset; compare."""
    network = make_network(images.shape[1])
    with tg.no_grad():
        network[0].weight.copy_(initial[0])
        network[0].bias.copy_(initial[1][:, 0])
        network[2].weight.copy_(initial[2])
        network[2].bias.copy_(initial[3][:, 0])
    optimizer = tg.optim.SGD(network.parameters(), lr=LEARN_RATE)
    ours = accuracy_line(0, train_epoch(network, optimizer, images, labels), len(images))
    trained = course_weights(network)
    course, course_lines = course_training(images, labels, initial, 1, LEARN_RATE)
    fixed, _ = course_training(images, labels, initial, 1, LEARN_RATE, fixed_order=True)

    def gap(a: tuple[np.ndarray, ...], b: tuple[np.ndarray, ...]) -> float:
        return max(float(np.abs(x - y).max()) for x, y in zip(a, b))

    print(f"Vérification avec la boucle NumPy du cours ({len(images)} images, 1 époque) :")
    print(f"  autograd            : {ours}")
    print(f"  code NumPy du cours : {course_lines[0]}")
    print(f"  max |écart| des poids, autograd / cours tel quel = {gap(trained, course):.3e}")
    print(
        "  (le cours calcule delta_h avec w_h_o déjà mis à jour : un accident d'ordre des "
        "lignes, d'où ce petit écart)"
    )
    print(
        "  max |écart| des poids, autograd / cours avec delta_h calculé avant la mise à jour "
        f"de w_h_o = {gap(trained, fixed):.3e}"
    )


def main(argv: list[str] | None = None, prog: str | None = None) -> None:
    """Train the course's network, show one recognised digit, compare with the NumPy loop."""
    parser = lab_parser(__doc__, prog)
    add_common_arguments(parser)
    add_mnist_argument(parser)
    parser.add_argument("--epochs", type=int, default=None, help="default 3 (fast: 1)")
    parser.add_argument("--index", type=int, default=0, help="training image to recognise")
    parser.add_argument("--image", type=Path, default=None, help="PNG path (chiffre_N.png)")
    args = parser.parse_args(argv)
    fast = is_fast(args.fast)
    epochs = args.epochs or (FAST_EPOCHS if fast else EPOCHS)
    tg.set_default_dtype(tg.float64)  # the course's weights are float64 NumPy arrays
    tg.manual_seed(args.seed)

    digits = load_course_digits(args.mnist_path, max_train=FAST_TRAIN if fast else None)
    if not 0 <= args.index < len(digits.x_train):
        parser.error(f"--index must be between 0 and {len(digits.x_train) - 1}")
    # The course's get_mnist(): images in [0, 1] and one-hot labels.
    images, labels = digits.x_train, one_hot(digits.y_train, 10, dtype=np.float64)
    print(
        f"{digits.source} : {len(images)} images de {digits.side}x{digits.side} pixels, réseau "
        f"{digits.n_inputs}-{HIDDEN}-10, lr {LEARN_RATE}, {epochs} époque(s)"
        + (" (mode rapide : le réseau a à peine commencé à apprendre)" if fast else "")
    )

    network = make_network(digits.n_inputs)
    initial = course_weights(network)
    optimizer = tg.optim.SGD(network.parameters(), lr=LEARN_RATE)
    for epoch in range(epochs):
        nr_correct = train_epoch(network, optimizer, images, labels, args.progress)
        print(accuracy_line(epoch, nr_correct, images.shape[0]))  # Show accuracy for this epoch

    recognise(network, digits, args.index, args.image or Path(f"chiffre_{args.index}.png"))
    count = FAST_COMPARE_SAMPLES if fast else COMPARE_SAMPLES
    compare_with_course(initial, images[:count], labels[:count])


if __name__ == "__main__":
    main()
