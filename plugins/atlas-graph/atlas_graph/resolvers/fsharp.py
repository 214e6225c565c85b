"""F#: a script's ``#load "x.fsx"`` against the script's directory."""

from __future__ import annotations

import posixpath
from typing import TYPE_CHECKING, ClassVar

from atlas_core.api import Resolver
from atlas_graph.resolvers.common import import_signatures, join, repo_paths

if TYPE_CHECKING:
    from atlas_core.api import IndexView

__all__ = ["FSharpResolver"]


class FSharpResolver(Resolver):
    """Maps ``#load`` paths to files of the repository.

    ``open`` names a namespace or module, which no file name tells (a project file lists
    the compilation order): only ``#load`` gives an edge.
    """

    name: ClassVar[str] = "graph_fsharp"
    languages: ClassVar[tuple[str, ...]] = ("fsharp",)
    priority: ClassVar[int] = 10

    def resolve(self, reader: IndexView, file_id: int, imports: list[str]) -> list[str]:
        here = reader.paths[file_id]
        repo = repo_paths(reader)
        out: list[str] = []
        for name, signature in import_signatures(reader, file_id, imports):
            if not signature.startswith("#load"):
                continue
            path = name.replace("\\", "/")  # a script written on Windows
            found = repo.first([join(posixpath.dirname(here), path)])
            if found and found != here:
                out.append(found)
        return out
