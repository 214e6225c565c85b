"""Whether git, run in a tree, would read a repository that is not the tree's own.

A ``.git`` *file* (``gitdir: <path>``) sends git to a repository elsewhere. Git writes one
for a linked work tree (``git worktree add``), for a submodule and for a clone made with
``--separate-git-dir``. A ``.git`` file in an unpacked archive or an unreviewed tree can name
any repository on the machine instead (``gitdir: /home/me/private/.git``), and reading its
history would read outside the tree.

So a link out of the tree is followed only to a repository that is this tree's. It must be
one of these:
- a work tree's admin directory whose ``gitdir`` file names this ``.git`` file;
- a repository whose ``core.worktree`` is this tree (a submodule's);
- a separate git directory that is no other checkout's ``.git``, not bare, and names no work
  tree of its own.

Every git call Atlas makes runs in :func:`git_environment`, without the variables that send
git to another repository: git sets ``GIT_DIR`` for a hook it runs, so Atlas started from a
hook would otherwise read the hook's repository instead of the tree it was given.
"""

from __future__ import annotations

import os
import re
from pathlib import Path

__all__ = ["foreign_git_dir", "git_environment"]

_MAX_LINK_BYTES = 4096  # a .git file or a gitdir file is one short line
_KEY_VALUE = re.compile(r"^\s*+([A-Za-z][\w-]*+)\s*+=(.*)$")
_SECTION = re.compile(r"^\s*\[\s*([^\]\s]+)")

#: what makes git read a repository, index, object store or config other than the one it
#: finds from its working directory: ``git rev-parse --local-env-vars`` (what git itself
#: clears on entering a submodule), ``GIT_NAMESPACE`` and a hook's ``GIT_QUARANTINE_PATH``.
#: Kept: the user's own settings that only stop the search for a repository
#: (``GIT_CEILING_DIRECTORIES``, ``GIT_DISCOVERY_ACROSS_FILESYSTEM``) or choose the user's
#: and system config (``GIT_CONFIG_GLOBAL``, ``GIT_CONFIG_SYSTEM``, ``GIT_CONFIG_NOSYSTEM``).
_REPOSITORY_VARS = frozenset(
    {
        "GIT_ALTERNATE_OBJECT_DIRECTORIES",
        "GIT_COMMON_DIR",
        "GIT_CONFIG",
        "GIT_CONFIG_COUNT",
        "GIT_CONFIG_PARAMETERS",
        "GIT_DIR",
        "GIT_GRAFT_FILE",
        "GIT_IMPLICIT_WORK_TREE",
        "GIT_INDEX_FILE",
        "GIT_INTERNAL_SUPER_PREFIX",
        "GIT_NAMESPACE",
        "GIT_NO_REPLACE_OBJECTS",
        "GIT_OBJECT_DIRECTORY",
        "GIT_PREFIX",
        "GIT_QUARANTINE_PATH",
        "GIT_REPLACE_REF_BASE",
        "GIT_SHALLOW_FILE",
        "GIT_WORK_TREE",
    }
)
#: the entries ``GIT_CONFIG_COUNT`` counts
_REPOSITORY_PREFIXES = ("GIT_CONFIG_KEY_", "GIT_CONFIG_VALUE_")


def git_environment(**settings: str) -> dict[str, str]:
    """The environment for a git call: this process's, without the variables that choose a
    repository (``GIT_DIR``, ``GIT_WORK_TREE``, ``GIT_INDEX_FILE``, ...), plus ``settings``.

    Run git with it and with the tree's root as its working directory (or ``-C root``), so
    git reads the repository that holds the tree and nothing else.
    """
    env = {
        name: value
        for name, value in os.environ.items()
        if name not in _REPOSITORY_VARS and not name.startswith(_REPOSITORY_PREFIXES)
    }
    env.update(settings)
    return env


def foreign_git_dir(root: Path) -> str | None:
    """Why git at ``root`` would read another tree's repository, or None when it would not.

    Only ``root/.git`` is looked at: a directory above the tree is the user's own layout
    (and ``$GIT_DIR`` is ignored: :func:`git_environment` leaves it out).
    """
    link = root / ".git"
    if link.is_symlink():  # git follows it as if the directory were here
        try:
            target = root / os.readlink(link)  # an absolute target stays as it is
        except OSError:
            return None  # gone meanwhile: git finds no repository here either
    else:
        text = _read_small(link)
        if text is None or not text.startswith("gitdir:"):
            return None  # a directory, nothing, or no link git follows (git refuses it)
        target = Path(os.path.normpath(root / text[len("gitdir:") :].strip()))
    top = Path(os.path.realpath(root))
    real = Path(os.path.realpath(target))
    if real == top or top in real.parents:
        return None  # a repository kept inside the tree
    if _links_back(real, top, Path(os.path.realpath(link))):
        return None
    return _refused(link, f"points at {target}, which is not this tree's repository")


def _refused(link: Path, why: str) -> str:
    return f"{link} {why} (a .git file may name only this tree's own git directory)"


def _links_back(git_dir: Path, top: Path, link: Path) -> bool:
    """Whether the repository at ``git_dir`` is this tree's (see the module docstring)."""
    named = _read_small(git_dir / "gitdir")
    if named is not None:  # a linked work tree's admin directory
        return Path(os.path.realpath(git_dir / named)) == link
    config = _read_small(git_dir / "config", limit=1 << 20)
    if config is None:
        return False
    worktree = _core_value(config, "worktree")
    if worktree is not None:  # a submodule's repository, or one that names its work tree
        return Path(os.path.realpath(git_dir / worktree)) == top
    bare = (_core_value(config, "bare") or "false").lower() in ("true", "yes", "on", "1")
    return git_dir.name != ".git" and not bare


def _core_value(config: str, key: str) -> str | None:
    """``core.<key>`` of a git config file's text (plain values: git writes them so)."""
    section = ""
    for line in config.splitlines():
        head = _SECTION.match(line)
        if head:
            section = head.group(1).lower()
            continue
        found = _KEY_VALUE.match(line) if section == "core" else None
        if found and found.group(1).lower() == key:
            return found.group(2).strip().strip('"')
    return None


def _read_small(path: Path, limit: int = _MAX_LINK_BYTES) -> str | None:
    """The text of a small regular file; None when it is not one (never blocks on a FIFO)
    or is larger than ``limit``."""
    from atlas_core.fsread import open_regular

    try:
        with open(open_regular(path), "rb") as handle:
            data = handle.read(limit + 1)
    except OSError:
        return None
    return None if len(data) > limit else data.decode("utf-8", "replace").strip()
