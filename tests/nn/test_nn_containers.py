"""ModuleDict, ParameterList, ParameterDict; Module.to's PyTorch forms and device checks."""

from __future__ import annotations

import numpy as np
import pytest

import tinygrad_fr as tg
from tinygrad_fr import nn


def test_module_dict_registers_its_modules_in_insertion_order():
    heads = nn.ModuleDict({"b": nn.Linear(2, 1), "a": nn.Linear(2, 3)})
    heads["c"] = nn.Tanh()
    heads.update([("d", nn.ReLU())])
    assert list(heads) == ["b", "a", "c", "d"]
    assert list(heads.keys()) == ["b", "a", "c", "d"]
    assert [name for name, _ in heads.named_parameters()] == [
        "b.weight",
        "b.bias",
        "a.weight",
        "a.bias",
    ]
    assert "a" in heads and len(heads) == 4
    assert isinstance(heads.pop("c"), nn.Tanh) and "c" not in heads
    del heads["d"]
    assert next(iter(heads.values())) is heads["b"]
    heads.clear()
    assert len(heads) == 0


def test_module_dict_repr_is_the_module_repr():
    heads = nn.ModuleDict({"a": nn.Linear(2, 2), "b": nn.ReLU()})
    assert repr(heads) == (
        "ModuleDict(\n  (a): Linear(in_features=2, out_features=2, bias=True)\n  (b): ReLU()\n)"
    )


def test_module_dict_refuses_non_modules():
    with pytest.raises(TypeError, match="not a Module"):
        nn.ModuleDict({"f": lambda x: x})


def test_parameter_list_wraps_tensors_and_names_them_by_position():
    weights = nn.ParameterList([tg.zeros(2), nn.Parameter(tg.ones(3))])
    weights.append(tg.zeros(1))
    weights += [tg.zeros(4)]
    assert [name for name, _ in weights.named_parameters()] == ["0", "1", "2", "3"]
    assert all(isinstance(p, nn.Parameter) and p.requires_grad for p in weights)
    assert weights[-1].shape == (4,)
    assert len(weights[1:3]) == 2
    weights[0] = tg.ones(5)
    assert weights[0].shape == (5,)
    with pytest.raises(IndexError, match="out of range"):
        weights[4]


def test_parameter_list_inside_a_model_is_trained():
    class Model(nn.Module):
        def __init__(self):
            super().__init__()
            self.scales = nn.ParameterList([nn.Parameter(tg.ones(2)) for _ in range(3)])

    model = Model()
    assert [name for name, _ in model.named_parameters()] == ["scales.0", "scales.1", "scales.2"]
    assert list(model.state_dict()) == ["scales.0", "scales.1", "scales.2"]


def test_parameter_list_repr_follows_pytorch():
    weights = nn.ParameterList([tg.zeros(2), tg.zeros(2, 3)])
    assert repr(weights) == (
        "ParameterList(\n    (0): Parameter containing: [float32 of size 2]\n"
        "    (1): Parameter containing: [float32 of size 2x3]\n)"
    )


def test_parameter_dict_behaves_as_a_dict_of_parameters():
    scales = nn.ParameterDict({"a": tg.ones(2)})
    scales["b"] = nn.Parameter(tg.zeros(3))
    assert list(scales) == ["a", "b"] and "b" in scales
    assert [name for name, _ in scales.named_parameters()] == ["a", "b"]
    assert scales.get("z") is None
    assert scales.pop("a").shape == (2,)
    assert list(scales.keys()) == ["b"]


def test_module_to_accepts_pytorchs_forms():
    model = nn.Linear(2, 2)
    assert model.to("cpu") is model
    assert model.to("cpu", tg.float64).weight.dtype == np.float64
    assert model.to(device="cpu", dtype=tg.float32).weight.dtype == np.float32
    assert model.to(tg.zeros(1, dtype=tg.float64)).weight.dtype == np.float64
    assert model.cpu() is model


class _Device:
    def __init__(self, name):
        self.type = name.split(":")[0]
        self.name = name

    def __str__(self):
        return self.name


@pytest.mark.parametrize("device", ["cuda", "cuda:0", "mps", 0, _Device("cuda:1")])
def test_other_devices_raise_a_runtime_error_naming_the_cpu(device):
    with pytest.raises(RuntimeError, match="computes on the CPU with NumPy"):
        nn.Linear(2, 2).to(device)


def test_cuda_raises_and_device_objects_for_the_cpu_pass():
    with pytest.raises(RuntimeError, match="CPU"):
        nn.Linear(2, 2).cuda()
    nn.Linear(2, 2).to(_Device("cpu"))
    for make in (nn.Linear, nn.LayerNorm, nn.BatchNorm1d, nn.Embedding):
        args = (2, 2) if make in (nn.Linear, nn.Embedding) else (2,)
        make(*args, device="cpu")
        with pytest.raises(RuntimeError, match="CPU"):
            make(*args, device="cuda")
