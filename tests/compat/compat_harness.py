"""Run a corpus script as the PyTorch code it is: with tinygrad_fr standing in for ``torch``
(every ``torch.X`` import resolves to ``tinygrad_fr.X``), or with PyTorch itself.

A script may declare ``NEEDS = {...}``: Tensor-side features it uses that another branch adds
(see FEATURES); it is expected to fail until every one of them is present. ``TOLERANCE``
sets the relative tolerance of the comparison with PyTorch (float32 scripts keep the default);
``ABS_TOLERANCE`` the absolute one, for numbers a script prints that are rounding noise around
zero (by default a hundredth of ``TOLERANCE``).
"""

from __future__ import annotations

import ast
import contextlib
import importlib
import importlib.abc
import importlib.util
import io
import math
import re
import runpy
import sys
import warnings
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any, NamedTuple

import tinygrad_fr as tg

SCRIPTS = Path(__file__).with_name("scripts")
DEFAULT_TOLERANCE = 1e-5


def _probe(check: Callable[[], Any]) -> Callable[[], bool]:
    def probe() -> bool:
        try:
            return bool(check())
        except Exception:
            return False

    return probe


# Tensor-side features (issue 8, the other branch): a script needing one waits for it.
FEATURES: dict[str, Callable[[], bool]] = {
    "sin": _probe(lambda: tg.sin(tg.zeros(1)) is not None and hasattr(tg.Tensor, "sin")),
    "mm": _probe(lambda: tg.mm(tg.ones(1, 1), tg.ones(1, 1)) is not None),
    "device": _probe(lambda: tg.device("cpu") is not None and not tg.cuda.is_available()),
    "int64": _probe(lambda: tg.tensor([1, 2]).dtype == tg.int64),
    "data-tensor": _probe(lambda: isinstance(tg.zeros(1).data, tg.Tensor)),
    "repr": _probe(lambda: repr(tg.zeros(1)) == "tensor([0.])"),
    "format": _probe(lambda: format(tg.tensor(1.5), ".2f") == "1.50"),
    "argmax": _probe(lambda: tg.argmax(tg.ones(2)) is not None),
    "norm": _probe(lambda: tg.ones(2, 2).norm(2, dim=1) is not None),
    "LongTensor": _probe(lambda: tg.LongTensor([1]).dtype == tg.int64),
    "normal_": _probe(lambda: tg.zeros(2).normal_(0, 1) is not None),
    "t": _probe(lambda: tg.ones(2, 3).t().shape == (3, 2)),
}


class Declared(NamedTuple):
    """What a script declares at its top level: NEEDS, TOLERANCE and ABS_TOLERANCE."""

    needs: set[str]
    tolerance: float
    abs_tolerance: float


def declared(path: Path) -> Declared:
    """The script's NEEDS set and tolerances, read without running it."""
    needs: set[str] = set()
    tolerance = DEFAULT_TOLERANCE
    abs_tolerance: float | None = None
    for node in ast.parse(path.read_text()).body:
        if isinstance(node, ast.Assign) and len(node.targets) == 1:
            name = getattr(node.targets[0], "id", None)
            if name == "NEEDS":
                needs = set(ast.literal_eval(node.value))
            elif name == "TOLERANCE":
                tolerance = float(ast.literal_eval(node.value))
            elif name == "ABS_TOLERANCE":
                abs_tolerance = float(ast.literal_eval(node.value))
    unknown = needs - set(FEATURES)
    if unknown:
        raise ValueError(f"{path.name}: unknown features in NEEDS: {sorted(unknown)}")
    return Declared(needs, tolerance, tolerance * 1e-2 if abs_tolerance is None else abs_tolerance)


def missing_features(needs: set[str]) -> list[str]:
    """The features of ``needs`` this tinygrad_fr does not have yet."""
    return sorted(name for name in needs if not FEATURES[name]())


class _TinygradAsTorch(importlib.abc.MetaPathFinder, importlib.abc.Loader):
    """Resolves ``torch`` and ``torch.X.Y`` to the already imported ``tinygrad_fr.X.Y``."""

    def __init__(self) -> None:
        self._targets: dict[str, Any] = {}
        self._specs: dict[str, Any] = {}

    def find_spec(self, fullname: str, path: Any = None, target: Any = None) -> Any:
        if fullname != "torch" and not fullname.startswith("torch."):
            return None
        module = importlib.import_module("tinygrad_fr" + fullname[len("torch") :])
        self._targets[fullname] = module
        is_package = hasattr(module, "__path__")
        return importlib.util.spec_from_loader(fullname, self, is_package=is_package)

    def create_module(self, spec: Any) -> Any:
        module = self._targets[spec.name]
        self._specs[spec.name] = module.__spec__
        return module

    def exec_module(self, module: Any) -> None:
        # The import system set the alias spec on the module: give it back its own.
        for name, target in self._targets.items():
            if target is module:
                module.__spec__ = self._specs[name]


@contextlib.contextmanager
def torch_is_tinygrad() -> Iterator[None]:
    """Within the block, ``import torch...`` imports tinygrad_fr (real torch set aside)."""
    saved = {n: m for n, m in sys.modules.items() if n == "torch" or n.startswith("torch.")}
    for name in saved:
        del sys.modules[name]
    finder = _TinygradAsTorch()
    sys.meta_path.insert(0, finder)
    try:
        yield
    finally:
        sys.meta_path.remove(finder)
        for name in [n for n in sys.modules if n == "torch" or n.startswith("torch.")]:
            del sys.modules[name]
        sys.modules.update(saved)


def run(path: Path, with_torch: bool = False) -> str:
    """Run the script as ``__main__`` and return what it printed."""
    out = io.StringIO()
    context = contextlib.nullcontext() if with_torch else torch_is_tinygrad()
    with context, contextlib.redirect_stdout(out), warnings.catch_warnings():
        warnings.simplefilter("ignore", DeprecationWarning)  # Variable, as PyTorch's users see
        warnings.simplefilter("ignore", FutureWarning)
        if with_torch:  # e.g. pin_memory=True without a GPU
            warnings.simplefilter("ignore", UserWarning)
        try:
            runpy.run_path(str(path), run_name="__main__")
        finally:
            _reset(with_torch)
    return out.getvalue()


def _reset(with_torch: bool) -> None:
    """Undo the global settings a script may change."""
    if with_torch:
        import torch

        torch.set_default_dtype(torch.float32)
        torch.set_grad_enabled(True)
    else:
        tg.set_default_dtype(tg.float32)
        tg.set_grad_enabled(True)


_NUMBER = re.compile(r"[-+]?(?:\d+\.\d*|\.\d+|\d+)(?:[eE][-+]?\d+)?|[-+]?\b(?:nan|inf)\b")


def numbers(text: str) -> list[float]:
    """Every number printed, in order."""
    return [float(match) for match in _NUMBER.findall(text)]


def masked(text: str) -> str:
    """The text with every number replaced by '#' (what must match word for word)."""
    return _NUMBER.sub("#", text)


def compare(ours: str, theirs: str, tolerance: float, abs_tolerance: float) -> None:
    """Raise AssertionError unless both outputs have the same words and close numbers."""
    if masked(ours) != masked(theirs):
        raise AssertionError(
            "the outputs differ beyond their numbers:\n"
            f"--- tinygrad_fr\n{ours}\n--- torch\n{theirs}"
        )
    mine, reference = numbers(ours), numbers(theirs)
    for position, (a, b) in enumerate(zip(mine, reference, strict=True)):
        close = (math.isnan(a) and math.isnan(b)) or math.isclose(
            a, b, rel_tol=tolerance, abs_tol=abs_tolerance
        )
        if not close:
            raise AssertionError(
                f"number {position} differs: {a} (tinygrad_fr) vs {b} (torch), tolerance "
                f"{tolerance}\n--- tinygrad_fr\n{ours}\n--- torch\n{theirs}"
            )
