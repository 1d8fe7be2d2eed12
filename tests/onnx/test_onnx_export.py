"""Every supported layer and every course network, exported at each opset: the file passes
the ONNX checker, ONNX Runtime gives tinygrad_fr's outputs at batch sizes 1, 7 and 64 from one
export made at batch size 1, and the NumPy runner gives ONNX Runtime's."""

from __future__ import annotations

import numpy as np
import pytest
from onnx_cases import COURSE, LAYERS, Case, TwoInputsTwoOutputs, batch

import tinygrad_fr as tg
from tinygrad_fr import nn

onnx = pytest.importorskip("onnx")
ort = pytest.importorskip("onnxruntime")

OPSETS = (13, 17, 19, 21)
BATCHES = (1, 7, 64)
TO_TINYGRAD = 1e-5  # ONNX Runtime against tinygrad_fr
# The NumPy runner against ONNX Runtime: 1e-6, absolute, or relative above 1 (float32 values
# above 8 are 1e-6 apart: two BLAS libraries summing in another order differ by that).
TO_ORT = 1e-6


def dtype_of(model: nn.Module) -> np.dtype:
    parameter = next(iter(model.parameters()), None)
    return np.dtype(np.float32) if parameter is None else parameter.dtype


def session(path) -> ort.InferenceSession:
    return ort.InferenceSession(str(path), providers=["CPUExecutionProvider"])


@pytest.fixture(scope="module")
def exported(tmp_path_factory):
    """Export each (case, opset) once, from a batch of 1, and keep the model with its file."""
    cache: dict = {}

    def get(case: Case, opset: int):
        key = (case.name, opset)
        if key not in cache:
            tg.manual_seed(0)
            model = case.build()
            example = tg.Tensor(batch(case, 1, seed=1, dtype=dtype_of(model)))
            path = tmp_path_factory.mktemp("onnx") / f"{case.name}_{opset}.onnx"
            tg.onnx.export(model, example, path, opset_version=opset)
            cache[key] = (model, path)
        return cache[key]

    return get


CASES = [pytest.param(case, id=case.name) for case in LAYERS + COURSE]


@pytest.mark.parametrize("opset", OPSETS)
@pytest.mark.parametrize("case", CASES)
def test_file_passes_the_full_onnx_check(exported, case, opset):
    _, path = exported(case, opset)
    proto = onnx.load(str(path))
    onnx.checker.check_model(proto, full_check=True)
    assert proto.opset_import[0].version == opset


@pytest.mark.parametrize("opset", OPSETS)
@pytest.mark.parametrize("case", CASES)
def test_onnxruntime_and_runner_match_at_every_batch_size(exported, case, opset):
    model, path = exported(case, opset)
    runtime, runner = session(path), tg.onnx.load(path)
    for size in BATCHES:
        x = batch(case, size, seed=size, dtype=dtype_of(model))
        with tg.no_grad():
            expected = model.eval()(tg.Tensor(x)).numpy()
        (got,) = runtime.run(None, {"input": x})
        assert got.shape == expected.shape
        np.testing.assert_allclose(got, expected, rtol=0, atol=TO_TINYGRAD)
        np.testing.assert_allclose(runner(x), got, rtol=TO_ORT, atol=TO_ORT)


@pytest.mark.parametrize(("opset", "ir_version"), [(13, 7), (17, 8), (19, 9), (21, 10)])
def test_ir_version_is_the_minimum_for_the_opset(exported, opset, ir_version):
    _, path = exported(LAYERS[0], opset)
    assert onnx.load(str(path)).ir_version == ir_version


def test_batch_dimension_is_symbolic_in_inputs_and_outputs(exported):
    _, path = exported(COURSE[-1], 13)
    runner = tg.onnx.load(path)
    assert [arg.shape for arg in runner.get_inputs()] == [("batch", 64)]
    assert [arg.shape for arg in runner.get_outputs()] == [("batch", 10)]


def test_linear_is_gemm_on_2d_inputs_and_matmul_add_beyond(exported):
    ops = {name: [n.op_type for n in onnx.load(str(exported(case, 13)[1])).graph.node]
           for name, case in (("2d", LAYERS[0]), ("3d", LAYERS[2]))}  # fmt: skip
    assert ops == {"2d": ["Gemm"], "3d": ["MatMul", "Add"]}


def test_parameters_are_initializers_named_by_their_state_dict_key(exported):
    proto = onnx.load(str(exported(COURSE[-1], 13)[1]))
    assert sorted(init.name for init in proto.graph.initializer) == [
        "0.bias", "0.weight", "2.bias", "2.weight",
    ]  # fmt: skip


def test_dropout_is_left_out_and_training_mode_is_restored(tmp_path):
    model = nn.Sequential(nn.Linear(4, 8), nn.Dropout(0.5), nn.ReLU())
    assert model.training
    tg.onnx.export(model, tg.randn(2, 4), tmp_path / "m.onnx")
    assert [n.op_type for n in onnx.load(str(tmp_path / "m.onnx")).graph.node] == ["Gemm", "Relu"]
    assert all(module.training for module in model.modules())


def test_export_leaves_no_hook_behind(tmp_path):
    model = nn.Sequential(nn.Linear(4, 8), nn.ReLU())
    tg.onnx.export(model, tg.randn(2, 4), tmp_path / "m.onnx")
    assert not any(module._has_hooks for module in model.modules())


def test_course_lab1_network_on_one_sample_has_static_shapes(tmp_path):
    from tinygrad_fr.labs.lab1_neurone import OurNeuralNetwork

    model = OurNeuralNetwork().double()
    x = tg.Tensor([-2.0, -1.0], dtype=tg.float64)
    tg.onnx.export(model, x, tmp_path / "lab1.onnx")
    (got,) = session(tmp_path / "lab1.onnx").run(None, {"input": x.numpy()})
    assert got.shape == () and abs(float(got) - model(x).item()) < 1e-12
    assert tg.onnx.load(tmp_path / "lab1.onnx")(x.numpy()) == got


def test_several_inputs_and_outputs_with_names_and_dynamic_axes(tmp_path):
    model = TwoInputsTwoOutputs()
    path = tmp_path / "two.onnx"
    tg.onnx.export(
        model, (tg.randn(1, 3), tg.randn(1, 2)), path, input_names=["x", "y"],
        output_names=["z", "label"], dynamic_axes={"x": {0: "n"}, "y": {0: "n"}, "z": {0: "n"}},
    )  # fmt: skip
    onnx.checker.check_model(onnx.load(str(path)), full_check=True)
    x, y = np.ones((9, 3), np.float32), np.full((9, 2), 0.5, np.float32)
    z, label = session(path).run(None, {"x": x, "y": y})
    expected_z, expected_label = model(tg.Tensor(x), tg.Tensor(y))
    np.testing.assert_allclose(z, expected_z.numpy(), atol=TO_TINYGRAD)
    assert label.dtype == np.int64 and (label == expected_label.numpy()).all()
    runner = tg.onnx.load(path)
    assert [arg.shape for arg in runner.get_outputs()] == [("n", 4), ("n",)]
    np.testing.assert_allclose(runner.run(["z"], {"x": x, "y": y})[0], z, atol=TO_ORT)


def test_static_export_keeps_the_traced_batch_size(tmp_path):
    tg.onnx.export(nn.Linear(3, 2), tg.randn(4, 3), tmp_path / "s.onnx", dynamic_axes={})
    assert tg.onnx.load(tmp_path / "s.onnx").get_inputs()[0].shape == (4, 3)


def test_export_params_false_makes_parameters_graph_inputs(tmp_path):
    model = nn.Linear(3, 2)
    tg.onnx.export(model, tg.randn(1, 3), tmp_path / "p.onnx", export_params=False)
    proto = onnx.load(str(tmp_path / "p.onnx"))
    assert [i.name for i in proto.graph.input] == ["input", "weight", "bias"]
    assert not proto.graph.initializer
    feed = {"input": np.ones((2, 3), np.float32), "weight": model.weight.numpy(),
            "bias": model.bias.numpy()}  # fmt: skip
    np.testing.assert_allclose(
        session(tmp_path / "p.onnx").run(None, feed)[0], model(tg.ones(2, 3)).numpy(), atol=1e-6
    )


def test_export_writes_to_a_binary_file_object():
    import io

    buffer = io.BytesIO()
    tg.onnx.export(nn.Linear(3, 2), tg.randn(1, 3), buffer)
    assert tg.onnx.load(buffer.getvalue()).get_outputs()[0].shape == ("batch", 2)


def test_a_plain_function_can_be_exported(tmp_path):
    weight = tg.randn(3, 2)

    def model(x):
        return (x @ weight).relu()

    tg.onnx.export(model, tg.randn(1, 3), tmp_path / "f.onnx")
    x = np.ones((5, 3), np.float32)
    np.testing.assert_allclose(tg.onnx.load(tmp_path / "f.onnx")(x), model(tg.Tensor(x)).numpy())


def test_in_place_ops_in_forward_are_followed(tmp_path):
    class InPlace(nn.Module):
        def __init__(self):
            super().__init__()
            self.fc = nn.Linear(3, 3)

        def forward(self, x):
            y = self.fc(x)
            y += 1.0
            y.relu_()
            return y

    model = InPlace()
    tg.onnx.export(model, tg.randn(1, 3), tmp_path / "i.onnx")
    x = np.random.default_rng(0).standard_normal((5, 3)).astype(np.float32)
    (got,) = session(tmp_path / "i.onnx").run(None, {"input": x})
    np.testing.assert_allclose(got, model(tg.Tensor(x)).numpy(), atol=TO_TINYGRAD)
    ops = [n.op_type for n in onnx.load(str(tmp_path / "i.onnx")).graph.node]
    assert ops == ["Gemm", "Add", "Relu", "Identity"]  # the output is the tensor written to


def test_linear_on_one_sample_is_matmul_add_with_static_shapes(tmp_path):
    model = nn.Sequential(nn.Linear(2, 2), nn.Sigmoid(), nn.Linear(2, 1), nn.Sigmoid())
    tg.onnx.export(model, tg.Tensor([-2.0, -1.0]), tmp_path / "one.onnx")
    proto = onnx.load(str(tmp_path / "one.onnx"))
    assert [n.op_type for n in proto.graph.node][:2] == ["MatMul", "Add"]
    assert "0.weight_transposed" in {init.name for init in proto.graph.initializer}
    x = np.array([-2.0, -1.0], np.float32)
    (got,) = session(tmp_path / "one.onnx").run(None, {"input": x})
    np.testing.assert_allclose(got, model(tg.Tensor(x)).numpy(), atol=TO_TINYGRAD)
