"""Go, generically: an import path under a ``go.mod`` module is that package's files.

atlas-lang-go registers a better Go resolver with a higher priority; this one is the
fallback when it is not installed.
"""

from __future__ import annotations

import posixpath
import re
from typing import TYPE_CHECKING, ClassVar

from atlas_core.api import Resolver
from atlas_graph.resolvers.common import per_reader, repo_paths

if TYPE_CHECKING:
    from atlas_core.api import IndexView

__all__ = ["GoResolver"]

# "^[^\S\n]*", not "^\s*": from every line of a blank block, \s* rescanned the block
_MODULE = re.compile(r"^[^\S\n]*module\s+\"?([^\s\"]+)\"?", re.MULTILINE)


def _modules(reader: IndexView) -> list[tuple[str, str]]:
    """(module path, directory) of every go.mod, longest module path first."""
    repo = repo_paths(reader)
    found = []
    for path in repo.by_name.get("go.mod", ()):
        match = _MODULE.search(repo.read(path) or "")
        if match:
            found.append((match.group(1), posixpath.dirname(path)))
    found.sort(key=lambda m: (-len(m[0]), m[1]))
    return found


class GoResolver(Resolver):
    """Maps Go import paths of the repository's own modules to the package's files."""

    name: ClassVar[str] = "graph_go"
    languages: ClassVar[tuple[str, ...]] = ("go",)
    priority: ClassVar[int] = 0

    def resolve(self, reader: IndexView, file_id: int, imports: list[str]) -> list[str]:
        modules = per_reader("go.modules", reader, _modules)
        if not modules:
            return []
        repo = repo_paths(reader)
        out: list[str] = []
        for spec in dict.fromkeys(imports):
            for module, directory in modules:
                if spec != module and not spec.startswith(module + "/"):
                    continue
                sub = spec[len(module) + 1 :]
                package = posixpath.join(directory, sub) if directory else sub
                out.extend(
                    p
                    for p in repo.files_in(package.rstrip("/"))
                    if p.endswith(".go") and not p.endswith("_test.go")
                )
                break
        return out
