"""Git's ignore rules: nested ``.gitignore`` and ``.atlasignore`` files and
``.git/info/exclude``, evaluated the way git does (the deepest file that has a matching
pattern decides; within a file the last matching pattern wins; negation re-includes)."""

from __future__ import annotations

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


class IgnoreStack:
    """Ignore specs from the root down to the directory being walked."""

    def __init__(self, levels: list[tuple[str, pathspec.GitIgnoreSpec]]) -> None:
        # (directory prefix relative to root, with trailing "/" or "" for the root, spec)
        self.levels = levels

    @classmethod
    def for_root(cls, root: Path, extra_patterns: list[str]) -> IgnoreStack:
        levels: list[tuple[str, pathspec.GitIgnoreSpec]] = []
        exclude = _read_lines(root / ".git" / "info" / "exclude")
        if exclude:
            levels.append(("", pathspec.GitIgnoreSpec.from_lines(exclude)))
        stack = cls(levels)
        stack = stack.enter(root, "")
        if extra_patterns:
            stack = IgnoreStack(
                [*stack.levels, ("", pathspec.GitIgnoreSpec.from_lines(extra_patterns))]
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
        return IgnoreStack([*self.levels, (prefix, pathspec.GitIgnoreSpec.from_lines(lines))])

    def ignored(self, rel: str, is_dir: bool) -> bool:
        """True when ``rel`` (relative to the root) is ignored."""
        for prefix, spec in reversed(self.levels):
            if prefix and not rel.startswith(prefix):
                continue
            sub = rel[len(prefix) :]
            result = spec.check_file(sub + "/" if is_dir else sub)
            if result.include is not None:
                return bool(result.include)
        return False
