"""Matrix products with PyTorch's shape rules: ``mm`` (2-D), ``bmm`` (3-D batches), ``mv``
(matrix-vector), ``dot`` (1-D), ``outer``. Each checks the shapes, then applies the one
matmul primitive; unlike ``matmul`` (``@``), none of them broadcasts.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from ..autograd import function
from ..ops.linalg import MatMul
from ..ops.movement import Reshape

if TYPE_CHECKING:
    from ..tensor import Tensor


def _tensor(value: Any, op: str) -> Tensor:
    if not isinstance(value, function.Tensor):
        raise TypeError(
            f"{op}: expected a Tensor as the second operand, got {type(value).__name__}"
        )
    return value


def _same_dtype(op: str, a: Tensor, b: Tensor) -> None:
    if a._data.dtype != b._data.dtype:
        raise RuntimeError(
            f"{op}: expected both operands to have the same dtype, but got {a._data.dtype} "
            f"and {b._data.dtype}; convert one with .to(other.dtype)"
        )


def mm(input: Tensor, mat2: Any) -> Tensor:
    """The product of two matrices, (n, m) @ (m, p) -> (n, p)."""
    mat2 = _tensor(mat2, "mm")
    a, b = input._data.shape, mat2._data.shape
    if len(a) != 2 or len(b) != 2:
        raise RuntimeError(f"mm: both operands must be matrices (2-D), got shapes {a} and {b}")
    if a[1] != b[0]:
        raise RuntimeError(
            f"mm: mat1 and mat2 shapes cannot be multiplied ({a[0]}x{a[1]} and {b[0]}x{b[1]})"
        )
    _same_dtype("mm", input, mat2)
    return MatMul.apply(input, mat2)


def bmm(input: Tensor, mat2: Any) -> Tensor:
    """Batched matrix product, (b, n, m) @ (b, m, p) -> (b, n, p), without broadcasting."""
    mat2 = _tensor(mat2, "bmm")
    a, b = input._data.shape, mat2._data.shape
    if len(a) != 3 or len(b) != 3:
        raise RuntimeError(f"bmm: both operands must be 3-D batches of matrices, got {a} and {b}")
    if a[0] != b[0] or a[2] != b[1]:
        raise RuntimeError(
            f"bmm: cannot multiply batches of shapes {a} and {b}; the batch sizes must be equal "
            "and the inner dimensions match"
        )
    _same_dtype("bmm", input, mat2)
    return MatMul.apply(input, mat2)


def mv(input: Tensor, vec: Any) -> Tensor:
    """Matrix-vector product, (n, m) @ (m,) -> (n,)."""
    vec = _tensor(vec, "mv")
    a, b = input._data.shape, vec._data.shape
    if len(a) != 2 or len(b) != 1 or a[1] != b[0]:
        raise RuntimeError(
            f"mv: expected a matrix (n, m) and a vector (m,), got shapes {a} and {b}"
        )
    _same_dtype("mv", input, vec)
    return MatMul.apply(input, vec)


def dot(input: Tensor, other: Any) -> Tensor:
    """The dot product of two vectors of the same length (a 0-d tensor)."""
    other = _tensor(other, "dot")
    a, b = input._data.shape, other._data.shape
    if len(a) != 1 or len(b) != 1:
        raise RuntimeError(f"dot: 1D tensors expected, but got shapes {a} and {b}")
    if a != b:
        raise RuntimeError(
            f"dot: inconsistent tensor size, expected both vectors to have the same number of "
            f"elements, but got {a[0]} and {b[0]}"
        )
    _same_dtype("dot", input, other)
    return MatMul.apply(input, other)


def outer(input: Tensor, vec2: Any) -> Tensor:
    """The outer product of two vectors, (n,) and (m,) -> (n, m)."""
    vec2 = _tensor(vec2, "outer")
    a, b = input._data.shape, vec2._data.shape
    if len(a) != 1 or len(b) != 1:
        raise RuntimeError(f"outer: 1D tensors expected, but got shapes {a} and {b}")
    return Reshape.apply(input, (a[0], 1)) * Reshape.apply(vec2, (1, b[0]))
