"""tinygrad_fr: a small, fast and correct autograd framework on NumPy, PyTorch-style.

>>> import tinygrad_fr as tg
>>> w = tg.Tensor([0.0, 1.0], requires_grad=True)
>>> y = (w @ tg.Tensor([2.0, 3.0]) + 4).sigmoid()
>>> y.backward()
>>> w.grad
Tensor([0.0018, 0.0027])

``tg.nn``, ``tg.optim``, ``tg.data``, ``tg.utils``, ``tg.datasets``, ``tg.testing`` and
``tg.viz`` load on first use, so that ``import tinygrad_fr`` stays fast (Hypothesis and
Graphviz load only then).
"""

from __future__ import annotations

import importlib
from typing import Any

from .autograd import (
    Function,
    backward,
    detect_anomaly,
    enable_grad,
    grad,
    inference_mode,
    is_anomaly_enabled,
    is_grad_enabled,
    no_grad,
    set_grad_enabled,
)  # fmt: skip
from .dtypes import (
    bool,
    double,
    float,
    float16,
    float32,
    float64,
    get_default_dtype,
    half,
    int32,
    int64,
    long,
    set_default_dtype,
)  # fmt: skip
from .factories import (
    arange,
    eye,
    from_numpy,
    full,
    full_like,
    linspace,
    ones,
    ones_like,
    rand,
    rand_like,
    randn,
    randn_like,
    tensor,
    zeros,
    zeros_like,
)  # fmt: skip
from .functions import (
    abs,
    cat,
    clamp,
    exp,
    flatten,
    log,
    log_softmax,
    matmul,
    max,
    maximum,
    mean,
    min,
    minimum,
    permute,
    relu,
    reshape,
    sigmoid,
    softmax,
    sqrt,
    squeeze,
    stack,
    sum,
    tanh,
    transpose,
    unsqueeze,
    where,
)  # fmt: skip
from .rng import Generator, manual_seed
from .serialization import load, save
from .tensor import Tensor

__version__ = "0.1.0"

_LAZY_SUBMODULES = ("nn", "optim", "data", "utils", "datasets", "testing", "viz", "jit")


def __getattr__(name: str) -> Any:
    if name in _LAZY_SUBMODULES:
        module = importlib.import_module(f".{name}", __name__)
        globals()[name] = module
        return module
    raise AttributeError(f"module 'tinygrad_fr' has no attribute {name!r}")


def __dir__() -> list[str]:
    return sorted(list(globals()) + list(_LAZY_SUBMODULES))


__all__ = [
    "Function", "Generator",
    "Tensor", "abs", "arange", "backward", "bool", "cat", "clamp", "detect_anomaly",
    "double", "enable_grad", "exp", "eye", "flatten", "float", "float16", "float32", "float64",
    "from_numpy", "full", "full_like", "get_default_dtype", "grad", "half", "inference_mode",
    "int32", "int64", "is_anomaly_enabled", "is_grad_enabled", "linspace", "load", "log",
    "log_softmax", "long", "manual_seed", "matmul", "max", "maximum", "mean", "min", "minimum",
    "no_grad", "ones", "ones_like", "permute", "rand", "rand_like", "randn", "randn_like", "relu",
    "reshape", "save", "set_default_dtype", "set_grad_enabled", "sigmoid", "softmax", "sqrt",
    "squeeze", "stack", "sum", "tanh", "tensor", "transpose", "unsqueeze", "where", "zeros",
    "zeros_like",
]  # fmt: skip
