"""GoResolver: Go import paths to the package's files, using the repository's go.mod files.

A Go import names a package, which is a directory: ``example.com/app/internal/db`` is
every non-test ``.go`` file directly in that directory. The directory is found, in order:

1. ``replace`` directives with a local path (``replace example.com/lib => ../lib``) in the
   go.mod of the importing file's module;
2. the module whose path is the longest prefix of the import (nested modules: a
   ``tools/go.mod`` declaring ``example.com/app/tools`` owns that subtree);
3. ``vendor/<import path>`` under the importing module;
4. ``./x`` and ``../x`` imports, relative to the importing file.

Anything else (the standard library, third-party modules) is not in the repository and is
dropped.
"""

from __future__ import annotations

import posixpath
import re
from typing import Any, ClassVar

import attrs

from atlas_core.api import Resolver

__all__ = ["GoModule", "GoResolver", "parse_go_mod"]

_MODULE = re.compile(r"^module\s+(\S+)")
_REPLACE_LINE = re.compile(r"^(?:replace\s+)?(\S+)(?:\s+\S+)?\s+=>\s+(\S+)(?:\s+\S+)?\s*$")


@attrs.frozen
class GoModule:
    """One go.mod: its directory (``""`` at the root), module path and local replacements."""

    dir: str
    path: str
    replace: dict[str, str] = attrs.field(factory=dict)  # module path -> repository directory


def parse_go_mod(text: str, directory: str) -> GoModule | None:
    """Module path and local ``replace`` targets of a go.mod in ``directory`` (None: no module)."""
    module = ""
    replace: dict[str, str] = {}
    in_block = False
    for raw in text.splitlines():
        line = raw.split("//", 1)[0].strip()
        if not line:
            continue
        if in_block:
            if line == ")":
                in_block = False
                continue
            _add_replace(replace, line, directory)
        elif line.startswith("replace") and line.rstrip().endswith("("):
            in_block = True
        elif line.startswith("replace "):
            _add_replace(replace, line, directory)
        elif not module and (match := _MODULE.match(line)):
            module = match.group(1).strip('"')
    return GoModule(directory, module, replace) if module else None


def _add_replace(replace: dict[str, str], line: str, directory: str) -> None:
    match = _REPLACE_LINE.match(line)
    if match is None:
        return
    old, new = match.group(1), match.group(2)
    if not new.startswith(("./", "../")) and new not in (".", ".."):
        return  # a module version elsewhere, not a directory of this repository
    target = posixpath.normpath(posixpath.join(directory, new))
    if target == ".":
        target = ""
    if not target.startswith(".."):
        replace[old] = target


@attrs.define
class _Layout:
    """What resolving needs, built once per index generation."""

    modules: list[GoModule]  # longest module path first
    by_dir: dict[str, GoModule]
    packages: dict[str, list[str]]  # directory -> its non-test .go files


class GoResolver(Resolver):
    """Resolves Go imports through go.mod module paths, nested modules and ``replace``."""

    name: ClassVar[str] = "go"
    languages: ClassVar[tuple[str, ...]] = ("go",)
    priority: ClassVar[int] = 20

    def __init__(self) -> None:
        self._layout: tuple[tuple[str, int, int], _Layout] | None = None

    def resolve(self, reader: Any, file_id: int, imports: list[str]) -> list[str]:
        layout = self._layout_for(reader)
        rel = reader.paths[file_id]
        here = posixpath.dirname(rel)
        module = self._module_of(layout, here)
        found: list[str] = []
        for spec in imports:
            directory = self._directory(layout, module, here, spec)
            if directory is None:
                continue
            for path in layout.packages.get(directory, ()):
                if path != rel and path not in found:
                    found.append(path)
        return found

    # -- resolution -------------------------------------------------------------

    @staticmethod
    def _module_of(layout: _Layout, directory: str) -> GoModule | None:
        while True:
            module = layout.by_dir.get(directory)
            if module is not None or not directory:
                return module
            directory = posixpath.dirname(directory)

    def _directory(
        self, layout: _Layout, module: GoModule | None, here: str, spec: str
    ) -> str | None:
        if spec.startswith(("./", "../")):
            target = posixpath.normpath(posixpath.join(here, spec))
            return None if target.startswith("..") else ("" if target == "." else target)
        if module is not None:
            for old, new in module.replace.items():
                rest = _under(spec, old)
                if rest is not None:
                    return posixpath.join(new, rest) if rest else new
        for candidate in layout.modules:
            rest = _under(spec, candidate.path)
            if rest is not None:
                return posixpath.join(candidate.dir, rest) if rest else candidate.dir
        if module is not None:
            vendored = posixpath.join(module.dir, "vendor", spec)
            if vendored in layout.packages:
                return vendored
        return None

    # -- the repository's modules and packages ------------------------------------

    def _layout_for(self, reader: Any) -> _Layout:
        key = (str(reader.root), int(reader.generation), len(reader.paths))
        if self._layout is not None and self._layout[0] == key:
            return self._layout[1]
        packages: dict[str, list[str]] = {}
        modules: list[GoModule] = []
        for i, path in enumerate(reader.paths):
            name = posixpath.basename(path)
            if name == "go.mod":
                directory = posixpath.dirname(path)
                parsed = parse_go_mod(reader.read_text(i), directory)
                if parsed is not None:
                    modules.append(parsed)
            elif name.endswith(".go") and not name.endswith("_test.go"):
                packages.setdefault(posixpath.dirname(path), []).append(path)
        modules.sort(key=lambda m: (-len(m.path), m.dir))
        layout = _Layout(modules, {m.dir: m for m in modules}, packages)
        self._layout = (key, layout)
        return layout


def _under(spec: str, prefix: str) -> str | None:
    """The rest of import ``spec`` below module path ``prefix`` ("" if equal), else None."""
    if spec == prefix:
        return ""
    if spec.startswith(prefix + "/"):
        return spec[len(prefix) + 1 :]
    return None
