"""What ``Module.to`` and the layers' ``device=`` arguments accept: the CPU, and floating dtypes.

tinygrad_fr computes on the CPU with NumPy, so a device argument is only checked: ``"cpu"``,
``"cpu:0"`` or a device object printing as such pass, anything else is a RuntimeError.
"""

from __future__ import annotations

from typing import Any

import numpy as np

from ..tensor import Tensor


def check_device(device: Any, op: str) -> None:
    """Raise a RuntimeError unless ``device`` is None or the CPU (a str, or a device object
    whose str is 'cpu' or 'cpu:N')."""
    if device is None:
        return
    name = str(device)
    if name == "cpu" or (name.startswith("cpu:") and name[4:].isdigit()):
        return
    raise RuntimeError(
        f"{op}: device {device!r} is not available: tinygrad_fr computes on the CPU with "
        "NumPy; use device='cpu' (or leave the device out)"
    )


def _is_device(value: Any) -> bool:
    if isinstance(value, np.dtype):  # a dtype has a .type too
        return False
    return (isinstance(value, (str, int)) and not isinstance(value, bool)) or hasattr(value, "type")


def to_arguments(args: tuple, kwargs: dict) -> np.dtype | None:
    """The floating dtype that Module.to's arguments ask for (None: keep), the device checked."""
    unknown = set(kwargs) - {"device", "dtype", "non_blocking", "memory_format"}
    if unknown or len(args) > 3:
        raise TypeError(
            f"to: unexpected arguments {sorted(unknown) or args}; use to(device), to(dtype), "
            "to(device, dtype) or to(tensor)"
        )
    dtype = kwargs.get("dtype")
    check_device(kwargs.get("device"), "to")
    for arg in args:
        if isinstance(arg, Tensor):
            dtype = arg.dtype
        elif isinstance(arg, (bool, np.bool_)) or arg is None:
            continue  # non_blocking, copy
        elif _is_device(arg):
            check_device(arg, "to")
        else:
            dtype = arg
    if dtype is None:
        return None
    try:
        target = np.dtype(dtype)
    except TypeError:
        target = None
    if target is None or target.kind != "f":
        raise TypeError(
            f"to: nn.Module.to only accepts a floating dtype (tg.float32, tg.float64...), "
            f"got {dtype!r}"
        )
    return target
