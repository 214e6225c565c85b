"""Git's ignore rules: nested ``.gitignore`` and ``.atlasignore`` files and
``.git/info/exclude``, evaluated the way git does (the deepest file that has a matching
pattern decides; within a file the last matching pattern wins; negation re-includes).

Ignore files are read the way git reads them, as bytes: a leading UTF-8 BOM dropped, one
``\\r`` before each newline dropped, unescaped trailing spaces trimmed; patterns are matched
against the bytes of names (see ``atlas_core.walk.wildmatch``), so a non-UTF-8 pattern matches
the non-UTF-8 name it was written for. A line git cannot make sense of (a lone ``!`` or
``\\``, an unclosed bracket) matches nothing; no line is ever an error.
"""

from __future__ import annotations

import os
import re
import stat
from collections.abc import Container, Iterable
from pathlib import Path

from atlas_core.walk.wildmatch import translate

__all__ = ["IGNORE_FILES", "IgnoreStack", "parse_ignore_lines", "read_ignore_file"]

#: read in every directory; later files in this tuple take precedence
IGNORE_FILES = (".gitignore", ".atlasignore")

_BOM = b"\xef\xbb\xbf"
_OPEN_FLAGS = (
    os.O_RDONLY
    | getattr(os, "O_NOFOLLOW", 0)
    | getattr(os, "O_NONBLOCK", 0)
    | getattr(os, "O_CLOEXEC", 0)
)


def read_ignore_file(path: str | Path) -> list[bytes]:
    """The patterns of an ignore file; [] unless it is a regular file.

    Like git (2.32+), a symbolic link is not followed; a FIFO or device is never read
    (opening without blocking, then checking what was opened, leaves no race).
    """
    try:
        fd = os.open(path, _OPEN_FLAGS)
    except OSError:
        return []
    try:
        if not stat.S_ISREG(os.fstat(fd).st_mode):
            return []
        chunks = []
        while chunk := os.read(fd, 1 << 20):
            chunks.append(chunk)
    except OSError:
        return []
    finally:
        os.close(fd)
    return parse_ignore_lines(b"".join(chunks))


def parse_ignore_lines(data: bytes) -> list[bytes]:
    """Split an ignore file's bytes into patterns as git does; comments and blanks dropped."""
    if data.startswith(_BOM):
        data = data[len(_BOM) :]
    lines = []
    for raw in data.split(b"\n"):
        if raw.endswith(b"\r"):
            raw = raw[:-1]
        if not raw or raw.startswith(b"#"):
            continue
        line = _trim_trailing_spaces(raw)
        if line:
            lines.append(line)
    return lines


def _trim_trailing_spaces(line: bytes) -> bytes:
    """Drop trailing spaces unless backslash-escaped (tabs and other blanks are kept)."""
    end = len(line.rstrip(b" "))
    if end == len(line):
        return line
    backslashes = end - len(line[:end].rstrip(b"\\"))
    if backslashes % 2:  # the first trailing space is escaped: keep it
        end += 1
    return line[:end]


def _compile(line: bytes) -> tuple[bytes, bool, bool] | None:
    """One pattern as (regex source, negative, directories only), or None when it can
    never match (as in git: a lone ``!`` or ``/``, a trailing backslash, a bad bracket)."""
    negative = line.startswith(b"!")
    body = line[1:] if negative else line
    dir_only = body.endswith(b"/")
    if dir_only:
        body = body[:-1]
    if b"/" in body:
        # anchored to the ignore file's directory; matched against the whole relative path
        prefix = b""
        if body.startswith(b"/"):
            body = body[1:]
    else:
        # no slash: matched against the name alone, after the last slash (atomic: trying
        # each earlier slash in turn could only fail, slowly)
        prefix = b"(?>(?:.*/)?)"
    if not body:
        return None
    regex = translate(body)
    if regex is None:
        return None
    return prefix + regex + b"\\Z", negative, dir_only


#: patterns per combined regex: one regex for thousands of patterns compiles about three
#: times slower per pattern than a few of this size, and an ignore file is repository input
_CHUNK = 256


class _Alternation:
    """Patterns tried last first, as a few combined regexes: the first that matches is the
    last matching pattern, the one git lets decide."""

    __slots__ = ("chunks",)

    def __init__(self, ordered: list[tuple[bytes, bool]]) -> None:
        #: (regex, whether its group n is a negative pattern at index n)
        self.chunks: list[tuple[re.Pattern[bytes], list[bool]]] = []
        for i in range(0, len(ordered), _CHUNK):
            part = ordered[i : i + _CHUNK]
            regex = b"|".join(b"(" + source + b")" for source, _ in part)
            self.chunks.append((re.compile(regex, re.DOTALL), [False] + [n for _, n in part]))


class _Level:
    """One directory's ignore patterns: all of them for directories, those not for
    directories only for files."""

    __slots__ = ("dirs", "files", "prefix", "start")

    def __init__(self, prefix: bytes, patterns: list[tuple[bytes, bool, bool]]) -> None:
        self.prefix = prefix
        self.start = len(prefix)
        # last first, each distinct pattern once (an earlier copy of a line can never be
        # the last that matches)
        ordered = list(dict.fromkeys(patterns[::-1]))
        self.dirs = _Alternation([(regex, neg) for regex, neg, _ in ordered])
        self.files = _Alternation([(regex, neg) for regex, neg, only in ordered if not only])

    @classmethod
    def of(cls, prefix: str, lines: Iterable[bytes]) -> _Level | None:
        """The level for these lines, or None when none of them can match anything."""
        patterns = [p for p in map(_compile, lines) if p is not None]
        return cls(os.fsencode(prefix), patterns) if patterns else None


class IgnoreStack:
    """Ignore specs from the root down to the directory being walked."""

    def __init__(self, levels: list[_Level]) -> None:
        self.levels = levels

    @classmethod
    def for_root(cls, root: Path, extra_patterns: list[str]) -> IgnoreStack:
        """The stack for the root: ``.git/info/exclude``, the configured patterns, then
        the root's own ignore files (which take precedence over both)."""
        extra = []
        for pattern in extra_patterns:
            try:
                extra.extend(parse_ignore_lines(os.fsencode(pattern)))
            except UnicodeError:
                continue
        levels: list[_Level] = []
        for lines in (read_ignore_file(root / ".git" / "info" / "exclude"), extra):
            level = _Level.of("", lines)
            if level is not None:
                levels.append(level)
        return cls(levels).enter(root, "")

    def enter(
        self, directory: str | Path, prefix: str, names: Container[str] | None = None
    ) -> IgnoreStack:
        """The stack for a directory: adds its ignore files, if it has any.

        ``names``, when given, are the directory's entries: ignore files not among them
        are not looked for.
        """
        lines: list[bytes] = []
        for name in IGNORE_FILES:
            if names is None or name in names:
                lines.extend(read_ignore_file(os.path.join(directory, name)))
        level = _Level.of(prefix, lines) if lines else None
        if level is None:
            return self
        return IgnoreStack([*self.levels, level])

    def ignored(self, rel: str, is_dir: bool) -> bool:
        """True when ``rel`` (relative to the root, ``/``-separated) is ignored."""
        if not self.levels:
            return False
        path = os.fsencode(rel)
        for level in reversed(self.levels):
            if not path.startswith(level.prefix):
                continue
            for regex, negative in (level.dirs if is_dir else level.files).chunks:
                match = regex.match(path, level.start)
                if match is not None:
                    return not negative[match.lastindex or 0]
        return False
