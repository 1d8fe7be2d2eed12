"""Lab 0, part 0.4.1 (seeds 000 and 001): the partial derivative dL/dw1 for Alice alone.

Alice is x = [-2, -1] with y_true = 1; every weight is 1 and every bias 0; the loss is the
squared error on this one sample. Autograd gives dL/dw1 = 0.02147 (0.0215 to 4 places); the
course multiplies intermediates rounded to 3 significant digits, -0.952 * 0.249 * -0.0904, and
gets 0.0214. Each partial derivative of the course is printed too, computed by autograd.

Run: tinygrad-fr lab 2  (or: python examples/lab2_derivee_alice.py)
"""

from __future__ import annotations

import tinygrad_fr as tg
from tinygrad_fr import nn
from tinygrad_fr.nn import functional as F  # noqa: N812 - PyTorch's usual alias

from . import alice
from .common import grad_of, lab_parser

# The course's intermediates, as printed in 0.4.1 (rounded to 3 significant digits).
COURSE_D_L_D_YPRED = -0.952
COURSE_D_YPRED_D_H1 = 0.249
COURSE_D_H1_D_W1 = -0.0904


def main(argv: list[str] | None = None, prog: str | None = None) -> None:
    """Compute dL/dw1 by autograd and set it beside the course's hand calculation."""
    parser = lab_parser(__doc__, prog)
    parser.add_argument("--fast", action="store_true", help="accepted for symmetry (instant)")
    parser.parse_args(argv)
    tg.set_default_dtype(tg.float64)

    # The 2-2-1 network: hidden.weight = [[w1, w2], [w3, w4]], output.weight = [[w5, w6]].
    hidden, output = nn.Linear(2, 2), nn.Linear(2, 1)
    for layer in (hidden, output):
        nn.init.ones_(layer.weight)
        nn.init.zeros_(layer.bias)
    x = tg.Tensor([-2, -1])  # Alice: weight - 135 lb, height - 66 in
    y_true = tg.Tensor([1])  # female

    h = hidden(x).sigmoid()  # [h1, h2]
    y_pred = output(h).sigmoid()
    loss = F.mse_loss(y_pred, y_true)
    # Derivatives of intermediate quantities (not of L) come from tg.grad; retain_graph keeps
    # the graph for the backward() that follows.
    (d_ypred_d_h,) = tg.grad(y_pred, h, retain_graph=True)
    (d_h1_d_w,) = tg.grad(h[0], hidden.weight, retain_graph=True)
    # Only now ask to keep dL/dypred on this intermediate tensor: as in PyTorch, tg.grad
    # would also have accumulated its own dypred/dypred = 1 into y_pred.grad.
    y_pred.retain_grad()
    loss.backward()

    d_l_d_ypred = y_pred.grad.item()
    d_ypred_d_h1 = d_ypred_d_h[0].item()
    d_h1_d_w1 = d_h1_d_w[0, 0].item()
    d_l_d_w1 = grad_of(hidden.weight)[0, 0].item()

    print("Alice : x = [-2, -1], y_true = 1 ; tous les poids à 1, tous les biais à 0")
    print(f"h1 = h2 = {h[0].item():.4f}, y_pred = o1 = {y_pred.item():.4f}, L = {loss.item():.4f}")
    print("Dérivées partielles calculées par autograd (cours entre parenthèses) :")
    print(f"  dL/dypred  = {d_l_d_ypred!r}  (cours : {COURSE_D_L_D_YPRED})")
    print(f"  dypred/dh1 = {d_ypred_d_h1!r}  (cours : {COURSE_D_YPRED_D_H1})")
    print(f"  dh1/dw1    = {d_h1_d_w1!r}  (cours : {COURSE_D_H1_D_W1})")
    product = d_l_d_ypred * d_ypred_d_h1 * d_h1_d_w1
    print(f"  produit (règle de la chaîne) = {product!r}")
    print(f"dL/dw1 (autograd, hidden.weight.grad[0, 0]) = {d_l_d_w1!r}")
    print(f"dL/dw1 arrondi à 4 décimales = {round(d_l_d_w1, 4)}")

    course = COURSE_D_L_D_YPRED * COURSE_D_YPRED_D_H1 * COURSE_D_H1_D_W1
    print(
        f"Calcul du cours : {COURSE_D_L_D_YPRED} * {COURSE_D_YPRED_D_H1} * {COURSE_D_H1_D_W1} "
        f"= {round(course, 4)}  (avant arrondi : {course:.6f})"
    )
    print(
        "Pourquoi 0.0215 et non 0.0214 : le cours multiplie des intermédiaires arrondis "
        f"(-0.952 au lieu de {d_l_d_ypred:.5f}, 0.249 au lieu de {d_ypred_d_h1:.5f}, -0.0904 au "
        f"lieu de {d_h1_d_w1:.5f}) ; ces arrondis décalent le produit à la 4e décimale. Avec les "
        f"valeurs exactes, le produit vaut {product:.5f}, soit {round(product, 4)} : il est "
        f"proche de 0.02145, la limite entre les deux arrondis, et l'écart relatif de "
        f"{(course / product - 1) * 100:+.2f} % dû aux arrondis suffit à passer en dessous."
    )
    print()
    print("Le même calcul nœud par nœud, enregistré par tg.viz.trace :")
    run = alice.traced()
    table = run.trace.explain(
        wrt=run.model[0].weight, index=(0, 0), lang="fr", names=alice.COURSE_NAMES
    )
    print(table)


if __name__ == "__main__":
    main()
