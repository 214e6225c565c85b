"""Tcl: ``source x.tcl`` against the file's directory, then the repository root."""

from __future__ import annotations

import posixpath
import re
from typing import TYPE_CHECKING, ClassVar

from atlas_core.api import Resolver
from atlas_graph.resolvers.common import import_signatures, join, repo_paths

if TYPE_CHECKING:
    from atlas_core.api import IndexView

__all__ = ["TclResolver"]

# `package require http` names a package, which no file name tells
_PACKAGE = re.compile(r"^\s*package\b")


class TclResolver(Resolver):
    """Maps ``source`` of a literal path to that file of the repository."""

    name: ClassVar[str] = "graph_tcl"
    languages: ClassVar[tuple[str, ...]] = ("tcl",)
    priority: ClassVar[int] = 10

    def resolve(self, reader: IndexView, file_id: int, imports: list[str]) -> list[str]:
        here = reader.paths[file_id]
        repo = repo_paths(reader)
        out: list[str] = []
        for name, signature in import_signatures(reader, file_id, imports):
            if _PACKAGE.match(signature) or not name or "$" in name or "[" in name:
                continue
            found = repo.first([join(posixpath.dirname(here), name), join("", name)])
            if found:
                out.append(found)
        return out
