"""Devices, as PyTorch names them: tinygrad_fr computes on the CPU only, with NumPy.

``tg.device("cuda")`` can be built (scripts choose a device with
``"cuda" if tg.cuda.is_available() else "cpu"``), but putting a tensor there raises a
``RuntimeError``; so does any device other than the CPU.
"""

from __future__ import annotations

from typing import Any

# The device types PyTorch knows (a misspelt one is refused when the device is made).
_TYPES = (
    "cpu", "cuda", "ipu", "xpu", "mkldnn", "opengl", "opencl", "ideep", "hip", "ve", "fpga",
    "maia", "xla", "lazy", "vulkan", "mps", "meta", "hpu", "mtia", "privateuseone",
)  # fmt: skip


class device:  # noqa: N801 - PyTorch's name
    """A device name, ``device("cpu")`` or ``device("cuda", 0)`` (only the CPU computes).

    >>> import tinygrad_fr as tg
    >>> tg.device("cpu"), str(tg.device("cuda:1"))
    (device(type='cpu'), 'cuda:1')
    """

    __slots__ = ("index", "type")

    def __init__(self, type: Any, index: int | None = None) -> None:
        spec = type  # PyTorch's argument name
        if isinstance(spec, device):
            index = spec.index if index is None else index
            spec = spec.type
        if not isinstance(spec, str):
            raise TypeError(f"device: expected a device name such as 'cpu', got {spec!r}")
        name, _, number = spec.partition(":")
        if name not in _TYPES:
            raise RuntimeError(
                f"Expected one of {', '.join(_TYPES)} device type at start of device string: {spec}"
            )
        if number:
            if not number.isdigit() or index is not None:
                raise RuntimeError(f"Invalid device string: '{spec}'")
            index = int(number)
        self.type: str = name
        self.index: int | None = index

    def __repr__(self) -> str:
        index = "" if self.index is None else f", index={self.index}"
        return f"device(type='{self.type}'{index})"

    def __str__(self) -> str:
        return self.type if self.index is None else f"{self.type}:{self.index}"

    def __eq__(self, other: object) -> bool:
        return isinstance(other, device) and other.type == self.type and other.index == self.index

    def __hash__(self) -> int:
        return hash((self.type, self.index))

    def __enter__(self) -> device:
        check(self, "with device")
        return self

    def __exit__(self, *exc: Any) -> None:
        pass


CPU = device("cpu")


def check(value: Any, op: str) -> None:
    """Refuse every device but the CPU (None means the default device, the CPU)."""
    if value is None or value is CPU:
        return
    if isinstance(value, str) and value in ("cpu", "cpu:0"):
        return
    if isinstance(value, int) and not isinstance(value, bool):
        value = f"cuda:{value}"
    resolved = value if isinstance(value, device) else device(value)
    if resolved.type != "cpu":
        raise RuntimeError(
            f"{op}: tinygrad_fr computes on the CPU with NumPy; device '{resolved}' is not "
            "available. Use device='cpu' (or leave the device out)."
        )


def get_default_device() -> device:
    """The device new tensors are made on: always the CPU."""
    return CPU


def set_default_device(value: Any) -> None:
    """Set the default device: only ``"cpu"`` (or None) is accepted."""
    check(value, "set_default_device")
