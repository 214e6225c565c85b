"""The built-in file-system walker: gitignore-correct, symlink-safe, deterministic."""

from __future__ import annotations

import os
import stat
from collections.abc import Iterator
from pathlib import Path
from typing import ClassVar

from atlas_core.components import WalkSettings
from atlas_core.ignore import IgnoreStack
from atlas_core.types import RepoFile

__all__ = ["FsWalker"]

ALWAYS_SKIPPED_DIRS = {".git", ".hg", ".svn", ".atlas"}


class FsWalker:
    """Walks the file system, honouring .gitignore, .atlasignore and .git/info/exclude."""

    name: ClassVar[str] = "fs"

    def walk(self, root: Path, settings: WalkSettings) -> Iterator[RepoFile]:
        root = root.resolve()
        real_root = str(root)
        cache = settings.cache_dir.resolve() if settings.cache_dir else None
        stack = IgnoreStack.for_root(root, settings.extra_ignore)
        yield from self._walk_dir(root, "", stack, real_root, cache, settings)

    def _walk_dir(
        self,
        directory: Path,
        prefix: str,
        stack: IgnoreStack,
        real_root: str,
        cache: Path | None,
        settings: WalkSettings,
    ) -> Iterator[RepoFile]:
        try:
            with os.scandir(directory) as it:
                entries = sorted(it, key=lambda e: e.name)
        except OSError:
            settings.on_skip(prefix.rstrip("/") or ".", "unreadable")
            return
        stack = stack.enter(directory, prefix)
        for entry in entries:
            rel = prefix + entry.name
            try:
                is_link = entry.is_symlink()
                is_dir = entry.is_dir(follow_symlinks=False)
            except OSError:
                settings.on_skip(rel, "unreadable")
                continue
            if is_dir:
                if entry.name in ALWAYS_SKIPPED_DIRS or (cache and Path(entry.path) == cache):
                    continue
                if stack.ignored(rel, is_dir=True):
                    continue
                yield from self._walk_dir(
                    Path(entry.path), rel + "/", stack, real_root, cache, settings
                )
                continue
            if is_link:
                found = self._symlink(entry, rel, real_root, stack, settings)
                if found is not None:
                    yield found
                continue
            if stack.ignored(rel, is_dir=False):
                continue
            try:
                st = entry.stat(follow_symlinks=False)
            except OSError:
                settings.on_skip(rel, "unreadable")
                continue
            if stat.S_ISREG(st.st_mode):
                yield RepoFile(rel, entry.path, st.st_size, st.st_mtime_ns, st.st_ino)

    @staticmethod
    def _symlink(
        entry: os.DirEntry[str],
        rel: str,
        real_root: str,
        stack: IgnoreStack,
        settings: WalkSettings,
    ) -> RepoFile | None:
        """A symlink counts only when it points at a regular file inside the root.

        Directory symlinks are not followed (as git does not), so walking never loops.
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
        if not stat.S_ISREG(st.st_mode):
            return None
        return RepoFile(rel, entry.path, st.st_size, st.st_mtime_ns, st.st_ino)
