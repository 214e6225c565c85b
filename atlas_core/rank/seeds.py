"""Where the agent stands: ``--seed PATH[:LINE]`` and ``--diff [REF]`` turned into file ids."""

from __future__ import annotations

import os
import posixpath
import re
from collections.abc import Sequence
from pathlib import Path
from typing import TYPE_CHECKING

import attrs

from atlas_core.errors import UsageError
from atlas_core.paths import display_path, path_candidates, quoted_path

if TYPE_CHECKING:
    from atlas_core.index.reader import IndexReader

__all__ = ["Seed", "diff_paths", "resolve_seeds"]

_LINE = re.compile(r"^(?P<path>.+?):(?P<line>[0-9]+)$")
_REF = re.compile(r"^[A-Za-z0-9_./@{}~^-]+$")


@attrs.frozen
class Seed:
    """A seed file: its id in the index, and the line the agent pointed at (0: none)."""

    id: int
    path: str
    line: int = 0


def _split(raw: str) -> tuple[str, int]:
    match = _LINE.match(raw)
    if match:
        return match["path"], int(match["line"])
    return raw, 0


def _relative(reader: IndexReader, path: str, base: str, literal: bool) -> str | None:
    """``path`` (relative to ``base``, or to the root) as an indexed path, or None.

    Unless ``literal``, ``path`` may also be a path as Atlas shows it
    (:func:`~atlas_core.paths.path_candidates`).
    """
    for name in [path] if literal else path_candidates(path):
        name = name.replace(os.sep, "/")
        for candidate in [posixpath.join(base, name), name] if base else [name]:
            norm = posixpath.normpath(candidate)
            if norm in reader.ids:
                return norm
    return None


def resolve_seeds(
    reader: IndexReader,
    seeds: Sequence[str],
    base: str = "",
    *,
    strict: bool = True,
    literal: bool = False,
    noun: str = "seed",
) -> list[Seed]:
    """The indexed files named by ``seeds`` (``path`` or ``path:line``), in order, once each.

    A path may be given as Atlas shows it (:func:`~atlas_core.paths.display_path`:
    ``caf\\xe9.py`` for a name that is not UTF-8); ``literal``: the paths are the files' own
    names (from git, say), never read as shown forms. ``noun`` names them in errors:
    ``"file"`` where a command takes files, not seeds.

    :raises UsageError: for a path that is not an indexed file (unless not ``strict``).
    """
    out: list[Seed] = []
    seen: set[int] = set()
    for raw in seeds:
        if not raw or "\0" in raw:
            raise UsageError(f"bad {noun} {quoted_path(raw)}")
        path, line = _split(raw)
        rel = _relative(reader, path, base, literal)
        if rel is None and line:  # a name that really ends in ":<digits>"
            rel, line = _relative(reader, raw, base, literal), 0
        if rel is None:
            if strict:
                raise UsageError(
                    f"{noun} {quoted_path(raw)} is not an indexed file of "
                    + display_path(str(reader.root))
                )
            continue
        i = reader.ids[rel]
        if i not in seen:
            seen.add(i)
            out.append(Seed(i, rel, line))
    return out


def diff_paths(root: Path, ref: str = "HEAD") -> list[str]:
    """Files changed in the working tree and the index against ``ref``, plus untracked ones.

    Paths are relative to ``root`` (which may be a subdirectory of the work tree); files
    outside it are left out. Read-only, and runs no command the repository configures
    (see :mod:`atlas_core.rank.worktree`).

    :raises UsageError: for a bad ref (a range too), a repository with no commit, or
        outside a git work tree.
    """
    from atlas_core.rank.worktree import changed_paths

    if not _REF.match(ref) or ref.startswith("-"):
        raise UsageError(f"--diff: bad git revision {quoted_path(ref)}")
    if ".." in ref:
        raise UsageError(
            "--diff takes one revision to compare the working tree with, "
            f"not a range ({quoted_path(ref)})"
        )
    return changed_paths(root, ref)
