"""save / load: round trips, atomic writes, and refusal of anything pickled."""

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
from tinygrad_fr import optim, serialization
from tinygrad_fr.serialization import load, save


def round_trip(obj: Any, tmp_path: Path) -> Any:
    path = tmp_path / "object.npz"
    save(obj, path)
    return load(path)


def assert_same_tensor(loaded: Any, original: tg.Tensor) -> None:
    assert isinstance(loaded, tg.Tensor)
    assert loaded.dtype == original.dtype and loaded.shape == original.shape
    assert np.array_equal(loaded._data, original._data)


# -- round trips ------------------------------------------------------------------------------


def test_module_like_state_dict_round_trips(tmp_path: Path) -> None:
    state = OrderedDict(
        [("layer2.weight", tg.Tensor(np.random.default_rng(0).normal(size=(3, 4)))),
         ("layer2.bias", tg.Tensor(np.zeros(3, dtype=np.float32))),
         ("layer1.weight", tg.Tensor([[1.5]], dtype=tg.float16)),
         ("steps", tg.Tensor(np.array(7, dtype=np.int64))),
         ("mask", tg.Tensor(np.array([True, False]))),
         ("empty", tg.Tensor(np.zeros((0, 3), dtype=np.float32)))]
    )  # fmt: skip
    loaded = round_trip(state, tmp_path)
    assert type(loaded) is OrderedDict and list(loaded) == list(state)
    for key, tensor in state.items():
        assert_same_tensor(loaded[key], tensor)


def test_requires_grad_is_kept(tmp_path: Path) -> None:
    loaded = round_trip([tg.Tensor([1.0], requires_grad=True), tg.Tensor([1.0])], tmp_path)
    assert loaded[0].requires_grad and not loaded[1].requires_grad and loaded[0].is_leaf


def test_nested_structures_round_trip(tmp_path: Path) -> None:
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
    loaded = round_trip(obj, tmp_path)
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


def test_nan_round_trips(tmp_path: Path) -> None:
    assert math.isnan(round_trip({"x": math.nan}, tmp_path)["x"])


def test_a_tensor_saved_twice_comes_back_shared(tmp_path: Path) -> None:
    shared = tg.Tensor([1.0, 2.0])
    loaded = round_trip({"a": shared, "b": [shared], "c": tg.Tensor([1.0, 2.0])}, tmp_path)
    assert loaded["a"] is loaded["b"][0] and loaded["c"] is not loaded["a"]


def test_optimizer_state_dict_round_trips_and_resumes(tmp_path: Path) -> None:
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
    loaded = round_trip(checkpoint, tmp_path)
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


def test_module_state_dict_round_trips(tmp_path: Path) -> None:
    nn = pytest.importorskip("tinygrad_fr.nn")
    model = nn.Linear(3, 2)
    other = nn.Linear(3, 2)
    other.load_state_dict(round_trip(model.state_dict(), tmp_path))
    for (name, ours), (_, theirs) in zip(
        model.state_dict().items(), other.state_dict().items(), strict=True
    ):
        assert np.array_equal(ours._data, theirs._data), name


def test_paths_and_file_objects_are_accepted(tmp_path: Path) -> None:
    save({"x": 1}, str(tmp_path / "as_str.pt"))
    assert load(str(tmp_path / "as_str.pt")) == {"x": 1}
    assert os.listdir(tmp_path) == ["as_str.pt"]  # no ".npz" appended
    buffer = io.BytesIO()
    save({"x": tg.Tensor([1.0])}, buffer)
    buffer.seek(0)
    assert load(buffer)["x"].tolist() == [1.0]


# -- failures leave nothing behind ------------------------------------------------------------


def test_unsupported_value_is_a_type_error_naming_its_key_path(tmp_path: Path) -> None:
    with pytest.raises(TypeError, match=r"cannot save the set at obj\['state'\]\[0\]\['bad'\]"):
        save({"state": {0: {"bad": {1, 2}}}}, tmp_path / "x.npz")
    assert os.listdir(tmp_path) == []


@pytest.mark.parametrize(
    ("obj", "message"),
    [({"f": print}, "builtin_function_or_method"), ({"a": np.array([None])}, "dtype object"),
     ({object(): 1}, "dict key"), ({"s": np.array(["text"])}, "dtype <U4")],
)  # fmt: skip
def test_values_needing_pickle_are_refused_on_save(tmp_path: Path, obj: Any, message: str) -> None:
    with pytest.raises(TypeError, match=message):
        save(obj, tmp_path / "x.npz")


def test_failed_save_keeps_the_old_file_and_leaves_no_temporary(
    tmp_path: Path, monkeypatch
) -> None:
    path = tmp_path / "checkpoint.npz"
    save({"version": 1}, path)

    def crash_mid_write(file: Any, **arrays: Any) -> None:
        file.write(b"PK partial data")
        raise OSError("disk full")

    monkeypatch.setattr(serialization.np, "savez", crash_mid_write)
    with pytest.raises(OSError, match="disk full"):
        save({"version": 2}, path)
    monkeypatch.undo()
    assert os.listdir(tmp_path) == ["checkpoint.npz"] and load(path) == {"version": 1}


def test_failed_rename_leaves_no_temporary(tmp_path: Path, monkeypatch) -> None:
    path = tmp_path / "checkpoint.npz"
    save({"version": 1}, path)

    def refuse(source: str, target: str) -> None:
        raise PermissionError("read-only")

    monkeypatch.setattr(serialization.os, "replace", refuse)
    with pytest.raises(PermissionError):
        save({"version": 2}, path)
    monkeypatch.undo()
    assert os.listdir(tmp_path) == ["checkpoint.npz"] and load(path) == {"version": 1}


def test_save_replaces_an_existing_file(tmp_path: Path) -> None:
    path = tmp_path / "checkpoint.npz"
    save({"version": 1}, path)
    save({"version": 2}, path)
    assert load(path) == {"version": 2} and os.listdir(tmp_path) == ["checkpoint.npz"]


# -- nothing pickled is ever run --------------------------------------------------------------


class Exploit:
    """Unpickling this would create the marker file."""

    def __init__(self, marker: Path) -> None:
        self.marker = marker

    def __reduce__(self) -> tuple:
        return (Path.touch, (self.marker,))


def test_a_pickle_file_is_refused_without_running_it(tmp_path: Path) -> None:
    marker, path = tmp_path / "pwned", tmp_path / "model.pt"
    path.write_bytes(pickle.dumps({"weight": Exploit(marker)}))
    with pytest.raises(ValueError, match=r"pickled Python objects.*refuses"):
        load(path)
    assert not marker.exists()


def test_an_npz_with_a_pickled_object_array_is_refused(tmp_path: Path) -> None:
    marker, path = tmp_path / "pwned", tmp_path / "model.npz"
    saved = io.BytesIO()
    save({"w": tg.Tensor([1.0])}, saved)
    meta = np.load(io.BytesIO(saved.getvalue()))["__meta__"]
    np.savez(path, __meta__=meta, a0=np.array([Exploit(marker)], dtype=object))
    with pytest.raises(ValueError, match="pickled Python objects"):
        load(path)
    assert not marker.exists()


def test_a_pickled_npy_file_is_refused(tmp_path: Path) -> None:
    marker, path = tmp_path / "pwned", tmp_path / "model.npy"
    np.save(path, np.array([Exploit(marker)], dtype=object), allow_pickle=True)
    with pytest.raises(ValueError, match=r"not a tg.save archive"):
        load(path)
    assert not marker.exists()


def test_a_zip_not_written_by_save_is_refused(tmp_path: Path) -> None:
    path = tmp_path / "torch_like.pt"
    with zipfile.ZipFile(path, "w") as archive:
        archive.writestr("archive/data.pkl", pickle.dumps({"w": 1}))
    with pytest.raises(ValueError, match=r"not written by tg.save"):
        load(path)


def test_a_damaged_file_is_refused(tmp_path: Path) -> None:
    path = tmp_path / "damaged.npz"
    np.savez(path, __meta__=np.frombuffer(b"{not json", dtype=np.uint8))
    with pytest.raises(ValueError, match=r"damaged tg.save file"):
        load(path)
    path.write_bytes(b"PK\x03\x04 truncated")
    with pytest.raises(ValueError, match="damaged"):
        load(path)
    path.write_bytes(b"hello")
    with pytest.raises(ValueError, match=r"not a tg.save archive"):
        load(path)


def test_a_missing_array_entry_is_reported_as_damage(tmp_path: Path) -> None:
    saved = io.BytesIO()
    save({"w": tg.Tensor([1.0])}, saved)
    path = tmp_path / "missing.npz"
    np.savez(path, __meta__=np.load(io.BytesIO(saved.getvalue()))["__meta__"])
    with pytest.raises(ValueError, match="damaged"):
        load(path)
