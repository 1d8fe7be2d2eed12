"""Static int8 quantization: the figures of issue 10 on the offline digits (64-128-10 MLP),
the QDQ file in ONNX Runtime and in the NumPy runner, and the scheme's rules."""

from __future__ import annotations

import numpy as np
import pytest

import tinygrad_fr as tg
from tinygrad_fr import nn
from tinygrad_fr.quantization import scheme

onnx = pytest.importorskip("onnx")
ort = pytest.importorskip("onnxruntime")
pytest.importorskip("sklearn")


def train_digits(x: np.ndarray, y: np.ndarray, epochs: int = 15) -> nn.Module:
    tg.manual_seed(0)
    model = nn.Sequential(nn.Linear(64, 128), nn.ReLU(), nn.Linear(128, 10))
    optimizer = tg.optim.Adam(model.parameters(), lr=1e-2)
    order = np.random.default_rng(0)
    for _ in range(epochs):
        for rows in np.array_split(order.permutation(len(x)), len(x) // 64):
            optimizer.zero_grad()
            target = tg.from_numpy(y[rows])
            nn.functional.cross_entropy(model(tg.Tensor(x[rows])), target).backward()
            optimizer.step()
    return model.eval()


@pytest.fixture(scope="module")
def digits(tmp_path_factory):
    x_train, y_train, x_test, y_test = tg.datasets.load_digits()
    model = train_digits(x_train, y_train)
    quantized = tg.quantization.quantize_static(model, x_train[:512])
    folder = tmp_path_factory.mktemp("digits")
    tg.onnx.export(model, tg.Tensor(x_test[:1]), folder / "float.onnx")
    tg.onnx.export(quantized, tg.Tensor(x_test[:1]), folder / "int8.onnx")
    with tg.no_grad():
        float_out = model(tg.Tensor(x_test)).numpy()
        int8_out = quantized(tg.Tensor(x_test)).numpy()
    return {
        "x": x_test, "y": y_test, "float": float_out, "int8": int8_out, "folder": folder,
        "model": model, "quantized": quantized,
    }  # fmt: skip


def run_ort(path, x, optimize: bool) -> np.ndarray:
    options = ort.SessionOptions()
    if not optimize:
        options.graph_optimization_level = ort.GraphOptimizationLevel.ORT_DISABLE_ALL
    session = ort.InferenceSession(str(path), options, providers=["CPUExecutionProvider"])
    return session.run(None, {"input": x})[0]


def test_float_model_is_trained(digits):
    assert (digits["float"].argmax(1) == digits["y"]).mean() > 0.95


def test_top1_accuracy_drops_by_at_most_one_point(digits):
    accuracy = {k: (digits[k].argmax(1) == digits["y"]).mean() for k in ("float", "int8")}
    assert accuracy["float"] - accuracy["int8"] <= 0.01


def test_argmax_agrees_with_float_on_99_percent(digits):
    assert (digits["int8"].argmax(1) == digits["float"].argmax(1)).mean() >= 0.99


def test_file_is_at_least_three_times_smaller(digits):
    sizes = {k: (digits["folder"] / f"{k}.onnx").stat().st_size for k in ("float", "int8")}
    assert sizes["float"] / sizes["int8"] >= 3


def test_onnxruntime_without_optimisations_reproduces_the_numpy_int8_model(digits):
    got = run_ort(digits["folder"] / "int8.onnx", digits["x"], optimize=False)
    np.testing.assert_allclose(got, digits["int8"], rtol=0, atol=1e-5)


def test_onnxruntime_integer_kernels_agree_on_top1(digits):
    got = run_ort(digits["folder"] / "int8.onnx", digits["x"], optimize=True)
    assert (got.argmax(1) == digits["int8"].argmax(1)).mean() >= 0.99


def test_numpy_runner_equals_onnxruntime_on_the_int8_file(digits):
    expected = run_ort(digits["folder"] / "int8.onnx", digits["x"], optimize=False)
    runner = tg.onnx.load(digits["folder"] / "int8.onnx")
    np.testing.assert_allclose(runner(digits["x"]), expected, rtol=1e-6, atol=1e-6)


@pytest.mark.parametrize("opset", [13, 17, 19, 21])
def test_int8_file_passes_the_full_check_at_each_opset(digits, tmp_path, opset):
    path = tmp_path / "q.onnx"
    tg.onnx.export(digits["quantized"], tg.Tensor(digits["x"][:1]), path, opset_version=opset)
    onnx.checker.check_model(onnx.load(str(path)), full_check=True)
    x = digits["x"][:64]
    np.testing.assert_allclose(run_ort(path, x, optimize=False), digits["int8"][:64], atol=1e-5)


def test_int8_file_is_qdq_around_gemm(digits):
    ops = [node.op_type for node in onnx.load(str(digits["folder"] / "int8.onnx")).graph.node]
    assert ops.count("Gemm") == 2 and ops.count("QuantizeLinear") == 3
    assert {"DequantizeLinear", "Relu"} < set(ops)
    weights = [init for init in onnx.load(str(digits["folder"] / "int8.onnx")).graph.initializer
               if init.name.endswith("w_q")]  # fmt: skip
    assert [w.data_type for w in weights] == [onnx.TensorProto.INT8] * 2


def test_the_original_model_is_unchanged(digits):
    assert isinstance(digits["model"][0], nn.Linear)
    assert type(digits["quantized"][0]).__name__ == "QuantizedLinear"


def test_last_layer_keeps_float_logits_and_hidden_layer_requantizes(digits):
    first, last = digits["quantized"][0].quantization, digits["quantized"][2].quantization
    assert first.output_scale is not None and last.output_scale is None


def test_weights_are_int8_symmetric_per_channel_with_int32_bias(digits):
    q = digits["quantized"][0].quantization
    assert q.weight.dtype == np.int8 and q.weight.min() >= -127
    assert q.weight_scale.shape == (128,) and q.bias.dtype == np.int32
    assert (np.abs(q.weight).max(axis=1) > 63).all()  # each row uses its range (power of two)


def test_per_tensor_quantization_has_one_weight_scale(digits):
    x_train = tg.datasets.load_digits()[0][:256]
    per_tensor = tg.quantization.quantize_static(digits["model"], x_train, per_channel=False)
    assert per_tensor[0].quantization.weight_scale.shape == ()
    with tg.no_grad():
        out = per_tensor(tg.Tensor(digits["x"])).numpy()
    assert (out.argmax(1) == digits["float"].argmax(1)).mean() >= 0.98


def test_calibration_accepts_a_dataloader(digits):
    from tinygrad_fr.data import DataLoader, TensorDataset

    x, y = digits["x"], digits["y"]
    loader = DataLoader(TensorDataset(tg.Tensor(x), tg.Tensor(y)), batch_size=64)
    quantized = tg.quantization.quantize_static(digits["model"], loader)
    assert quantized[0].quantization.input_scale > 0


def test_a_single_linear_can_be_quantized():
    layer = nn.Linear(4, 2)
    quantized = tg.quantization.quantize_static(layer, tg.randn(16, 4))
    assert type(quantized).__name__ == "QuantizedLinear"
    x = tg.randn(3, 4)
    np.testing.assert_allclose(quantized(x).numpy(), layer(x).numpy(), atol=0.05)


def test_3d_inputs_are_exported_as_matmul(tmp_path):
    model = nn.Sequential(nn.Linear(4, 6), nn.Tanh(), nn.Linear(6, 2))
    quantized = tg.quantization.quantize_static(model, tg.randn(8, 5, 4))
    tg.onnx.export(quantized, tg.randn(1, 5, 4), tmp_path / "q.onnx")
    x = np.random.default_rng(0).standard_normal((7, 5, 4)).astype(np.float32)
    with tg.no_grad():
        expected = quantized(tg.Tensor(x)).numpy()
    np.testing.assert_allclose(tg.onnx.load(tmp_path / "q.onnx")(x), expected, atol=1e-6)
    np.testing.assert_allclose(run_ort(tmp_path / "q.onnx", x, optimize=False), expected, atol=1e-5)


def test_model_without_linear_is_refused():
    with pytest.raises(ValueError, match=r"has no nn\.Linear layer"):
        tg.quantization.quantize_static(nn.Sequential(nn.ReLU()), tg.randn(4, 3))


def test_calibration_that_misses_a_layer_is_refused():
    class Unused(nn.Module):
        def __init__(self):
            super().__init__()
            self.used, self.unused = nn.Linear(2, 2), nn.Linear(2, 2)

        def forward(self, x):
            return self.used(x)

    with pytest.raises(ValueError, match="1 Linear layer"):
        tg.quantization.quantize_static(Unused(), tg.randn(4, 2))


def test_activation_range_always_holds_zero_exactly():
    scale, zero_point = scheme.activation_params(0.5, 3.0, power_of_two=True)
    assert scale == 2.0**-6 and zero_point == -128  # [0, 3] over 255 steps: 1/85 -> 1/64
    assert scheme.dequantize(scheme.quantize(np.zeros(1, np.float32), scale, zero_point),
                             scale, zero_point)[0] == 0  # fmt: skip


def test_scales_without_power_of_two_are_min_max_over_255():
    scale, zero_point = scheme.activation_params(-1.0, 1.55, power_of_two=False)
    assert scale == pytest.approx(2.55 / 255) and zero_point == -28


def test_quantize_rounds_half_to_even_and_saturates():
    x = np.array([0.5, 1.5, 2.5, -300.0, 300.0], np.float32)
    assert scheme.quantize(x, 1.0, 0).tolist() == [0, 2, 2, -128, 127]
