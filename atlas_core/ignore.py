"""Git's ignore rules: nested ``.gitignore`` and ``.atlasignore`` files and
``.git/info/exclude``, evaluated the way git does (the deepest file that has a matching
pattern decides; within a file the last matching pattern wins; negation re-includes)."""

from __future__ import annotations

import re
from pathlib import Path

import pathspec

__all__ = ["IGNORE_FILES", "IgnoreStack"]

#: read in every directory; later files in this tuple take precedence
IGNORE_FILES = (".gitignore", ".atlasignore")


def _read_lines(path: Path) -> list[str]:
    try:
        return path.read_text(encoding="utf-8", errors="replace").splitlines()
    except OSError:
        return []


class _Level:
    """One ignore file's patterns, with a combined regex as a fast "no pattern matches" test."""

    __slots__ = ("any", "prefix", "spec")

    def __init__(self, prefix: str, spec: pathspec.GitIgnoreSpec) -> None:
        self.prefix = prefix
        self.spec = spec
        parts = []
        for pattern in spec.patterns:
            regex = getattr(pattern, "regex", None)
            if pattern.include is not None and regex is not None:
                parts.append("(?:" + regex.pattern.replace("(?P<ps_d>", "(?:") + ")")
        # None: this file has no pattern at all; an empty regex matches everything, so a
        # regex we cannot combine falls back to checking every path with pathspec
        self.any: re.Pattern[str] | None = None
        if parts:
            try:
                self.any = re.compile("|".join(parts))
            except re.error:
                self.any = re.compile("")


class IgnoreStack:
    """Ignore specs from the root down to the directory being walked."""

    def __init__(self, levels: list[_Level]) -> None:
        self.levels = levels

    @classmethod
    def for_root(cls, root: Path, extra_patterns: list[str]) -> IgnoreStack:
        levels: list[_Level] = []
        exclude = _read_lines(root / ".git" / "info" / "exclude")
        if exclude:
            levels.append(_Level("", pathspec.GitIgnoreSpec.from_lines(exclude)))
        stack = cls(levels)
        stack = stack.enter(root, "")
        if extra_patterns:
            stack = IgnoreStack(
                [*stack.levels, _Level("", pathspec.GitIgnoreSpec.from_lines(extra_patterns))]
            )
        return stack

    def enter(self, directory: Path, prefix: str) -> IgnoreStack:
        """The stack for a directory: adds its ignore files, if it has any."""
        lines: list[str] = []
        for name in IGNORE_FILES:
            candidate = directory / name
            if candidate.is_file():
                lines.extend(_read_lines(candidate))
        if not lines:
            return self
        return IgnoreStack([*self.levels, _Level(prefix, pathspec.GitIgnoreSpec.from_lines(lines))])

    def ignored(self, rel: str, is_dir: bool) -> bool:
        """True when ``rel`` (relative to the root) is ignored."""
        for level in reversed(self.levels):
            if level.any is None or (level.prefix and not rel.startswith(level.prefix)):
                continue
            sub = rel[len(level.prefix) :]
            if is_dir:
                sub += "/"
            if level.any.match(sub) is None:
                continue
            result = level.spec.check_file(sub)
            if result.include is not None:
                return bool(result.include)
        return False
