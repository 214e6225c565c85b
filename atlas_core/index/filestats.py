"""The files an index run covers, in path order and by column: path, size, time, inode."""

from __future__ import annotations

import os
from collections.abc import Iterable
from pathlib import Path

import attrs

from atlas_core.types import RepoFile

__all__ = ["FileStats"]


@attrs.frozen
class FileStats:
    """What the builder needs of each walked file, one list per field, sorted by path.

    Columns rather than a :class:`~atlas_core.types.RepoFile` per file: a re-index at 28k
    files spent some 20 ms making those objects and more reading them back.
    """

    #: the repository root with a trailing separator: ``base + path`` is a file's path
    base: str
    paths: list[str]
    sizes: list[int]
    mtimes: list[int]
    inos: list[int]
    #: the paths joined by NULs in UTF-8 (surrogateescape), as the file table stores them,
    #: when known: a cached walk read them so, and the builder compares them as bytes
    joined: bytes | None = attrs.field(default=None, eq=False, repr=False, kw_only=True)

    def __len__(self) -> int:
        return len(self.paths)

    def abs(self, k: int) -> str:
        """The filesystem path of file ``k``."""
        return self.base + self.paths[k]

    @classmethod
    def of(cls, root: Path, files: Iterable[RepoFile]) -> FileStats:
        """The stats of a walker's files (any order)."""
        ordered = sorted(files, key=lambda f: f.rel)
        return cls(
            os.path.join(str(root), ""),
            [f.rel for f in ordered],
            [f.size for f in ordered],
            [f.mtime_ns for f in ordered],
            [f.ino for f in ordered],
        )
