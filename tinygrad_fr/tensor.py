"""The Tensor: an ndarray that remembers how it was computed, so gradients can flow back.

This file holds construction, properties, conversions and the autograd-facing methods
(``backward``, ``detach``, ``retain_grad``, in-place updates). The methods that apply ops
are in :mod:`tinygrad_fr.tensor_math` (math) and :mod:`tinygrad_fr.tensor_shape` (shapes).
"""

from __future__ import annotations

import weakref
from collections.abc import Iterator
from typing import Any

import numpy as np

from . import dtypes
from .autograd import engine, function, grad_mode
from .autograd.storage import storage_of
from .ops.nondiff import Alias
from .tensor_math import TensorMath
from .tensor_shape import TensorShape

_PYTHON_SCALARS = (bool, int, float)


def to_array(data: Any, dtype: Any = None, op: str = "Tensor") -> np.ndarray:
    """Convert user data to a new ndarray with tinygrad_fr's dtype rules (see Tensor)."""
    if isinstance(data, Tensor):
        array = data._data
    elif isinstance(data, (np.ndarray, np.generic)):
        array = np.asarray(data)
    elif isinstance(data, _PYTHON_SCALARS) or isinstance(data, (list, tuple)):
        try:
            array = np.array(data)
        except ValueError as error:
            raise ValueError(
                f"{op}: cannot build a tensor from ragged nested lists ({error}); every row "
                "must have the same length"
            ) from None
        if array.dtype.kind in "biuf":
            array = array.astype(dtypes.get_default_dtype() if dtype is None else dtype)
            return array
    else:
        raise TypeError(
            f"{op}: cannot build a tensor from {type(data).__name__}; pass a number, a "
            "(nested) list of numbers, a NumPy array or a Tensor"
        )
    if array.dtype.kind not in "biuf":
        raise TypeError(
            f"{op}: cannot build a tensor from data of NumPy dtype {array.dtype} (kind "
            f"{array.dtype.kind!r}); only numbers and booleans are supported"
        )
    if dtype is not None:
        return array.astype(dtype)  # always a copy
    if array.dtype.kind != "f":
        return array.astype(dtypes.get_default_dtype())
    return array.copy()


class Tensor(TensorMath, TensorShape):
    """A multi-dimensional array that records operations for reverse-mode autodiff.

    Args:
        data: a Python number, a (nested) list, a NumPy array or a Tensor (copied).
            Numbers, lists and integer or boolean data become the default float dtype
            (float32, see :func:`tinygrad_fr.set_default_dtype`); floating arrays keep theirs.
        requires_grad: record operations on this tensor so that ``backward`` fills ``.grad``.
        dtype: convert to this dtype instead (``tg.float64``, ``tg.int64``...).

    >>> import tinygrad_fr as tg
    >>> x = tg.Tensor([1.0, 2.0, 3.0], requires_grad=True)
    >>> (x * x).sum().backward()
    >>> x.grad
    Tensor([2., 4., 6.])
    """

    __slots__ = (
        "__weakref__",
        "_data",
        "_grad",
        "_grad_fn",
        "_output_nr",
        "_requires_grad",
        "_storage",
        "name",
    )  # fmt: skip

    # Let NumPy defer to Tensor's reflected operators: ndarray * Tensor gives a Tensor.
    __array_ufunc__ = None
    _is_node = False  # graph nodes have True: an edge to a Tensor is an edge to a leaf

    def __init__(self, data: Any, requires_grad: bool = False, dtype: Any = None) -> None:
        self._data = to_array(data, None if dtype is None else np.dtype(dtype))
        self._grad: Tensor | None = None
        self._requires_grad = False
        self._grad_fn: Any = None
        self._output_nr = 0
        self._storage: Any = None
        self.name: str | None = None
        if requires_grad:
            self.requires_grad = True

    @classmethod
    def _make(cls, data: np.ndarray, requires_grad: bool, grad_fn: Any, output_nr: int = 0):
        """Wrap an ndarray the library owns, without copying or checking (internal)."""
        tensor = object.__new__(Tensor)
        tensor._data = data
        tensor._grad = None
        tensor._requires_grad = requires_grad
        tensor._grad_fn = grad_fn
        tensor._output_nr = output_nr
        tensor._storage = None
        tensor.name = None
        return tensor

    # -- data and gradient -----------------------------------------------------------------

    @property
    def data(self) -> np.ndarray:
        """The underlying ndarray. Assign to replace it (e.g. to load weights)."""
        if grad_mode.capturing:
            _refuse_while_capturing(".data")
        storage_of(self).expose(self._data)
        return self._data

    @data.setter
    def data(self, value: Any) -> None:
        array = value._data if isinstance(value, Tensor) else np.asarray(value)
        if array.dtype.kind != "f" and self._requires_grad:
            array = array.astype(self._data.dtype)
        self._data = array
        self._storage = None  # new memory: whatever was saved keeps the old array intact

    @property
    def grad(self) -> Tensor | None:
        """The accumulated gradient (a Tensor), or None before any backward."""
        return self._grad

    @grad.setter
    def grad(self, value: Tensor | None) -> None:
        if value is not None:
            if not isinstance(value, Tensor):
                raise TypeError(
                    f"grad: assigned value must be a Tensor or None, got {type(value).__name__}"
                )
            if value.shape != self.shape:
                raise ValueError(
                    f"grad: assigned gradient has shape {value.shape} but the tensor has "
                    f"shape {self.shape}"
                )
        self._grad = value

    @property
    def requires_grad(self) -> bool:
        """Whether operations on this tensor are recorded for backward."""
        return self._requires_grad

    @requires_grad.setter
    def requires_grad(self, value: bool) -> None:
        if self._grad_fn is not None:
            raise RuntimeError(
                "requires_grad: you can only change requires_grad of leaf tensors; use "
                "y.detach() to get a tensor that does not require grad"
            )
        if value and self._data.dtype.kind != "f":
            raise RuntimeError(
                f"requires_grad: only floating point tensors can require gradients, this one "
                f"has dtype {self._data.dtype}; convert it with .float() or .double() first"
            )
        self._requires_grad = bool(value)

    def requires_grad_(self, requires_grad: bool = True) -> Tensor:
        """Set ``requires_grad`` in place and return self."""
        self.requires_grad = requires_grad
        return self

    @property
    def is_leaf(self) -> bool:
        """True for tensors created by the user rather than computed by a recorded op."""
        return self._grad_fn is None

    @property
    def grad_fn(self) -> Any:
        """The graph node that produced this tensor (None for leaves and under no_grad)."""
        return self._grad_fn

    def retain_grad(self) -> None:
        """Keep ``.grad`` on this non-leaf tensor after backward (leaves always keep it).

        As in PyTorch, every later backward or ``tg.grad`` through this tensor adds to its
        ``.grad``, including a ``tg.grad`` whose output is the tensor itself (adding ones).
        """
        node = self._grad_fn
        if node is None:
            return
        retained = node._retained
        if retained is None:
            retained = node._retained = []
        if not any(ref() is self for _, ref in retained):
            retained.append((self._output_nr, weakref.ref(self)))

    @property
    def retains_grad(self) -> bool:
        """Whether retain_grad() was called on this non-leaf tensor."""
        retained = self._grad_fn._retained if self._grad_fn is not None else None
        return retained is not None and any(ref() is self for _, ref in retained)

    def backward(
        self, gradient: Any = None, retain_graph: bool | None = None, create_graph: bool = False
    ) -> None:
        """Accumulate d(self)/d(leaf) into the ``.grad`` of every leaf that requires grad.

        Args:
            gradient: d(loss)/d(self), needed unless self holds a single element.
            retain_graph: keep saved values so that backward can run through the graph
                again (defaults to ``create_graph``).
            create_graph: record the backward pass itself, for higher-order gradients.
        """
        engine.backward([self], [gradient], retain_graph, create_graph)

    def detach(self) -> Tensor:
        """A tensor sharing this data, cut from the graph (requires_grad False)."""
        return Alias.apply(self)

    # -- shape and conversions ------------------------------------------------------------

    @property
    def shape(self) -> tuple[int, ...]:
        """The size of each dimension."""
        return self._data.shape

    @property
    def ndim(self) -> int:
        """The number of dimensions."""
        return self._data.ndim

    @property
    def dtype(self) -> np.dtype:
        """The NumPy dtype of the elements."""
        return self._data.dtype

    def size(self, dim: int | None = None) -> Any:
        """The shape, or the size of dimension ``dim``."""
        return self._data.shape if dim is None else self._data.shape[dim]

    def dim(self) -> int:
        """The number of dimensions."""
        return self._data.ndim

    def numel(self) -> int:
        """The number of elements."""
        return self._data.size

    def numpy(self) -> np.ndarray:
        """The data as an ndarray (shared, not copied)."""
        return self.data

    def __array__(self, dtype: Any = None, copy: Any = None) -> np.ndarray:
        array = self.data
        return array if dtype is None else array.astype(dtype)

    def item(self) -> Any:
        """The value of a one-element tensor as a Python number."""
        if grad_mode.capturing:
            _refuse_while_capturing("item()")
        if self._data.size != 1:
            raise ValueError(
                f"item: only a tensor with one element can be converted to a Python number, "
                f"this one has shape {self.shape}"
            )
        return self._data.item()

    def tolist(self) -> Any:
        """The data as (nested) Python lists."""
        if grad_mode.capturing:
            _refuse_while_capturing("tolist()")
        return self._data.tolist()

    def __len__(self) -> int:
        if self._data.ndim == 0:
            raise TypeError("len() of a 0-d tensor")
        return self._data.shape[0]

    def __iter__(self) -> Iterator[Tensor]:
        if self._data.ndim == 0:
            raise TypeError("iteration over a 0-d tensor")
        return (self[i] for i in range(self._data.shape[0]))

    def __bool__(self) -> bool:
        if grad_mode.capturing:
            _refuse_while_capturing("bool()")
        if self._data.size != 1:
            raise RuntimeError(
                f"the truth value of a tensor with {self._data.size} elements is ambiguous; "
                "use .any() or .all()"
            )
        return bool(self._data)

    def __float__(self) -> float:
        return float(self.item())

    def __int__(self) -> int:
        return int(self.item())

    def __index__(self) -> int:
        if self._data.dtype.kind not in "iu" or self._data.size != 1:
            raise TypeError("only integer tensors with one element can be used as an index")
        return int(self._data.item())

    __hash__ = object.__hash__

    def __repr__(self) -> str:
        body = np.array2string(self._data, separator=", ", precision=4, prefix="Tensor(")
        extras = []
        if self._data.dtype != dtypes.get_default_dtype() or self._data.dtype.kind != "f":
            extras.append(f"dtype={self._data.dtype}")
        if self._grad_fn is not None:
            extras.append(f"grad_fn={self._grad_fn!r}")
        elif self._requires_grad:
            extras.append("requires_grad=True")
        if self.name:
            extras.append(f"name={self.name!r}")
        return "Tensor(" + body + "".join(", " + extra for extra in extras) + ")"

    # -- in-place updates -----------------------------------------------------------------

    def _update_in_place(self, op: str, compute: Any) -> Tensor:
        """Write ``compute(array)`` into the data in place and bump the version counter.

        Recording an in-place op would rewrite history, so it is refused on tensors that
        require grad, unless grad recording is off (as in an optimizer's step).
        """
        if grad_mode.capturing:
            _refuse_while_capturing(op)
        if self._requires_grad and grad_mode.grad_enabled:
            what = "a leaf tensor" if self._grad_fn is None else "a tensor"
            raise RuntimeError(
                f"{op}: {what} that requires grad cannot be modified in place while "
                "gradients are recorded; wrap the update in `with tg.no_grad():` or use the "
                "out-of-place form (x = x + y)"
            )
        array = self._data
        storage = storage_of(self)
        relock = storage.locked is not None and any(a is array for a in storage.locked)
        if relock:
            array.flags.writeable = True  # our own write is versioned, unlike a raw one
        try:
            compute(array)
        except ValueError as error:
            raise RuntimeError(f"{op}: cannot write into this tensor in place: {error}") from None
        finally:
            if relock:
                array.flags.writeable = False
        storage.version += 1
        return self

    def _mutable_data(self) -> np.ndarray:
        """The data array, ready for an in-place update by library code (optimizers).

        Bumps the version counter, so a graph that saved the old values refuses to backward.
        If the array is read-only (locked for a live graph, or a broadcast view), the tensor
        gets a private copy first: the graph's saved values stay intact.
        """
        if grad_mode.capturing:
            _refuse_while_capturing("an in-place update")
        array = self._data
        if not array.flags.writeable:
            array = self._data = array.copy()
        storage = self._storage
        if storage is not None:
            storage.version += 1
        return array

    def _value(self, other: Any) -> Any:
        return other._data if isinstance(other, Tensor) else other

    def add_(self, other: Any, alpha: float = 1.0) -> Tensor:
        """In place: self += alpha * other."""
        value = self._value(other)
        value = value if alpha == 1.0 else value * alpha
        return self._update_in_place("add_", lambda a: np.add(a, value, out=a, casting="unsafe"))

    def sub_(self, other: Any, alpha: float = 1.0) -> Tensor:
        """In place: self -= alpha * other."""
        value = self._value(other)
        value = value if alpha == 1.0 else value * alpha
        return self._update_in_place(
            "sub_", lambda a: np.subtract(a, value, out=a, casting="unsafe")
        )

    def mul_(self, other: Any) -> Tensor:
        """In place: self *= other."""
        value = self._value(other)
        return self._update_in_place(
            "mul_", lambda a: np.multiply(a, value, out=a, casting="unsafe")
        )

    def div_(self, other: Any) -> Tensor:
        """In place: self /= other."""
        value = self._value(other)
        return self._update_in_place("div_", lambda a: np.divide(a, value, out=a, casting="unsafe"))

    def zero_(self) -> Tensor:
        """In place: fill with zeros."""
        return self._update_in_place("zero_", lambda a: a.fill(0))

    def fill_(self, value: float) -> Tensor:
        """In place: fill with ``value``."""
        return self._update_in_place("fill_", lambda a: a.fill(self._value(value)))

    def copy_(self, source: Any) -> Tensor:
        """In place: copy ``source`` (broadcast to this shape) into self."""
        value = self._value(source)
        return self._update_in_place("copy_", lambda a: np.copyto(a, value, casting="unsafe"))

    def clamp_(self, min: float | None = None, max: float | None = None) -> Tensor:
        """In place: clamp to [min, max]."""
        return self._update_in_place("clamp_", lambda a: np.clip(a, min, max, out=a))

    def __iadd__(self, other: Any) -> Tensor:
        return self.add_(other)

    def __isub__(self, other: Any) -> Tensor:
        return self.sub_(other)

    def __imul__(self, other: Any) -> Tensor:
        return self.mul_(other)

    def __itruediv__(self, other: Any) -> Tensor:
        return self.div_(other)

    def __setitem__(self, index: Any, value: Any) -> None:
        index = _index_arrays(index)
        value = self._value(value)

        def write(array: np.ndarray) -> None:
            array[index] = value

        self._update_in_place("__setitem__", write)


def _refuse_while_capturing(what: str) -> None:
    from .jit import CaptureError

    raise CaptureError(
        f"capture: {what} is not allowed inside a captured function: a replay would not "
        "redo it. Return the tensor and read it after the call, or do it outside"
    )


def _index_arrays(index: Any) -> Any:
    """Replace Tensors inside an index by their arrays."""
    if isinstance(index, Tensor):
        return index._data
    if isinstance(index, tuple):
        return tuple(i._data if isinstance(i, Tensor) else i for i in index)
    return index


function.Tensor = Tensor
