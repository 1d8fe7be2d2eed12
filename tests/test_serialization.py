"""save / load: round trips in both formats, failed saves, and refusal of anything pickled.

Every round trip runs for ``.npz`` and ``.safetensors``; hostile files, atomic writes and
the formats' own details have their own test files (tests/test_serialization_*.py).
"""

from __future__ import annotations

import io
import math
import os
import pickle
import zipfile
from collections import OrderedDict
from pathlib import Path
from typing import Any

import numpy as np
import pytest

import tinygrad_fr as tg
from tinygrad_fr import optim
from tinygrad_fr.serialization import FileFormatError, load, npz_format, save

SUFFIXES = [".npz", ".safetensors"]


@pytest.fixture(params=SUFFIXES)
def suffix(request: pytest.FixtureRequest) -> str:
    """Each test using it runs once per format."""
    return request.param


@pytest.fixture
def round_trip(tmp_path: Path, suffix: str):
    def save_and_load(obj: Any) -> Any:
        path = tmp_path / f"object{suffix}"
        save(obj, path)
        return load(path)

    return save_and_load


def assert_same_tensor(loaded: Any, original: tg.Tensor) -> None:
    assert isinstance(loaded, tg.Tensor)
    assert loaded.dtype == original.dtype and loaded.shape == original.shape
    assert np.array_equal(loaded._data, original._data)


# -- round trips ------------------------------------------------------------------------------


def test_module_like_state_dict_round_trips(round_trip) -> None:
    state = OrderedDict(
        [("layer2.weight", tg.Tensor(np.random.default_rng(0).normal(size=(3, 4)))),
         ("layer2.bias", tg.Tensor(np.zeros(3, dtype=np.float32))),
         ("layer1.weight", tg.Tensor([[1.5]], dtype=tg.float16)),
         ("steps", tg.Tensor(np.array(7, dtype=np.int64))),
         ("mask", tg.Tensor(np.array([True, False]))),
         ("empty", tg.Tensor(np.zeros((0, 3), dtype=np.float32)))]
    )  # fmt: skip
    loaded = round_trip(state)
    assert type(loaded) is OrderedDict and list(loaded) == list(state)
    for key, tensor in state.items():
        assert_same_tensor(loaded[key], tensor)


def test_requires_grad_is_kept(round_trip) -> None:
    loaded = round_trip([tg.Tensor([1.0], requires_grad=True), tg.Tensor([1.0])])
    assert loaded[0].requires_grad and not loaded[1].requires_grad and loaded[0].is_leaf


def test_nested_structures_round_trip(round_trip) -> None:
    obj = {
        "ints": {0: 1, 1: -(2**70), -3: None},
        "floats": [0.1, -0.0, math.inf, 1e-300],
        "flags": (True, False, None),
        "text": "réseau de neurones ✓",
        "tuple keys": {(1, "a"): "x", 2.5: "y", None: "z", True: "t"},
        "arrays": [np.arange(6).reshape(2, 3), np.array([1 + 2j])],
        "scalar": np.float32(2.5),
        "empty": [{}, [], ()],
        "nested": [[[{"deep": tg.Tensor([1.0, 2.0])}]]],
    }
    loaded = round_trip(obj)
    assert loaded["ints"] == obj["ints"] and loaded["flags"] == obj["flags"]
    assert loaded["floats"] == obj["floats"] and math.copysign(1, loaded["floats"][1]) == -1
    assert loaded["text"] == obj["text"] and loaded["tuple keys"] == obj["tuple keys"]
    assert list(loaded["tuple keys"]) == list(obj["tuple keys"])
    assert type(loaded["ints"]) is dict and list(loaded) == list(obj)
    for ours, theirs in zip(loaded["arrays"], obj["arrays"], strict=True):
        assert isinstance(ours, np.ndarray) and ours.dtype == theirs.dtype
        assert np.array_equal(ours, theirs)
    assert isinstance(loaded["scalar"], np.float32) and loaded["scalar"] == 2.5
    assert loaded["empty"] == [{}, [], ()]
    assert_same_tensor(loaded["nested"][0][0][0]["deep"], obj["nested"][0][0][0]["deep"])


def test_nan_round_trips(round_trip) -> None:
    assert math.isnan(round_trip({"x": math.nan})["x"])


def test_a_tensor_saved_twice_comes_back_shared(round_trip) -> None:
    shared = tg.Tensor([1.0, 2.0])
    loaded = round_trip({"a": shared, "b": [shared], "c": tg.Tensor([1.0, 2.0])})
    assert loaded["a"] is loaded["b"][0] and loaded["c"] is not loaded["a"]


def test_optimizer_state_dict_round_trips_and_resumes(round_trip) -> None:
    def train(optimizer: Any, params: list[tg.Tensor], steps: int) -> None:
        for _ in range(steps):
            for p in params:
                p.grad = tg.Tensor(np.sin(p._data))
            optimizer.step()

    params = [tg.Tensor([1.0, 2.0], requires_grad=True), tg.Tensor([[3.0]], requires_grad=True)]
    optimizer = optim.Adam([{"params": params[:1]}, {"params": params[1:], "lr": 0.1}],
                           amsgrad=True)  # fmt: skip
    scheduler = optim.lr_scheduler.StepLR(optimizer, step_size=2)
    train(optimizer, params, 3)
    scheduler.step()
    checkpoint = {"optimizer": optimizer.state_dict(), "scheduler": scheduler.state_dict(),
                  "params": [p.detach() for p in params]}  # fmt: skip
    loaded = round_trip(checkpoint)
    assert loaded["optimizer"]["param_groups"][0]["betas"] == (0.9, 0.999)
    assert sorted(loaded["optimizer"]["state"]) == [0, 1]
    copies = [tg.Tensor(p._data, requires_grad=True) for p in loaded["params"]]
    resumed = optim.Adam([{"params": copies[:1]}, {"params": copies[1:]}])
    resumed_scheduler = optim.lr_scheduler.StepLR(resumed, step_size=2)
    resumed.load_state_dict(loaded["optimizer"])
    resumed_scheduler.load_state_dict(loaded["scheduler"])
    for _ in range(4):
        train(optimizer, params, 1)
        train(resumed, copies, 1)
        scheduler.step()
        resumed_scheduler.step()
    assert resumed_scheduler.get_last_lr() == scheduler.get_last_lr()
    for original, copy in zip(params, copies, strict=True):
        assert np.array_equal(original._data, copy._data)


def test_module_state_dict_round_trips(round_trip) -> None:
    nn = pytest.importorskip("tinygrad_fr.nn")
    model = nn.Linear(3, 2)
    other = nn.Linear(3, 2)
    other.load_state_dict(round_trip(model.state_dict()))
    for (name, ours), (_, theirs) in zip(
        model.state_dict().items(), other.state_dict().items(), strict=True
    ):
        assert np.array_equal(ours._data, theirs._data), name


def test_str_bytes_and_pathlike_paths_are_accepted(tmp_path: Path, suffix: str) -> None:
    for kind, path in [("str", str(tmp_path / f"s{suffix}")),
                       ("bytes", os.fsencode(tmp_path / f"b{suffix}")),
                       ("PathLike", tmp_path / f"p{suffix}")]:  # fmt: skip
        save({"x": 1, "kind": kind}, path)
        assert load(path) == {"x": 1, "kind": kind}
    assert sorted(os.listdir(tmp_path)) == [f"b{suffix}", f"p{suffix}", f"s{suffix}"]


def test_any_other_name_gets_npz_and_nothing_is_appended(tmp_path: Path) -> None:
    save({"x": 1}, str(tmp_path / "as_str.pt"))
    assert os.listdir(tmp_path) == ["as_str.pt"]
    assert zipfile.is_zipfile(tmp_path / "as_str.pt") and load(tmp_path / "as_str.pt") == {"x": 1}


def test_file_objects_are_accepted(tmp_path: Path) -> None:
    buffer = io.BytesIO()
    save({"x": tg.Tensor([1.0])}, buffer)
    buffer.seek(0)
    assert load(buffer)["x"].tolist() == [1.0]
    with open(tmp_path / "opened.safetensors", "wb") as file:  # the name picks the format
        save({"x": tg.Tensor([2.0])}, file)
    with open(tmp_path / "opened.safetensors", "rb") as file:
        assert file.read(9)[8:] == b"{"
        file.seek(0)
        assert load(file)["x"].tolist() == [2.0]


def test_a_path_of_another_type_is_a_type_error(tmp_path: Path) -> None:
    with pytest.raises(TypeError, match=r"save: the path must be a str, bytes or os\.PathLike"):
        save({"x": 1}, 42)  # type: ignore[arg-type]
    with pytest.raises(TypeError, match="load: the path must be"):
        load(3.5)  # type: ignore[arg-type]


def test_format_is_detected_from_content_not_name(tmp_path: Path) -> None:
    save({"w": tg.Tensor([1.0])}, tmp_path / "real.safetensors")
    save({"w": tg.Tensor([2.0])}, tmp_path / "real.npz")
    os.rename(tmp_path / "real.safetensors", tmp_path / "looks.npz")
    os.rename(tmp_path / "real.npz", tmp_path / "looks.safetensors")
    assert load(tmp_path / "looks.npz")["w"].tolist() == [1.0]
    assert load(tmp_path / "looks.safetensors")["w"].tolist() == [2.0]


# -- failures leave nothing behind ------------------------------------------------------------


def test_unsupported_value_is_a_type_error_naming_its_key_path(tmp_path: Path, suffix) -> None:
    with pytest.raises(TypeError, match=r"cannot save the set at obj\['state'\]\[0\]\['bad'\]"):
        save({"state": {0: {"bad": {1, 2}}}}, tmp_path / f"x{suffix}")
    assert os.listdir(tmp_path) == []


@pytest.mark.parametrize(
    ("obj", "message"),
    [({"f": print}, "builtin_function_or_method"), ({"a": np.array([None])}, "dtype object"),
     ({object(): 1}, "dict key"), ({"s": np.array(["text"])}, "dtype <U4"),
     ({"d": np.array(["2024-01-01"], dtype="datetime64[D]")}, "dtype datetime64"),
     ({"r": np.zeros(2, dtype=[("a", "f4")])}, "dtype"), ({"big": 10**5000}, "too many")],
)  # fmt: skip
def test_values_tg_load_could_not_read_are_refused_on_save(
    tmp_path: Path, suffix: str, obj: Any, message: str
) -> None:
    with pytest.raises(TypeError, match=message):
        save(obj, tmp_path / f"x{suffix}")
    assert os.listdir(tmp_path) == []


def test_structures_nested_past_the_limit_are_refused_on_save(tmp_path: Path, suffix) -> None:
    deep: list[Any] = []
    for _ in range(99):
        deep = [deep]
    save(deep, tmp_path / f"ok{suffix}")
    assert load(tmp_path / f"ok{suffix}") == deep
    loop: list[Any] = []
    loop.append(loop)
    with pytest.raises(ValueError, match="nested more than 100 containers deep"):
        save(loop, tmp_path / f"loop{suffix}")
    assert os.listdir(tmp_path) == [f"ok{suffix}"]


def test_failed_save_keeps_the_old_file_and_leaves_no_temporary(
    tmp_path: Path, monkeypatch, suffix: str
) -> None:
    path = tmp_path / f"checkpoint{suffix}"
    save({"version": 1}, path)

    def crash(descriptor: int) -> None:
        raise OSError("disk full")

    monkeypatch.setattr(os, "fsync", crash)
    with pytest.raises(OSError, match=r"save: could not write .*checkpoint.*disk full"):
        save({"version": 2}, path)
    monkeypatch.undo()
    assert os.listdir(tmp_path) == [path.name] and load(path) == {"version": 1}


def test_crash_in_the_middle_of_the_npz_writer_leaves_nothing(tmp_path: Path, monkeypatch) -> None:
    path = tmp_path / "checkpoint.npz"
    save({"version": 1}, path)

    def crash_mid_write(file: Any, **arrays: Any) -> None:
        file.write(b"PK partial data")
        raise KeyboardInterrupt

    monkeypatch.setattr(npz_format.np, "savez", crash_mid_write)
    with pytest.raises(KeyboardInterrupt):
        save({"version": 2}, path)
    monkeypatch.undo()
    assert os.listdir(tmp_path) == ["checkpoint.npz"] and load(path) == {"version": 1}


def test_failed_rename_leaves_no_temporary(tmp_path: Path, monkeypatch, suffix: str) -> None:
    path = tmp_path / f"checkpoint{suffix}"
    save({"version": 1}, path)

    def refuse(source: str, target: str) -> None:
        raise PermissionError(13, "Permission denied")

    monkeypatch.setattr(os, "replace", refuse)
    with pytest.raises(PermissionError, match=r"save: could not write .*Permission denied"):
        save({"version": 2}, path)
    monkeypatch.undo()
    assert os.listdir(tmp_path) == [path.name] and load(path) == {"version": 1}


def test_save_replaces_an_existing_file(tmp_path: Path, suffix: str) -> None:
    path = tmp_path / f"checkpoint{suffix}"
    save({"version": 1}, path)
    save({"version": 2}, path)
    assert load(path) == {"version": 2} and os.listdir(tmp_path) == [path.name]


# -- nothing pickled is ever run --------------------------------------------------------------


class Exploit:
    """Unpickling this would create the marker file."""

    def __init__(self, marker: Path) -> None:
        self.marker = marker

    def __reduce__(self) -> tuple:
        return (Path.touch, (self.marker,))


@pytest.mark.parametrize("protocol", range(2, pickle.HIGHEST_PROTOCOL + 1))
def test_a_pickle_file_is_refused_without_running_it(tmp_path: Path, protocol: int) -> None:
    marker, path = tmp_path / "pwned", tmp_path / "model.pt"
    path.write_bytes(pickle.dumps({"weight": Exploit(marker)}, protocol=protocol))
    with pytest.raises(FileFormatError, match=r"pickled Python objects.*refuses"):
        load(path)
    assert not marker.exists()


@pytest.mark.parametrize("protocol", [0, 1])
def test_an_old_protocol_pickle_is_refused_too(tmp_path: Path, protocol: int) -> None:
    marker, path = tmp_path / "pwned", tmp_path / "model.pt"
    path.write_bytes(pickle.dumps({"weight": Exploit(marker)}, protocol=protocol))
    with pytest.raises(FileFormatError, match=r"is not a tg.save file"):
        load(path)
    assert not marker.exists()


def test_an_npz_with_a_pickled_object_array_is_refused(tmp_path: Path) -> None:
    marker, path = tmp_path / "pwned", tmp_path / "model.npz"
    saved = io.BytesIO()
    save({"w": tg.Tensor([1.0])}, saved)
    meta = np.load(io.BytesIO(saved.getvalue()))["__meta__"]
    np.savez(path, __meta__=meta, a0=np.array([Exploit(marker)], dtype=object))
    with pytest.raises(FileFormatError, match="pickled Python objects"):
        load(path)
    assert not marker.exists()


def test_a_pickled_npy_file_is_refused(tmp_path: Path) -> None:
    marker, path = tmp_path / "pwned", tmp_path / "model.npy"
    np.save(path, np.array([Exploit(marker)], dtype=object), allow_pickle=True)
    with pytest.raises(FileFormatError, match=r"single NumPy .npy array, not a tg.save file"):
        load(path)
    assert not marker.exists()


def test_a_torch_like_zip_is_refused(tmp_path: Path) -> None:
    marker, path = tmp_path / "pwned", tmp_path / "torch_like.pt"
    with zipfile.ZipFile(path, "w") as archive:
        archive.writestr("archive/data.pkl", pickle.dumps({"w": Exploit(marker)}))
    with pytest.raises(FileFormatError, match=r"not written by tg.save"):
        load(path)
    assert not marker.exists()


def test_a_damaged_file_is_refused(tmp_path: Path) -> None:
    path = tmp_path / "damaged.npz"
    np.savez(path, __meta__=np.frombuffer(b"{not json", dtype=np.uint8))
    with pytest.raises(FileFormatError, match=r"damaged.*'__meta__' is not valid JSON"):
        load(path)
    path.write_bytes(b"PK\x03\x04 truncated")
    with pytest.raises(FileFormatError, match="damaged"):
        load(path)
    path.write_bytes(b"hello")
    with pytest.raises(FileFormatError, match=r"is not a tg.save file"):
        load(path)


def test_a_missing_array_entry_is_reported_as_damage(tmp_path: Path) -> None:
    saved = io.BytesIO()
    save({"w": tg.Tensor([1.0])}, saved)
    path = tmp_path / "missing.npz"
    np.savez(path, __meta__=np.load(io.BytesIO(saved.getvalue()))["__meta__"])
    with pytest.raises(FileFormatError, match="the array 'a0' it refers to is missing"):
        load(path)


def test_a_file_written_by_version_0_1_still_loads() -> None:
    state = load(Path(__file__).with_name("data") / "checkpoint-v0.1.npz")
    assert type(state["model"]) is OrderedDict and list(state["model"]) == ["0.weight", "0.bias"]
    assert state["model"]["0.weight"].tolist() == [[0.5, -1.0]]
    assert state["model"]["0.weight"].requires_grad
    assert state["optimizer"]["param_groups"][0]["betas"] == (0.9, 0.999)
    assert state["optimizer"]["state"][0]["step"].item() == 3.0
    assert state["labels"].dtype == np.int64 and state["scalar"] == np.float32(2.5)
    assert state["keys"] == {(1, "a"): None} and state["history"] == [1.5, 0.75]
