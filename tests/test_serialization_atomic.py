"""Saving changes one file and nothing else: symlinks stay links, permissions stay, killed
writers' temporary files are cleaned up, and every failure names the path."""

from __future__ import annotations

import errno
import os
import signal
import subprocess
import sys
import textwrap
import threading
import time
from pathlib import Path

import pytest

import tinygrad_fr as tg
from tinygrad_fr.serialization import atomic, load, save

posix_only = pytest.mark.skipif(os.name != "posix", reason="POSIX file semantics")


@posix_only
def test_saving_through_a_symlink_updates_its_target_and_keeps_the_link(tmp_path: Path) -> None:
    target = tmp_path / "real" / "weights.safetensors"
    target.parent.mkdir()
    save({"v": 1}, target)
    link = tmp_path / "latest.safetensors"
    link.symlink_to(target)
    save({"v": 2}, link)
    assert link.is_symlink() and os.readlink(link) == str(target)
    assert load(target) == {"v": 2} and load(link) == {"v": 2}
    assert sorted(os.listdir(tmp_path)) == ["latest.safetensors", "real"]


@posix_only
def test_a_dangling_symlink_gets_its_target_created(tmp_path: Path) -> None:
    link = tmp_path / "link.npz"
    link.symlink_to(tmp_path / "made.npz")
    save({"v": 1}, link)
    assert link.is_symlink() and load(tmp_path / "made.npz") == {"v": 1}


@posix_only
@pytest.mark.parametrize("mode", [0o600, 0o640, 0o444])
def test_an_existing_file_keeps_its_permission_bits(tmp_path: Path, mode: int) -> None:
    path = tmp_path / "w.npz"
    save({"v": 1}, path)
    os.chmod(path, mode)
    save({"v": 2}, path)
    assert os.stat(path).st_mode & 0o777 == mode and load(path) == {"v": 2}


@posix_only
@pytest.mark.parametrize("umask", [0o022, 0o077])
def test_a_new_file_gets_the_permissions_open_would_give(tmp_path: Path, umask: int) -> None:
    old = os.umask(umask)
    try:
        save({"v": 1}, tmp_path / "w.safetensors")
    finally:
        os.umask(old)
    assert os.stat(tmp_path / "w.safetensors").st_mode & 0o777 == 0o666 & ~umask


def dead_pid() -> int:
    process = subprocess.Popen([sys.executable, "-c", "pass"])
    process.wait()
    return process.pid


def temporary(tmp_path: Path, name: str, *, pid: int, host: str = atomic._HOST) -> Path:
    path = tmp_path / f".{name}.{host}.{pid}.{'0' * 16}.tmp"
    path.write_bytes(b"partial")
    return path


def age(path: Path, seconds: float) -> None:
    when = time.time() - seconds
    os.utime(path, (when, when))


@posix_only
def test_temporaries_of_killed_writers_are_removed_by_the_next_save(tmp_path: Path) -> None:
    dead = temporary(tmp_path, "w.npz", pid=dead_pid())
    live = temporary(tmp_path, "w.npz", pid=os.getppid())
    far_recent = temporary(tmp_path, "w.npz", pid=1, host="deadbeef")
    far_old = temporary(tmp_path, "w.npz", pid=2, host="deadbeef")
    age(far_old, 2 * atomic.STALE_AFTER)
    legacy_old = tmp_path / f".w.npz.{'a' * 32}.tmp"
    legacy_recent = tmp_path / f".w.npz.{'b' * 32}.tmp"
    legacy_old.write_bytes(b"v0.1")
    legacy_recent.write_bytes(b"v0.1")
    age(legacy_old, 2 * atomic.STALE_AFTER)
    other = temporary(tmp_path, "other.npz", pid=dead_pid())
    save({"v": 1}, tmp_path / "w.npz")
    left = set(os.listdir(tmp_path))
    assert {live.name, far_recent.name, legacy_recent.name, other.name, "w.npz"} == left
    assert dead.name not in left and far_old.name not in left and legacy_old.name not in left


WRITER = textwrap.dedent(
    """
    import sys, tinygrad_fr as tg
    state = {"w": tg.zeros(300_000), "step": 0}
    print("ready", flush=True)
    while True:
        state["step"] += 1
        tg.save(state, sys.argv[1])
    """
)


@posix_only
@pytest.mark.parametrize("suffix", [".npz", ".safetensors"])
def test_kill_9_during_saves_leaves_a_whole_file_and_the_next_save_cleans_up(
    tmp_path: Path, suffix: str
) -> None:
    path = tmp_path / f"checkpoint{suffix}"
    save({"w": tg.zeros(300_000), "step": 0}, path)
    for delay in (0.05, 0.11, 0.23):
        writer = subprocess.Popen(
            [sys.executable, "-c", WRITER, str(path)], stdout=subprocess.PIPE, text=True
        )
        assert writer.stdout is not None and writer.stdout.readline() == "ready\n"
        time.sleep(delay)
        writer.send_signal(signal.SIGKILL)
        writer.wait()
        assert load(path)["w"].shape == (300_000,)  # the old file or a whole new one
    save({"w": tg.zeros(3), "step": -1}, path)
    assert os.listdir(tmp_path) == [path.name]


def test_concurrent_savers_of_one_path_all_succeed(tmp_path: Path) -> None:
    path = tmp_path / "shared.safetensors"
    errors: list[BaseException] = []

    def keep_saving(value: int) -> None:
        try:
            for _ in range(20):
                save({"v": value, "w": tg.zeros(1000)}, path)
        except BaseException as error:  # reported by the assertion below
            errors.append(error)

    threads = [threading.Thread(target=keep_saving, args=(i,)) for i in range(4)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert errors == [] and load(path)["v"] in range(4)
    assert os.listdir(tmp_path) == [path.name]


# -- every failure names the path -------------------------------------------------------------


def test_a_full_disk_names_the_path_and_keeps_errno(tmp_path: Path, monkeypatch) -> None:
    path = tmp_path / "w.npz"

    def full(descriptor: int) -> None:
        raise OSError(errno.ENOSPC, "No space left on device")

    monkeypatch.setattr(os, "fsync", full)
    with pytest.raises(OSError) as info:
        save({"w": tg.zeros(10)}, path)
    assert info.value.errno == errno.ENOSPC and info.value.filename == str(path)
    assert str(path) in str(info.value) and "free some disk space" in str(info.value)
    monkeypatch.undo()
    assert os.listdir(tmp_path) == []


def test_a_missing_folder_is_file_not_found_naming_the_path(tmp_path: Path) -> None:
    path = tmp_path / "no" / "such" / "folder" / "w.npz"
    with pytest.raises(FileNotFoundError, match="create it first") as info:
        save({"v": 1}, path)
    assert str(path) in str(info.value)


def test_a_folder_as_path_is_refused_naming_it(tmp_path: Path) -> None:
    with pytest.raises(IsADirectoryError) as info:
        save({"v": 1}, tmp_path)
    assert str(tmp_path) in str(info.value)


@posix_only
def test_a_read_only_folder_is_a_permission_error_naming_the_path(tmp_path: Path) -> None:
    if os.geteuid() == 0:
        pytest.skip("root may write anywhere")
    os.chmod(tmp_path, 0o555)
    try:
        with pytest.raises(PermissionError, match="may write to that folder"):
            save({"v": 1}, tmp_path / "w.npz")
    finally:
        os.chmod(tmp_path, 0o755)


@pytest.mark.skipif(sys.platform != "linux", reason="file names are bytes on Linux")
def test_a_bytes_path_that_is_not_utf8_is_accepted(tmp_path: Path) -> None:
    path = os.fsencode(tmp_path) + b"/caf\xe9.safetensors"
    save({"v": 1}, path)
    assert os.listdir(os.fsencode(tmp_path)) == [b"caf\xe9.safetensors"]
    assert load(path) == {"v": 1}
