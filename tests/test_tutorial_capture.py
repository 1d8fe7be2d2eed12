"""The generated code printed in tutorial 10 is what ``step.code`` really gives.

The tutorial shows ``step.code`` as plain code blocks (too long for a doctest), each after a
``<!-- step.code: NAME -->`` marker. This test runs the tutorial's ``>>>`` examples in order and,
at each marker, compares the block with ``NAME.code`` at that point, so the page cannot go
stale. After a change to code generation, ``python tests/test_tutorial_capture.py --write``
rewrites the blocks from a real run.
"""

from __future__ import annotations

import contextlib
import doctest
import io
import re
import sys
from pathlib import Path

import pytest

import tinygrad_fr as tg

TUTORIAL = Path(__file__).resolve().parents[1] / "docs" / "tutoriels" / "10-code-genere.md"
BLOCK = re.compile(r"<!-- step\.code: (\w+) -->\n```python\n(.*?)```\n", re.DOTALL)


def generated_blocks(text: str) -> list[tuple[re.Match, str]]:
    """Each marked block of ``text`` with the code its step really has at that point."""
    examples = doctest.DocTestParser().get_examples(text, str(TUTORIAL))
    namespace: dict = {"__name__": "tutorial_10"}
    found = []
    done = 0
    try:
        for block in BLOCK.finditer(text):
            line = text.count("\n", 0, block.start())
            while done < len(examples) and examples[done].lineno < line:
                code = compile(examples[done].source, str(TUTORIAL), "single")
                with contextlib.redirect_stdout(io.StringIO()):
                    exec(code, namespace)
                done += 1
            found.append((block, namespace[block.group(1)].code))
    finally:
        tg.set_default_dtype(tg.float32)
    return found


def test_the_tutorial_shows_the_real_generated_code() -> None:
    text = TUTORIAL.read_text(encoding="utf-8")
    blocks = generated_blocks(text)
    assert [block.group(1) for block, _ in blocks] == ["train_step", "update_mini_batch"]
    for block, code in blocks:
        if block.group(2) != code:
            pytest.fail(
                f"{TUTORIAL.name}: the block after '<!-- step.code: {block.group(1)} -->' is "
                "not the step's real code; run python tests/test_tutorial_capture.py --write"
            )


def _write() -> None:
    text = TUTORIAL.read_text(encoding="utf-8")
    for block, code in reversed(generated_blocks(text)):
        marker = f"<!-- step.code: {block.group(1)} -->\n```python\n{code}```\n"
        text = text[: block.start()] + marker + text[block.end() :]
    TUTORIAL.write_text(text, encoding="utf-8")


if __name__ == "__main__" and sys.argv[1:] == ["--write"]:
    _write()
