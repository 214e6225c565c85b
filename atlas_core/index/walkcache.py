"""A shortcut for the walk of an unchanged tree: stat the indexed files, list nothing.

A full walk lists every directory and matches every name against the ignore rules: most
of a no-change ``atlas index`` on a large repository. After a walk by the built-in walker,
``walk.msgpack`` in the cache directory records what it depended on:

- every directory it listed, stamped (modification and change time, inode) *before* it
  was listed: a file created, deleted or renamed in it, or a permission change, changes
  the stamp;
- the ignore files it read (each directory's, ``.git/info/exclude``), stamped before
  they were read;
- the settings that shape the walk, and the generation whose file table it produced.

The generation is kept apart, in the small ``walk.bind`` (the record's id and the
generation): an update that used the record binds it to the generation it wrote by
rewriting those few bytes, not the record (megabytes on a large repository).

When all stamps still hold, the walk would list the same files, so only those files are
stat'ed (``lstat``: their size, time and inode go to the builder, which hashes what
looks changed, as after a walk). A directory modified less than :data:`RACY_NS` before it
was stamped is not trusted (a later change could carry the same time), nor is a record
of a walk that skipped anything (broken or outside symlinks and unreadable entries can
change without their directory changing). Symlinked files are resolved again as the walker
does. Any doubt means a full walk, which writes a new record. (Not seen: a symlink to a
directory whose target is replaced by a file, which the walker would then index; the
next full walk, after any change to the link's directory or ``atlas index --force``,
finds it.)
"""

from __future__ import annotations

import contextlib
import os
import stat
import time
from collections import Counter
from pathlib import Path
from typing import Any

import numpy as np

from atlas_core.errors import IndexCorruptError
from atlas_core.index import layout
from atlas_core.index.filestats import FileStats
from atlas_core.types import RepoFile

__all__ = ["RACY_NS", "WalkRecorder", "cached_walk", "rebind"]

NAME = "walk.msgpack"
BIND = "walk.bind"
_VERSION = 6  # 3: directories and paths stored by column; 4: paths as UTF-8 bytes;
# 5: links into .git or the cache skipped (a stored walk may hold one); 6: .git files skipped
#: a directory changed this recently (before its stamp) may change again unseen
RACY_NS = 1_500_000_000
_IGNORE_NAMES = (".gitignore", ".atlasignore")

Stamp = list[int] | None


def _stamp(path: str) -> Stamp:
    try:
        st = os.lstat(path)
    except OSError:
        return None
    return [st.st_mtime_ns, st.st_ctime_ns, st.st_ino, st.st_size]


class WalkRecorder:
    """Collects the stamps of one full walk (``on_dir`` of the walk settings)."""

    def __init__(self, root: Path, key: str) -> None:
        self.root = str(root)
        self.key = key
        self.trusted = True
        self.dirs: dict[str, Stamp] = {}
        self.files: dict[str, Stamp] = {}
        # read before the walk starts: the walker reads them before listing the root
        for rel in (".git/info/exclude", *_IGNORE_NAMES):
            self.files[rel] = _stamp(os.path.join(self.root, rel))

    def on_dir(self, rel: str) -> None:
        path = os.path.join(self.root, rel) if rel else self.root
        now = time.time_ns()
        st = _stamp(path)
        if st is None or now - st[0] < RACY_NS or now - st[1] < RACY_NS:
            self.trusted = False
        self.dirs[rel] = st
        if rel:
            for name in _IGNORE_NAMES:
                found = _stamp(os.path.join(path, name))
                if found is not None:
                    self.files[f"{rel}/{name}"] = found

    def save(
        self, cache: Path, generation: str, files: list[RepoFile], skipped: Counter[str]
    ) -> None:
        """Record this walk for ``generation`` (whose file table is ``files``)."""
        usable = self.trusted and not skipped
        record_id = os.urandom(8).hex()
        record: dict[str, Any] = {"version": _VERSION, "usable": usable, "id": record_id}
        if usable:
            # by column: 28k paths and 6k directory stamps as msgpack lists took 15 ms to
            # decode, the joined strings and an array well under 1 ms (no name holds a NUL)
            stamps = np.array(list(self.dirs.values()), dtype=np.int64).reshape(-1, 4)
            record.update(
                key=self.key,
                dirs="\0".join(self.dirs),
                dir_stamps=stamps.tobytes(),
                files=self.files,
                # as the file table stores them: the builder compares the bytes
                paths="\0".join(sorted(f.rel for f in files)).encode("utf-8", "surrogateescape"),
                links=sorted(f.rel for f in files if os.path.islink(f.abs)),
            )
        with contextlib.suppress(OSError):  # only a shortcut is lost
            layout.write_checked(cache / NAME, record, durable=False)
            _bind(cache, record_id, generation)


def _bind(cache: Path, record_id: str, generation: str) -> None:
    layout.write_checked(cache / BIND, {"id": record_id, "generation": generation}, durable=False)


def _read_bind(cache: Path) -> dict[str, Any] | None:
    try:
        bind = layout.read_checked(cache / BIND)
    except (IndexCorruptError, OSError):
        return None
    return bind if isinstance(bind, dict) else None


def _linked(root: str, path: str, rel: str) -> RepoFile | None:
    """A symlinked file as the walker takes it: a regular file inside the root, else None."""
    try:
        target = os.path.realpath(path)
        st = os.stat(target)
    except OSError:
        return None
    if not target.startswith(os.path.join(root, "")) or not stat.S_ISREG(st.st_mode):
        return None
    return RepoFile(rel, path, st.st_size, st.st_mtime_ns, st.st_ino)


def rebind(cache: Path, generation: str) -> None:
    """The generation built from a cached walk's files now goes with its record."""
    bind = _read_bind(cache)
    if bind is not None and isinstance(bind.get("id"), str):
        with contextlib.suppress(OSError):
            _bind(cache, bind["id"], generation)


def _columns(record: dict[str, Any]) -> tuple[list[str], list[list[int]], bytes] | None:
    """(directories, their stamps, file paths joined by NULs) of a record, or None if it
    is malformed."""
    dirs, stamps, paths = record.get("dirs"), record.get("dir_stamps"), record.get("paths")
    if not (isinstance(dirs, str) and isinstance(stamps, bytes) and isinstance(paths, bytes)):
        return None
    try:
        rows = np.frombuffer(stamps, dtype=np.int64).reshape(-1, 4).tolist()
    except ValueError:  # not whole rows
        return None
    names = dirs.split("\0")
    return (names, rows, paths) if len(rows) == len(names) else None


def cached_walk(root: Path, cache: Path, key: str) -> FileStats | None:
    """The files a full walk would find now, when the last walk's record proves it."""
    bind = _read_bind(cache)
    try:
        current = layout.read_current(cache)
        if bind is None or current is None or bind.get("generation") != current:
            return None  # the big record is not even read
        record = layout.read_checked(cache / NAME)
    except (IndexCorruptError, OSError):
        return None
    if (
        not isinstance(record, dict)
        or record.get("version") != _VERSION
        or not record.get("usable")
        or record.get("key") != key
        or record.get("id") != bind.get("id")
    ):
        return None
    base = os.path.join(str(root), "")
    for rel, old in record["files"].items():
        if _stamp(base + rel) != old:
            return None
    columns = _columns(record)
    if columns is None:
        return None
    dirs, stamps, joined = columns
    paths = joined.decode("utf-8", "surrogateescape").split("\0") if joined else []
    for rel, old in zip(dirs, stamps, strict=True):
        if _stamp(base + rel if rel else str(root)) != old:
            return None
    links = set(record["links"])
    sizes: list[int] = []
    mtimes: list[int] = []
    inos: list[int] = []
    lstat, isreg = os.lstat, stat.S_ISREG
    for rel in paths:  # sorted when the record was saved
        path = base + rel
        try:
            st = lstat(path)
        except OSError:
            return None
        if not isreg(st.st_mode):
            linked = _linked(str(root), path, rel) if rel in links else None
            if linked is None:
                return None
            sizes.append(linked.size)
            mtimes.append(linked.mtime_ns)
            inos.append(linked.ino)
            continue
        if rel in links:
            return None
        sizes.append(st.st_size)
        mtimes.append(st.st_mtime_ns)
        inos.append(st.st_ino)
    return FileStats(base, paths, sizes, mtimes, inos, joined=joined)
