"""Writing a trace to a file, by extension: a picture through Graphviz's ``dot``, DOT text, or
the step-through page.

``dot`` runs with a timeout; when it is missing or fails, the DOT text is still written beside
the requested file and the error says where it is and how to install Graphviz.
"""

from __future__ import annotations

import os
import shutil
import subprocess
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from .tracing import Trace

PICTURES = (".svg", ".png", ".pdf")
INSTALL = (
    "install Graphviz (Debian/Ubuntu: `apt-get install graphviz`, macOS: `brew install graphviz`)"
)
PAGE_OPTIONS = ("lang", "title", "max_nodes", "max_steps")


def save_trace(
    trace: Trace, path: str | os.PathLike[str], *, timeout: float = 60.0, **options: Any
) -> str:
    """Write ``trace`` to ``path``: ``.svg .png .pdf`` (rendered by ``dot`` within ``timeout``
    seconds), ``.dot`` (the DOT text) or ``.html`` (the step-through page; options ``lang``,
    ``title``, ``max_nodes``, ``max_steps``). Other options go to :meth:`Trace.draw`.
    Returns the path written."""
    path = os.fspath(path)
    extension = os.path.splitext(path)[1].lower()
    if extension in (".html", ".htm"):
        return _write(path, trace.to_html(**options))
    if extension not in PICTURES + (".dot", ".gv"):
        raise ValueError(
            f"tr.save: unknown extension {extension or '(none)'!r} in {path!r}; use .svg, .png, "
            ".pdf (a picture by Graphviz), .dot (its text) or .html (the step-through page)"
        )
    source = trace.draw(**options).source
    if extension in (".dot", ".gv"):
        return _write(path, source)
    dot_path = os.path.splitext(path)[0] + ".dot"
    _write(dot_path, source)
    render_dot(dot_path, path, timeout)
    os.remove(dot_path)
    return path


def render_dot(dot_path: str, path: str, timeout: float = 60.0) -> None:
    """Run ``dot`` on the file ``dot_path`` to write ``path`` (format from its extension)."""
    program = shutil.which("dot")
    if program is None:
        raise RuntimeError(
            f"tr.save: the Graphviz program 'dot' is not installed, so {path} was not drawn; "
            f"{INSTALL}. The DOT text is in {dot_path} (any Graphviz viewer opens it), and "
            "tr.save('page.html') or tr.to_text() need no Graphviz."
        )
    file_format = os.path.splitext(path)[1].lstrip(".").lower()
    try:
        done = subprocess.run(
            [program, f"-T{file_format}", dot_path, "-o", path],
            capture_output=True,
            text=True,
            timeout=timeout,
            check=False,
        )
    except subprocess.TimeoutExpired:
        raise RuntimeError(
            f"tr.save: dot took more than {timeout:g} s to draw {path}; draw less "
            f"(tr.draw(depth=1) or a smaller max_nodes) or raise timeout=. The DOT text is in "
            f"{dot_path}."
        ) from None
    if done.returncode != 0:
        raise RuntimeError(
            f"tr.save: dot failed on {dot_path} (exit status {done.returncode}): "
            f"{done.stderr.strip()[:500]}"
        )


def _write(path: str, text: str) -> str:
    folder = os.path.dirname(path)
    if folder:
        os.makedirs(folder, exist_ok=True)
    with open(path, "w", encoding="utf-8") as file:
        file.write(text)
    return path
