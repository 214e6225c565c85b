"""Nim: ``import``/``include``/``from ... import`` module paths against the file's
directory, then the repository's nearest module of that path."""

from __future__ import annotations

from typing import TYPE_CHECKING, ClassVar

from atlas_core.api import Resolver
from atlas_graph.resolvers.common import beside_or_nearest, import_signatures, repo_paths

if TYPE_CHECKING:
    from atlas_core.api import IndexView

__all__ = ["NimResolver"]

# pseudo-directories of the standard library and of installed (nimble) packages
_EXTERNAL = ("std/", "pkg/")


class NimResolver(Resolver):
    """Maps Nim module paths (``a/b``, ``"../lib/util.nim"``) to ``.nim`` files.

    ``std/x`` and ``pkg/x`` name modules outside the repository and are skipped; a bare
    name (``os``) counts only when the repository holds a module of that name.
    """

    name: ClassVar[str] = "graph_nim"
    languages: ClassVar[tuple[str, ...]] = ("nim",)
    priority: ClassVar[int] = 10

    def resolve(self, reader: IndexView, file_id: int, imports: list[str]) -> list[str]:
        here = reader.paths[file_id]
        repo = repo_paths(reader)
        out: list[str] = []
        for name, _signature in import_signatures(reader, file_id, imports):
            path = name.strip().strip('"').replace(" ", "")
            if not path or path.startswith(_EXTERNAL):
                continue
            target = path if path.endswith(".nim") else f"{path}.nim"
            found = beside_or_nearest(repo, here, target)
            if found and found != here:
                out.append(found)
        return out
