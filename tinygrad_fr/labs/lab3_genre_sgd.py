"""Lab 0, parts 0.4.2 and 0.5 (seeds 000 and 001): train the 2-2-1 network on the gender data.

Four people (weight - 135 lb, height - 66 in; 1 = female), per-sample SGD with learning rate 0.1
for 1000 epochs, the loss printed every 10 epochs, then predictions for Emily and Frank
(course: 0.964 and 0.039). The course's hand-written NumPy network, with its d_L_d_* partial
derivatives, is then trained from the same initial weights: both networks agree to rounding error
(~1e-15), because autograd computes exactly the derivatives the course writes by hand.

Run: tinygrad-fr lab 3 [--fast] [--seed 0] [--plot loss_curve.png]
Or: python examples/lab3_genre_sgd.py
"""

from __future__ import annotations

import contextlib
import io
from pathlib import Path

import numpy as np

import tinygrad_fr as tg
from tinygrad_fr import nn
from tinygrad_fr.datasets import gender, gender_unseen
from tinygrad_fr.nn import functional as F  # noqa: N812 - PyTorch's usual alias

from .common import PLOT_HINT, add_common_arguments, is_fast, lab_parser, pyplot

EPOCHS = 1000
FAST_EPOCHS = 100
LEARN_RATE = 0.1


# --- The course's code (file 001, section 0.5), kept as written ----------------------------
# Only change: train() takes `epochs` (the course fixes 1000 inside) so that fast mode works.


def sigmoid(x):
    # Sigmoid activation function: f(x) = 1 / (1 + e^(-x))
    return 1 / (1 + np.exp(-x))


def deriv_sigmoid(x):
    # Derivative of sigmoid: f'(x) = f(x) * (1 - f(x))
    fx = sigmoid(x)
    return fx * (1 - fx)


def mse_loss(y_true, y_pred):
    # y_true and y_pred are numpy arrays of the same length.
    return ((y_true - y_pred) ** 2).mean()


class OurNeuralNetwork:
    """The course's network: w1..w6 and b1..b3 as plain floats, backprop written by hand."""

    def __init__(self):
        # Weights
        self.w1 = np.random.normal()
        self.w2 = np.random.normal()
        self.w3 = np.random.normal()
        self.w4 = np.random.normal()
        self.w5 = np.random.normal()
        self.w6 = np.random.normal()

        # Biases
        self.b1 = np.random.normal()
        self.b2 = np.random.normal()
        self.b3 = np.random.normal()

    def feedforward(self, x):
        # x is a numpy array with 2 elements.
        h1 = sigmoid(self.w1 * x[0] + self.w2 * x[1] + self.b1)
        h2 = sigmoid(self.w3 * x[0] + self.w4 * x[1] + self.b2)
        o1 = sigmoid(self.w5 * h1 + self.w6 * h2 + self.b3)
        return o1

    def train(self, data, all_y_trues, epochs=1000):
        learn_rate = 0.1

        for epoch in range(epochs):
            for x, y_true in zip(data, all_y_trues):
                # --- Do a feedforward (we'll need these values later)
                sum_h1 = self.w1 * x[0] + self.w2 * x[1] + self.b1
                h1 = sigmoid(sum_h1)

                sum_h2 = self.w3 * x[0] + self.w4 * x[1] + self.b2
                h2 = sigmoid(sum_h2)

                sum_o1 = self.w5 * h1 + self.w6 * h2 + self.b3
                o1 = sigmoid(sum_o1)
                y_pred = o1

                # --- Calculate partial derivatives.
                # --- Naming: d_L_d_w1 represents "partial L / partial w1"
                d_L_d_ypred = -2 * (y_true - y_pred)  # noqa: N806 - the course's names

                # Neuron o1
                d_ypred_d_w5 = h1 * deriv_sigmoid(sum_o1)
                d_ypred_d_w6 = h2 * deriv_sigmoid(sum_o1)
                d_ypred_d_b3 = deriv_sigmoid(sum_o1)

                d_ypred_d_h1 = self.w5 * deriv_sigmoid(sum_o1)
                d_ypred_d_h2 = self.w6 * deriv_sigmoid(sum_o1)

                # Neuron h1
                d_h1_d_w1 = x[0] * deriv_sigmoid(sum_h1)
                d_h1_d_w2 = x[1] * deriv_sigmoid(sum_h1)
                d_h1_d_b1 = deriv_sigmoid(sum_h1)

                # Neuron h2
                d_h2_d_w3 = x[0] * deriv_sigmoid(sum_h2)
                d_h2_d_w4 = x[1] * deriv_sigmoid(sum_h2)
                d_h2_d_b2 = deriv_sigmoid(sum_h2)

                # --- Update weights and biases
                # Neuron h1
                self.w1 -= learn_rate * d_L_d_ypred * d_ypred_d_h1 * d_h1_d_w1
                self.w2 -= learn_rate * d_L_d_ypred * d_ypred_d_h1 * d_h1_d_w2
                self.b1 -= learn_rate * d_L_d_ypred * d_ypred_d_h1 * d_h1_d_b1

                # Neuron h2
                self.w3 -= learn_rate * d_L_d_ypred * d_ypred_d_h2 * d_h2_d_w3
                self.w4 -= learn_rate * d_L_d_ypred * d_ypred_d_h2 * d_h2_d_w4
                self.b2 -= learn_rate * d_L_d_ypred * d_ypred_d_h2 * d_h2_d_b2

                # Neuron o1
                self.w5 -= learn_rate * d_L_d_ypred * d_ypred_d_w5
                self.w6 -= learn_rate * d_L_d_ypred * d_ypred_d_w6
                self.b3 -= learn_rate * d_L_d_ypred * d_ypred_d_b3

            # --- Calculate total loss at the end of each epoch
            if epoch % 10 == 0:
                y_preds = np.apply_along_axis(self.feedforward, 1, data)
                loss = mse_loss(all_y_trues, y_preds)
                print("Epoch %d loss: %.3f" % (epoch, loss))  # noqa: UP031


# --- The same network with tinygrad_fr ----------------------------------------------------


def make_network() -> nn.Sequential:
    """2 inputs -> 2 sigmoid neurons (h1, h2) -> 1 sigmoid neuron (o1), all from N(0, 1).

    hidden.weight = [[w1, w2], [w3, w4]], hidden.bias = [b1, b2], output.weight = [[w5, w6]],
    output.bias = [b3]: each row of a weight matrix is one neuron.
    """
    network = nn.Sequential(nn.Linear(2, 2), nn.Sigmoid(), nn.Linear(2, 1), nn.Sigmoid())
    for param in network.parameters():
        nn.init.normal_(param)  # standard normal, as the course's np.random.normal()
    return network


def course_parameters(network: nn.Sequential) -> dict[str, float]:
    """The network's parameters under the course's names w1..w6, b1..b3."""
    hidden_w, hidden_b = network[0].weight.numpy(), network[0].bias.numpy()
    out_w, out_b = network[2].weight.numpy(), network[2].bias.numpy()
    return {
        "w1": hidden_w[0, 0], "w2": hidden_w[0, 1], "w3": hidden_w[1, 0], "w4": hidden_w[1, 1],
        "w5": out_w[0, 0], "w6": out_w[0, 1],
        "b1": hidden_b[0], "b2": hidden_b[1], "b3": out_b[0],
    }  # fmt: skip


def train(
    network: nn.Module, data: tg.Tensor, all_y_trues: tg.Tensor, epochs: int
) -> tuple[list[float], list[str]]:
    """Per-sample SGD on the squared error; returns the losses and lines printed every 10 epochs."""
    optimizer = tg.optim.SGD(network.parameters(), lr=LEARN_RATE)
    losses, lines = [], []
    for epoch in range(epochs):
        for x, y_true in zip(data, all_y_trues):
            loss = F.mse_loss(network(x), y_true)  # (y_true - y_pred)**2 on one sample
            optimizer.zero_grad()
            loss.backward()  # every d_L_d_* of the course, at once
            optimizer.step()  # w <- w - learn_rate * dL/dw, for all nine parameters
        if epoch % 10 == 0:
            with tg.no_grad():
                loss = F.mse_loss(network(data), all_y_trues).item()
            line = f"Epoch {epoch} loss: {loss:.3f}"
            print(line)
            losses.append(loss)
            lines.append(line)
    return losses, lines


def save_loss_curve(losses: list[float], path: Path) -> None:
    """Plot the loss every 10 epochs into a PNG file, or say how to get matplotlib."""
    plt = pyplot()
    if plt is None:
        print(f"Courbe de perte non tracée : {PLOT_HINT}")
        return
    figure, axes = plt.subplots()
    axes.plot(range(0, 10 * len(losses), 10), losses)
    axes.set_xlabel("époque")
    axes.set_ylabel("perte MSE")
    axes.set_title("Lab 0 : perte pendant l'entraînement")
    figure.savefig(path)
    plt.close(figure)
    print(f"Courbe de perte enregistrée dans {path.resolve()}")


def main(argv: list[str] | None = None, prog: str | None = None) -> None:
    """Train with autograd, predict Emily and Frank, then check against the course's code."""
    parser = lab_parser(__doc__, prog)
    add_common_arguments(parser)
    parser.add_argument("--epochs", type=int, default=None, help="default 1000 (fast: 100)")
    parser.add_argument("--plot", type=Path, default=Path("loss_curve.png"), help="PNG path")
    args = parser.parse_args(argv)
    fast = is_fast(args.fast)
    epochs = args.epochs or (FAST_EPOCHS if fast else EPOCHS)
    tg.set_default_dtype(tg.float64)  # the course's NumPy computes in float64
    tg.manual_seed(args.seed)

    x, y = gender()
    data, all_y_trues = tg.tensor(x), tg.tensor(y.reshape(-1, 1))
    network = make_network()
    initial = course_parameters(network)
    mode = " (mode rapide)" if fast else ""
    print(f"Entraînement : SGD par échantillon, lr {LEARN_RATE}, {epochs} époques{mode}")
    losses, lines = train(network, data, all_y_trues, epochs)
    save_loss_curve(losses, args.plot)

    unseen = gender_unseen()
    with tg.no_grad():
        print(f"Emily: {network(tg.tensor(unseen['Emily'])).item():.3f}")  # course: 0.964 - F
        print(f"Frank: {network(tg.tensor(unseen['Frank'])).item():.3f}")  # course: 0.039 - M
    print(
        "(Cours : Emily 0.964, Frank 0.039, avec des poids initiaux tirés sans graine, donc "
        f"différents à chaque exécution ; ici tg.manual_seed({args.seed}) les fixe"
        + (f", et seules {epochs} époques ont tourné.)" if epochs < EPOCHS else ".)")
    )

    # The course's hand-written NumPy network, started from the same nine initial values.
    np.random.seed(args.seed)
    reference = OurNeuralNetwork()
    reference.__dict__.update({name: float(value) for name, value in initial.items()})
    with contextlib.redirect_stdout(io.StringIO()) as printed:
        reference.train(x, y, epochs=epochs)
    inputs = np.vstack([x, unseen["Emily"], unseen["Frank"]])
    with tg.no_grad():
        ours = network(tg.tensor(inputs)).numpy()[:, 0]
    theirs = np.array([reference.feedforward(row) for row in inputs])
    trained = course_parameters(network)
    print("Vérification avec le code NumPy du cours (mêmes poids initiaux) :")
    same_lines = printed.getvalue().splitlines() == lines
    print(f"  mêmes lignes 'Epoch ... loss' : {'oui' if same_lines else 'non'}")
    print(f"  max |écart| des prédictions = {np.abs(ours - theirs).max():.3e}")
    print(
        "  max |écart| des poids et biais = "
        f"{max(abs(trained[k] - reference.__dict__[k]) for k in trained):.3e}"
    )


if __name__ == "__main__":
    main()
