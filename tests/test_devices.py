"""The device API, CPU only: what scripts ask (is CUDA there? which device?) gets PyTorch's
answers on a machine without a GPU, and any device but the CPU raises a RuntimeError."""

from __future__ import annotations

import numpy as np
import pytest

import tinygrad_fr as tg
import tinygrad_fr.backends.cudnn as cudnn

FACTORIES = {
    "tensor": lambda device: tg.tensor([1.0], device=device),
    "Tensor": lambda device: tg.Tensor([1.0], device=device),
    "zeros": lambda device: tg.zeros(2, device=device),
    "ones": lambda device: tg.ones(2, device=device),
    "empty": lambda device: tg.empty(2, device=device),
    "full": lambda device: tg.full((2,), 1.0, device=device),
    "eye": lambda device: tg.eye(2, device=device),
    "arange": lambda device: tg.arange(3, device=device),
    "linspace": lambda device: tg.linspace(0, 1, 3, device=device),
    "rand": lambda device: tg.rand(2, device=device),
    "randn": lambda device: tg.randn(2, device=device),
    "randint": lambda device: tg.randint(0, 5, (2,), device=device),
    "randperm": lambda device: tg.randperm(3, device=device),
    "normal": lambda device: tg.normal(0.0, 1.0, (2,), device=device),
    "zeros_like": lambda device: tg.zeros_like(tg.zeros(2), device=device),
    "ones_like": lambda device: tg.ones_like(tg.zeros(2), device=device),
    "full_like": lambda device: tg.full_like(tg.zeros(2), 3.0, device=device),
    "empty_like": lambda device: tg.empty_like(tg.zeros(2), device=device),
    "rand_like": lambda device: tg.rand_like(tg.zeros(2), device=device),
    "randn_like": lambda device: tg.randn_like(tg.zeros(2), device=device),
    "as_tensor": lambda device: tg.as_tensor([1.0], device=device),
    "new_zeros": lambda device: tg.zeros(1).new_zeros(2, device=device),
    "LongTensor": lambda device: tg.LongTensor([1], device=device),
}


@pytest.mark.parametrize("name", FACTORIES)
@pytest.mark.parametrize("device", ["cpu", tg.device("cpu"), None])
def test_every_factory_takes_the_cpu_device(name, device):
    assert FACTORIES[name](device).device == tg.device("cpu")


@pytest.mark.parametrize("name", FACTORIES)
@pytest.mark.parametrize("device", ["cuda", "cuda:0", tg.device("mps")])
def test_every_factory_refuses_another_device(name, device):
    with pytest.raises(RuntimeError, match="tinygrad_fr computes on the CPU with NumPy"):
        FACTORIES[name](device)


def test_the_device_idiom_of_scripts_picks_the_cpu():
    device = tg.device("cuda" if tg.cuda.is_available() else "cpu")
    x = tg.ones(2).to(device)
    assert x.device == device and str(x.device) == "cpu" and x.device.type == "cpu"
    assert not tg.backends.mps.is_available() and not tg.backends.mps.is_built()
    assert tg.cuda.device_count() == 0 and not x.is_cuda


def test_to_the_cpu_returns_the_tensor_itself_and_to_converts_dtypes():
    x = tg.tensor([1.0, 2.0], requires_grad=True)
    assert x.to("cpu") is x and x.cpu() is x and x.to(tg.device("cpu")) is x
    y = x.to("cpu", tg.float64)
    assert y.dtype == np.float64 and y.grad_fn is not None
    assert x.to(device="cpu", dtype=tg.float64).dtype == np.float64
    assert x.to(tg.tensor([1])).dtype == np.int64
    assert x.to(tg.float32, copy=True) is not x


@pytest.mark.parametrize(
    "move",
    [lambda x: x.to("cuda"), lambda x: x.cuda(), lambda x: x.to("mps", tg.float64),
     lambda x: x.to(device="cuda:1")],
    ids=["to-cuda", "cuda", "to-mps", "to-device-keyword"],
)  # fmt: skip
def test_moving_a_tensor_to_another_device_raises(move):
    with pytest.raises(RuntimeError, match="tinygrad_fr computes on the CPU with NumPy"):
        move(tg.ones(2))


def test_device_objects_compare_print_and_hash_as_pytorchs():
    assert repr(tg.device("cpu")) == "device(type='cpu')"
    assert repr(tg.device("cuda", 1)) == "device(type='cuda', index=1)"
    assert str(tg.device("cuda:1")) == "cuda:1" and tg.device("cuda:1").index == 1
    assert tg.device("cpu") == tg.device(tg.device("cpu"))
    assert len({tg.device("cpu"), tg.device("cpu")}) == 1
    with pytest.raises(RuntimeError, match="Expected one of cpu, cuda"):
        tg.device("gpu")


def test_set_default_device_accepts_only_the_cpu():
    tg.set_default_device("cpu")
    assert tg.get_default_device() == tg.device("cpu")
    with pytest.raises(RuntimeError, match="CPU with NumPy"):
        tg.set_default_device("cuda")


def test_seeding_and_cudnn_flags_are_accepted():
    tg.cuda.manual_seed(0)
    tg.cuda.manual_seed_all(0)
    cudnn.deterministic, cudnn.benchmark = True, False
    with pytest.raises(RuntimeError, match="no CUDA device"):
        tg.cuda.current_device()


def test_generator_takes_the_cpu_device():
    assert tg.Generator("cpu").device == tg.device("cpu")
    with pytest.raises(RuntimeError, match="CPU with NumPy"):
        tg.Generator("cuda")
