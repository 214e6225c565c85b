"""``--scope`` and ``--exclude``: which indexed files a query may return, as a numpy mask.

A pattern without glob characters is a path: the file itself, or everything under the
directory (``.`` is the directory it is relative to). A pattern with ``*``, ``?`` or
``[...]`` is a glob: ``*`` stays within one directory, ``**`` crosses directories, a
pattern without ``/`` matches a name at any depth, and a match on a directory takes
everything under it. Patterns are relative to ``base`` (the current directory's path in
the repository when Atlas runs from a subdirectory).

The hot path stays vectorised: directory prefixes are two bisections in a sorted copy of
the paths, and a glob is one regex scan over all paths joined by newlines, both cached
per index generation.
"""

from __future__ import annotations

import posixpath
import re
from bisect import bisect_left
from collections.abc import Sequence
from typing import TYPE_CHECKING

import attrs
import numpy as np

from atlas_core.errors import UsageError
from atlas_core.index.readercache import per_reader
from atlas_core.paths import quoted_path
from atlas_core.walk.wildmatch import ALL, DIRS, SLASH, STAR, Pieces, assemble

if TYPE_CHECKING:
    from atlas_core.index.reader import IndexReader

__all__ = ["PathTable", "compile_glob", "normalise_pattern", "scope_mask"]

_GLOB_CHARS = re.compile(r"[*?\[]")
#: the paths are matched joined by newlines: nothing may cross one
_JOINED_PATHS = Pieces("/", "[^\n]*", "[^/\n]*", "[^/\n]*/")
_NOT_SLASH = "^/\\n"


@attrs.frozen
class PathTable:
    """One generation's paths, ready for prefix and glob matching."""

    #: file ids in path order
    sorted_ids: np.ndarray
    sorted_paths: list[str]
    #: every path, one per line, in id order, and each line's start offset
    joined: str
    starts: np.ndarray

    @classmethod
    def build(cls, reader: IndexReader) -> PathTable:
        paths = list(reader.paths)
        order = sorted(range(len(paths)), key=paths.__getitem__)
        # a newline inside a name would split its line: match such names through escapes
        lines = [p.replace("\n", "\x00") for p in paths]
        lengths = np.fromiter((len(p) + 1 for p in lines), dtype=np.int64, count=len(lines))
        starts = np.concatenate([[0], np.cumsum(lengths)[:-1]]) if len(lines) else lengths
        return cls(
            np.asarray(order, dtype=np.int64),
            [paths[i] for i in order],
            "\n".join(lines) + "\n",
            starts,
        )

    def prefix(self, directory: str, mask: np.ndarray) -> None:
        """Set ``mask`` for ``directory`` itself (a file) and everything under it."""
        if directory == "":
            mask[:] = True
            return
        k = bisect_left(self.sorted_paths, directory)
        if k < len(self.sorted_paths) and self.sorted_paths[k] == directory:
            mask[self.sorted_ids[k]] = True
        under = directory + "/"
        lo = bisect_left(self.sorted_paths, under)
        hi = bisect_left(self.sorted_paths, under[:-1] + chr(ord("/") + 1))
        mask[self.sorted_ids[lo:hi]] = True

    def glob(self, regex: re.Pattern[str], mask: np.ndarray) -> None:
        """Set ``mask`` for every path ``regex`` (anchored per line) matches."""
        if not len(self.starts):  # no paths: the joined text's lone newline is no line
            return
        offsets = [m.start() for m in regex.finditer(self.joined)]
        if offsets:
            ids = np.searchsorted(self.starts, np.asarray(offsets, dtype=np.int64), side="right")
            mask[ids - 1] = True


def normalise_pattern(pattern: str, base: str = "") -> str:
    """``pattern`` relative to the repository root, ``/``-separated, checked."""
    raw = pattern
    pattern = pattern.replace("\\", "/") if "\\" in pattern and "/" not in pattern else pattern
    if not pattern or "\0" in pattern or "\n" in pattern:
        raise UsageError(f"bad scope pattern {quoted_path(raw)}")
    if pattern.startswith("/"):
        raise UsageError(
            f"scope pattern {quoted_path(raw)} is absolute; give it relative to the repository"
        )
    glob = bool(_GLOB_CHARS.search(pattern))
    if glob and "/" not in pattern.rstrip("/"):
        pattern = "**/" + pattern  # a bare name matches at any depth
    joined = posixpath.normpath(posixpath.join(base, pattern)) if base else pattern
    joined = posixpath.normpath(joined)
    if joined == ".":
        return ""
    if joined == ".." or joined.startswith("../"):
        raise UsageError(f"scope pattern {quoted_path(raw)} leaves the repository")
    return joined


def compile_glob(pattern: str) -> re.Pattern[str]:
    """A multiline regex matching the paths ``pattern`` (root-relative) selects, in
    polynomial time on any path (see :func:`atlas_core.walk.wildmatch.assemble`)."""
    tokens: list[str | int] = []
    i, n = 0, len(pattern)
    while i < n:
        c = pattern[i]
        if c == "*":
            if pattern.startswith("**", i):
                before = i == 0 or pattern[i - 1] == "/"
                after = i + 2 == n or pattern[i + 2] == "/"
                if before and after:
                    # "**/": any number of directories, none included; trailing: everything
                    tokens.append(DIRS if i + 2 < n else ALL)
                    i += 3
                    continue
                i += 1
            tokens.append(STAR)
        elif c == "?":
            tokens.append("[^/\n]")
        elif c == "[":
            end = pattern.find("]", i + 2 if pattern[i + 1 : i + 2] in ("!", "^") else i + 1)
            if end < 0:
                tokens.append(re.escape(c))
            else:
                body = pattern[i + 1 : end]
                negate = body[:1] in ("!", "^")
                body = body[1:] if negate else body
                body = body.replace("\\", "\\\\")
                tokens.append(f"[{_NOT_SLASH if negate else ''}{body}]")
                i = end
        elif c == "/":
            tokens.append(SLASH)
        else:
            tokens.append(re.escape(c))
        i += 1
    # a match on a directory takes everything under it
    regex = assemble(tokens, _JOINED_PATHS)
    return re.compile("^(?:" + regex + ")(?:/[^\n]*)?$", re.MULTILINE)


def _table(reader: IndexReader) -> PathTable:
    return per_reader("scope.paths", reader, PathTable.build)


def _apply(reader: IndexReader, patterns: Sequence[str], base: str) -> np.ndarray:
    mask = np.zeros(len(reader), dtype=bool)
    table = _table(reader)
    for raw in patterns:
        pattern = normalise_pattern(raw, base)
        if _GLOB_CHARS.search(pattern):
            try:
                regex = compile_glob(pattern)
            except re.error as exc:
                raise UsageError(f"bad scope pattern {quoted_path(raw)}: {exc}") from None
            table.glob(regex, mask)
        else:
            table.prefix(pattern, mask)
    return mask


def scope_mask(
    reader: IndexReader,
    scope: Sequence[str] = (),
    exclude: Sequence[str] = (),
    base: str = "",
) -> np.ndarray | None:
    """Which files may be returned (None: all of them)."""
    if not scope and not exclude:
        return None
    mask = _apply(reader, scope, base) if scope else np.ones(len(reader), dtype=bool)
    if exclude:
        mask &= ~_apply(reader, exclude, base)
    return mask
