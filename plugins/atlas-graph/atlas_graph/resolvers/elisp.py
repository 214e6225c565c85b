"""Emacs Lisp: ``(require 'feature)`` names the file ``feature.el``."""

from __future__ import annotations

from typing import TYPE_CHECKING, ClassVar

from atlas_core.api import Resolver
from atlas_graph.resolvers.common import closest, import_signatures, repo_paths

if TYPE_CHECKING:
    from atlas_core.api import IndexView

__all__ = ["ElispResolver"]


class ElispResolver(Resolver):
    """Maps ``(require 'magit-git)`` to the nearest ``magit-git.el`` of the repository."""

    name: ClassVar[str] = "graph_elisp"
    languages: ClassVar[tuple[str, ...]] = ("elisp",)
    priority: ClassVar[int] = 10

    def resolve(self, reader: IndexView, file_id: int, imports: list[str]) -> list[str]:
        here = reader.paths[file_id]
        repo = repo_paths(reader)
        out: list[str] = []
        for name, _ in import_signatures(reader, file_id, imports):
            if not name or name.startswith(("/", ".")):
                continue
            found = closest(repo.with_suffix(name + ".el"), here)
            if found:
                out.append(found)
        return out
