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

Stat-ing every file costs about 100 ms per call on a 28k-file repository, so where the
system offers it (Linux inotify) the snapshot watches those same directories instead: a
call then stats only the watched files, and reads the queued events (none: nothing
changed). The first call after a snapshot was taken still stats everything, since a
change may have landed before the watches were in place; so does every call after an
event, and every call when the watches cannot be made (too many directories, another
system).
"""

from __future__ import annotations

import ctypes
import os
import struct
import sys
import weakref
from collections.abc import Iterable, Mapping
from pathlib import Path
from typing import Any

import attrs

from atlas_core.api import display_path

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


#: IN_MODIFY, IN_ATTRIB, IN_CLOSE_WRITE, IN_MOVED_FROM/TO, IN_CREATE, IN_DELETE,
#: IN_DELETE_SELF, IN_MOVE_SELF; IN_ONLYDIR and IN_DONT_FOLLOW
_EVENTS = 0x2 | 0x4 | 0x8 | 0x40 | 0x80 | 0x100 | 0x200 | 0x400 | 0x800 | 0x01000000 | 0x02000000
_HEADER = struct.Struct("iIII")


class Watcher:
    """Linux inotify watches on directories: did anything happen in them since last asked?

    Events about the cache directory's own entry in the root are not changes.
    """

    def __init__(self, root: Path, directories: Iterable[str], ignore: str = ".atlas") -> None:
        libc = ctypes.CDLL(None, use_errno=True)
        fd = libc.inotify_init1(os.O_NONBLOCK | os.O_CLOEXEC)
        if fd < 0:
            raise OSError(ctypes.get_errno(), "inotify_init1 failed")
        self.fd = fd
        self._closer = weakref.finalize(self, os.close, fd)
        self._ignore = os.fsencode(ignore)
        self._root_wd = -1
        add = libc.inotify_add_watch
        for rel in directories:
            wd = add(fd, os.fsencode(os.path.join(root, rel) if rel else root), _EVENTS)
            if wd < 0:
                self.close()
                raise OSError(ctypes.get_errno(), f"cannot watch {rel or '.'}")
            if not rel:
                self._root_wd = wd

    @classmethod
    def create(cls, root: Path, directories: Iterable[str], ignore: str) -> Watcher | None:
        """A watcher, or None where inotify is missing or the watches run out."""
        if not sys.platform.startswith("linux"):
            return None
        try:
            return cls(root, directories, ignore)
        except (OSError, AttributeError):
            return None

    def close(self) -> None:
        self._closer()

    def events(self) -> bool:
        """Whether anything happened since the last call (reads the queued events)."""
        found = False
        while True:
            try:
                data = os.read(self.fd, 1 << 16)
            except BlockingIOError:
                return found
            except OSError:
                return True
            at = 0
            while at + _HEADER.size <= len(data):
                wd, _mask, _cookie, length = _HEADER.unpack_from(data, at)
                name = data[at + _HEADER.size : at + _HEADER.size + length].rstrip(b"\0")
                at += _HEADER.size + length
                if not (wd == self._root_wd and name == self._ignore):
                    found = True


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
    #: inotify watches on the directories of ``stamps`` (None: stat every file each time)
    watcher: Watcher | None = attrs.field(default=None, eq=False)
    #: whether the next check must stat every file (set until one full check passed)
    _full: list[bool] = attrs.field(factory=lambda: [True], eq=False)

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
        watched = sorted(directories(columns["path"]))
        for rel in watched:
            key = rel or "."
            if key not in taken:
                taken[key] = stamp(root / rel if rel else root)
        cache = getattr(reader, "cache", None)
        # no file name holds a slash: nothing is ignored when the cache is elsewhere
        ignore = cache.name if cache is not None and cache.parent == root else "/"
        return cls(root, files, taken, Watcher.create(root, watched, ignore))

    def changed(self) -> str | None:
        """The first difference found, in words (``"src/a.py was modified"``), or None."""
        # plain string paths: building a Path per file would cost more than the stat itself
        prefix = os.path.join(self.root, "")
        if self.watcher is not None:
            if self.watcher.events():
                self._full[0] = True
            if not self._full[0]:  # only the files outside the watched directories
                for rel in WATCHED_FILES:
                    if stamp(prefix + rel) != self.stamps.get(rel):
                        return f"{display_path(rel)} changed"
                return None
        found = self._changed(prefix)
        if found is None:
            self._full[0] = False
        return found

    def _changed(self, prefix: str) -> str | None:
        for rel, old in self.stamps.items():
            if stamp(prefix + rel if rel != "." else prefix) != old:
                return f"{display_path(rel)} changed"
        for rel, size, mtime_ns, ino in self.files:
            try:
                st = os.stat(prefix + rel)
            except OSError:
                return f"{display_path(rel)} was deleted"
            if st.st_size != size or st.st_mtime_ns != mtime_ns or (ino and st.st_ino != ino):
                return f"{display_path(rel)} was modified"
        return None
