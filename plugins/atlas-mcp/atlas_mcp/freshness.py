"""A cheap answer to "did anything change since the index was built?".

A full incremental ``Atlas.index()`` walks the tree and matches every path against the
ignore rules: about 15-40 ms on a repository of 600-800 files, growing with its size.
Between two tool calls nothing has usually changed, so the server asks a cheaper question
first, with ``stat`` calls only:

- every indexed file: same size, modification time and inode as the index recorded?
  (catches edits, deletions and replacements);
- every directory holding an indexed file, and the root: same modification time?
  (a file created, deleted or renamed in it changes the directory's time);
- the files that change what gets indexed or how it ranks (``atlas.toml``,
  ``pyproject.toml``, ignore files, the git ``HEAD`` and its log).

Only when one differs does the server run the real incremental index. The one change this
cannot see is a new file in a directory that held no indexed file (or its new parent), so
the server also runs a full index now and then (see ``AtlasService``).
"""

from __future__ import annotations

import os
from collections.abc import Iterable, Mapping
from pathlib import Path
from typing import Any

import attrs

__all__ = ["SETTINGS_FILES", "WATCHED_FILES", "Snapshot", "directories", "stamp", "stamps"]

#: files whose change means the settings must be read again
SETTINGS_FILES = ("atlas.toml", "pyproject.toml")
#: besides the indexed files and their directories
WATCHED_FILES = (
    *SETTINGS_FILES,
    ".gitignore",
    ".atlasignore",
    ".git/info/exclude",
    ".git/HEAD",
    ".git/logs/HEAD",
)

Stamp = tuple[int, int, int] | None


def stamp(path: Path | str) -> Stamp:
    """(mtime_ns, size, inode) of ``path`` following symlinks, or None when it is missing."""
    try:
        st = os.stat(path)
    except OSError:
        return None
    return (st.st_mtime_ns, st.st_size, st.st_ino)


def directories(paths: Iterable[str]) -> set[str]:
    """The root (``""``) and every directory that holds one of ``paths``."""
    out = {""}
    for rel in paths:
        parent = rel.rpartition("/")[0]
        while parent and parent not in out:
            out.add(parent)
            parent = parent.rpartition("/")[0]
    return out


def stamps(root: Path, paths: Iterable[str]) -> dict[str, Stamp]:
    """Stamps of the watched files and of the directories of ``paths``, taken now."""
    out = {rel: stamp(root / rel) for rel in WATCHED_FILES}
    for rel in sorted(directories(paths)):
        out[rel or "."] = stamp(root / rel if rel else root)
    return out


@attrs.frozen
class Snapshot:
    """What the index saw, to compare with the file system later.

    :ivar root: the repository root.
    :ivar files: (path, size, mtime_ns, inode) of every indexed file, as the index
        recorded them.
    :ivar stamps: stamps of the watched files and directories.
    """

    root: Path
    files: tuple[tuple[str, int, int, int], ...]
    stamps: Mapping[str, Stamp]

    @classmethod
    def of(cls, root: Path, reader: Any, before: Mapping[str, Stamp]) -> Snapshot:
        """The snapshot of ``reader``'s index.

        ``before`` holds stamps taken *before* the index was built, so a change made while
        it was being built is seen next time; directories new to this index are stamped now.
        """
        columns = reader.meta["files"]
        files = tuple(
            zip(columns["path"], columns["size"], columns["mtime_ns"], columns["ino"], strict=True)
        )
        taken = dict(before)
        for rel in sorted(directories(columns["path"])):
            key = rel or "."
            if key not in taken:
                taken[key] = stamp(root / rel if rel else root)
        return cls(root, files, taken)

    def changed(self) -> str | None:
        """The first difference found, in words (``"src/a.py was modified"``), or None."""
        # plain string paths: building a Path per file would cost more than the stat itself
        prefix = os.path.join(self.root, "")
        for rel, old in self.stamps.items():
            if stamp(prefix + rel if rel != "." else prefix) != old:
                return f"{rel} changed"
        for rel, size, mtime_ns, ino in self.files:
            try:
                st = os.stat(prefix + rel)
            except OSError:
                return f"{rel} was deleted"
            if st.st_size != size or st.st_mtime_ns != mtime_ns or (ino and st.st_ino != ino):
                return f"{rel} was modified"
        return None
