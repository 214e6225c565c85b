"""What changed in a git work tree, asked without running anything the repository configures.

A repository's own git config can name commands that git runs while it only reads:
``core.fsmonitor`` when it reads the index, and the clean filter or filter process of a
``.gitattributes`` driver when it compares a file's content (porcelain ``git diff`` does,
and so does ``diff-index`` for a file modified in the same second as the index). An
unreviewed tree may carry such a config, so every call here runs with fsmonitor off and
every configured filter driver blanked (through ``GIT_CONFIG_COUNT``, which no driver
name can escape; git 2.31 or newer). Changes are found with plumbing: ``diff-index``
on the index's stat data, then ``hash-object --no-filters`` to tell an edit from a touch.
"""

from __future__ import annotations

import os
import re
import stat
from pathlib import Path

from atlas_core.errors import AtlasError, UsageError

__all__ = ["changed_paths"]

_TIMEOUT = 20.0
#: file modes of blobs ``hash-object`` can compare (not symlinks, not submodules)
_BLOB_MODES = ("100644", "100755")
#: paths per ``hash-object`` call (the command line's length)
_HASH_BATCH = 500
_FILTER_VARS = ("clean", "smudge", "process")
#: more filter drivers than this is no real config (each takes four environment entries)
_MAX_DRIVERS = 1000
#: what ``rev-parse --verify`` prints for one object (SHA-1 or SHA-256)
_OBJECT_NAME = re.compile(r"[0-9a-f]{40}|[0-9a-f]{64}")


def changed_paths(root: Path, ref: str) -> list[str]:
    """Paths (relative to ``root``) whose content or type differs between ``ref`` and the
    working tree or index, then untracked files that are not ignored."""
    from atlas_core.gitlink import foreign_git_dir, git_environment

    refused = foreign_git_dir(root)
    if refused:
        raise UsageError(f"--diff: {refused}")
    env = _neutral_env(root, git_environment(GIT_OPTIONAL_LOCKS="0", LC_ALL="C"))
    tree = _tree(root, env, ref)
    fields = _git(root, env, "diff-index", "-z", "--no-renames", "--relative", tree, "--")
    names: list[str] = []
    touched: dict[str, str] = {}  # stat data changed: its blob at ``ref``, to compare
    parts = fields.split("\0")
    for meta, name in zip(parts[0::2], parts[1::2], strict=False):
        # ":<old mode> <new mode> <old blob> <new blob> <status>", then the path
        cols = meta.split()
        if len(cols) != 5 or not name:
            continue
        names.append(name)
        new_mode, old_blob, new_blob, status = cols[1:]
        stat_only = status == "M" and new_mode in _BLOB_MODES and not new_blob.strip("0")
        if stat_only and _regular_inside(root, name):
            touched[name] = old_blob
    same: set[str] = set()
    waiting = list(touched)
    for start in range(0, len(waiting), _HASH_BATCH):
        batch = waiting[start : start + _HASH_BATCH]
        blobs = _git(root, env, "hash-object", "--no-filters", "--", *batch).split()
        same.update(n for n, blob in zip(batch, blobs, strict=False) if blob == touched[n])
    untracked = _git(root, env, "ls-files", "-z", "--others", "--exclude-standard")
    listed = dict.fromkeys([*names, *untracked.split("\0")])  # in order, each once
    return [name for name in listed if name and name not in same]


def _tree(root: Path, env: dict[str, str], ref: str) -> str:
    """The object name of ``ref``'s tree: one revision, which the repository has."""
    found = _git(root, env, "rev-parse", "--verify", "--quiet", f"{ref}^{{tree}}", ok=(0, 1))
    name = found.strip()
    if _OBJECT_NAME.fullmatch(name):
        return name
    head = _git(root, env, "rev-parse", "--verify", "--quiet", "HEAD", ok=(0, 1))
    if not head.strip():
        raise UsageError("--diff: the repository has no commits yet")
    raise UsageError(f"--diff: {ref!r} is not a revision of this repository")


def _neutral_env(root: Path, env: dict[str, str]) -> dict[str, str]:
    """``env`` (no ``GIT_CONFIG_COUNT`` in it), with fsmonitor off and every filter driver
    that any config file names blanked."""
    listed = _git(root, env, "config", "-z", "--get-regexp", r"^filter\.", ok=(0, 1))
    drivers: dict[str, None] = {}
    for entry in listed.split("\0"):
        key = entry.split("\n", 1)[0]  # "filter.<driver>.<variable>"
        driver = key[len("filter.") : key.rfind(".")] if key.count(".") >= 2 else ""
        if driver:
            drivers[driver] = None
    if len(drivers) > _MAX_DRIVERS:  # blanking them all would not fit in the environment
        raise UsageError(f"--diff: the git config names {len(drivers)} filter drivers")
    settings = [("core.fsmonitor", "false")]
    for driver in drivers:
        settings += [(f"filter.{driver}.{var}", "") for var in _FILTER_VARS]
        settings.append((f"filter.{driver}.required", "false"))
    for n, (key, value) in enumerate(settings):
        env[f"GIT_CONFIG_KEY_{n}"], env[f"GIT_CONFIG_VALUE_{n}"] = key, value
    env["GIT_CONFIG_COUNT"] = str(len(settings))
    return env


def _regular_inside(root: Path, rel: str) -> bool:
    """Whether ``rel`` is a regular file that resolves inside ``root``: only those are
    hashed (never a FIFO, a device, or a file reached through a symlink out of the tree)."""
    from atlas_core.fsread import confined_path

    try:
        return stat.S_ISREG(os.stat(confined_path(root, rel)).st_mode)
    except (AtlasError, OSError):
        return False


def _git(root: Path, env: dict[str, str], *args: str, ok: tuple[int, ...] = (0,)) -> str:
    import subprocess  # only for --diff: not imported by every query

    try:
        done = subprocess.run(
            ["git", *args],
            capture_output=True,
            cwd=root,
            env=env,
            timeout=_TIMEOUT,
            check=False,
            stdin=subprocess.DEVNULL,
        )
    except FileNotFoundError:
        if not root.is_dir():  # the working directory, gone meanwhile
            raise UsageError(f"--diff: {root} is not a directory") from None
        raise UsageError("--diff needs git, which is not installed") from None
    except subprocess.TimeoutExpired:
        raise AtlasError(f"--diff: git {args[0]} took more than {_TIMEOUT:.0f}s") from None
    if done.returncode not in ok:
        message = done.stderr.decode("utf-8", "replace").strip().splitlines()
        why = message[-1] if message else f"git exited with {done.returncode}"
        raise UsageError(f"--diff: {why.removeprefix('fatal: ')}")
    return os.fsdecode(done.stdout)
