"""Running git read-only: the repository's state and one streaming ``git log``."""

from __future__ import annotations

from collections.abc import Generator, Iterator
from pathlib import Path
from typing import IO, TYPE_CHECKING

import attrs

if TYPE_CHECKING:  # subprocess and tempfile are imported to run git, not to rank
    import subprocess

__all__ = [
    "GitUnavailable",
    "LogCommit",
    "RepoState",
    "head_from_files",
    "is_ancestor",
    "read_head",
    "repo_state",
    "stream_log",
]

#: record separator written before every commit header of ``git log``
_RS = b"\x1e"
#: unit separator between a commit header and its message
_US = b"\x1f"


class GitUnavailable(Exception):
    """History cannot be read here; the message says why, in a few words."""


@attrs.frozen
class RepoState:
    """What ``git rev-parse`` says about the repository that holds the root."""

    head: str
    #: the root's path inside the work tree, "" or ending in "/"
    prefix: str
    shallow: bool


@attrs.frozen
class LogCommit:
    """One commit of the log: commit time (unix seconds), the paths it touched and its
    message."""

    sha: str
    time: int
    paths: list[str]
    message: str = ""


def git_env() -> dict[str, str]:
    """The environment for every git call: none of the variables that choose another
    repository (git sets ``GIT_DIR`` for a hook), no locks, no prompts, stable messages."""
    from atlas_core.api import git_environment

    return git_environment(
        GIT_OPTIONAL_LOCKS="0",
        GIT_TERMINAL_PROMPT="0",
        LC_ALL="C",
        LANG="C",
        GIT_PAGER="cat",
        PAGER="cat",
    )


def _base(root: Path) -> list[str]:
    """The start of every git command line here.

    :raises GitUnavailable: when ``root/.git`` sends git to a repository outside the tree
        that does not link back to it (an unpacked archive's ``.git`` file may name any
        repository on the machine).
    """
    from atlas_core.api import foreign_git_dir

    refused = foreign_git_dir(root)
    if refused:
        raise GitUnavailable(refused)
    # run in root (cwd=root); the -c options neutralise user config that would change what
    # log prints
    return [
        "git",
        "--no-optional-locks",
        "-c",
        "core.quotepath=false",
        "-c",
        "log.showSignature=false",
    ]


def _run(root: Path, *args: str) -> subprocess.CompletedProcess[bytes]:
    import subprocess

    try:
        return subprocess.run(
            [*_base(root), *args],
            capture_output=True,
            cwd=root,
            env=git_env(),
            stdin=subprocess.DEVNULL,
            check=False,
        )
    except OSError as exc:
        raise _not_run(root, exc) from None


def _not_run(root: Path, exc: OSError) -> GitUnavailable:
    """Why git did not start: not installed, or ``root`` (its working directory) is gone."""
    if not root.is_dir():
        return GitUnavailable(f"{root} is not a directory")
    if isinstance(exc, FileNotFoundError):
        return GitUnavailable("git is not installed (not found on PATH)")
    return GitUnavailable(f"git cannot be run: {exc.strerror or exc}")


def _first_line(raw: bytes) -> str:
    text = raw.decode("utf-8", "replace").strip()
    line = text.splitlines()[0] if text else ""
    return line.removeprefix("fatal: ").removeprefix("error: ")


def repo_state(root: Path) -> RepoState:
    """HEAD, the root's prefix and whether the clone is shallow.

    :raises GitUnavailable: git missing, not a repository, or no commit yet.
    """
    done = _run(root, "rev-parse", "--show-prefix", "--is-shallow-repository", "HEAD")
    if done.returncode != 0:
        message = done.stderr.decode("utf-8", "replace")
        if "not a git repository" in message:
            raise GitUnavailable("not a git repository")
        if "ambiguous argument 'HEAD'" in message or "unknown revision" in message:
            raise GitUnavailable("the git repository has no commits yet")
        raise GitUnavailable(f"git rev-parse failed: {_first_line(done.stderr)}")
    lines = done.stdout.decode("utf-8", "replace").splitlines()
    if len(lines) < 3:
        raise GitUnavailable("git rev-parse gave an unexpected answer")
    prefix, shallow, head = lines[-3], lines[-2], lines[-1]
    return RepoState(head.strip(), prefix.strip(), shallow.strip() == "true")


def is_ancestor(root: Path, older: str, newer: str) -> bool:
    """True when ``older`` is reachable from ``newer`` (False if unknown to the repository)."""
    done = _run(root, "merge-base", "--is-ancestor", older, newer)
    return done.returncode == 0


def read_head(root: Path) -> str:
    """HEAD cheaply: from the files of ``<root>/.git`` when possible, else ``git rev-parse``.

    Returns a short description instead of raising, since it only feeds a cache key.
    """
    fast = head_from_files(root)
    if fast is not None:
        return fast
    try:
        done = _run(root, "rev-parse", "--is-shallow-repository", "HEAD")
    except GitUnavailable as exc:
        return f"unavailable:{exc}"
    if done.returncode != 0:
        return f"unavailable:{_first_line(done.stderr)}"
    return " ".join(done.stdout.decode("utf-8", "replace").split())


def head_from_files(root: Path) -> str | None:
    """HEAD's commit read from ``<root>/.git`` (plus " shallow" for a shallow clone), or
    None when git must be asked (a worktree, a subdirectory, reftable)."""
    git_dir = root / ".git"
    if not git_dir.is_dir() or (git_dir / "reftable").exists():
        return None
    try:
        head = (git_dir / "HEAD").read_text(encoding="utf-8").strip()
        shallow = " shallow" if (git_dir / "shallow").exists() else ""
        if not head.startswith("ref: "):
            return head + shallow
        ref = head[5:].strip()
        ref_file = git_dir / ref
        if ref_file.is_file():
            return ref_file.read_text(encoding="utf-8").strip() + shallow
        packed = git_dir / "packed-refs"
        if packed.is_file():
            for line in packed.read_text(encoding="utf-8").splitlines():
                sha, _, name = line.partition(" ")
                if name == ref:
                    return sha + shallow
    except (OSError, UnicodeDecodeError):
        pass
    return None


def stream_log(
    root: Path,
    *,
    head: str,
    exclude: str | None = None,
    max_count: int,
    subdir: bool = False,
) -> Generator[LogCommit, None, None]:
    """Non-merge commits reachable from ``head`` (not from ``exclude``), newest first.

    One ``git log`` process is read as a stream: when the caller stops iterating, git
    is stopped too, so a long history is never read further than needed. Paths are
    relative to ``root``; renames are not detected (speed).

    :raises GitUnavailable: when git fails.
    """
    args = [
        *_base(root),
        "log",
        "--no-merges",
        "--no-renames",
        "--no-color",
        "--no-ext-diff",
        "--name-only",
        "-z",
        "--format=%x1e%H %ct%x1f%B",
        f"--max-count={max(int(max_count), 1)}",
    ]
    if subdir:
        args.append("--relative")
    args.append(head)
    if exclude:
        args.append(f"^{exclude}")
    args.append("--")
    if subdir:
        args.append(".")
    import subprocess
    import tempfile

    # stderr goes to a file: a pipe nobody reads could fill up and stall git
    with tempfile.TemporaryFile() as errors:
        try:
            proc = subprocess.Popen(
                args,
                stdout=subprocess.PIPE,
                stderr=errors,
                stdin=subprocess.DEVNULL,
                cwd=root,
                env=git_env(),
            )
        except OSError as exc:
            raise _not_run(root, exc) from None
        assert proc.stdout is not None
        finished = False
        try:
            yield from _parse(proc.stdout)
            finished = True
        finally:
            if not finished:
                proc.kill()  # the caller has read enough
            proc.stdout.close()
            proc.wait()
        if proc.returncode != 0:
            errors.seek(0)
            raise GitUnavailable(f"git log failed: {_first_line(errors.read())}")


#: bytes kept of one token of the log (a header with its message, or a path): a commit
#: message is repository input, and megabytes of it say nothing a ranking needs
MAX_TOKEN = 1 << 16


def _tokens(stream: IO[bytes]) -> Iterator[bytes]:
    """The NUL-terminated tokens of ``stream`` (the last one may lack its NUL), each cut to
    :data:`MAX_TOKEN` bytes; linear in the stream's length however long a token is."""
    parts: list[bytes] = []  # the token being read, when it spans chunks
    kept = 0
    while chunk := stream.read(1 << 16):
        start = 0
        while (end := chunk.find(b"\0", start)) >= 0:
            piece = chunk[start : min(end, start + MAX_TOKEN - kept)]
            yield b"".join([*parts, piece]) if parts else piece
            parts, kept, start = [], 0, end + 1
        rest = chunk[start : start + MAX_TOKEN - kept]
        if rest:
            parts.append(rest)
            kept += len(rest)
    if parts:
        yield b"".join(parts)


def _parse(stream: IO[bytes]) -> Iterator[LogCommit]:
    """Parse ``\x1e<sha> <time>\x1f<message>`` headers, each followed by the paths; all
    NUL-terminated (a message cannot hold a NUL)."""
    current: LogCommit | None = None
    for token in _tokens(stream):
        if token.startswith(_RS):
            if current is not None:
                yield current
            current = _header(token[1:])
        elif current is not None:
            path = token.lstrip(b"\n")
            if path:
                current.paths.append(path.decode("utf-8", "replace"))
    if current is not None:
        yield current


def _header(raw: bytes) -> LogCommit:
    head, _, message = raw.partition(_US)
    sha, _, stamp = head.decode("ascii", "replace").partition(" ")
    try:
        when = int(stamp.strip())
    except ValueError:
        when = 0
    return LogCommit(sha, when, [], message.decode("utf-8", "replace").strip())
