"""The built-in file-system walker: gitignore-correct, symlink-safe, deterministic.

The walk is iterative (an explicit stack of open directories), so no depth of nesting can
exhaust Python's recursion limit; the order is depth-first with each directory's entries
sorted by name. Names that are not valid UTF-8 come out as ``os.fsdecode`` gives them
(surrogate escapes), for ``rel`` and ``abs`` alike.

Only regular files are yielded and nothing is opened here but ignore files: FIFOs, sockets
and devices are counted as ``special-file``; entries that vanish while walking as
``vanished``; directories that cannot be listed (named with a trailing ``/``) and entries
that cannot be stat'ed as ``unreadable``.
"""

from __future__ import annotations

import os
import stat
from collections.abc import Iterator
from pathlib import Path
from typing import ClassVar

from atlas_core.components import WalkSettings
from atlas_core.types import RepoFile
from atlas_core.walk.ignore import IGNORE_FILES, IgnoreStack

__all__ = ["FsWalker"]

ALWAYS_SKIPPED_DIRS = {".git", ".hg", ".svn", ".atlas"}
#: skipped whatever their type: a ``.git`` file (a linked work tree's, a submodule's) names
#: a repository elsewhere by its absolute path
VCS_NAMES = frozenset({".git", ".hg", ".svn"})

#: one open directory: its remaining entries, its prefix and its ignore stack
_Frame = tuple[Iterator[os.DirEntry[str]], str, IgnoreStack]


def _reason(exc: OSError) -> str:
    return "vanished" if isinstance(exc, FileNotFoundError) else "unreadable"


class FsWalker:
    """Walks the file system, honouring .gitignore, .atlasignore and .git/info/exclude."""

    name: ClassVar[str] = "fs"

    def walk(self, root: Path, settings: WalkSettings) -> Iterator[RepoFile]:
        root = root.resolve()
        real_root = str(root)
        cache = str(settings.cache_dir.resolve()) if settings.cache_dir else None
        on_skip = settings.on_skip
        frames: list[_Frame] = []
        first = self._open(
            real_root, "", IgnoreStack.for_root(root, settings.extra_ignore), settings
        )
        if first is not None:
            frames.append(first)
        while frames:
            entries, prefix, stack = frames[-1]
            for entry in entries:
                if entry.name in VCS_NAMES:
                    continue
                rel = prefix + entry.name
                try:
                    is_dir = entry.is_dir(follow_symlinks=False)
                    is_link = not is_dir and entry.is_symlink()
                except OSError as exc:
                    on_skip(rel, _reason(exc))
                    continue
                if is_dir:
                    if entry.name in ALWAYS_SKIPPED_DIRS or entry.path == cache:
                        continue
                    if stack.ignored(rel, is_dir=True):
                        continue
                    child = self._open(entry.path, rel + "/", stack, settings, enter=True)
                    if child is not None:
                        frames.append(child)
                        break  # walk the child now; this directory's iterator resumes later
                    continue
                if is_link:
                    found = self._symlink(entry, rel, real_root, stack, settings, cache)
                    if found is not None:
                        yield found
                    continue
                if stack.ignored(rel, is_dir=False):
                    continue
                try:
                    st = entry.stat(follow_symlinks=False)
                except OSError as exc:
                    on_skip(rel, _reason(exc))
                    continue
                if stat.S_ISREG(st.st_mode):
                    yield RepoFile(rel, entry.path, st.st_size, st.st_mtime_ns, st.st_ino)
                elif not stat.S_ISDIR(st.st_mode):
                    on_skip(rel, "special-file")
            else:
                frames.pop()

    @staticmethod
    def _open(
        path: str,
        prefix: str,
        stack: IgnoreStack,
        settings: WalkSettings,
        enter: bool = False,
    ) -> _Frame | None:
        """List a directory (sorted by name); with ``enter``, add its ignore files to the
        stack (the root's stack already has them)."""
        if settings.on_dir is not None:  # before listing: a change after it is seen later
            settings.on_dir(prefix.rstrip("/"))
        try:
            with os.scandir(path) as it:
                entries = sorted(it, key=lambda e: e.name)
        except OSError as exc:
            settings.on_skip(prefix or "./", _reason(exc))  # a directory: "/" ends its name
            return None
        if enter:
            stack = stack.enter(path, prefix, {e.name for e in entries if e.name in IGNORE_FILES})
        return iter(entries), prefix, stack

    @staticmethod
    def _symlink(
        entry: os.DirEntry[str],
        rel: str,
        real_root: str,
        stack: IgnoreStack,
        settings: WalkSettings,
        cache: str | None = None,
    ) -> RepoFile | None:
        """A symlink counts only when it points at a regular file inside the root, outside
        the directories the walk never enters (``.git``, Atlas's cache): a link must not
        show what the walk itself keeps out (``.git/config`` holds remote credentials).

        Directory symlinks are not followed (as git does not), so walking never loops;
        a link to a FIFO, socket or device is never opened.
        """
        if stack.ignored(rel, is_dir=False):
            return None
        try:
            target = os.path.realpath(entry.path)
            st = os.stat(target)
        except OSError:
            settings.on_skip(rel, "broken-symlink")
            return None
        if not (target == real_root or target.startswith(real_root + os.sep)):
            settings.on_skip(rel, "symlink-outside-root")
            return None
        # every part: a worktree's or submodule's ``.git`` is a file
        parts = os.path.relpath(target, real_root).split(os.sep)
        if ALWAYS_SKIPPED_DIRS.intersection(parts) or (
            cache is not None and target.startswith(cache + os.sep)
        ):
            settings.on_skip(rel, "symlink-into-skipped-directory")
            return None
        if not stat.S_ISREG(st.st_mode):
            return None
        return RepoFile(rel, entry.path, st.st_size, st.st_mtime_ns, st.st_ino)
