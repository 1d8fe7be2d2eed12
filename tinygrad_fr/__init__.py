"""tinygrad_fr: a small, fast and correct autograd framework on NumPy, PyTorch-style.

>>> import tinygrad_fr as tg
>>> w = tg.Tensor([0.0, 1.0], requires_grad=True)
>>> y = (w @ tg.Tensor([2.0, 3.0]) + 4).sigmoid()
>>> y.backward()
>>> w.grad
tensor([0.0018, 0.0027])

``tg.nn``, ``tg.optim``, ``tg.data``, ``tg.utils``, ``tg.datasets``, ``tg.testing``, ``tg.viz``,
``tg.onnx`` and ``tg.quantization`` load on first use, so that ``import tinygrad_fr`` stays fast
(Hypothesis, Graphviz and onnx load only then).
"""

from __future__ import annotations

import importlib
from typing import TYPE_CHECKING, Any

from . import backends, cuda
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
from .devices import device, get_default_device, set_default_device
from .dtypes import (
    bool,
    double,
    float,
    float16,
    float32,
    float64,
    get_default_dtype,
    half,
    int,
    int8,
    int16,
    int32,
    int64,
    long,
    promote_types,
    set_default_dtype,
    short,
    uint8,
)  # fmt: skip
from .factories import (
    arange,
    as_tensor,
    bernoulli,
    empty,
    empty_like,
    eye,
    from_numpy,
    full,
    full_like,
    linspace,
    multinomial,
    normal,
    ones,
    ones_like,
    rand,
    rand_like,
    randint,
    randint_like,
    randn,
    randn_like,
    randperm,
    tensor,
    zeros,
    zeros_like,
)  # fmt: skip
from .functions import *  # noqa: F403 - the function form of every Tensor operation
from .functions import __all__ as _function_names
from .printing import get_printoptions, printoptions, set_printoptions
from .rng import (
    Generator,
    get_rng_state,
    initial_seed,
    manual_seed,
    seed,
    set_rng_state,
)  # fmt: skip
from .tensor import Size, Tensor
from .tensor_types import (
    BoolTensor,
    ByteTensor,
    CharTensor,
    DoubleTensor,
    FloatTensor,
    HalfTensor,
    IntTensor,
    LongTensor,
    ShortTensor,
    set_default_tensor_type,
)  # fmt: skip

if TYPE_CHECKING:
    from .serialization import load, save

__version__ = "0.2.0"

_LAZY_SUBMODULES = (
    "nn", "optim", "data", "utils", "datasets", "testing", "viz", "jit", "onnx", "quantization",
)  # fmt: skip


# Imported on first use: zipfile, safetensors and the file formats are a tenth of the
# import time, and most scripts never save.
_LAZY_ATTRIBUTES = {"save": "serialization", "load": "serialization"}


def __getattr__(name: str) -> Any:
    if name in _LAZY_SUBMODULES:
        module = importlib.import_module(f".{name}", __name__)
        globals()[name] = module
        return module
    if name in _LAZY_ATTRIBUTES:
        value = getattr(importlib.import_module(f".{_LAZY_ATTRIBUTES[name]}", __name__), name)
        globals()[name] = value
        return value
    raise AttributeError(f"module 'tinygrad_fr' has no attribute {name!r}")


def __dir__() -> list[str]:
    return sorted(set(globals()) | set(_LAZY_SUBMODULES) | set(_LAZY_ATTRIBUTES))


def result_type(tensor1: Any, tensor2: Any) -> Any:
    """The dtype an element-wise op on the two operands gives, by PyTorch's promotion."""
    from .dtypes import result_type as _result_type

    return _result_type(tensor1, tensor2)


def finfo(dtype: Any = None) -> Any:
    """Machine limits of a floating dtype (the default one if None): ``eps``, ``max``..."""
    import numpy as np

    return np.finfo(get_default_dtype() if dtype is None else dtype)


def iinfo(dtype: Any) -> Any:
    """Machine limits of an integer dtype: ``min``, ``max``, ``bits``."""
    import numpy as np

    return np.iinfo(dtype)


__all__ = [
    "BoolTensor", "ByteTensor", "CharTensor", "DoubleTensor", "FloatTensor", "Function",
    "Generator", "HalfTensor", "IntTensor", "LongTensor", "ShortTensor", "Size", "Tensor",
    "arange", "as_tensor", "backends", "backward", "bernoulli", "bool", "cuda", "detect_anomaly",
    "device", "double", "empty", "empty_like", "enable_grad", "eye", "finfo", "float",
    "float16", "float32", "float64", "from_numpy", "full", "full_like", "get_default_device",
    "get_default_dtype", "get_printoptions", "get_rng_state", "grad", "half", "iinfo",
    "inference_mode", "initial_seed", "int", "int8", "int16", "int32", "int64",
    "is_anomaly_enabled", "is_grad_enabled", "linspace", "load", "long", "manual_seed",
    "multinomial", "no_grad", "normal", "ones", "ones_like", "printoptions", "promote_types",
    "rand", "rand_like", "randint", "randint_like", "randn", "randn_like", "randperm",
    "result_type", "save", "seed", "set_default_device", "set_default_dtype",
    "set_default_tensor_type", "set_grad_enabled", "set_printoptions", "set_rng_state",
    "short", "tensor", "uint8", "zeros", "zeros_like", *_function_names,
]  # fmt: skip
