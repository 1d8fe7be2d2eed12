"""Lab 0, parts 0.1 to 0.3 (seeds 000 and 001): a neuron, a 2-2-1 network and the MSE loss.

The course's NumPy ``Neuron`` and ``OurNeuralNetwork`` written as tinygrad_fr Modules, then the
same network as ``nn.Sequential``. In float64 the printed values are the course's to the last
digit: 0.9990889488055994, 0.7216325609518421 and 0.5.

Run: tinygrad-fr lab 1  (or: python examples/lab1_neurone.py)
"""

from __future__ import annotations

import tinygrad_fr as tg
from tinygrad_fr import nn
from tinygrad_fr.nn import functional as F  # noqa: N812 - PyTorch's usual alias

from .common import lab_parser


class Neuron(nn.Module):
    """y = f(w·x + b) with f the sigmoid, as the course's ``Neuron(weights, bias)``."""

    def __init__(self, weights: list[float], bias: float) -> None:
        super().__init__()
        self.weights = nn.Parameter(tg.Tensor(weights))  # tg.Tensor: floats, as torch.Tensor
        self.bias = nn.Parameter(tg.tensor(float(bias)))

    def forward(self, inputs: tg.Tensor) -> tg.Tensor:
        """Weight the inputs, add the bias, then apply the activation."""
        total = self.weights @ inputs + self.bias
        return total.sigmoid()

    feedforward = forward  # the course's name


class OurNeuralNetwork(nn.Module):
    """2 inputs, a hidden layer of 2 neurons (h1, h2), an output neuron o1; w = [0, 1], b = 0."""

    def __init__(self) -> None:
        super().__init__()
        self.h1 = Neuron([0, 1], 0)
        self.h2 = Neuron([0, 1], 0)
        self.o1 = Neuron([0, 1], 0)

    def forward(self, x: tg.Tensor) -> tg.Tensor:
        """The inputs of o1 are the outputs of h1 and h2."""
        out_h1 = self.h1(x)
        out_h2 = self.h2(x)
        return self.o1(tg.stack([out_h1, out_h2]))

    feedforward = forward


def sequential_network() -> nn.Sequential:
    """The same 2-2-1 network written with layers: each row of a weight is one neuron's w."""
    network = nn.Sequential(nn.Linear(2, 2), nn.Sigmoid(), nn.Linear(2, 1), nn.Sigmoid())
    with tg.no_grad():
        network[0].weight.copy_([[0.0, 1.0], [0.0, 1.0]])
        network[2].weight.copy_([[0.0, 1.0]])
        nn.init.zeros_(network[0].bias)
        nn.init.zeros_(network[2].bias)
    return network


def main(argv: list[str] | None = None, prog: str | None = None) -> None:
    """Print the neuron, the network and the MSE example of the course."""
    parser = lab_parser(__doc__, prog)
    parser.add_argument("--fast", action="store_true", help="accepted for symmetry (instant)")
    parser.parse_args(argv)
    # The course computes in float64 (NumPy's default): so do we, for identical digits.
    tg.set_default_dtype(tg.float64)

    print("0.1.2 Un neurone : w = [0, 1], b = 4, x = [2, 3]")
    n = Neuron([0, 1], 4)
    x = tg.Tensor([2, 3])
    print(n.feedforward(x).item())  # 0.9990889488055994

    print("0.2.2 Le réseau 2-2-1 (tous les neurones : w = [0, 1], b = 0), x = [2, 3]")
    network = OurNeuralNetwork()
    print(network.feedforward(x).item())  # 0.7216325609518421
    print("Le même réseau avec nn.Sequential(Linear(2, 2), Sigmoid(), Linear(2, 1), Sigmoid()) :")
    print(sequential_network()(x).item())

    print("0.3.3 Perte MSE : y_true = [1, 0, 0, 1], y_pred = [0, 0, 0, 0]")
    y_true = tg.Tensor([1, 0, 0, 1])
    y_pred = tg.Tensor([0, 0, 0, 0])
    print(F.mse_loss(y_pred, y_true).item())  # 0.5


if __name__ == "__main__":
    main()
