"""The Tensor: an ndarray that remembers how it was computed, so gradients can flow back.

The class is defined here in full: construction, the autograd-facing attributes and methods
(``grad``, ``backward``, ``detach``, hooks), conversions to Python and NumPy, and the table of
its operation methods. Each operation is written once, as a function of its input, in the
module of its kind under :mod:`tinygrad_fr.methods`; the table binds it here by name.
"""

from __future__ import annotations

import copy
import math
import weakref
from collections.abc import Callable, Iterable, Iterator
from typing import Any

import numpy as np

from . import dtypes, printing
from .arrays import to_array
from .autograd import engine, function
from .autograd.grad_mode import state
from .autograd.hooks import LeafHooks, RemovableHandle, add_hook
from .autograd.observer import notify_read
from .autograd.storage import storage_of
from .devices import CPU, check
from .methods import arithmetic, conversion, indexing, inplace, linalg, pointwise, reductions
from .methods import shape as shapes
from .methods.dims import normalize_dim
from .ops.nondiff import Alias


class Tensor:
    """A multi-dimensional array that records operations for reverse-mode autodiff.

    As ``torch.Tensor``, ``Tensor(data)`` copies data into the default float dtype (float32,
    see :func:`tinygrad_fr.set_default_dtype`), while ``Tensor(2, 3)`` is a tensor of that
    size (zeros). Floating arrays and Tensors keep their dtype. :func:`tinygrad_fr.tensor`
    infers the dtype from the data instead (int64 for ints), as ``torch.tensor``.

    Args:
        data: a Python number, a (nested) list, a NumPy array or a Tensor (copied); or sizes.
        requires_grad: record operations on this tensor so that ``backward`` fills ``.grad``.
        dtype: convert to this dtype instead (``tg.float64``, ``tg.int64``...).
        device: only the CPU (``"cpu"``) is available.

    >>> import tinygrad_fr as tg
    >>> x = tg.Tensor([1.0, 2.0, 3.0], requires_grad=True)
    >>> (x * x).sum().backward()
    >>> x.grad
    tensor([2., 4., 6.])
    """

    __slots__ = (
        "__weakref__", "_data", "_grad", "_grad_fn", "_hooks", "_output_nr", "_requires_grad",
        "_savers", "_storage", "_view", "name",
    )  # fmt: skip

    # Let NumPy defer to Tensor's reflected operators: ndarray * Tensor gives a Tensor.
    __array_ufunc__ = None
    _is_node = False  # graph nodes have True: an edge to a Tensor is an edge to a leaf

    def __init__(
        self, *data: Any, requires_grad: bool = False, dtype: Any = None, device: Any = None
    ) -> None:
        if device is not None:
            check(device, "Tensor")
        if len(data) == 1 and not _is_size(data[0]):
            self._data = to_array(data[0], dtype)
        else:
            sizes = data[0] if len(data) == 1 and not isinstance(data[0], int) else data
            target = dtypes.get_default_dtype() if dtype is None else dtypes.resolve(dtype)
            self._data = np.zeros(tuple(sizes) if data else (0,), target)
        self._grad: Tensor | None = None
        self._requires_grad = False
        self._grad_fn: Any = None
        self._hooks: LeafHooks | None = None
        self._output_nr = 0
        self._storage: Any = None
        self._savers: list | None = None  # nodes that saved it before it had a storage
        self._view: tuple | None = None  # (view op, its args) when a view of args[0]
        self.name: str | None = None
        if requires_grad is not False:
            self.requires_grad = check_flag(requires_grad, "Tensor")

    @classmethod
    def _make(
        cls, data: np.ndarray, requires_grad: bool, grad_fn: Any, output_nr: int = 0
    ) -> Tensor:
        """Wrap an ndarray the library owns, without copying or checking (internal)."""
        tensor = object.__new__(Tensor)
        tensor._data = data
        tensor._grad = tensor._hooks = tensor._storage = tensor._savers = tensor._view = None
        tensor.name = None
        tensor._requires_grad = requires_grad
        tensor._grad_fn = grad_fn
        tensor._output_nr = output_nr
        return tensor

    # -- data and gradient -----------------------------------------------------------------

    @property
    def data(self) -> Tensor:
        """The same memory as a tensor without history (``requires_grad`` False), as in
        PyTorch: ``p.data -= lr * p.grad`` and ``w.data.normal_()`` change ``p`` and ``w``
        without being recorded. Assign a Tensor (its memory is shared, as in PyTorch) or an
        ndarray (copied: assign ``tg.from_numpy(array)`` to share it) to replace the values.

        Unlike PyTorch, writes through ``.data`` count as in-place changes of the tensor, so
        a graph that saved its old values refuses to backward rather than use new ones.
        """
        self._read(".data")
        return Alias.apply(self)

    @data.setter
    def data(self, value: Any) -> None:
        if isinstance(value, Tensor):
            array = value._data
            storage = storage_of(value)  # shared memory: shared version counter
        else:
            # A private copy: the caller's array stays theirs, and a graph that saves this
            # memory need not copy it at each forward to be safe from raw writes.
            array = value.copy() if isinstance(value, np.ndarray) else to_array(value)
            storage = None
        if array.dtype.kind != "f" and self._requires_grad:
            array, storage = array.astype(self._data.dtype), None
        self._replace_memory(array, storage)

    def _replace_memory(self, array: np.ndarray, storage: Any = None) -> None:
        """Hold ``array`` from now on (with ``storage``, when it is shared memory): what
        graphs saved keeps the old array intact, and no node waits for this memory."""
        self._data = array
        self._storage = storage
        self._savers = None

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
                raise RuntimeError(
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
        check_flag(value, "requires_grad")
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
        self.requires_grad = check_flag(requires_grad, "requires_grad_")
        return self

    @property
    def is_leaf(self) -> bool:
        """True for tensors created by the user rather than computed by a recorded op."""
        return self._grad_fn is None

    @property
    def grad_fn(self) -> Any:
        """The graph node that produced this tensor (None for leaves and under no_grad)."""
        return self._grad_fn

    @property
    def _base(self) -> Tensor | None:
        """The tensor this one is a view of (same memory), as PyTorch's ``_base``."""
        return None if self._view is None else self._view[1][0]

    @property
    def output_nr(self) -> int:
        """Which output of its ``grad_fn`` this tensor is (0 for single-output ops)."""
        return self._output_nr

    # -- autograd ------------------------------------------------------------------------

    def backward(
        self,
        gradient: Any = None,
        retain_graph: bool | None = None,
        create_graph: bool = False,
        inputs: Any = None,
    ) -> None:
        """Accumulate d(self)/d(leaf) into the ``.grad`` of every leaf that requires grad.

        Args:
            gradient: d(loss)/d(self), needed unless self holds a single element.
            retain_graph: keep saved values so that backward can run through the graph
                again (defaults to ``create_graph``).
            create_graph: record the backward pass itself, for higher-order gradients.
            inputs: accumulate only into these tensors' ``.grad`` (default: every leaf).
        """
        engine.backward([self], [gradient], retain_graph, create_graph, inputs)

    def detach(self) -> Tensor:
        """A tensor sharing this data, cut from the graph (requires_grad False)."""
        return Alias.apply(self)

    def detach_(self) -> Tensor:
        """Cut this tensor from the graph, in place: it becomes a leaf."""
        self._grad_fn, self._output_nr, self._requires_grad = None, 0, False
        return self

    def retain_grad(self) -> None:
        """Keep ``.grad`` on this non-leaf tensor after backward (leaves always keep it).

        As in PyTorch, every later backward or ``tg.grad`` through this tensor adds to its
        ``.grad``, including a ``tg.grad`` whose output is the tensor itself (adding ones).
        """
        node = self._grad_fn
        if node is None:
            if not self._requires_grad:
                raise RuntimeError(
                    "retain_grad: can't retain_grad on a tensor that has requires_grad=False"
                )
            return
        node.hooks().retained[self._output_nr] = weakref.ref(self)

    @property
    def retains_grad(self) -> bool:
        """Whether retain_grad() was called on this non-leaf tensor."""
        node = self._grad_fn
        if node is None or node._hooks is None:
            return False
        reference = node._hooks.retained.get(self._output_nr)
        return reference is not None and reference() is self

    def register_hook(self, hook: Callable[[Tensor], Tensor | None]) -> RemovableHandle:
        """Call ``hook(grad)`` each time the gradient of this tensor is computed; a Tensor
        it returns replaces the gradient. Returns a handle whose ``remove()`` unregisters it.

        >>> import tinygrad_fr as tg
        >>> v = tg.Tensor([0.0, 0.0, 0.0], requires_grad=True)
        >>> handle = v.register_hook(lambda grad: grad * 2)
        >>> v.backward(tg.Tensor([1.0, 2.0, 3.0])); v.grad
        tensor([2., 4., 6.])
        >>> handle.remove()
        """
        if not self._requires_grad:
            raise RuntimeError(
                "register_hook: cannot register a hook on a tensor that doesn't require "
                "gradient; create it with requires_grad=True (or compute it from one)"
            )
        node = self._grad_fn
        if node is None:
            return add_hook(self._leaf_hooks().pre, hook)
        return add_hook(node.hooks().for_output(self._output_nr), hook)

    def register_post_accumulate_grad_hook(self, hook: Callable[[Tensor], None]) -> RemovableHandle:
        """Call ``hook(tensor)`` after ``backward`` has accumulated into this leaf's ``.grad``
        (an optimizer step per parameter, for instance)."""
        if self._grad_fn is not None:
            raise RuntimeError(
                "register_post_accumulate_grad_hook: post accumulate grad hooks cannot be "
                "registered on non-leaf tensors (only leaves accumulate into .grad)"
            )
        if not self._requires_grad:
            raise RuntimeError(
                "register_post_accumulate_grad_hook: cannot register a hook on a tensor that "
                "doesn't require gradient"
            )
        return add_hook(self._leaf_hooks().post_accumulate, hook)

    def _leaf_hooks(self) -> LeafHooks:
        if self._hooks is None:
            self._hooks = LeafHooks()
        return self._hooks

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
        """The NumPy dtype of the elements (equal to ``tg.float32``...)."""
        return self._data.dtype

    @property
    def device(self) -> Any:
        """Where the tensor lives: always ``device(type='cpu')``."""
        return CPU

    is_cuda = False
    is_cpu = True

    def size(self, dim: int | None = None) -> Any:
        """The shape, or the size of dimension ``dim``."""
        if dim is None:
            return self._data.shape
        return self._data.shape[normalize_dim(dim, self._data.ndim, "size")]

    def dim(self) -> int:
        """The number of dimensions."""
        return self._data.ndim

    ndimension = dim

    def numel(self) -> int:
        """The number of elements."""
        return self._data.size

    nelement = numel

    def element_size(self) -> int:
        """The size of one element in bytes."""
        return self._data.itemsize

    def stride(self, dim: int | None = None) -> Any:
        """The step between elements of each dimension, in elements (0 where broadcast)."""
        strides = tuple(step // self._data.itemsize for step in self._data.strides)
        return strides if dim is None else strides[normalize_dim(dim, self._data.ndim, "stride")]

    def is_floating_point(self) -> bool:
        """True for floating dtypes."""
        return self._data.dtype.kind == "f"

    def is_contiguous(self) -> bool:
        """True when the elements are laid out in row-major order without gaps."""
        return bool(self._data.flags.c_contiguous)

    def numpy(self, force: bool = False) -> np.ndarray:
        """The data as an ndarray (shared, not copied)."""
        self._read(".data")
        storage_of(self).expose(self._data)
        return self._data

    def __array__(self, dtype: Any = None, copy: Any = None) -> np.ndarray:
        array = self.numpy()
        return array if dtype is None else array.astype(dtype)

    def _read(self, what: str) -> None:
        """The value leaves the graph (observers may refuse, e.g. while capturing)."""
        if state.observers:
            notify_read(self, what)

    def item(self) -> Any:
        """The value of a one-element tensor as a Python number."""
        self._read("item()")
        if self._data.size != 1:
            raise RuntimeError(
                f"item: a Tensor with {self._data.size} elements cannot be converted to a "
                f"Python number (shape {self.shape}); index one element first, or use tolist()"
            )
        return self._data.item()

    def tolist(self) -> Any:
        """The data as (nested) Python lists."""
        self._read("tolist()")
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
        self._read("bool()")
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
        self._read("index")
        return int(self._data.item())

    __hash__ = object.__hash__

    def __repr__(self) -> str:
        return printing.tensor_repr(self)

    def __format__(self, spec: str) -> str:
        if self._data.ndim == 0:
            return format(self.item(), spec)
        if spec:
            raise TypeError(
                f"unsupported format string {spec!r} passed to Tensor.__format__: only 0-d "
                "tensors take a format spec; format x.item() or x.tolist() instead"
            )
        return repr(self)

    def __deepcopy__(self, memo: dict) -> Tensor:
        if self._grad_fn is not None:
            raise RuntimeError(
                "deepcopy: only tensors created by the user (graph leaves) support the "
                "deepcopy protocol; detach() it first"
            )
        copied = object.__new__(type(self))  # a Parameter stays a Parameter
        copied._data = self._data.copy()
        copied._hooks = copied._storage = copied._savers = copied._view = copied._grad_fn = None
        copied._requires_grad, copied._output_nr, copied.name = self._requires_grad, 0, self.name
        grad = self._grad
        copied._grad = None if grad is None else Tensor._make(grad._data.copy(), False, None)
        memo[id(self)] = copied
        if hasattr(self, "__dict__"):  # a subclass with attributes of its own
            copied.__dict__.update(copy.deepcopy(self.__dict__, memo))
        return copied

    def _mutable_data(self) -> np.ndarray:
        """The data array, ready for an in-place update by library code (optimizers).

        Bumps the version counter, so a graph that saved the old values refuses to backward.
        If the array is read-only (locked for a live graph, or a broadcast view), the tensor
        gets a private copy first: the graph's saved values stay intact.
        """
        array = self._data
        if not array.flags.writeable:
            array = self._data = array.copy()
        storage = self._storage
        if storage is None:  # made now: the nodes that saved this memory start watching it
            storage = storage_of(self)
        storage.version += 1
        return array

    # -- operations (each defined once in tinygrad_fr/methods/) ----------------------------

    # arithmetic, comparisons and bitwise logic
    __add__, __radd__ = arithmetic.__add__, arithmetic.__radd__
    __sub__, __rsub__ = arithmetic.__sub__, arithmetic.__rsub__
    __mul__, __rmul__ = arithmetic.__mul__, arithmetic.__rmul__
    __truediv__, __rtruediv__ = arithmetic.__truediv__, arithmetic.__rtruediv__
    __floordiv__, __rfloordiv__ = arithmetic.__floordiv__, arithmetic.__rfloordiv__
    __mod__, __rmod__ = arithmetic.__mod__, arithmetic.__rmod__
    __pow__, __rpow__ = arithmetic.__pow__, arithmetic.__rpow__
    __matmul__, __rmatmul__ = arithmetic.__matmul__, arithmetic.__rmatmul__
    __neg__, __pos__, __abs__ = arithmetic.__neg__, arithmetic.__pos__, arithmetic.__abs__
    __invert__ = arithmetic.__invert__
    __and__, __rand__ = arithmetic.__and__, arithmetic.__rand__
    __or__, __ror__ = arithmetic.__or__, arithmetic.__ror__
    __xor__, __rxor__ = arithmetic.__xor__, arithmetic.__rxor__
    __lt__, __le__, __gt__, __ge__ = (
        arithmetic.__lt__, arithmetic.__le__, arithmetic.__gt__, arithmetic.__ge__,
    )  # fmt: skip
    __eq__, __ne__ = arithmetic.__eq__, arithmetic.__ne__  # type: ignore[assignment]
    add, sub, mul, div, pow = (
        arithmetic.add, arithmetic.sub, arithmetic.mul, arithmetic.div, arithmetic.pow,
    )  # fmt: skip
    subtract, multiply, divide, true_divide = sub, mul, div, arithmetic.true_divide
    floor_divide, remainder, fmod = arithmetic.floor_divide, arithmetic.remainder, arithmetic.fmod
    matmul, neg = arithmetic.matmul, arithmetic.neg
    negative = neg
    lt, le, gt, ge, eq, ne = (
        arithmetic.lt, arithmetic.le, arithmetic.gt, arithmetic.ge, arithmetic.eq, arithmetic.ne,
    )  # fmt: skip
    less, less_equal, greater, greater_equal, not_equal = lt, le, gt, ge, ne
    logical_not, logical_and, logical_or, logical_xor = (
        arithmetic.logical_not, arithmetic.logical_and, arithmetic.logical_or,
        arithmetic.logical_xor,
    )  # fmt: skip
    bitwise_not, bitwise_and, bitwise_or, bitwise_xor = (
        arithmetic.bitwise_not, arithmetic.bitwise_and, arithmetic.bitwise_or,
        arithmetic.bitwise_xor,
    )  # fmt: skip

    # element-wise functions
    exp, log, sqrt, abs, square = (
        pointwise.exp, pointwise.log, pointwise.sqrt, pointwise.abs, pointwise.square,
    )  # fmt: skip
    absolute = pointwise.abs
    tanh, sigmoid, relu, leaky_relu = (
        pointwise.tanh, pointwise.sigmoid, pointwise.relu, pointwise.leaky_relu,
    )  # fmt: skip
    sin, cos, tan, asin, acos, atan, atan2 = (
        pointwise.sin, pointwise.cos, pointwise.tan, pointwise.asin, pointwise.acos,
        pointwise.atan, pointwise.atan2,
    )  # fmt: skip
    arcsin, arccos, arctan, arctan2 = asin, acos, atan, atan2
    sinh, cosh, asinh, acosh, atanh = (
        pointwise.sinh, pointwise.cosh, pointwise.asinh, pointwise.acosh, pointwise.atanh,
    )  # fmt: skip
    arcsinh, arccosh, arctanh = asinh, acosh, atanh
    log1p, expm1, log2, log10, exp2 = (
        pointwise.log1p, pointwise.expm1, pointwise.log2, pointwise.log10, pointwise.exp2,
    )  # fmt: skip
    rsqrt, reciprocal, erf = pointwise.rsqrt, pointwise.reciprocal, pointwise.erf
    sign, floor, ceil, round, trunc, frac = (
        pointwise.sign, pointwise.floor, pointwise.ceil, pointwise.round, pointwise.trunc,
        pointwise.frac,
    )  # fmt: skip
    sgn, fix = sign, trunc
    isnan, isinf, isfinite = pointwise.isnan, pointwise.isinf, pointwise.isfinite
    clamp = clip = pointwise.clamp
    maximum, minimum = pointwise.maximum, pointwise.minimum

    # reductions and scans
    sum, mean, amax, amin = reductions.sum, reductions.mean, reductions.amax, reductions.amin
    max, min, argmax, argmin = (
        reductions.max, reductions.min, reductions.argmax, reductions.argmin,
    )  # fmt: skip
    prod, logsumexp, norm = reductions.prod, reductions.logsumexp, reductions.norm
    var, std = reductions.var, reductions.std
    cumsum, cumprod = reductions.cumsum, reductions.cumprod
    softmax, log_softmax = reductions.softmax, reductions.log_softmax
    any, all, count_nonzero = reductions.any, reductions.all, reductions.count_nonzero

    # matrix products
    mm, bmm, mv, dot, outer = linalg.mm, linalg.bmm, linalg.mv, linalg.dot, linalg.outer
    inner, ger = linalg.dot, linalg.outer

    # shapes
    reshape = view = shapes.reshape
    view_as, reshape_as, expand_as = shapes.view_as, shapes.view_as, shapes.expand_as
    flatten, squeeze, unsqueeze = shapes.flatten, shapes.squeeze, shapes.unsqueeze
    permute, expand, broadcast_to = shapes.permute, shapes.expand, shapes.broadcast_to
    transpose = swapaxes = shapes.transpose
    t, repeat, flip = shapes.t, shapes.repeat, shapes.flip
    chunk, split, unbind, narrow = shapes.chunk, shapes.split, shapes.unbind, shapes.narrow
    tril, triu = shapes.tril, shapes.triu
    T = property(shapes.reversed_dims, doc="All dimensions reversed (a matrix transposed).")
    mT = property(shapes.last_two_swapped, doc="The last two dimensions swapped.")  # noqa: N815

    # indexing
    __getitem__ = indexing.getitem
    __setitem__ = inplace.setitem
    index_select, gather, masked_fill = indexing.index_select, indexing.gather, indexing.masked_fill
    masked_select, nonzero, where = indexing.masked_select, indexing.nonzero, indexing.where_method

    # dtypes, devices and copies
    to, type, type_as, astype = conversion.to, conversion.type, conversion.type_as, conversion.to
    float, double, half, long, int, short, bool, byte = (
        conversion.float, conversion.double, conversion.half, conversion.long, conversion.int,
        conversion.short, conversion.bool, conversion.byte,
    )  # fmt: skip
    cpu, cuda = conversion.cpu, conversion.cuda
    clone, contiguous = conversion.clone, conversion.contiguous
    new_tensor, new_zeros, new_ones, new_full, new_empty = (
        conversion.new_tensor, conversion.new_zeros, conversion.new_ones, conversion.new_full,
        conversion.new_zeros,
    )  # fmt: skip

    # in place
    add_, sub_, mul_, div_, pow_ = (
        inplace.add_, inplace.sub_, inplace.mul_, inplace.div_, inplace.pow_,
    )  # fmt: skip
    __iadd__, __isub__, __imul__, __itruediv__ = (
        inplace.add_, inplace.sub_, inplace.mul_, inplace.div_,
    )  # fmt: skip
    __ifloordiv__, __imod__, __ipow__ = inplace.floor_divide_, inplace.remainder_, inplace.pow_
    __iand__, __ior__, __ixor__ = inplace.bitwise_and_, inplace.bitwise_or_, inplace.bitwise_xor_
    floor_divide_, remainder_ = inplace.floor_divide_, inplace.remainder_
    neg_, exp_, log_, sqrt_, abs_ = (
        inplace.neg_, inplace.exp_, inplace.log_, inplace.sqrt_, inplace.abs_,
    )  # fmt: skip
    tanh_, sigmoid_, relu_ = inplace.tanh_, inplace.sigmoid_, inplace.relu_
    sin_, cos_, tan_, square_, reciprocal_, rsqrt_ = (
        inplace.sin_, inplace.cos_, inplace.tan_, inplace.square_, inplace.reciprocal_,
        inplace.rsqrt_,
    )  # fmt: skip
    log1p_, expm1_, sign_, floor_, ceil_, round_, trunc_, frac_ = (
        inplace.log1p_, inplace.expm1_, inplace.sign_, inplace.floor_, inplace.ceil_,
        inplace.round_, inplace.trunc_, inplace.frac_,
    )  # fmt: skip
    clamp_ = clip_ = inplace.clamp_
    zero_, fill_, copy_, masked_fill_ = (
        inplace.zero_, inplace.fill_, inplace.copy_, inplace.masked_fill_,
    )  # fmt: skip
    normal_, uniform_, random_, bernoulli_, exponential_ = (
        inplace.normal_, inplace.uniform_, inplace.random_, inplace.bernoulli_,
        inplace.exponential_,
    )  # fmt: skip
    unsqueeze_, squeeze_, t_ = inplace.unsqueeze_, inplace.squeeze_, inplace.t_


class Size(tuple):
    """A shape, as ``torch.Size``: a tuple of ints (``.shape`` itself is a plain tuple)."""

    __slots__ = ()

    def __repr__(self) -> str:
        return f"torch.Size({list(self)})"

    def numel(self) -> int:
        """The number of elements of a tensor of this shape."""
        return math.prod(self)


def _is_size(value: Any) -> bool:
    """``Tensor(3)`` and ``Tensor(tg.Size([2, 3]))`` give sizes, as in PyTorch."""
    return (isinstance(value, int) and not isinstance(value, bool)) or isinstance(value, Size)


def reset_grads(tensors: Iterable[Tensor], set_to_none: bool = True) -> None:
    """Reset the ``.grad`` of ``tensors``: to None, or to zeros in place (PyTorch's rule: a
    gradient with history is detached first)."""
    for tensor in tensors:
        grad = tensor._grad
        if grad is None:
            continue
        if set_to_none:
            tensor._grad = None
        else:
            grad.detach_()
            grad._mutable_data().fill(0)


function.Tensor = Tensor


def check_flag(value: Any, op: str) -> bool:
    """``value`` if it is a bool, else a TypeError naming ``op`` (as PyTorch: 1, None or "no"
    are refused rather than read as true or false)."""
    if value is True or value is False:
        return value
    raise TypeError(
        f"{op}: requires_grad must be True or False, got {value!r} ({type(value).__name__})"
    )
