"""tg.autograd.functional (jacobian, hessian, vjp, jvp, vhp, hvp) and tg.autograd.Variable.

Values and return structures against hand-written derivatives and, when torch is installed,
against torch.autograd.functional in float64 (including create_graph and strict).
"""

from __future__ import annotations

import numpy as np
import pytest

import tinygrad_fr as tg
from tinygrad_fr.autograd import Variable
from tinygrad_fr.autograd.functional import hessian, hvp, jacobian, jvp, vhp, vjp

RNG = np.random.default_rng(5)
A = RNG.normal(size=(3, 2))
B = RNG.normal(size=(2,))
V2, V3 = RNG.normal(size=2), RNG.normal(size=3)


def t64(array, requires_grad=False):
    return tg.Tensor(np.asarray(array, dtype=np.float64), requires_grad=requires_grad)


def test_jacobian_of_a_linear_map_is_its_matrix():
    np.testing.assert_allclose(jacobian(lambda x: t64(A) @ x, t64(B)).numpy(), A)


def test_jacobian_structures_follow_pytorch():
    x, y = t64(B), t64(V3)
    assert isinstance(jacobian(lambda a: a * 2, x), tg.Tensor)
    by_input = jacobian(lambda a, b: a.sum() * b, (x, y))
    assert isinstance(by_input, tuple) and [j.shape for j in by_input] == [(3, 2), (3, 3)]
    by_output = jacobian(lambda a: (a * 2, a.sum()), x)
    assert [j.shape for j in by_output] == [(2, 2), (2,)]
    both = jacobian(lambda a, b: (a * 2, b.sum()), (x, y))
    assert [[j.shape for j in row] for row in both] == [[(2, 2), (2, 3)], [(2,), (3,)]]
    assert not both[1][0].numpy().any()  # independent of a: zeros


def test_hessian_of_a_quadratic_form():
    matrix = A.T @ A
    out = hessian(lambda x: (x * (t64(matrix) @ x)).sum(), t64(B))
    np.testing.assert_allclose(out.numpy(), matrix + matrix.T, rtol=1e-12)


def test_products_agree_with_the_full_matrices():
    def f(x):
        return (x.tanh() * x.exp()).sum() + (x * x * x).sum()

    x = t64(V3)
    full = hessian(f, x).numpy()
    out, product = hvp(f, x, t64(V3))
    np.testing.assert_allclose(product.numpy(), full @ V3, rtol=1e-12)
    np.testing.assert_allclose(vhp(f, x, t64(V3))[1].numpy(), V3 @ full, rtol=1e-12)
    assert out.shape == () and out.item() == pytest.approx(f(x).item())

    def g(x):
        return t64(A) @ x.tanh()

    jac = jacobian(g, t64(B)).numpy()
    np.testing.assert_allclose(jvp(g, t64(B), t64(V2))[1].numpy(), jac @ V2, rtol=1e-12)
    np.testing.assert_allclose(vjp(g, t64(B), t64(V3))[1].numpy(), V3 @ jac, rtol=1e-12)


def test_results_are_detached_unless_create_graph():
    x = t64(B, requires_grad=True)
    assert not jacobian(lambda a: a * a, x).requires_grad
    jac = jacobian(lambda a: a * a * a, x, create_graph=True)
    assert jac.requires_grad
    (grad,) = tg.grad(jac.sum(), x)
    np.testing.assert_allclose(grad.numpy(), 6 * B, rtol=1e-12)


def test_v_may_be_omitted_only_for_single_elements():
    _, product = vjp(lambda x: (x * x).sum(), t64([3.0]))
    assert product.tolist() == [6.0]
    with pytest.raises(RuntimeError, match="v can only be None"):
        vjp(lambda x: x * x, t64(B))
    with pytest.raises(RuntimeError, match="v can only be None"):
        jvp(lambda x: x * x, t64(B))


def test_argument_errors_are_pytorchs():
    with pytest.raises(TypeError, match="must be either a Tensor or a tuple of Tensors"):
        jacobian(lambda x: x, np.zeros(2))
    with pytest.raises(RuntimeError, match=r"v has invalid size: should be \(2,\)"):
        vjp(lambda x: x * 2, t64(B), t64(V3))
    with pytest.raises(RuntimeError, match="should return a single Tensor"):
        hessian(lambda x: (x.sum(), x.sum()), t64(B))
    with pytest.raises(RuntimeError, match="should contain a single element"):
        hvp(lambda x: x * x, t64(B), t64(V2))


def test_strict_refuses_outputs_independent_of_an_input():
    with pytest.raises(RuntimeError, match="independent of input 1"):
        jacobian(lambda a, b: a * 2, (t64(B), t64(V2)), strict=True)
    with pytest.raises(RuntimeError, match="does not require gradients"):
        vjp(lambda a: t64(V2), t64(B), t64(V2), strict=True)


def test_variable_is_a_deprecated_alias_that_returns_a_tensor():
    data = t64(B)
    with pytest.warns(DeprecationWarning, match="Variable is deprecated"):
        x = Variable(data, requires_grad=True)
    assert isinstance(x, tg.Tensor) and x.requires_grad and x.is_leaf
    assert isinstance(data, Variable) and not isinstance(B, Variable)
    (x * x).sum().backward()
    np.testing.assert_allclose(x.grad.numpy(), 2 * B)
    with pytest.warns(DeprecationWarning), pytest.raises(TypeError, match="has to be a tensor"):
        Variable(B)


def test_autograd_namespace():
    assert tg.autograd.functional.hessian is hessian
    assert tg.autograd.Variable is Variable


# -- against PyTorch ----------------------------------------------------------------------------


def _functions(lib):
    def scalar(x, y):
        return (x.tanh().sum() * y.sigmoid().sum() + (x * x).sum() * y.exp().sum()).reshape(())

    def vector(x, y):
        return (x.unsqueeze(1) * y.unsqueeze(0)).tanh().sum(1) + x.exp()

    def pair(x, y):
        return x * y.sum(), (y * y).sigmoid()

    return scalar, vector, pair


def _flatten(value):
    if isinstance(value, (tuple, list)):
        return [item for entry in value for item in _flatten(entry)]
    return [value]


def _numpy(value):
    return value.detach().numpy()


def _compare(ours, theirs):
    mine, reference = _flatten(ours), _flatten(theirs)
    assert len(mine) == len(reference)
    for a, b in zip(mine, reference, strict=True):
        assert a.shape == tuple(b.shape)
        np.testing.assert_allclose(_numpy(a), _numpy(b), rtol=1e-10, atol=1e-12)


CALLS = [
    ("jacobian-vector", lambda m, f, xs: m.jacobian(f[1], xs)),
    ("jacobian-pair", lambda m, f, xs: m.jacobian(f[2], xs)),
    ("jacobian-one-input", lambda m, f, xs: m.jacobian(lambda x: f[1](x, xs[1]), xs[0])),
    ("hessian", lambda m, f, xs: m.hessian(f[0], xs)),
    ("hessian-one-input", lambda m, f, xs: m.hessian(lambda y: f[0](xs[0], y), xs[1])),
    ("vjp", lambda m, f, xs: m.vjp(f[2], xs, (xs[0] * 0 + 1, xs[1]))),
    ("jvp", lambda m, f, xs: m.jvp(f[2], xs, (xs[0], xs[1] * 2))),
    ("vhp", lambda m, f, xs: m.vhp(f[0], xs, (xs[0], xs[1]))),
    ("hvp", lambda m, f, xs: m.hvp(f[0], xs, (xs[0], -xs[1]))),
]


@pytest.mark.parametrize("create_graph", [False, True])
@pytest.mark.parametrize(("name", "call"), CALLS, ids=[c[0] for c in CALLS])
def test_agrees_with_torch(name, call, create_graph):
    torch = pytest.importorskip("torch")
    values = RNG.normal(size=3), RNG.normal(size=4)
    ours_in = tuple(t64(v, requires_grad=True) for v in values)
    theirs_in = tuple(torch.tensor(v, requires_grad=True) for v in values)

    def run(lib, functional, inputs):
        module = _With(functional, create_graph=True) if create_graph else functional
        return call(module, _functions(lib), inputs)

    ours = run(tg, tg.autograd.functional, ours_in)
    theirs = run(torch, torch.autograd.functional, theirs_in)
    _compare(ours, theirs)
    if create_graph:  # the results can be differentiated again, as PyTorch's
        mine = sum((t * t).sum() for t in _flatten(ours) if t.requires_grad)
        reference = sum((t * t).sum() for t in _flatten(theirs) if t.requires_grad)
        options = {"allow_unused": True, "materialize_grads": True}
        _compare(
            tg.grad(mine, ours_in, **options), torch.autograd.grad(reference, theirs_in, **options)
        )


class _With:
    """The functional module with create_graph=True passed to every call."""

    def __init__(self, functional, **options):
        self.functional, self.options = functional, options

    def __getattr__(self, name):
        fn = getattr(self.functional, name)
        return lambda *args: fn(*args, **self.options)
