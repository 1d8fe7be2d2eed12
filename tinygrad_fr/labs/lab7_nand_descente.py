"""Deep Learning, the biological intuition (seed 004): the NAND perceptron and gradient descent.

First the perceptron with weights (-2, -2) and bias 3 (Nielsen's answer to the exercise), whose
output "w·x + b > 0" is checked against NAND's truth table. Then the exercise "3 iterations of
v → v − η∇C with η = 0.1" on f(x) = x⁴ − x³, C(v1, v2) = −v1³ + v2² and C(v1, v2) = v1² v2²,
the gradients computed by autograd and checked against the derivatives worked out by hand.

The course gives no starting points; we take x0 = 1 (from x0 = 2 the first step lands exactly on
x = 0, where f' = 0, and gradient descent stops there), v0 = (1, 1) and v0 = (1, 2).

Run: tinygrad-fr lab 7  (or: python examples/lab7_nand_descente.py)
"""

from __future__ import annotations

from collections.abc import Callable

import tinygrad_fr as tg
from tinygrad_fr.datasets import nand

from .common import grad_of, lab_parser

NAND_WEIGHTS = [-2.0, -2.0]
NAND_BIAS = 3.0
ETA = 0.1
STEPS = 3

# (name, C on a tensor v, its gradient worked out by hand on floats, starting point, remark)
Exercise = tuple[
    str, Callable[[tg.Tensor], tg.Tensor], Callable[..., list[float]], list[float], str
]
EXERCISES: list[Exercise] = [
    (
        "f(x) = x⁴ − x³",
        lambda v: v[0] ** 4 - v[0] ** 3,
        lambda x: [4 * x**3 - 3 * x**2],
        [1.0],
        "le minimum est en x = 3/4 : les itérés s'en approchent",
    ),
    (
        "C(v1, v2) = −v1³ + v2²",
        lambda v: -(v[0] ** 3) + v[1] ** 2,
        lambda v1, v2: [-3 * v1**2, 2 * v2],
        [1.0, 1.0],
        "−v1³ n'a pas de minimum : v1 croît sans fin et C tend vers −∞",
    ),
    (
        "C(v1, v2) = v1² v2²",
        lambda v: v[0] ** 2 * v[1] ** 2,
        lambda v1, v2: [2 * v1 * v2**2, 2 * v1**2 * v2],
        [1.0, 2.0],
        "C = 0, son minimum, dès que v1 = 0 ou v2 = 0 : v1 tend vers 0",
    ),
]


def show(values: list[float]) -> str:
    """A point or a gradient: a number in 1-D, a pair in 2-D."""
    text = ", ".join(f"{value:.6f}" for value in values)
    return text if len(values) == 1 else f"({text})"


def perceptron_nand() -> bool:
    """Print the truth table the perceptron computes next to NAND's; True if they agree."""
    x, expected = nand()
    w, b = tg.tensor(NAND_WEIGHTS), tg.tensor(NAND_BIAS)
    total = tg.tensor(x) @ w + b
    output = total > 0  # the perceptron answers "oui" (1) if w·x + b > 0, else "non" (0)
    print(f"Perceptron NAND : w = {NAND_WEIGHTS}, b = {NAND_BIAS}")
    print("  x1  x2 | w·x + b | sortie | NAND(x1, x2)")
    rows_agree = []
    for inputs, value, out, target in zip(x, total.tolist(), output.tolist(), expected):
        rows_agree.append(int(out) == int(target))
        print(f"  {inputs[0]:2.0f}  {inputs[1]:2.0f} | {value:7.1f} | {int(out):6d} | {target:.0f}")
    agree = all(rows_agree)
    print(f"Le perceptron calcule NAND : {'oui' if agree else 'non'}")
    return agree


def gradient_descent(name: str, cost: Callable, by_hand: Callable, start: list[float]) -> float:
    """Print STEPS iterations of v → v − ETA ∇C(v); returns the largest autograd/hand gap."""
    var = "x" if len(start) == 1 else "v"
    v = tg.tensor(start, requires_grad=True)
    optimizer = tg.optim.SGD([v], lr=ETA)  # its step is exactly v ← v − eta · v.grad
    print(f"{name}, η = {ETA}, départ {var}0 = {show(start)}")
    with tg.no_grad():
        print(f"  étape 0 : {var} = {show(v.tolist())}  valeur = {cost(v).item():.6f}")
    gap = 0.0
    for k in range(1, STEPS + 1):
        optimizer.zero_grad()
        cost(v).backward()
        grad, expected = grad_of(v).tolist(), by_hand(*v.tolist())
        gap = max(gap, *(abs(a - b) for a, b in zip(grad, expected)))
        optimizer.step()
        with tg.no_grad():
            value = cost(v).item()
        print(
            f"  étape {k} : {var} = {show(v.tolist())}  valeur = {value:.6f}  "
            f"(gradient en {var}{k - 1} : autograd {show(grad)}, formule {show(expected)})"
        )
    return gap


def main(argv: list[str] | None = None, prog: str | None = None) -> None:
    """The NAND perceptron, then the three gradient-descent exercises."""
    parser = lab_parser(__doc__, prog)
    parser.add_argument("--fast", action="store_true", help="accepted for symmetry (instant)")
    parser.parse_args(argv)
    tg.set_default_dtype(tg.float64)

    perceptron_nand()
    print()
    print(f"Descente de gradient : {STEPS} itérations de v → v − η∇C")
    gap = 0.0
    for number, (name, cost, by_hand, start, remark) in enumerate(EXERCISES, start=1):
        print(f"{number}. ", end="")
        gap = max(gap, gradient_descent(name, cost, by_hand, start))
        print(f"  ({remark})")
    print(f"Gradients autograd et formules à la main : écart max = {gap:.1e}")


if __name__ == "__main__":
    main()
