"""Python: absolute and relative imports, packages, ``__init__.py`` and src layouts."""

from __future__ import annotations

import posixpath
import re
from collections import defaultdict
from functools import cached_property
from typing import TYPE_CHECKING, ClassVar

from atlas_core.api import Resolver
from atlas_graph.resolvers.common import (
    RepoPaths,
    closest_in,
    import_signatures,
    join,
    per_reader,
    repo_paths,
)

if TYPE_CHECKING:
    from atlas_core.api import IndexView

__all__ = ["PythonResolver"]

_SUFFIXES = (".py", ".pyi")
_FROM = re.compile(r"^\s*from\s+(\.*[\w.]*)\s+import\s+(.*)$", re.DOTALL)
_IMPORT = re.compile(r"^\s*import\s+(.*)$", re.DOTALL)
_NAME = re.compile(r"[A-Za-z_]\w*(?:\.[A-Za-z_]\w*)*")


def _modules(sources: list[str]) -> dict[str, list[str]]:
    """Dotted module name -> files (of ``sources``, the Python files), each file named
    from its import root.

    A file's import root is the directory above its outermost package (the chain of
    directories holding ``__init__.py``), so ``src/pkg/mod.py`` in a src layout is
    ``pkg.mod`` and ``tests/helpers.py`` (no package) is ``helpers``.
    """
    packages = {p[: -len("/__init__.py")] for p in sources if p.endswith("/__init__.py")}
    roots: dict[str, str] = {}  # directory -> its import root
    modules: dict[str, list[str]] = defaultdict(list)
    for path in sources:
        head = path.rpartition("/")[0]
        root = roots.get(head)
        if root is None:
            root = head
            while root and root in packages:
                root = root.rpartition("/")[0]
            roots[head] = root
        rel = path[len(root) + 1 :] if root else path
        dotted = rel.rsplit(".", 1)[0].replace("/", ".")
        if dotted.endswith(".__init__"):
            dotted = dotted[: -len(".__init__")]
        elif dotted == "__init__":
            continue
        modules[dotted].append(path)
    return dict(modules)


def _names(text: str) -> list[str]:
    """Imported names from the rest of an import line: ``a, b as c, (d`` -> a, b, d."""
    text = text.split("#", 1)[0].replace("(", " ").replace(")", " ").replace("\\", " ")
    out = []
    for part in text.split(","):
        match = _NAME.match(part.strip())
        if match:
            out.append(match.group(0))
    return out


class _Tables:
    """What resolving a Python file looks up, per reader: the module table, the paths, and
    the candidate files of every dotted name asked so far (most names are asked by many
    files, and most name no module of the repository: ``from typing import Any``)."""

    def __init__(self, reader: IndexView) -> None:
        self.sources = [p for p in reader.paths if p.endswith(_SUFFIXES)]
        self.modules = _modules(self.sources)
        self.repo = repo_paths(reader)
        self.found: dict[str, list[str]] = {}
        self.nearest: dict[tuple[str, str], str | None] = {}
        #: (import name, signature, importing directory) -> the files it resolves to: an
        #: import line resolves alike from every file of a directory, and files of one
        #: directory (or many copies of one) repeat their import lines
        self.resolved: dict[tuple[str, str, str], list[str]] = {}
        #: (import name, signature) -> the files, for the lines that resolve alike from
        #: anywhere (most: ``import os`` names no file, ``import pkg.mod`` one file)
        self.anywhere: dict[tuple[str, str], list[str]] = {}
        #: whether a look-up since this was last reset depended on the importing directory
        self.local = False

    @cached_property
    def by_pair(self) -> dict[str, list[str]]:
        """Python files by their last two parts (what ``RepoPaths.by_pair`` holds of them:
        a namespace look-up only ever asks for Python files)."""
        table: dict[str, list[str]] = defaultdict(list)
        for path in self.sources:
            parts = path.rsplit("/", 2)
            if len(parts) > 1:
                table[f"{parts[-2]}/{parts[-1]}"].append(path)
        return table

    def with_suffix(self, suffix: str) -> list[str]:
        """Python files equal to ``suffix`` or ending with ``/suffix`` (which has a "/")."""
        head, _, name = suffix.rpartition("/")
        tail = "/" + suffix
        pool = self.by_pair.get(f"{head.rpartition('/')[2]}/{name}", ())
        return [p for p in pool if p == suffix or p.endswith(tail)]

    def candidates(self, module: str) -> list[str]:
        """The files a non-relative dotted name may stand for (then the nearest wins)."""
        found = self.found.get(module)
        if found is None:
            found = self.modules.get(module) or []
            if not found and "." in module:
                # namespace packages (no __init__.py): match the path's tail
                tail = module.replace(".", "/")
                found = [
                    p
                    for s in _SUFFIXES
                    for p in self.with_suffix(tail + s) + self.with_suffix(f"{tail}/__init__{s}")
                ]
            self.found[module] = found
        return found

    def nearest_module(self, module: str, here: str) -> str | None:
        """The candidate of ``module`` nearest to ``here`` (files of one directory ask
        alike, and in a monorepo a name often has a candidate per copy of a project)."""
        candidates = self.candidates(module)
        if len(candidates) < 2:  # the usual case (no candidate): the same from anywhere
            return candidates[0] if candidates else None
        self.local = True
        return closest_in(self.nearest, module, candidates, here)


class PythonResolver(Resolver):
    """Maps Python imports to modules and packages of the repository."""

    name: ClassVar[str] = "graph_python"
    #: a Jupyter notebook is read as its cells, Python in most notebooks
    languages: ClassVar[tuple[str, ...]] = ("python", "jupyter")
    priority: ClassVar[int] = 10

    def resolve(self, reader: IndexView, file_id: int, imports: list[str]) -> list[str]:
        here = reader.paths[file_id]
        directory = here.rpartition("/")[0]
        tables = per_reader("python.tables", reader, _Tables)
        resolved = tables.resolved
        out: list[str] = []
        anywhere = tables.anywhere
        for name, signature in import_signatures(reader, file_id, imports):
            found = anywhere.get((name, signature))
            if found is None:
                key = (name, signature, directory)
                found = resolved.get(key)
                if found is None:
                    tables.local = False
                    found = self._statement(tables, here, name, signature)
                    if tables.local:
                        resolved[key] = found
                    else:
                        anywhere[(name, signature)] = found
            out.extend(found)
        return out

    def _statement(self, tables: _Tables, here: str, name: str, signature: str) -> list[str]:
        """The files one import statement of ``here`` names (it depends on ``here``'s
        directory only)."""
        match = _FROM.match(signature)
        if match:
            return self._from(tables, here, match.group(1), _names(match.group(2)))
        match = _IMPORT.match(signature)
        modules = _names(match.group(1)) if match else [name]
        out: list[str] = []
        for module in modules:
            found = self._module(tables, here, module)
            if found:
                out.append(found)
        return out

    def _from(self, tables: _Tables, here: str, module: str, names: list[str]) -> list[str]:
        """``from module import names``: submodules when they are modules, else the module."""
        base = self._module(tables, here, module)
        subs = []
        for name in names:
            dotted = f"{module}{name}" if module.endswith(".") else f"{module}.{name}"
            sub = self._module(tables, here, dotted)
            if sub and sub != base:
                subs.append(sub)
        if base and (not names or len(subs) < len(names)):
            subs.insert(0, base)
        return subs

    @staticmethod
    def _module(tables: _Tables, here: str, module: str) -> str | None:
        if module.startswith("."):
            tables.local = True
            return _relative(tables.repo, here, module)
        if not module:
            return None
        return tables.nearest_module(module, here)


def _relative(repo: RepoPaths, here: str, module: str) -> str | None:
    level = len(module) - len(module.lstrip("."))
    base: str | None = posixpath.dirname(here)
    for _ in range(level - 1):
        if not base:
            return None
        base = posixpath.dirname(base)
    rest = module[level:].replace(".", "/")
    if not rest:
        return repo.first(join(base or "", f"__init__{s}") for s in _SUFFIXES)
    target = join(base or "", rest)
    if target is None:
        return None
    return repo.first(
        [f"{target}{s}" for s in _SUFFIXES] + [f"{target}/__init__{s}" for s in _SUFFIXES]
    )
