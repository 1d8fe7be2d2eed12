"""What export and the runner refuse, and that each message names the op, the place and the fix."""

from __future__ import annotations

import sys

import numpy as np
import pytest

import tinygrad_fr as tg
from tinygrad_fr import nn

onnx = pytest.importorskip("onnx")


class Double(tg.Function):
    @staticmethod
    def forward(ctx, x):
        return x * 2

    @staticmethod
    def backward(ctx, grad):
        return grad * 2


class Block(nn.Module):
    def forward(self, x):
        return Double.apply(x)


class Encoder(nn.Module):
    def __init__(self):
        super().__init__()
        self.fc = nn.Linear(3, 3)
        self.block = nn.Sequential(nn.ReLU(), Block())

    def forward(self, x):
        return self.block(self.fc(x))


def test_unsupported_op_names_the_op_and_the_module_path(tmp_path):
    with pytest.raises(tg.onnx.UnsupportedOperatorError) as caught:
        tg.onnx.export(Encoder(), tg.randn(2, 3), tmp_path / "m.onnx")
    error = caught.value
    assert (error.op, error.module_path) == ("Double", "block.1")
    message = str(error)
    assert "op Double" in message and "module 'block.1' (Block)" in message
    assert "custom tg.Function" in message and "Supported ops:" in message
    assert not (tmp_path / "m.onnx").exists()


def test_unsupported_primitive_in_the_models_own_forward(tmp_path):
    class WithLoss(nn.Module):
        def forward(self, x):
            return nn.functional.mse_loss(x, x * 0)

    with pytest.raises(tg.onnx.UnsupportedOperatorError, match=r"op MSELoss .* the model's own"):
        tg.onnx.export(WithLoss(), tg.randn(2, 3), tmp_path / "m.onnx")


def test_indexing_with_an_array_is_refused(tmp_path):
    class Picks(nn.Module):
        def forward(self, x):
            return x[:, [0, 2]]

    with pytest.raises(tg.onnx.UnsupportedOperatorError, match=r"GetItem with an index array"):
        tg.onnx.export(Picks(), tg.randn(2, 3), tmp_path / "m.onnx")


def test_unsupported_op_error_is_an_export_error():
    assert issubclass(tg.onnx.UnsupportedOperatorError, tg.onnx.OnnxExportError)


def test_dropout_forced_in_training_is_refused_with_the_fix(tmp_path):
    class Noisy(nn.Module):
        def forward(self, x):
            return nn.functional.dropout(x, 0.5, training=True)

    with pytest.raises(tg.onnx.UnsupportedOperatorError, match=r"training=self\.training"):
        tg.onnx.export(Noisy(), tg.randn(2, 3), tmp_path / "m.onnx")


@pytest.mark.parametrize("opset", [7, 12, 22, "13"])
def test_unsupported_opset_is_refused(tmp_path, opset):
    with pytest.raises(ValueError, match=r"opset_version=.* is not supported; use one of 13\.\.21"):
        tg.onnx.export(nn.Linear(2, 2), tg.randn(1, 2), tmp_path / "m.onnx", opset_version=opset)


def test_data_dependent_control_flow_is_refused(tmp_path):
    class Branchy(nn.Module):
        def forward(self, x):
            return x.relu() if x.shape[0] < 2 else x.tanh()

    with pytest.raises(tg.onnx.OnnxExportError, match="different ops at two batch sizes"):
        tg.onnx.export(Branchy(), tg.randn(1, 3), tmp_path / "m.onnx")
    tg.onnx.export(Branchy(), tg.randn(1, 3), tmp_path / "m.onnx", dynamic_axes={})


def test_constant_whose_shape_follows_the_batch_is_refused(tmp_path):
    class Offsets(nn.Module):
        def forward(self, x):
            return x + tg.ones(x.shape[0], 1)

    with pytest.raises(tg.onnx.OnnxExportError, match=r"shape \(1, 1\) depends on the batch"):
        tg.onnx.export(Offsets(), tg.randn(1, 3), tmp_path / "m.onnx")


def test_model_that_fails_at_another_batch_size_says_to_export_static(tmp_path):
    class FixedBatch(nn.Module):
        def forward(self, x):
            return x.reshape(4, 3)

    with pytest.raises(tg.onnx.OnnxExportError, match=r"fails on inputs of shapes \[\(5, 3\)\]"):
        tg.onnx.export(FixedBatch(), tg.randn(4, 3), tmp_path / "m.onnx")


@pytest.mark.parametrize(
    ("kwargs", "message"),
    [
        ({"input_names": ["a", "b"]}, "input_names has 2 names"),
        ({"output_names": ["y", "y"]}, "output_names has 2 names"),
        ({"dynamic_axes": {"input": [2]}}, "axis 2 of input 'input'"),
        ({"dynamic_axes": {"nope": [0]}, "output_names": ["y"]}, "'nope', which is neither"),
    ],
)
def test_wrong_names_and_axes_are_refused(tmp_path, kwargs, message):
    with pytest.raises(ValueError, match=message):
        tg.onnx.export(nn.Linear(2, 2), tg.randn(1, 2), tmp_path / "m.onnx", **kwargs)


def test_args_must_be_tensors(tmp_path):
    with pytest.raises(TypeError, match="item 0 is a list"):
        tg.onnx.export(nn.Linear(2, 2), [[1.0, 2.0]], tmp_path / "m.onnx")


def test_missing_onnx_package_says_how_to_install_it(monkeypatch, tmp_path):
    monkeypatch.setitem(sys.modules, "onnx", None)
    with pytest.raises(ImportError, match=r'pip install "tinygrad_fr\[onnx\]"'):
        tg.onnx.export(nn.Linear(2, 2), tg.randn(1, 2), tmp_path / "m.onnx")
    with pytest.raises(ImportError, match=r"tg\.onnx\.load: needs the onnx package"):
        tg.onnx.load(tmp_path / "m.onnx")


def _model_with(op_type: str, domain: str = "") -> bytes:
    helper = onnx.helper
    graph = helper.make_graph(
        [helper.make_node(op_type, ["x"], ["y"], domain=domain)], "g",
        [helper.make_tensor_value_info("x", onnx.TensorProto.FLOAT, [2])],
        [helper.make_tensor_value_info("y", onnx.TensorProto.FLOAT, [2])],
    )  # fmt: skip
    opsets = [helper.make_opsetid("", 13)] + ([helper.make_opsetid(domain, 1)] if domain else [])
    return helper.make_model(graph, opset_imports=opsets).SerializeToString()


def test_runner_refuses_unknown_ops_by_name():
    with pytest.raises(tg.onnx.UnsupportedOperatorError, match="no implementation of Celu"):
        tg.onnx.load(_model_with("Celu"))


def test_runner_refuses_ops_of_other_domains():
    with pytest.raises(tg.onnx.UnsupportedOperatorError, match=r"com\.microsoft\.Gelu"):
        tg.onnx.load(_model_with("Gelu", "com.microsoft"))


@pytest.fixture
def runner(tmp_path):
    tg.onnx.export(nn.Linear(3, 2), tg.randn(1, 3), tmp_path / "m.onnx")
    return tg.onnx.load(tmp_path / "m.onnx")


def test_runner_checks_the_input_shape(runner):
    with pytest.raises(ValueError, match=r"shape \(2, 4\) but the model expects \('batch', 3\)"):
        runner(np.ones((2, 4), np.float32))


def test_runner_checks_input_names(runner):
    with pytest.raises(ValueError, match="input 'input' is missing"):
        runner.run(None, {"x": np.ones((2, 3), np.float32)})
    with pytest.raises(ValueError, match=r"\['extra'\] are not inputs"):
        runner.run(None, {"input": np.ones((2, 3), np.float32), "extra": np.ones(1)})


def test_runner_casts_float64_and_tensors_but_refuses_strings(runner):
    assert runner(np.ones((2, 3))).dtype == np.float32
    assert runner(tg.ones(2, 3)).shape == (2, 2)
    with pytest.raises(TypeError, match="must be float32"):
        runner(np.full((2, 3), "a"))


def test_reading_a_value_in_forward_is_refused(tmp_path):
    class Normalise(nn.Module):
        def __init__(self):
            super().__init__()
            self.fc = nn.Linear(3, 3)

        def forward(self, x):
            return self.fc(x) / self.fc(x).abs().max().item()

    with pytest.raises(tg.onnx.OnnxExportError, match=r"reads a tensor's value \(item\(\)\)"):
        tg.onnx.export(Normalise(), tg.randn(1, 3), tmp_path / "m.onnx")


def test_tg_onnx_and_quantization_load_without_importing_onnx():
    import subprocess

    code = (
        "import sys, tinygrad_fr as tg; tg.onnx.export; tg.quantization.quantize_static; "
        "print(sorted({'onnx', 'onnxruntime'} & set(sys.modules)))"
    )
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=60)
    assert done.stdout.strip() == "[]", done.stderr
