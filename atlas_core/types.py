"""Domain data passed between pipeline stages. Frozen attrs classes: never mutate them."""

from __future__ import annotations

from typing import Any

import attrs

__all__ = [
    "ROLES",
    "Chunk",
    "Classification",
    "FileEntry",
    "RepoFile",
    "SelectedFile",
    "Selection",
    "text_lines",
]

#: Every role a file can have, in the order ``inspect`` lists them.
ROLES = ("impl", "test", "config", "docs", "build", "generated", "vendor", "other")


def text_lines(text: str) -> list[str]:
    """The lines of ``text`` as a :class:`Chunk`'s line numbers count them: ended by ``\n``
    alone (tree-sitter's rows, git's lines), without the ``\r`` of a CRLF.

    ``str.splitlines`` also breaks at form feeds, lone carriage returns and the Unicode line
    separators, which put every line after one of them at another number.
    """
    lines = text.split("\n")
    if not lines[-1]:
        lines.pop()  # the text's last line break ends a line; no empty line follows it
    return [line[:-1] if line.endswith("\r") else line for line in lines]


@attrs.frozen
class RepoFile:
    """A file found by a walker.

    :ivar rel: path relative to the root, with ``/`` separators.
    :ivar abs: absolute path on disk.
    :ivar size: size in bytes.
    :ivar mtime_ns: modification time in nanoseconds.
    :ivar ino: inode number, part of the stat fast path.
    """

    rel: str
    abs: str
    size: int
    mtime_ns: int
    ino: int = 0


@attrs.frozen
class Classification:
    """Language and role of a file. ``language`` is ``"unknown"`` when nothing matched."""

    language: str
    role: str


@attrs.frozen
class Chunk:
    """A symbol or import found in a file by a chunker.

    :ivar kind: ``function``, ``method``, ``class``, ``struct``, ``interface``, ``enum``,
        ``trait``, ``type``, ``module``, ``macro``, ``constant``, ``property``, ``import`` ...
    :ivar name: the symbol's own name (for an import, the imported module path).
    :ivar qualified: name with its container, e.g. ``Client.send``.
    :ivar start: first line, 1-based.
    :ivar end: last line, inclusive.
    :ivar signature: the declaration line, stripped.
    """

    kind: str
    name: str
    qualified: str = ""
    start: int = 0
    end: int = 0
    signature: str = ""

    def to_row(self) -> list[Any]:
        """Compact msgpack form."""
        return [self.kind, self.name, self.qualified, self.start, self.end, self.signature]

    @classmethod
    def from_row(cls, row: list[Any]) -> Chunk:
        return cls(*row)


@attrs.frozen
class FileEntry:
    """A file as the index knows it (read back from disk at query time)."""

    id: int
    rel: str
    size: int
    language: str
    role: str
    tokens: int
    status: str  # "ok", "large", "binary", "unreadable"


@attrs.frozen
class SelectedFile:
    """One file of a query's answer."""

    path: str
    score: float
    tokens: int
    language: str
    role: str
    signals: dict[str, float] = attrs.field(factory=dict)
    symbols: list[dict[str, Any]] = attrs.field(factory=list)
    #: tokens of the skim given instead of the whole file (None: the whole file)
    skim_tokens: int | None = None
    #: a file the user said they stand at (``--seed``, ``--diff``)
    seed: bool = False
    #: when only a short skim fits: its number of lines (see
    #: :func:`atlas_core.output.skim.short_skim`)
    skim_lines: int | None = None

    @property
    def skim(self) -> bool:
        """True when only a skim of the file fits the budget."""
        return self.skim_tokens is not None

    @property
    def cost(self) -> int:
        """Tokens this file takes from the budget: its skim's, or the whole file's."""
        return self.skim_tokens if self.skim_tokens is not None else self.tokens


@attrs.frozen
class Selection:
    """The answer to a query: the chosen files plus what was asked."""

    query: str
    preset: str
    budget: dict[str, int | None]
    min_score: float
    files: list[SelectedFile]
    scanned_files: int
    signals: list[str] = attrs.field(factory=list)
    missing_signals: list[str] = attrs.field(factory=list)
    fuser: str = ""
    #: ranked files (above the minimum score, within ``Top``) that did not fit even skimmed
    left_out: int = 0
    #: the seed files the query started from (``--seed``, ``--diff``)
    seeds: list[str] = attrs.field(factory=list)
    #: ``{"Scope": [...], "Exclude": [...]}`` when candidates were restricted
    scope: dict[str, list[str]] = attrs.field(factory=dict)

    @property
    def total_tokens(self) -> int:
        """Tokens the selection takes from the budget (skims count as skims)."""
        return sum(f.cost for f in self.files)
