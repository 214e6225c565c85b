"""Root-confined reads: the one way Atlas reads a repository file to show its contents.

Every read for output (``atlas render``, ``--format context``, skims, the MCP tools) goes
through :func:`read_confined`, which takes the root the user gave (validated by the CLI or
the server, never a root recorded inside an index) and a path relative to it. A path is
refused, with a :class:`PathRefused` naming why, when it

- is empty, holds a NUL byte, is absolute or home-relative (``~``);
- climbs out of the root with ``..``;
- is, or passes through, a symlink whose target lies outside the root.

A path that is allowed but cannot be shown raises :class:`Unreadable` with a short reason
(no such file, a directory, a FIFO or other non-regular file, too large, permission).
Non-regular files are never opened for reading in a way that could block: the final open
uses ``O_NONBLOCK | O_NOFOLLOW`` and the descriptor is checked with ``fstat`` to be a
regular file before a byte is read. Each directory on the way is opened relative to its
parent with ``O_NOFOLLOW``, so a symlink swapped in after the check is refused, not followed.
"""

from __future__ import annotations

import errno
import os
import stat
from pathlib import Path

from atlas_core.errors import AtlasError, UsageError

__all__ = [
    "MAX_READ_BYTES",
    "PathRefused",
    "Unreadable",
    "check_root",
    "confined_path",
    "normalise_rel",
    "open_regular",
    "read_confined",
]

#: the most a single read returns; a larger file is :class:`Unreadable`
MAX_READ_BYTES = 8 << 20

_OUTSIDE = "refusing path outside the repository"
_O_CLOEXEC = getattr(os, "O_CLOEXEC", 0)
_O_NOFOLLOW = getattr(os, "O_NOFOLLOW", 0)
_O_NONBLOCK = getattr(os, "O_NONBLOCK", 0)
_O_NOCTTY = getattr(os, "O_NOCTTY", 0)
_O_DIRECTORY = getattr(os, "O_DIRECTORY", 0)


class PathRefused(UsageError):
    """A path that must not be read at all (it names, or leads to, something outside)."""


class Unreadable(AtlasError):
    """An allowed path whose contents cannot be shown; ``reason`` is a short phrase."""

    def __init__(self, rel: str, reason: str) -> None:
        super().__init__(f"{rel!r}: {reason}")
        self.rel = rel
        self.reason = reason


def normalise_rel(rel: str) -> str:
    """``rel`` as a clean ``a/b/c`` path inside the root, or :class:`PathRefused`.

    ``.`` components and doubled slashes are dropped; a ``..`` that stays inside the root
    (``src/../README.md``) is folded away, one that climbs out is refused.
    """
    if not isinstance(rel, str) or not rel.strip():
        raise PathRefused(f"empty path: give a file relative to the repository root ({rel!r})")
    if "\0" in rel:
        raise PathRefused(f"refusing path with a NUL byte: {rel!r}")
    if rel.startswith("~"):
        raise PathRefused(f"{_OUTSIDE}: {rel!r} is home-relative; give it relative to the root")
    if os.path.isabs(rel) or rel.startswith("\\") or (len(rel) > 1 and rel[1] == ":"):
        raise PathRefused(f"{_OUTSIDE}: {rel!r} is absolute; give it relative to the root")
    parts: list[str] = []
    for part in rel.split("/"):
        if part in ("", "."):
            continue
        if part == "..":
            if not parts:
                raise PathRefused(f"{_OUTSIDE}: {rel!r} climbs out of it with '..'")
            parts.pop()
        else:
            parts.append(part)
    if not parts:
        raise PathRefused(f"{rel!r} names the repository root itself, not a file")
    return "/".join(parts)


def check_root(root: Path | str) -> None:
    """Refuse a root that was deleted, renamed or replaced since it was checked (a live
    server or library object outlives it): nothing is walked, read or written then.

    :raises UsageError: the root no longer exists, or is no longer a directory.
    """
    if not os.path.isdir(root):
        state = "is not a directory" if os.path.lexists(root) else "no longer exists"
        raise UsageError(f"the repository root {str(root)!r} {state}")


def _real_root(root: Path | str) -> str:
    check_root(root)
    return os.path.realpath(root)


def _inside(real_root: str, rel: str) -> list[str]:
    """The components of ``rel`` after following its symlinks; refused if they leave."""
    target = os.path.realpath(os.path.join(real_root, rel))
    if target == real_root:
        raise Unreadable(rel, "a directory, not a file")
    if os.path.commonpath([real_root, target]) != real_root:
        raise PathRefused(f"{_OUTSIDE}: {rel!r} is a symlink to a place outside it")
    if os.path.islink(target):  # realpath stops where symlinks go round in a loop
        raise Unreadable(rel, "a symlink loop")
    return os.path.relpath(target, real_root).split(os.sep)


def confined_path(root: Path | str, rel: str) -> Path:
    """The absolute path ``rel`` names inside ``root``, symlinks followed (nothing is read).

    :raises PathRefused: as :func:`read_confined` would.
    """
    real_root = _real_root(root)
    clean = normalise_rel(rel)
    try:
        parts = _inside(real_root, clean)
    except Unreadable:  # reading it will say why; until then it is just its own name
        return Path(real_root, clean)
    return Path(real_root, *parts)


def _kind(mode: int) -> str:
    if stat.S_ISDIR(mode):
        return "a directory, not a file"
    if stat.S_ISFIFO(mode):
        return "not a regular file (a FIFO)"
    if stat.S_ISSOCK(mode):
        return "not a regular file (a socket)"
    if stat.S_ISCHR(mode) or stat.S_ISBLK(mode):
        return "not a regular file (a device)"
    return "not a regular file"


def _open_parts(real_root: str, rel: str, parts: list[str]) -> int:
    """A read-only descriptor of the regular file ``parts`` under ``real_root``.

    Walks down one directory at a time with ``O_NOFOLLOW``: every component was already
    resolved, so meeting a symlink now means the tree changed under us.
    """
    dir_fd = os.open(real_root, os.O_RDONLY | _O_DIRECTORY | _O_CLOEXEC)
    try:
        for part in parts[:-1]:
            try:
                next_fd = os.open(
                    part, os.O_RDONLY | _O_DIRECTORY | _O_NOFOLLOW | _O_CLOEXEC, dir_fd=dir_fd
                )
            except OSError as exc:
                raise _unreadable(rel, exc, _is_link(part, dir_fd)) from None
            os.close(dir_fd)
            dir_fd = next_fd
        name = parts[-1]
        try:
            st = os.lstat(name, dir_fd=dir_fd)
        except OSError as exc:
            raise _unreadable(rel, exc) from None
        if stat.S_ISLNK(st.st_mode):
            raise _unreadable(rel, OSError(errno.ELOOP, "symlink"), link=True)
        if not stat.S_ISREG(st.st_mode):  # never open a FIFO or device just to look
            raise Unreadable(rel, _kind(st.st_mode))
        flags = os.O_RDONLY | _O_NONBLOCK | _O_NOFOLLOW | _O_NOCTTY | _O_CLOEXEC
        try:
            return os.open(name, flags, dir_fd=dir_fd)
        except OSError as exc:
            raise _unreadable(rel, exc, _is_link(name, dir_fd)) from None
    finally:
        os.close(dir_fd)


def _open_inside(real_root: str, rel: str) -> int:
    """A read-only descriptor of the regular file ``rel`` under ``real_root``, symlinks
    inside the root followed."""
    try:
        # Most paths hold no symlink, and then they are their own real path: opened one
        # component at a time without following links, they need no resolving first
        # (``os.path.realpath`` is most of the cost of a read).
        return _open_parts(real_root, rel, rel.split("/"))
    except AtlasError:
        # a symlink on the way, or the file cannot be read: resolved first, so the answer
        # (or the reason) is the one for the path the links lead to
        return _open_parts(real_root, rel, _inside(real_root, rel))


def _is_link(name: str, dir_fd: int) -> bool:
    try:
        return stat.S_ISLNK(os.lstat(name, dir_fd=dir_fd).st_mode)
    except OSError:
        return False


def _unreadable(rel: str, exc: OSError, link: bool = False) -> AtlasError:
    if link:  # every component was resolved already: a symlink here appeared since
        return PathRefused(f"{_OUTSIDE}: {rel!r} changed into a symlink while being read")
    if exc.errno in (errno.ENOENT, errno.ENOTDIR):
        return Unreadable(rel, "no such file")
    if exc.errno == errno.EISDIR:
        return Unreadable(rel, "a directory, not a file")
    return Unreadable(rel, f"unreadable: {exc.strerror or exc}")


def read_confined(root: Path | str, rel: str, *, max_bytes: int = MAX_READ_BYTES) -> bytes:
    """The bytes of the regular file ``rel`` inside ``root``, at most ``max_bytes``.

    :param root: the validated repository root (never one recorded in an index).
    :param rel: a path relative to ``root``.
    :raises PathRefused: the path is empty, holds a NUL byte, is absolute, climbs out with
        ``..`` or leads through a symlink to outside the root.
    :raises Unreadable: it is missing, a directory, not a regular file, larger than
        ``max_bytes``, or the system refused to read it.
    """
    real_root = _real_root(root)
    clean = normalise_rel(rel)
    fd = _open_inside(real_root, clean)
    try:
        st = os.fstat(fd)
        if not stat.S_ISREG(st.st_mode):
            raise Unreadable(clean, _kind(st.st_mode))
        if st.st_size > max_bytes:
            raise Unreadable(clean, f"larger than the read limit of {max_bytes:,} bytes")
        chunks: list[bytes] = []
        left = max_bytes + 1  # one more, to notice a file that grew past the limit
        while left > 0:
            try:
                chunk = os.read(fd, min(left, 1 << 20))
            except OSError as exc:
                raise _unreadable(clean, exc) from None
            if not chunk:
                break
            chunks.append(chunk)
            left -= len(chunk)
        data = b"".join(chunks)
        if len(data) > max_bytes:
            raise Unreadable(clean, f"larger than the read limit of {max_bytes:,} bytes")
        return data
    finally:
        os.close(fd)


def open_regular(path: str | os.PathLike[str]) -> int:
    """A read-only descriptor of ``path`` if it is a regular file (links followed).

    Opening never blocks: a file swapped for a FIFO or device after a walk raises
    :class:`OSError` instead of hanging the indexer.
    """
    fd = os.open(path, os.O_RDONLY | _O_NONBLOCK | _O_NOCTTY | _O_CLOEXEC)
    try:
        if not stat.S_ISREG(os.fstat(fd).st_mode):
            raise OSError(errno.EINVAL, "not a regular file")
        os.set_blocking(fd, True)
    except BaseException:
        os.close(fd)
        raise
    return fd
