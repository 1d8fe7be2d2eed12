"""The command line: tinygrad-fr and python -m tinygrad_fr; demo (the default) writes its four
files and says where; lab lists and runs the labs shipped in the package, from any folder;
--help everywhere; a bad argument exits with 2 and one line, no traceback."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from tinygrad_fr.cli import lab as lab_command
from tinygrad_fr.cli import main


def run(*args: str, cwd: Path, script: bool = False) -> subprocess.CompletedProcess:
    """The command line in a subprocess, from ``cwd``, with no progress bars."""
    command = (
        [shutil.which("tinygrad-fr") or ""] if script else [sys.executable, "-m", "tinygrad_fr"]
    )
    env = {**os.environ, "TINYGRAD_FR_PROGRESS": "0"}
    return subprocess.run(
        [*command, *args],
        cwd=cwd,
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )


def test_demo_writes_the_graph_table_page_and_curves_and_says_where(tmp_path):
    out = tmp_path / "pictures"
    done = run("demo", "--epochs", "30", "--out", str(out), cwd=tmp_path)
    assert done.returncode == 0, done.stderr
    written = {path.name for path in out.iterdir()}
    graph = "alice_graph.svg" if shutil.which("dot") else "alice_graph.dot"
    curves = "training_curves.png"
    try:
        import matplotlib  # noqa: F401
    except ImportError:
        curves = "training_curves.csv"
    assert written == {graph, "alice_explain.fr.txt", "alice_backward.html", curves}
    for name in written:
        assert str(out / name) in done.stdout
    table = (out / "alice_explain.fr.txt").read_text(encoding="utf-8")
    assert "règle de la chaîne : dL/dw1 = dL/dypred × dypred/dh1 × dh1/dw1" in table
    assert "0.9990889488055994" in done.stdout and "0.0215" in done.stdout


@pytest.mark.parametrize(
    "args, words",
    [
        (["--help"], "demo"),
        (["demo", "--help"], "--out"),
        (["lab", "--help"], "number (1-7)"),
        (["lab", "3", "--help"], "--epochs"),
    ],
)
def test_help_works_everywhere(args, words, capsys):
    try:
        status = main(args)
    except SystemExit as stop:
        status = stop.code
    assert status == 0 and words in capsys.readouterr().out


@pytest.mark.parametrize(
    "args, message",
    [
        (["--epochs", "0"], "--epochs: expected a number of at least 1, got 0"),
        (["demo", "--epochs", "many"], "expected a whole number, got 'many'"),
        (["frobnicate"], "invalid choice: 'frobnicate'"),
        (["lab", "9"], "unknown lab '9'"),
        (["lab", "3", "--bogus"], "unrecognized arguments: --bogus"),
    ],
)
def test_bad_arguments_exit_2_with_one_line_and_no_traceback(args, message, tmp_path):
    done = run(*args, cwd=tmp_path)
    assert done.returncode == 2
    assert done.stderr.count("\n") == 1 and message in done.stderr
    assert "Traceback" not in done.stderr and "error:" in done.stderr


def test_an_unwritable_output_folder_is_a_bad_argument(tmp_path):
    blocker = tmp_path / "file"
    blocker.write_text("not a folder")
    done = run("--out", str(blocker / "inside"), cwd=tmp_path)
    assert done.returncode == 2 and "cannot write into --out" in done.stderr
    assert done.stdout == ""  # refused before the demo starts


def test_lab_lists_the_eight_labs(capsys):
    assert main(["lab"]) == 0
    lines = capsys.readouterr().out.splitlines()[1:]
    assert [line.split()[:2] for line in lines] == [
        [str(n), name] for n, name in enumerate(lab_command.names(), 1)
    ]
    assert len(lines) == 8


@pytest.mark.parametrize("name", ["7", "lab7_nand_descente", "nand_descente", "lab7"])
def test_a_lab_is_found_by_number_or_name(name):
    assert lab_command.find(name) == "lab7_nand_descente"


def test_lab_runs_from_any_folder(tmp_path):
    done = run("lab", "1", cwd=tmp_path)
    assert done.returncode == 0, done.stderr
    assert "0.9990889488055994" in done.stdout.splitlines()


def test_lab_gets_its_own_options(capsys):
    assert main(["lab", "7", "--fast"]) == 0
    assert "Le perceptron calcule NAND : oui" in capsys.readouterr().out


def test_console_script_is_installed(tmp_path):
    if shutil.which("tinygrad-fr") is None:
        pytest.skip("the tinygrad-fr script is not on PATH (pip install -e . puts it there)")
    done = run("lab", cwd=tmp_path, script=True)
    assert done.returncode == 0 and "lab2_derivee_alice" in done.stdout
