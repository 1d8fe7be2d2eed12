"""Deep Learning, the biological intuition (seed 004): the class ``Reseau`` and its mini-batch SGD.

Nielsen's network ``Reseau([784, 30, 10])`` as a tinygrad_fr Module that keeps the course's
names (``biais``, ``poids``, ``forward``, ``evaluer``, ``DGS``, ``update_mini_batch``):
weights and biases from U(-1, 1), the quadratic cost C = 1/(2m) Σ ||a − y||² on mini-batches of
m = 10 drawn by ``tg.data.DataLoader(shuffle=True)``, eta = 3.0, so that each step is the
course's w → w − (eta/m) Σ ∇C_x. Prints ``Époque j: correct / n_test`` after each epoch.

Defaults: 30 epochs as Nielsen (1 to 3 min on MNIST's 60,000 images, a few seconds on the
offline 8x8 digits); ``--fast``: 1 epoch on 1,000 training images.

Run: tinygrad-fr lab 6 [--fast] [--epochs 30] [--no-test] [--mnist-path DIR]
Or: python examples/lab6_reseau.py
"""

from __future__ import annotations

from typing import Any, cast

import numpy as np

import tinygrad_fr as tg
from tinygrad_fr import nn
from tinygrad_fr.data import DataLoader, TensorDataset
from tinygrad_fr.datasets import one_hot
from tinygrad_fr.nn import functional as F  # noqa: N812 - PyTorch's usual alias

from ..cli.progress import progress
from .common import (
    add_common_arguments,
    add_mnist_argument,
    is_fast,
    lab_parser,
    load_course_digits,
)

EPOCHS, FAST_EPOCHS = 30, 1
FAST_TRAIN, FAST_TEST = 1000, 300
HIDDEN = 30
MINI_BATCH = 10
ETA = 3.0


class Reseau(nn.Module):
    """A fully connected sigmoid network of layer sizes ``tailles`` (e.g. [784, 30, 10]).

    ``biais[k]`` has shape (tailles[k + 1], 1) and ``poids[k]`` (tailles[k], tailles[k + 1]),
    as in the course's correction, whose layers compute sigmoid(wᵀ·a + b) on column vectors.
    """

    def __init__(self, tailles: list[int]) -> None:
        super().__init__()
        self.nb_couches = len(tailles)
        self.tailles = tailles
        self.biais = [
            nn.init.uniform_(nn.Parameter(tg.zeros(y, 1)), -1.0, 1.0) for y in tailles[1:]
        ]
        self.poids = [
            nn.init.uniform_(nn.Parameter(tg.zeros(y, x)), -1.0, 1.0)
            for (y, x) in zip(tailles[:-1], tailles[1:])  # noqa: RUF007 - as the course
        ]
        # Lists are not looked into by Module: register each tensor so parameters() sees it.
        for k, (b, w) in enumerate(zip(self.biais, self.poids)):
            self.register_parameter(f"biais_{k}", cast(nn.Parameter, b))
            self.register_parameter(f"poids_{k}", cast(nn.Parameter, w))

    def forward(self, x: tg.Tensor) -> tg.Tensor:
        """Outputs (n, tailles[-1]) for inputs (n, tailles[0]), one sample per row."""
        a = x
        for b, w in zip(self.biais, self.poids):
            # The course's sigmoid(wᵀ·a + b) on column vectors, transposed for rows of samples.
            a = (a @ w + b.T).sigmoid()
        return a

    def evaluer(self, test_data: TensorDataset) -> int:
        """How many test inputs the network classifies right (the largest output wins)."""
        x, y = test_data.tensors
        with tg.no_grad():
            predictions = self(x).argmax(dim=1)
        return int((predictions == y).sum().item())

    def DGS(  # noqa: N802 - the course's name (Descente de Gradient Stochastique)
        self,
        training_data: TensorDataset,
        nb_epoques: int,
        taille_mini_batch: int,
        eta: float,
        test_data: TensorDataset | None = None,
        show_progress: bool | None = False,
    ) -> None:
        """Mini-batch stochastic gradient descent, printing the test score after each epoch."""
        if test_data is not None:
            n_test = len(test_data)
        # DataLoader(shuffle=True) is the course's random.shuffle(training_data) followed by
        # training_data[k:k + taille_mini_batch], redrawn at each epoch.
        mini_batches = DataLoader(training_data, batch_size=taille_mini_batch, shuffle=True)
        # The course passes eta to update_mini_batch; here the optimizer carries it.
        optimiseur = tg.optim.SGD(self.parameters(), lr=eta)
        for j in range(nb_epoques):
            bar = progress(mini_batches, total=len(mini_batches), desc="mini-batchs",
                           show=show_progress)  # fmt: skip
            for mini_batch in bar:
                self.update_mini_batch(mini_batch, optimiseur)
            if test_data is not None:
                print(f"Époque {j}: {self.evaluer(test_data)} / {n_test}")
            else:
                print(f"Époque {j} complete")

    def update_mini_batch(self, mini_batch: Any, optimiseur: tg.optim.SGD) -> None:
        """One step w → w − eta · ∂C/∂w on the quadratic cost of the mini-batch."""
        x, y = mini_batch
        m = len(x)
        cout = F.mse_loss(self(x), y, reduction="sum") / (2 * m)  # C = 1/(2m) Σ ||a − y||²
        optimiseur.zero_grad()
        # ∂C/∂w = (1/m) Σ ∇C_x: the course's nabla_w summed by backprop, divided by m, so that
        # the SGD step lr=eta is exactly the course's w − (eta/m) Σ nabla_w.
        cout.backward()
        optimiseur.step()


def main(argv: list[str] | None = None, prog: str | None = None) -> None:
    """Train Reseau([inputs, 30, 10]) with DGS and print the test score after each epoch."""
    parser = lab_parser(__doc__, prog)
    add_common_arguments(parser)
    add_mnist_argument(parser)
    parser.add_argument("--epochs", type=int, default=None, help="default 30 (fast: 1)")
    parser.add_argument(
        "--no-test", action="store_true", help="train without test data ('Époque j complete')"
    )
    args = parser.parse_args(argv)
    fast = is_fast(args.fast)
    epochs = args.epochs or (FAST_EPOCHS if fast else EPOCHS)
    tg.set_default_dtype(tg.float64)  # as the course's NumPy arrays
    tg.manual_seed(args.seed)  # the initial weights and the shuffling of the mini-batches

    digits = load_course_digits(
        args.mnist_path,
        max_train=FAST_TRAIN if fast else None,
        max_test=FAST_TEST if fast else None,
    )
    training_data = TensorDataset(digits.x_train, one_hot(digits.y_train, 10, dtype=np.float64))
    test_data = TensorDataset(digits.x_test, digits.y_test)
    tailles = [digits.n_inputs, HIDDEN, 10]
    print(
        f"{digits.source} : {len(training_data)} images d'entraînement, {len(test_data)} de "
        f"test ; Reseau({tailles}), mini-batchs de {MINI_BATCH}, eta = {ETA}, {epochs} époque(s)"
        + (" (mode rapide)" if fast else "")
    )
    reseau = Reseau(tailles)
    reseau.DGS(
        training_data,
        epochs,
        MINI_BATCH,
        ETA,
        test_data=None if args.no_test else test_data,
        show_progress=args.progress,
    )


if __name__ == "__main__":
    main()
