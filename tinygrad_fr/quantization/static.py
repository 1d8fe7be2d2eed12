"""Post-training static quantization: calibrate activations by min/max, then swap each
``nn.Linear`` of a copy of the model for an int8 :class:`QuantizedLinear`.

Calibration runs the float model on the calibration batches with forward hooks on every
Linear, recording the smallest and largest value of its input and output. The other modules
(activations, reshapes...) stay float and run between the int8 layers.
"""

from __future__ import annotations

import copy
from collections.abc import Iterable
from typing import Any

import numpy as np

from ..autograd.grad_mode import no_grad
from ..nn.layers import Linear
from ..nn.module import Module
from ..tensor import Tensor
from . import scheme
from .layers import LinearQuantization, QuantizedLinear


class _Range:
    """The running min and max of the values a layer saw."""

    def __init__(self) -> None:
        self.low, self.high = np.inf, -np.inf

    def update(self, values: np.ndarray) -> None:
        if values.size:
            self.low = min(self.low, float(values.min()))
            self.high = max(self.high, float(values.max()))


def quantize_static(
    model: Module, calibration_data: Any, per_channel: bool = True, *, power_of_two: bool = True
) -> Module:
    """An int8 copy of ``model``: every ``nn.Linear`` becomes a :class:`QuantizedLinear`.

    Args:
        model: a float Module (left unchanged; the copy is float32 and in eval mode).
        calibration_data: input batches to calibrate the activation ranges: one array or
            Tensor, or an iterable of them (or of ``(inputs, targets)`` pairs, as a
            DataLoader gives). A few hundred representative samples are enough.
        per_channel: one weight scale per output channel (True) or one per layer.
        power_of_two: round every scale up to a power of two, so that float and integer
            runtimes agree bit for bit (see :mod:`tinygrad_fr.quantization.scheme`).

    >>> import tinygrad_fr as tg
    >>> model = tg.nn.Sequential(tg.nn.Linear(4, 8), tg.nn.ReLU(), tg.nn.Linear(8, 3))
    >>> quantized = tg.quantization.quantize_static(model, tg.randn(32, 4))
    >>> quantized[0]
    QuantizedLinear(in_features=4, out_features=8, per_channel=True, output=int8)
    >>> quantized(tg.randn(5, 4)).shape
    (5, 3)
    """
    if not isinstance(model, Module):
        raise TypeError(
            f"quantize_static: model must be a tg.nn.Module, got {type(model).__name__}"
        )
    quantized = copy.deepcopy(model).float().eval()
    layers = [module for module in quantized.modules() if isinstance(module, Linear)]
    if not layers:
        raise ValueError(
            f"quantize_static: {type(model).__name__} has no nn.Linear layer to quantize"
        )
    inputs, outputs, is_output = _calibrate(quantized, layers, calibration_data)
    replacements: dict[int, QuantizedLinear] = {}
    for layer in layers:
        replacements[id(layer)] = QuantizedLinear(
            layer.in_features, layer.out_features,
            _quantize_layer(layer, inputs[id(layer)], None if is_output[id(layer)]
                            else outputs[id(layer)], per_channel, power_of_two),
        )  # fmt: skip
    if id(quantized) in replacements:  # the model is one Linear
        return replacements[id(quantized)]
    for parent in list(quantized.modules()):
        for name, child in list(parent._modules.items()):
            if child is not None and id(child) in replacements:
                setattr(parent, name, replacements[id(child)])
    return quantized


def _calibrate(
    model: Module, layers: list[Linear], calibration_data: Any
) -> tuple[dict[int, _Range], dict[int, _Range], dict[int, bool]]:
    """Run the batches; per layer, the range of its inputs and outputs, and whether its
    output is (one of) the model's output(s)."""
    inputs = {id(layer): _Range() for layer in layers}
    outputs = {id(layer): _Range() for layer in layers}
    last_outputs: dict[int, Any] = {}
    is_output = dict.fromkeys(inputs, False)

    def record(module: Any, args: tuple, output: Any) -> None:
        inputs[id(module)].update(args[0]._data)
        outputs[id(module)].update(output._data)
        last_outputs[id(module)] = output

    handles = [layer.register_forward_hook(record) for layer in layers]
    seen = 0
    try:
        with no_grad():
            for batch in _batches(calibration_data):
                returned = model(batch)
                results = returned if isinstance(returned, (tuple, list)) else (returned,)
                for key, output in last_outputs.items():
                    is_output[key] = is_output[key] or any(output is r for r in results)
                seen += 1
    finally:
        for handle in handles:
            handle.remove()
    missing = [i for i, layer in enumerate(layers) if inputs[id(layer)].low == np.inf]
    if not seen or missing:
        raise ValueError(
            "quantize_static: calibration_data gave no batch" if not seen else
            f"quantize_static: {len(missing)} Linear layer(s) never ran on the calibration "
            "data, so their activations have no range; calibrate with inputs that reach them"
        )  # fmt: skip
    return inputs, outputs, is_output


def _batches(data: Any) -> Iterable[Tensor]:
    if isinstance(data, (Tensor, np.ndarray)):
        yield data if isinstance(data, Tensor) else Tensor(data)
        return
    for item in data:
        if isinstance(item, (tuple, list)):  # (inputs, targets) from a DataLoader
            item = item[0]
        yield item if isinstance(item, Tensor) else Tensor(np.asarray(item, dtype=np.float32))


def _quantize_layer(
    layer: Linear, seen_in: _Range, seen_out: _Range | None, per_channel: bool,
    power_of_two: bool,
) -> LinearQuantization:  # fmt: skip
    weight = layer.weight._data.astype(np.float32)
    input_scale, input_zero_point = scheme.activation_params(
        seen_in.low, seen_in.high, power_of_two
    )
    weight_scale = scheme.weight_params(weight, per_channel, power_of_two)
    bias = None
    if layer.bias is not None:
        bias_scale = np.float32(input_scale) * weight_scale
        bias = np.clip(
            np.rint(layer.bias._data / bias_scale), np.iinfo(np.int32).min, np.iinfo(np.int32).max
        ).astype(np.int32)
    output_scale = output_zero_point = None
    if seen_out is not None:
        output_scale, output_zero_point = scheme.activation_params(
            seen_out.low, seen_out.high, power_of_two
        )
    return LinearQuantization(
        input_scale, input_zero_point, scheme.quantize_weight(weight, weight_scale),
        weight_scale, bias, output_scale, output_zero_point,
    )  # fmt: skip
