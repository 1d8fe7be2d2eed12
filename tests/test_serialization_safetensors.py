"""The .safetensors format: what other readers see, files other writers made, hostile headers,
and a state dict travelling to a PyTorch twin and back (where torch is installed)."""

from __future__ import annotations

import json
import struct
from collections import OrderedDict
from pathlib import Path
from typing import Any

import numpy as np
import pytest
import safetensors.numpy

import tinygrad_fr as tg
from tinygrad_fr import nn
from tinygrad_fr.serialization import FileFormatError, FileTooLargeError, load, save


def header_of(path: Path) -> dict[str, Any]:
    raw = path.read_bytes()
    (length,) = struct.unpack("<Q", raw[:8])
    return json.loads(raw[8 : 8 + length])


def mlp() -> nn.Module:
    return nn.Sequential(nn.Linear(3, 4), nn.Tanh(), nn.Linear(4, 2))


# -- what other readers see -------------------------------------------------------------------


def test_a_state_dict_is_stored_flat_under_its_keys(tmp_path: Path) -> None:
    model = mlp()
    path = tmp_path / "mlp.safetensors"
    save(model.state_dict(), path)
    theirs = safetensors.numpy.load_file(path)
    assert sorted(theirs) == sorted(model.state_dict())
    for key, tensor in model.state_dict().items():
        assert theirs[key].dtype == tensor.dtype and np.array_equal(theirs[key], tensor.numpy())


def test_metadata_is_strings_with_format_pt_and_the_structure(tmp_path: Path) -> None:
    path = tmp_path / "x.safetensors"
    save({"w": tg.Tensor([1.0]), "epoch": 3}, path)
    metadata = header_of(path)["__metadata__"]
    assert all(isinstance(value, str) for value in metadata.values())
    assert metadata["format"] == "pt"
    structure = json.loads(metadata["tinygrad_fr"])
    assert structure["format"] == "tinygrad_fr" and structure["version"] == 1
    assert structure["tensors"]["w"][1:] == ["F32", [1]]


def test_nested_keys_are_joined_by_dots(tmp_path: Path) -> None:
    params = [tg.Tensor([1.0, 2.0], requires_grad=True)]
    optimizer = tg.optim.Adam(params)
    params[0].grad = tg.Tensor([0.5, 0.5])
    optimizer.step()
    path = tmp_path / "checkpoint.safetensors"
    save({"model": {"0.weight": params[0].detach()}, "optimizer": optimizer.state_dict()}, path)
    names = set(safetensors.numpy.load_file(path))
    assert {"model.0.weight", "optimizer.state.0.exp_avg", "optimizer.state.0.exp_avg_sq"} <= names


def test_colliding_names_get_a_suffix_and_round_trip(tmp_path: Path) -> None:
    obj = {"a.b": tg.Tensor([1.0]), "a": {"b": tg.Tensor([2.0])}, "__metadata__": tg.Tensor([3.0])}
    path = tmp_path / "x.safetensors"
    save(obj, path)
    assert sorted(safetensors.numpy.load_file(path)) == ["__metadata__#2", "a.b", "a.b#2"]
    loaded = load(path)
    assert [loaded["a.b"].item(), loaded["a"]["b"].item(), loaded["__metadata__"].item()] == [
        1.0,
        2.0,
        3.0,
    ]


@pytest.mark.parametrize(
    "array",
    [np.array([1 + 2j, -3j]), np.array([1.5], dtype=np.complex64), np.arange(3, dtype=">i4"),
     np.arange(6.0).reshape(2, 3).T, np.array(2.5), np.zeros((0, 4), np.float16)],
    ids=["complex128", "complex64", "big-endian", "transposed", "0-d", "empty"],
)  # fmt: skip
def test_arrays_safetensors_lacks_round_trip_as_bytes(tmp_path: Path, array: np.ndarray) -> None:
    path = tmp_path / "x.safetensors"
    save({"a": array}, path)
    loaded = load(path)["a"]
    assert loaded.dtype == array.dtype and loaded.shape == array.shape
    assert np.array_equal(loaded, array)


# -- files other programs wrote ---------------------------------------------------------------


def test_a_file_saved_by_safetensors_itself_loads_as_a_dict_of_tensors(tmp_path: Path) -> None:
    arrays = {"b": np.arange(3, dtype=np.int64), "a": np.ones((2, 2), np.float16),
              "m": np.array([True, False]), "u": np.arange(2, dtype=np.uint32)}  # fmt: skip
    path = tmp_path / "theirs.safetensors"
    safetensors.numpy.save_file(arrays, path, metadata={"format": "np"})
    loaded = load(path)
    assert sorted(loaded) == sorted(arrays)
    for key, array in arrays.items():
        assert isinstance(loaded[key], tg.Tensor) and not loaded[key].requires_grad
        assert loaded[key].dtype == array.dtype and np.array_equal(loaded[key].numpy(), array)
        assert loaded[key].numpy().flags.writeable


def raw_file(header: Any, data: bytes = b"", length: int | None = None) -> bytes:
    text = header if isinstance(header, bytes) else json.dumps(header).encode()
    return struct.pack("<Q", len(text) if length is None else length) + text + data


ENTRY = {"dtype": "F32", "shape": [2], "data_offsets": [0, 8]}
HOSTILE = {
    "length past the end": (raw_file({"w": ENTRY}, bytes(8), length=10**6), "header length is"),
    "length of 2**63": (raw_file({"w": ENTRY}, bytes(8), length=2**63), "header length is"),
    "not UTF-8": (raw_file(b'{"\xff": 1}'), "not UTF-8"),
    "not JSON": (raw_file(b"{not json}"), "not valid JSON"),
    "a list": (raw_file(b"[1, 2]"), "is not a tg.save file"),
    "a string": (raw_file(b'{"a": 1} trailing'), "not valid JSON"),
    "deep nesting": (raw_file(b'{"a":' + b"[" * 5000 + b"]" * 5000 + b"}"), "nests deeper"),
    "a key twice": (raw_file(b'{"w": 1, "w": 2}'), "appears twice"),
    "entry not a dict": (raw_file({"w": 3}), "lacks dtype, shape or data_offsets"),
    "unknown dtype": (raw_file({"w": dict(ENTRY, dtype="Q7")}, bytes(8)), "dtype 'Q7'"),
    "bfloat16": (raw_file({"w": dict(ENTRY, dtype="BF16")}, bytes(4)), "dtype 'BF16'"),
    "negative shape": (raw_file({"w": dict(ENTRY, shape=[-2])}, bytes(8)), "bad shape"),
    "bool in shape": (raw_file({"w": dict(ENTRY, shape=[True])}, bytes(8)), "bad shape"),
    "float offsets": (raw_file({"w": dict(ENTRY, data_offsets=[0, 8.0])}, bytes(8)), "bad shape"),
    "reversed offsets": (raw_file({"w": dict(ENTRY, data_offsets=[8, 0])}, bytes(8)), "ends"),
    "size mismatch": (raw_file({"w": dict(ENTRY, shape=[3])}, bytes(8)), "needs 12 B, its data"),
    "huge shape": (raw_file({"w": dict(ENTRY, shape=[10**12, 10**12])}, bytes(8)), "about 2**81"),
    "giant numbers": (
        raw_file({"w": dict(ENTRY, shape=[10**4000] * 64)}, bytes(8)),
        "of shape (1000000000",
    ),
    "deep shape": (
        raw_file(
            b'{"w": {"dtype": "F32", "data_offsets": [0, 8], "shape": '
            + b"[" * 900
            + b"]" * 900
            + b"}}",
            bytes(8),
        ),
        "bad shape",
    ),
    "gap": (raw_file({"w": dict(ENTRY, data_offsets=[4, 12])}, bytes(12)), "leave a gap"),
    "overlap": (
        raw_file({"w": ENTRY, "v": dict(ENTRY, data_offsets=[4, 12])}, bytes(12)),
        "overlap",
    ),
    "truncated data": (raw_file({"w": ENTRY}, bytes(5)), "is truncated"),
    "trailing bytes": (raw_file({"w": ENTRY}, bytes(9)), "bytes past its last tensor"),
    "metadata not strings": (raw_file({"__metadata__": {"a": 1}}), "map of strings"),
    "structure without check": (
        raw_file({"__metadata__": {"tinygrad_fr": "{}"}}),
        "fails its CRC-32 check",
    ),
}


@pytest.mark.parametrize("case", list(HOSTILE))
def test_a_hostile_header_is_refused_by_name(tmp_path: Path, case: str) -> None:
    content, problem = HOSTILE[case]
    path = tmp_path / "hostile.safetensors"
    path.write_bytes(content)
    with pytest.raises(FileFormatError) as info:
        load(path)
    assert str(path) in str(info.value) and problem in str(info.value), str(info.value)


def test_a_header_larger_than_max_bytes_is_refused_before_reading(tmp_path: Path) -> None:
    path = tmp_path / "big.safetensors"
    path.write_bytes(raw_file({"__metadata__": {"pad": "x" * 100_000}, "w": ENTRY}, bytes(8)))
    with pytest.raises(FileTooLargeError, match=r"raise the limit: tg\.load\(path, max_bytes="):
        load(path, max_bytes=1 << 20)
    assert load(path, max_bytes=1 << 22)["w"].shape == (2,)


def test_data_larger_than_max_bytes_is_refused(tmp_path: Path) -> None:
    path = tmp_path / "w.safetensors"
    save({"w": tg.zeros(10_000)}, path)
    with pytest.raises(
        FileTooLargeError, match=r"for the data of 1 tensor\(s\), more than max_bytes=20000"
    ):
        load(path, max_bytes=20_000)


@pytest.mark.parametrize(
    ("old", "new", "problem"),
    [(b'"shape":[2,3]', b'"shape":[3,2]', "does not match its description"),
     (b'\\"kind\\": \\"dict\\"', b'\\"kind\\": \\"list\\"', "structure description fails"),
     (b'"tinygrad_fr.crc32"', b'"tinygrad_fr.crc33"', "fails its CRC-32 check")],
    ids=["shape", "structure", "check key"],
)  # fmt: skip
def test_an_edited_header_of_our_file_is_noticed(
    tmp_path: Path, old: bytes, new: bytes, problem: str
) -> None:
    path = tmp_path / "w.safetensors"
    save({"w": tg.zeros(2, 3)}, path)
    content = path.read_bytes()
    assert old in content
    path.write_bytes(content.replace(old, new))
    with pytest.raises(FileFormatError, match=problem):
        load(path)


def test_changed_tensor_data_fails_its_crc(tmp_path: Path) -> None:
    path = tmp_path / "w.safetensors"
    save({"w": tg.zeros(4)}, path)
    content = bytearray(path.read_bytes())
    content[-1] ^= 0x40
    path.write_bytes(bytes(content))
    with pytest.raises(FileFormatError, match=r"tensor 'w' does not match its description"):
        load(path)


# -- to PyTorch and back ----------------------------------------------------------------------


def torch_twin() -> Any:
    torch = pytest.importorskip("torch")
    return torch.nn.Sequential(torch.nn.Linear(3, 4), torch.nn.Tanh(), torch.nn.Linear(4, 2))


def test_a_state_dict_loads_into_a_torch_twin_with_equal_values(tmp_path: Path) -> None:
    twin = torch_twin()
    import torch
    from safetensors.torch import load_file

    model = mlp()
    path = tmp_path / "mlp.safetensors"
    tg.save(model.state_dict(), path)
    result = twin.load_state_dict(load_file(path))
    assert not result.missing_keys and not result.unexpected_keys
    for key, tensor in model.state_dict().items():
        assert np.array_equal(twin.state_dict()[key].numpy(), tensor.numpy()), key
    x = np.random.default_rng(0).normal(size=(5, 3)).astype(np.float32)
    with torch.no_grad():
        theirs = twin(torch.from_numpy(x)).numpy()
    np.testing.assert_allclose(model(tg.Tensor(x)).numpy(), theirs, rtol=1e-6, atol=1e-6)


def test_a_torch_state_dict_loads_into_a_tinygrad_fr_model(tmp_path: Path) -> None:
    twin = torch_twin()
    from safetensors.torch import save_file

    path = tmp_path / "torch.safetensors"
    save_file(twin.state_dict(), path)
    model = mlp()
    result = model.load_state_dict(tg.load(path))
    assert result.missing_keys == [] and result.unexpected_keys == []
    for key, tensor in twin.state_dict().items():
        assert np.array_equal(model.state_dict()[key].numpy(), tensor.numpy()), key


def test_a_state_dict_goes_to_torch_and_back_unchanged(tmp_path: Path) -> None:
    twin = torch_twin()
    from safetensors.torch import load_file, save_file

    model = mlp()
    tg.save(model.state_dict(), tmp_path / "there.safetensors")
    twin.load_state_dict(load_file(tmp_path / "there.safetensors"))
    save_file(twin.state_dict(), tmp_path / "back.safetensors")
    back = tg.load(tmp_path / "back.safetensors")
    assert sorted(back) == sorted(model.state_dict())
    for key, tensor in model.state_dict().items():
        assert back[key].dtype == tensor.dtype and np.array_equal(back[key].numpy(), tensor.numpy())


def test_a_torch_bfloat16_file_is_refused_with_a_fix(tmp_path: Path) -> None:
    torch = pytest.importorskip("torch")
    from safetensors.torch import save_file

    path = tmp_path / "bf16.safetensors"
    save_file({"w": torch.ones(2, dtype=torch.bfloat16)}, path)
    with pytest.raises(FileFormatError, match=r"dtype 'BF16'.*tensor\.float\(\)"):
        load(path)


def test_ordered_dicts_stay_ordered_dicts() -> None:
    assert isinstance(mlp().state_dict(), OrderedDict)
