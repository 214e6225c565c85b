"""Jupyter notebooks, read as their cells.

A notebook is JSON: code and prose in cells, beside outputs (tables, logs, base64 images)
that are often most of its bytes. Atlas indexes, measures and shows a notebook as the text of
its cells in the percent format that editors and jupytext use: a ``# %%`` line before each
cell, prose as comments. So its terms are the code's and the prose's, its size is what an
agent will read, its symbols come from the kernel language's chunker, and the line numbers
Atlas reports are those of the text it shows.
"""

from __future__ import annotations

import json
from typing import Any

import attrs

from atlas_core.classify.languages import EXTENSIONS
from atlas_core.fsread import MAX_READ_BYTES

__all__ = ["NOTEBOOK_MAX_BYTES", "NotebookText", "is_notebook", "read_notebook", "readable_text"]

#: a notebook is read whole to find its cells (outputs included), up to this many bytes
NOTEBOOK_MAX_BYTES = MAX_READ_BYTES

_SUFFIX = ".ipynb"

#: kernel language names that are not Atlas's name for the language
_KERNEL_ALIASES = {
    "python3": "python",
    "python2": "python",
    "ipython": "python",
    "c++": "cpp",
    "c++11": "cpp",
    "c++14": "cpp",
    "c++17": "cpp",
    "c#": "csharp",
    "f#": "fsharp",
    "sh": "bash",
    "shell": "bash",
    "js": "javascript",
    "node": "javascript",
    "ts": "typescript",
}
_LANGUAGES = frozenset(EXTENSIONS.values()) - {"jupyter"}

#: how a line comment starts, for kernel languages whose comments do not start with "#"
_COMMENT = dict.fromkeys(
    "c cpp csharp fsharp go java javascript kotlin rust scala swift typescript dart groovy".split(),
    "//",
) | dict.fromkeys(("sql", "haskell", "lua"), "--")

#: in a Python kernel, IPython's magics and shell escapes are not Python: shown as comments
_MAGIC_PREFIXES = ("%", "!")


@attrs.frozen
class NotebookText:
    """A notebook's cells as one text, and its kernel's language ("" when Atlas has no
    name for it)."""

    text: str
    language: str


def is_notebook(rel: str) -> bool:
    """Whether ``rel`` names a Jupyter notebook (by its extension, as classification does)."""
    return rel[-len(_SUFFIX) :].lower() == _SUFFIX


def read_notebook(data: bytes) -> NotebookText | None:
    """The cells of the notebook ``data`` (nbformat 3 or 4), or None if it is not one."""
    try:
        doc = json.loads(data)
    except (ValueError, RecursionError):  # not JSON, or nested past the parser's depth
        return None
    if not isinstance(doc, dict):
        return None
    cells = _cells(doc)
    if cells is None:
        return None
    language = _kernel_language(doc.get("metadata"))
    comment = _COMMENT.get(language, "#")
    lines: list[str] = []
    for cell in cells:
        if not isinstance(cell, dict):
            continue
        source = _source(cell.get("source", cell.get("input", "")))
        kind = cell.get("cell_type")
        if kind == "code":
            lines.append(f"{comment} %%")
            lines.extend(_code_line(line, comment, language) for line in source.splitlines())
        else:  # markdown, raw, or nbformat 3's heading
            lines.append(f"{comment} %% [{kind if isinstance(kind, str) else 'cell'}]")
            lines.extend(f"{comment} {line}".rstrip() for line in source.splitlines())
        lines.append("")
    text = "\n".join(lines)
    # JSON may escape a lone surrogate (``"\\ud800"``), which no output can encode
    text = text.encode("utf-8", "surrogatepass").decode("utf-8", "replace")
    return NotebookText(text, language)


def readable_text(rel: str, data: bytes) -> str:
    """The text Atlas reads, counts and shows of the file ``rel`` with content ``data``: the
    content decoded (leniently), or a notebook's cells."""
    if is_notebook(rel):
        cells = read_notebook(data)
        if cells is not None:
            return cells.text
    return data.decode("utf-8", "replace")


def _cells(doc: dict[str, Any]) -> list[Any] | None:
    cells = doc.get("cells")
    if isinstance(cells, list):
        return cells
    sheets = doc.get("worksheets")  # nbformat 3
    if isinstance(sheets, list):
        return [c for s in sheets if isinstance(s, dict) for c in s.get("cells") or ()]
    return None


def _source(value: Any) -> str:
    if isinstance(value, list):
        return "".join(part for part in value if isinstance(part, str))
    return value if isinstance(value, str) else ""


def _code_line(line: str, comment: str, language: str) -> str:
    if language == "python" and line.lstrip().startswith(_MAGIC_PREFIXES):
        return f"{comment} {line}"
    return line


def _kernel_language(metadata: Any) -> str:
    """Atlas's name for the kernel's language: from the file extension the notebook records,
    else the language's name; Python when the notebook does not say (Jupyter's default)."""
    if not isinstance(metadata, dict):
        return "python"
    info = metadata.get("language_info")
    info = info if isinstance(info, dict) else {}
    spec = metadata.get("kernelspec")
    spec = spec if isinstance(spec, dict) else {}
    extension = info.get("file_extension")
    if isinstance(extension, str) and extension.lstrip(".").lower() in EXTENSIONS:
        return EXTENSIONS[extension.lstrip(".").lower()]
    for name in (info.get("name"), spec.get("language"), spec.get("name")):
        if isinstance(name, str) and name:
            name = _KERNEL_ALIASES.get(name.lower(), name.lower())
            if name in _LANGUAGES:
                return name
    if info or spec:
        return ""  # a kernel Atlas does not know: the cells are indexed as text
    return "python"
