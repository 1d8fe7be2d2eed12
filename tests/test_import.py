"""``import tinygrad_fr`` stays light: heavy optional modules load only when used.

The checks run in one fresh interpreter (this test process has imported everything), which
records the heavy modules loaded after each step.
"""

from __future__ import annotations

import json
import subprocess
import sys

import pytest

import tinygrad_fr as tg

HEAVY = ("hypothesis", "graphviz", "matplotlib", "torch", "sklearn")

STEPS = {
    "import": "import tinygrad_fr as tg",
    "autograd": "x = tg.Tensor([1.0, 2.0], requires_grad=True); (x * x).sum().backward()",
    "nn": "names['nn'] = tg.nn.Linear.__name__",
    "optim": "names['optim'] = tg.optim.SGD.__name__",
    "gradcheck": "names['testing'] = tg.testing.gradcheck.__name__",
    "strategies": "tg.testing.strategies.tensors",
}

SCRIPT = f"""
import json, sys
HEAVY = {HEAVY!r}
names, loaded = {{}}, {{}}
for step, code in {STEPS!r}.items():
    exec(code)
    loaded[step] = sorted({{n.split(".")[0] for n in sys.modules}} & set(HEAVY))
print(json.dumps({{"loaded": loaded, "names": names}}))
"""


@pytest.fixture(scope="module")
def fresh_interpreter() -> dict:
    result = subprocess.run(
        [sys.executable, "-c", SCRIPT], capture_output=True, text=True, timeout=60
    )
    assert result.returncode == 0, result.stderr[-2000:]
    return json.loads(result.stdout.splitlines()[-1])


@pytest.mark.parametrize("step", ["import", "autograd", "nn", "optim", "gradcheck"])
def test_heavy_modules_are_not_loaded(fresh_interpreter, step):
    assert fresh_interpreter["loaded"][step] == []


def test_testing_strategies_loads_hypothesis(fresh_interpreter):
    assert "hypothesis" in fresh_interpreter["loaded"]["strategies"]


@pytest.mark.parametrize(
    ("name", "attribute"), [("nn", "Linear"), ("optim", "SGD"), ("testing", "gradcheck")]
)
def test_subpackage_is_reachable_as_an_attribute_after_import(fresh_interpreter, name, attribute):
    assert fresh_interpreter["names"][name] == attribute


@pytest.mark.parametrize("name", ["nn", "optim", "testing"])
def test_subpackage_attribute_is_the_module(name):
    assert getattr(tg, name).__name__ == f"tinygrad_fr.{name}"


def test_unknown_attribute_raises_attribute_error():
    with pytest.raises(AttributeError, match="no_such_thing"):
        _ = tg.no_such_thing
