"""The Optimizer base class: parameter groups, per-parameter state, zero_grad, state dicts.

Subclasses (SGD, Adam...) only check their hyper-parameters and write ``_update`` (the rule
for one group's parameters, as PyTorch's functional optimizers take a group's lists);
everything else, including PyTorch's state-dict format, lives here. State arrays are plain
ndarrays updated in place; ``state_dict()`` hands out Tensor copies.
"""

from __future__ import annotations

import copy
import math
from collections import defaultdict
from collections.abc import Callable, Iterable
from typing import Any

import numpy as np

from ..autograd import grad_mode
from ..autograd.observer import observable
from ..tensor import Tensor, reset_grads

ParamsT = Iterable[Tensor] | Iterable[dict[str, Any]] | Iterable[tuple[str, Tensor]]


class Optimizer:
    """Base class of all optimizers, with PyTorch's ``param_groups`` and ``state``.

    Args:
        params: an iterable of Tensors, of ``(name, Tensor)`` pairs, or of dicts with a
            ``'params'`` entry and per-group options overriding ``defaults``.
        defaults: the default value of every option of the optimizer (``lr``...).
    """

    def __init__(self, params: ParamsT, defaults: dict[str, Any]) -> None:
        self.defaults = dict(defaults)
        self.state: defaultdict[Tensor, dict[str, Any]] = defaultdict(dict)
        self.param_groups: list[dict[str, Any]] = []
        self._check_group(self.defaults)
        if isinstance(params, Tensor):
            raise TypeError(
                f"{self._name()}: params should be an iterable of Tensors or dicts, got a "
                "single Tensor; pass [tensor] or model.parameters()"
            )
        if isinstance(params, (set, frozenset)):
            _unpack_params(self._name(), params)  # raises: a set has no stable order
        groups: list[Any] = list(params)
        if not groups:
            raise ValueError(
                f"{self._name()}: got an empty parameter list; pass model.parameters() (a "
                "generator can only be consumed once: call parameters() again)"
            )
        if not isinstance(groups[0], dict):
            groups = [{"params": groups}]
        for group in groups:
            self.add_param_group(group)

    def _name(self) -> str:
        return type(self).__name__

    def _check_group(self, group: dict[str, Any]) -> None:
        """Raise ValueError if an option of ``group`` is out of range (subclasses)."""

    def add_param_group(self, param_group: dict[str, Any]) -> None:
        """Add a group of parameters with its own options (defaults fill the rest)."""
        if not isinstance(param_group, dict):
            raise TypeError(
                f"{self._name()}.add_param_group: a param group must be a dict with a "
                f"'params' entry, got {type(param_group).__name__}"
            )
        if "params" not in param_group:
            raise ValueError(
                f"{self._name()}.add_param_group: the group {sorted(param_group)} has no "
                "'params' entry; pass {'params': [tensors...], 'lr': ...}"
            )
        group = dict(param_group)
        params, names = _unpack_params(self._name(), group["params"])
        group["params"] = params
        if names is not None:
            group["param_names"] = names
        index = len(self.param_groups)
        for name, default in self.defaults.items():
            group.setdefault(name, default)
        self._check_group(group)
        seen: dict[int, tuple[int, int]] = {}
        for number, old in enumerate(self.param_groups):
            for position, param in enumerate(old["params"]):
                seen[id(param)] = (number, position)
        for position, param in enumerate(params):
            if not param.is_leaf:
                raise ValueError(
                    f"{self._name()}: parameter {position} of group {index} is not a leaf "
                    "tensor (it was computed from others) and cannot be optimized; optimize "
                    "the tensors it comes from, or use x.detach().requires_grad_()"
                )
            if id(param) in seen:
                where = seen[id(param)]
                raise ValueError(
                    f"{self._name()}: parameter {position} of group {index} (shape "
                    f"{param.shape}) was given twice, it is already parameter {where[1]} of "
                    f"group {where[0]}; pass each parameter once"
                )
            seen[id(param)] = (index, position)
        self.param_groups.append(group)

    @observable
    def zero_grad(self, set_to_none: bool = True) -> None:
        """Reset the gradients: to None (default), or zero the grad arrays in place."""
        for group in self.param_groups:
            reset_grads(group["params"], set_to_none)

    @observable
    def step(self, closure: Callable[[], Any] | None = None) -> Any:
        """Update every parameter that has a gradient; returns ``closure()`` if given."""
        loss = self._evaluate(closure)
        for group in self.param_groups:
            ready = []
            for param in group["params"]:
                grad = param._grad
                if grad is not None:
                    if grad._data.shape != param._data.shape:
                        self._shape_changed(param, group, grad._data.shape)
                    ready.append(param)
            if ready:
                self._update(ready, group)
        return loss

    def _param_state(self, param: Tensor, group: dict[str, Any], *zeros: str) -> dict[str, Any]:
        """The state of ``param``, checked against the parameter's shape. An empty state
        given the names of ``zeros`` starts at ``step`` 0 with those arrays of zeros."""
        state = self.state[param]
        if state:
            shape = param._data.shape
            for value in state.values():
                if isinstance(value, np.ndarray) and value.shape != shape:
                    self._shape_changed(param, group, value.shape)
        elif zeros:
            state["step"] = 0
            for name in zeros:
                state[name] = np.zeros_like(param._data)
        return state

    def _shape_changed(self, param: Tensor, group: dict[str, Any], other: tuple) -> None:
        """Raise, naming the parameter: it changed shape since its gradient or state."""
        position = next(i for i, p in enumerate(group["params"]) if p is param)
        names = group.get("param_names")
        number = next(i for i, g in enumerate(self.param_groups) if g is group)
        name = f"'{names[position]}'" if names else f"{position} of group {number}"
        raise RuntimeError(
            f"{self._name()}.step: parameter {name} has shape {param.shape} but its gradient "
            f"or optimizer state has shape {other}: the parameter changed shape. Create a new "
            "optimizer after changing a parameter."
        )

    def _update(self, params: list[Tensor], group: dict[str, Any]) -> None:
        """Update ``params``, the parameters of ``group`` that have a gradient (in
        ``param.grad``), with the group's options (each optimizer defines it). The options
        are read once per step, not once per parameter."""
        raise NotImplementedError(f"{self._name()} does not implement step()")

    def _evaluate(self, closure: Callable[[], Any] | None) -> Any:
        if closure is None:
            return None
        with grad_mode.enable_grad():
            return closure()

    # -- state dicts ----------------------------------------------------------------------

    def state_dict(self) -> dict[str, Any]:
        """A snapshot of the state in PyTorch's format (parameters named by their index).

        ``{'state': {index: {...}}, 'param_groups': [{..., 'params': [indices]}]}``, with the
        state arrays copied into Tensors.
        """
        index_of: dict[int, int] = {}
        groups = []
        for group in self.param_groups:
            packed = {k: copy.deepcopy(v) for k, v in group.items() if k != "params"}
            for param in group["params"]:
                index_of.setdefault(id(param), len(index_of))
            packed["params"] = [index_of[id(param)] for param in group["params"]]
            groups.append(packed)
        state = {
            index_of[id(param)]: _export(value)
            for param, value in self.state.items()
            if id(param) in index_of
        }
        return {"state": state, "param_groups": groups}

    def load_state_dict(self, state_dict: dict[str, Any]) -> None:
        """Restore options and state from :meth:`state_dict` (parameters matched by order)."""
        name = f"{self._name()}.load_state_dict"
        if not isinstance(state_dict, dict) or not {"state", "param_groups"} <= set(state_dict):
            found = sorted(state_dict) if isinstance(state_dict, dict) else type(state_dict)
            raise ValueError(
                f"{name}: expected a dict with 'state' and 'param_groups' entries (as made by "
                f"optimizer.state_dict()), got {found}"
            )
        saved_groups = state_dict["param_groups"]
        if len(saved_groups) != len(self.param_groups):
            raise ValueError(
                f"{name}: the state dict has {len(saved_groups)} parameter groups but this "
                f"optimizer has {len(self.param_groups)}; build the optimizer with the same "
                "parameter groups as the one that was saved"
            )
        params_of: dict[Any, Tensor] = {}
        for number, (group, saved) in enumerate(zip(self.param_groups, saved_groups, strict=True)):
            if not isinstance(saved, dict) or "params" not in saved:
                raise ValueError(f"{name}: parameter group {number} has no 'params' list")
            if len(saved["params"]) != len(group["params"]):
                raise ValueError(
                    f"{name}: parameter group {number} of the state dict has "
                    f"{len(saved['params'])} parameters but this optimizer's has "
                    f"{len(group['params'])}; build the optimizer with the same parameters"
                )
            params_of.update(zip(saved["params"], group["params"], strict=True))
        state: defaultdict[Tensor, dict[str, Any]] = defaultdict(dict)
        for key, value in state_dict["state"].items():
            if key not in params_of:
                raise ValueError(
                    f"{name}: the state dict has state for parameter {key!r}, which no "
                    f"parameter group lists (known: {sorted(params_of, key=str)})"
                )
            param = params_of[key]
            state[param] = {k: _import(name, key, k, v, param) for k, v in value.items()}
        new_groups = []
        for group, saved in zip(self.param_groups, saved_groups, strict=True):
            new_group = {k: copy.deepcopy(v) for k, v in saved.items() if k != "params"}
            for option, value in group.items():
                new_group.setdefault(option, value)
            new_group["params"] = group["params"]
            self._check_group(new_group)
            new_groups.append(new_group)
        self.state = state
        self.param_groups = new_groups

    def __repr__(self) -> str:
        lines = [f"{self._name()} ("]
        for number, group in enumerate(self.param_groups):
            lines.append(f"Parameter Group {number}")
            for key in sorted(group):
                if key not in ("params", "param_names"):
                    lines.append(f"    {key}: {group[key]}")
        return "\n".join([*lines, ")"])


def _unpack_params(optimizer: str, params: Any) -> tuple[list[Tensor], list[str] | None]:
    """The group's Tensors, and their names when given as (name, Tensor) pairs."""
    if isinstance(params, Tensor):
        return [params], None
    if isinstance(params, (set, frozenset)):
        raise TypeError(
            f"{optimizer}: parameters must be in an ordered collection, not a set (its order "
            "changes between runs, which would scramble state dicts); use a list"
        )
    items = list(params)
    names = [item[0] for item in items if isinstance(item, tuple)]
    tensors = [item[1] if isinstance(item, tuple) else item for item in items]
    if names and len(names) != len(items):
        raise ValueError(
            f"{optimizer}: some parameters are given as (name, tensor) pairs and some are not; "
            "name all of them or none"
        )
    for position, tensor in enumerate(tensors):
        if not isinstance(tensor, Tensor):
            raise TypeError(
                f"{optimizer}: can only optimize Tensors, but parameter {position} is a "
                f"{type(tensor).__name__}; wrap it with tg.Tensor(..., requires_grad=True)"
            )
    return tensors, (names or None)


def _export(value: Any) -> Any:
    """A copy of a state value, with arrays as Tensors (for state_dict)."""
    if isinstance(value, np.ndarray):
        return Tensor._make(value.copy(), False, None)
    if isinstance(value, Tensor):
        return Tensor._make(value._data.copy(), False, None)
    if isinstance(value, dict):
        return {k: _export(v) for k, v in value.items()}
    if isinstance(value, (list, tuple)):
        return type(value)(_export(v) for v in value)
    return copy.deepcopy(value)


def _import(where: str, index: Any, key: str, value: Any, param: Tensor) -> Any:
    """A state value from a state dict as stored in ``state``: float arrays in the dtype
    of the parameter, the step count as an int."""
    if isinstance(value, (Tensor, np.ndarray, np.generic)):
        array = value._data if isinstance(value, Tensor) else np.asarray(value)
        if key == "step":
            return int(array.item())
        if array.dtype.kind == "f" and array.shape != param.shape:
            raise ValueError(
                f"{where}: state {key!r} of parameter {index} has shape {array.shape} but the "
                f"parameter has shape {param.shape}; the state dict was saved for a different "
                "model"
            )
        dtype = param._data.dtype if array.dtype.kind == "f" else array.dtype
        return np.array(array, dtype=dtype, copy=True)
    if key == "step" and isinstance(value, float) and math.isfinite(value):
        return int(value)
    if isinstance(value, dict):
        return {k: _import(where, index, k, v, param) for k, v in value.items()}
    return copy.deepcopy(value)


def check_range(
    optimizer: str,
    option: str,
    value: Any,
    low: float = 0.0,
    high: float | None = None,
    example: str = "",
) -> None:
    """Raise ValueError unless ``low <= value`` (and ``value < high`` when given)."""
    if isinstance(value, bool) or not isinstance(value, (int, float, np.integer, np.floating)):
        raise TypeError(f"{optimizer}: {option} must be a number, got {type(value).__name__}")
    inside = low <= value if high is None else low <= value < high
    if not inside:  # also catches NaN
        bounds = f">= {low}" if high is None else f"in [{low}, {high})"
        hint = f", e.g. {example}" if example else ""
        raise ValueError(f"{optimizer}: invalid {option}={value!r}; it must be {bounds}{hint}")
