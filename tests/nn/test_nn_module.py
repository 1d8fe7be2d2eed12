"""Module: registration, traversal, modes, gradients, dtype and repr."""

from __future__ import annotations

import copy
import pickle

import numpy as np
import pytest

import tinygrad_fr as tg
from tinygrad_fr import nn


class TwoLayers(nn.Module):
    def __init__(self) -> None:
        super().__init__()
        self.fc1 = nn.Linear(2, 3)
        self.act = nn.Tanh()
        self.fc2 = nn.Linear(3, 1)

    def forward(self, x: tg.Tensor) -> tg.Tensor:
        return self.fc2(self.act(self.fc1(x)))


class WithOwnParameter(nn.Module):
    def __init__(self) -> None:
        super().__init__()
        self.scale = nn.Parameter(tg.ones(1))
        self.body = nn.Sequential(nn.Linear(1, 2), nn.ReLU(), nn.Linear(2, 1))
        self.offset = nn.Parameter(tg.zeros(1))


# -- Parameter ------------------------------------------------------------------------------


def test_parameter_is_a_tensor_that_requires_grad():
    param = nn.Parameter(tg.Tensor([1.0, 2.0]))
    assert isinstance(param, tg.Tensor) and param.requires_grad and param.is_leaf


def test_parameter_can_be_frozen_at_construction():
    assert not nn.Parameter(tg.ones(2), requires_grad=False).requires_grad


def test_parameter_repr_says_parameter_containing():
    assert repr(nn.Parameter(tg.zeros(2))) == (
        "Parameter containing:\ntensor([0., 0.], requires_grad=True)"
    )


def test_parameter_copies_its_data():
    source = tg.Tensor([1.0, 2.0])
    param = nn.Parameter(source)
    source[0] = 5.0
    assert param.tolist() == [1.0, 2.0]


def test_operations_on_a_parameter_give_plain_tensors():
    param = nn.Parameter(tg.ones(2))
    assert type(param * 2) is tg.Tensor
    assert type(param + tg.ones(2)) is tg.Tensor


def test_parameter_survives_deepcopy_and_pickle():
    param = nn.Parameter(tg.Tensor([1.0, 2.0]))
    for clone in (copy.deepcopy(param), pickle.loads(pickle.dumps(param))):
        assert type(clone) is nn.Parameter and clone.requires_grad
        assert clone.tolist() == [1.0, 2.0]


# -- registration and names -----------------------------------------------------------------


def test_named_parameters_follow_assignment_order_with_dotted_names():
    names = [name for name, _ in TwoLayers().named_parameters()]
    assert names == ["fc1.weight", "fc1.bias", "fc2.weight", "fc2.bias"]


def test_own_parameters_come_before_those_of_submodules():
    # As PyTorch: each module yields its own parameters (in order), then its children's.
    names = [name for name, _ in WithOwnParameter().named_parameters()]
    assert names == [
        "scale",
        "offset",
        "body.0.weight",
        "body.0.bias",
        "body.2.weight",
        "body.2.bias",
    ]


def test_sequential_names_are_indices():
    model = nn.Sequential(nn.Linear(2, 3), nn.Tanh(), nn.Linear(3, 1))
    assert [name for name, _ in model.named_parameters()] == [
        "0.weight", "0.bias", "2.weight", "2.bias",
    ]  # fmt: skip


def test_parameters_yield_the_registered_objects():
    model = TwoLayers()
    assert [id(p) for p in model.parameters()] == [
        id(model.fc1.weight), id(model.fc1.bias), id(model.fc2.weight), id(model.fc2.bias),
    ]  # fmt: skip


def test_shared_parameter_is_listed_once():
    shared = nn.Linear(2, 2)
    model = nn.Sequential(shared, nn.Tanh(), shared)
    assert len(list(model.parameters())) == 2
    assert [name for name, _ in model.named_parameters()] == ["0.weight", "0.bias"]


def test_shared_parameter_object_between_layers_is_listed_once():
    first, second = nn.Linear(2, 2), nn.Linear(2, 2)
    second.weight = first.weight
    model = nn.Sequential(first, second)
    assert [name for name, _ in model.named_parameters()] == ["0.weight", "0.bias", "1.bias"]


def test_parameters_without_recursion_are_only_the_module_own():
    model = WithOwnParameter()
    assert [id(p) for p in model.parameters(recurse=False)] == [id(model.scale), id(model.offset)]


def test_plain_tensor_attribute_is_not_a_parameter():
    model = nn.Module()
    model.constant = tg.ones(3, requires_grad=True)
    assert list(model.parameters()) == []
    assert isinstance(model.constant, tg.Tensor)


def test_assigning_none_to_a_parameter_keeps_it_declared_but_absent():
    layer = nn.Linear(2, 3)
    layer.bias = None
    assert [name for name, _ in layer.named_parameters()] == ["weight"]
    assert layer.bias is None
    assert "bias" not in layer.state_dict()


def test_assigning_a_plain_tensor_over_a_parameter_is_refused():
    layer = nn.Linear(2, 3)
    with pytest.raises(TypeError, match=r"parameter 'weight'.*tg\.nn\.Parameter"):
        layer.weight = tg.ones(3, 2)


def test_assigning_a_non_module_over_a_submodule_is_refused():
    model = TwoLayers()
    with pytest.raises(TypeError, match="sub-module 'fc1'"):
        model.fc1 = 3


def test_reassigning_keeps_the_position_in_the_order():
    model = TwoLayers()
    model.fc1 = nn.Linear(2, 3, bias=False)
    assert [name for name, _ in model.named_parameters()] == [
        "fc1.weight",
        "fc2.weight",
        "fc2.bias",
    ]


def test_deleting_a_parameter_unregisters_it():
    model = WithOwnParameter()
    del model.scale
    assert "scale" not in dict(model.named_parameters())
    with pytest.raises(AttributeError):
        _ = model.scale


def test_registering_before_super_init_names_the_fix():
    class Broken(nn.Module):
        def __init__(self) -> None:
            self.weight = nn.Parameter(tg.ones(1))

    with pytest.raises(AttributeError, match=r"super\(\)\.__init__\(\)"):
        Broken()


def test_missing_attribute_error_names_the_class():
    with pytest.raises(AttributeError, match="'TwoLayers' object has no attribute 'fc3'"):
        _ = TwoLayers().fc3


def test_register_parameter_refuses_a_plain_tensor():
    with pytest.raises(TypeError, match="Parameter"):
        nn.Module().register_parameter("w", tg.ones(2))


def test_buffers_are_in_state_dict_but_not_parameters():
    model = nn.Module()
    model.register_buffer("running", tg.zeros(2))
    model.register_buffer("scratch", tg.zeros(2), persistent=False)
    assert list(model.parameters()) == []
    assert [name for name, _ in model.named_buffers()] == ["running", "scratch"]
    assert list(model.state_dict()) == ["running"]


def test_assigning_a_tensor_to_a_buffer_name_updates_the_buffer():
    model = nn.Module()
    model.register_buffer("running", tg.zeros(2))
    model.running = tg.ones(2)
    assert model.running.tolist() == [1.0, 1.0] and "running" in model.state_dict()


def test_children_and_modules():
    model = TwoLayers()
    assert [name for name, _ in model.named_children()] == ["fc1", "act", "fc2"]
    assert list(model.children()) == [model.fc1, model.act, model.fc2]
    assert [name for name, _ in model.named_modules()] == ["", "fc1", "act", "fc2"]
    assert next(iter(model.modules())) is model


def test_nested_named_modules_have_dotted_names():
    names = [name for name, _ in WithOwnParameter().named_modules()]
    assert names == ["", "body", "body.0", "body.1", "body.2"]


def test_shared_module_is_visited_once():
    shared = nn.Linear(1, 1)
    model = nn.Sequential(shared, shared)
    assert len(list(model.modules())) == 2
    assert len(list(model.children())) == 1


def test_get_submodule_follows_dotted_path():
    model = WithOwnParameter()
    assert model.get_submodule("body.2") is model.body[2]
    with pytest.raises(AttributeError, match="no sub-module 'x'"):
        model.get_submodule("body.x")


def test_call_runs_forward():
    model = TwoLayers()
    x = tg.ones(4, 2)
    assert np.array_equal(model(x).numpy(), model.forward(x).numpy())


def test_module_without_forward_names_the_class():
    with pytest.raises(NotImplementedError, match="Module: forward"):
        nn.Module()(tg.ones(1))


def test_apply_visits_children_before_parent():
    model = TwoLayers()
    visited = []
    assert model.apply(lambda m: visited.append(type(m).__name__)) is model
    assert visited == ["Linear", "Tanh", "Linear", "TwoLayers"]


def test_apply_can_reinitialise_weights():
    model = TwoLayers()

    def zero_linear(module: nn.Module) -> None:
        if isinstance(module, nn.Linear):
            nn.init.zeros_(module.weight)

    model.apply(zero_linear)
    assert not model.fc1.weight.numpy().any() and not model.fc2.weight.numpy().any()


# -- modes and gradients --------------------------------------------------------------------


def test_train_and_eval_recurse():
    model = WithOwnParameter()
    assert all(m.training for m in model.modules())
    assert model.eval() is model
    assert not any(m.training for m in model.modules())
    model.train()
    assert all(m.training for m in model.modules())
    model.train(False)
    assert not any(m.training for m in model.modules())


def test_train_refuses_a_non_boolean_mode():
    with pytest.raises(ValueError, match="True or False"):
        TwoLayers().train("eval")


def test_requires_grad_false_freezes_every_parameter():
    model = TwoLayers()
    assert model.requires_grad_(False) is model
    assert not any(p.requires_grad for p in model.parameters())
    model.requires_grad_()
    assert all(p.requires_grad for p in model.parameters())


def test_backward_fills_every_parameter_gradient():
    model = TwoLayers()
    model(tg.ones(4, 2)).sum().backward()
    assert all(p.grad is not None and p.grad.shape == p.shape for p in model.parameters())


def test_zero_grad_sets_to_none_by_default():
    model = TwoLayers()
    model(tg.ones(4, 2)).sum().backward()
    model.zero_grad()
    assert all(p.grad is None for p in model.parameters())


def test_zero_grad_can_fill_zeros_in_place():
    model = TwoLayers()
    model(tg.ones(4, 2)).sum().backward()
    grad = model.fc1.weight.grad
    model.zero_grad(set_to_none=False)
    assert model.fc1.weight.grad is grad and not grad.numpy().any()
    model(tg.ones(4, 2)).sum().backward()  # accumulates into the zeroed gradient
    assert model.fc1.weight.grad.numpy().any()


# -- dtype ---------------------------------------------------------------------------------


def test_double_converts_parameters_in_place():
    model = TwoLayers()
    weight = model.fc1.weight
    before = weight.numpy().astype(np.float64)
    assert model.double() is model
    assert model.fc1.weight is weight
    assert all(p.dtype == np.float64 for p in model.parameters())
    assert np.array_equal(weight.numpy(), before)
    assert model(tg.ones(2, 2, dtype=tg.float64)).dtype == np.float64


def test_float_converts_back_and_converts_gradients():
    model = TwoLayers().double()
    model(tg.ones(1, 2, dtype=tg.float64)).sum().backward()
    model.float()
    assert all(p.dtype == np.float32 and p.grad.dtype == np.float32 for p in model.parameters())


def test_to_accepts_cpu_and_refuses_integer_dtypes():
    model = TwoLayers()
    assert model.to("cpu") is model
    with pytest.raises(TypeError, match="floating dtype"):
        model.to(tg.int64)


def test_linear_dtype_argument():
    layer = nn.Linear(2, 3, dtype=tg.float64)
    assert layer.weight.dtype == np.float64 and layer.bias.dtype == np.float64


# -- repr ----------------------------------------------------------------------------------


def test_sequential_repr_matches_pytorch():
    model = nn.Sequential(nn.Linear(2, 3), nn.Tanh())
    assert repr(model) == (
        "Sequential(\n  (0): Linear(in_features=2, out_features=3, bias=True)\n  (1): Tanh()\n)"
    )


def test_nested_repr_indents_children():
    assert repr(WithOwnParameter()) == (
        "WithOwnParameter(\n"
        "  (body): Sequential(\n"
        "    (0): Linear(in_features=1, out_features=2, bias=True)\n"
        "    (1): ReLU()\n"
        "    (2): Linear(in_features=2, out_features=1, bias=True)\n"
        "  )\n"
        ")"
    )


@pytest.mark.parametrize(
    ("module", "text"),
    [
        (nn.Linear(4, 2, bias=False), "Linear(in_features=4, out_features=2, bias=False)"),
        (nn.Sigmoid(), "Sigmoid()"),
        (nn.ReLU(), "ReLU()"),
        (nn.LeakyReLU(), "LeakyReLU(negative_slope=0.01)"),
        (nn.Softmax(dim=1), "Softmax(dim=1)"),
        (nn.LogSoftmax(dim=-1), "LogSoftmax(dim=-1)"),
        (nn.Identity(), "Identity()"),
        (nn.Flatten(), "Flatten(start_dim=1, end_dim=-1)"),
        (nn.Dropout(0.25), "Dropout(p=0.25, inplace=False)"),
        (nn.CrossEntropyLoss(), "CrossEntropyLoss()"),
        (nn.Module(), "Module()"),
    ],
)
def test_leaf_reprs_match_pytorch(module: nn.Module, text: str):
    assert repr(module) == text


def test_binary_methods_mix_parameters_and_tensors():
    param = nn.Parameter(tg.Tensor([1.0, 3.0]))
    other = tg.Tensor([2.0, 2.0])
    assert param.maximum(other).tolist() == [2.0, 3.0]
    assert tg.where(other > 0, param, other).dtype == np.float32
