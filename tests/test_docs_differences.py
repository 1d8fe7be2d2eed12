"""The differences that docs/tensor.md lists under "What still differs from PyTorch" are real.

Each row runs one snippet with tinygrad_fr and with PyTorch (bound to the name ``torch``) and
checks both results as the page states them. A row that starts failing means a difference is
gone, or changed: update the page with the code. Skipped when torch is not installed.
"""

from __future__ import annotations

import numpy as np
import pytest

import tinygrad_fr as tg

torch = pytest.importorskip("torch")
# PyTorch warns about some of these snippets (NumPy's __array_wrap__, list indices).
pytestmark = pytest.mark.filterwarnings("ignore::DeprecationWarning", "ignore::UserWarning")

# (entry on the page, snippet setting ``out``, tinygrad_fr's result, PyTorch's result).
# A result is repr(out), or "ExceptionClass" when the snippet raises.
DIFFERENCES = [
    ("dtype names", "out = str(torch.tensor([1]).dtype)", "'int64'", "'torch.int64'"),
    ("no complex", "out = torch.tensor([1 + 2j])", "TypeError", "tensor([1.+2.j])"),
    (
        "Tensor(array) keeps float64",
        "out = torch.Tensor(np.array([1.0])).dtype == torch.float64",
        "True",
        "False",
    ),
    (
        "Tensor(t) copies",
        "t = torch.zeros(2); torch.Tensor(t).add_(1); out = t.tolist()",
        "[0.0, 0.0]",
        "[1.0, 1.0]",
    ),
    (
        "0-d arrays promote as numbers",
        "out = (torch.tensor([1.0]) + np.array(2.0)).dtype == torch.float64",
        "False",
        "True",
    ),
    (
        "numpy scalars in lists",
        "out = torch.tensor([np.float64(1.0)]).dtype == torch.float64",
        "False",
        "True",
    ),
    (
        "matmul promotes",
        "out = torch.ones(2, dtype=torch.float64) @ torch.ones(2)",
        "tensor(2., dtype=torch.float64)",
        "RuntimeError",
    ),
    (
        "finfo scalars",
        "out = type(torch.finfo(torch.float32).eps).__name__",
        "'float32'",
        "'float'",
    ),
    (
        "float16 cumsum",
        "out = torch.ones(3000, dtype=torch.float16).cumsum(0)[-1].item()",
        "2048.0",
        "3000.0",
    ),
    ("cuda", "out = torch.tensor([1.0]).to('cuda')", "RuntimeError", "AssertionError"),
    (
        "random numbers",
        "torch.manual_seed(0); out = torch.rand(3)",
        "tensor([0.6370, 0.2698, 0.0410])",
        "tensor([0.4963, 0.7682, 0.0885])",
    ),
    (
        "summation order",
        "out = torch.tensor([0.1] * 10).sum().item()",
        "1.0",
        "1.0000001192092896",
    ),
    ("shape is a tuple", "out = torch.zeros(2, 3).shape", "(2, 3)", "torch.Size([2, 3])"),
    (
        "grad_fn names",
        "out = torch.tensor([1.0, 2.0], requires_grad=True)[0].grad_fn.name()",
        "'GetItemBackward0'",
        "'SelectBackward0'",
    ),
    (
        "negative steps",
        "out = torch.arange(5)[::-1]",
        "tensor([4, 3, 2, 1, 0])",
        "ValueError",
    ),
    ("nested list index", "out = torch.zeros(2, 3)[[[0, 1]]].shape[0]", "1", "2"),
    (
        "writes through .data",
        "x = torch.ones(3, requires_grad=True); y = (x * x).sum(); x.data.mul_(2); "
        "y.backward(); out = x.grad",
        "RuntimeError",
        "tensor([4., 4., 4.])",
    ),
    (
        "view copies",
        "x = torch.zeros(2, 3); v = x.t().view(6); out = v.shape[0]",
        "6",
        "RuntimeError",
    ),
    (
        "numpy() with requires_grad",
        "out = torch.ones(1, requires_grad=True).numpy().tolist()",
        "[1.0]",
        "RuntimeError",
    ),
    ("float() of several elements", "out = float(torch.ones(2))", "RuntimeError", "ValueError"),
    (
        "Linear with the wrong features",
        "out = torch.nn.Linear(3, 2)(torch.ones(2, 4))",
        "ValueError",
        "RuntimeError",
    ),
    (
        "integer target for binary_cross_entropy",
        "out = torch.nn.functional.binary_cross_entropy(torch.tensor([0.5]), torch.tensor([1]))",
        "tensor(0.6931)",
        "RuntimeError",
    ),
    ("sort", "out = torch.tensor([2.0, 1.0]).sort().values", "AttributeError", "tensor([1., 2.])"),
]


def _result(lib, snippet: str) -> str:
    namespace = {"torch": lib, "np": np}
    try:
        exec(snippet, namespace)
    except Exception as error:
        return type(error).__name__
    return repr(namespace["out"])


@pytest.mark.parametrize(
    "snippet, ours, theirs", [row[1:] for row in DIFFERENCES], ids=[row[0] for row in DIFFERENCES]
)
def test_the_documented_difference_holds(snippet, ours, theirs):
    assert (_result(tg, snippet), _result(torch, snippet)) == (ours, theirs)


def test_every_row_is_a_difference():
    assert all(ours != theirs for _, _, ours, theirs in DIFFERENCES)
