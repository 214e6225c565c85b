"""Zig: ``@import("x.zig")`` against the file's directory, ``@cInclude`` as a C include."""

from __future__ import annotations

import posixpath
import re
from typing import TYPE_CHECKING, ClassVar

from atlas_core.api import Resolver
from atlas_graph.resolvers.common import beside_or_nearest, import_signatures, join, repo_paths

if TYPE_CHECKING:
    from atlas_core.api import IndexView

__all__ = ["ZigResolver"]

_C_INCLUDE = re.compile(r"@cInclude\s*\(\s*\"([^\"]*)\"")


class ZigResolver(Resolver):
    """Maps Zig ``@import`` of a file to that file of the repository.

    ``@import("std")``, ``"builtin"``, ``"root"`` and the module names a ``build.zig``
    declares are not paths and are skipped. A ``@cInclude("x.h")`` is the header beside
    the file, else the repository's nearest one of that path.
    """

    name: ClassVar[str] = "graph_zig"
    languages: ClassVar[tuple[str, ...]] = ("zig",)
    priority: ClassVar[int] = 10

    def resolve(self, reader: IndexView, file_id: int, imports: list[str]) -> list[str]:
        here = reader.paths[file_id]
        directory = posixpath.dirname(here)
        repo = repo_paths(reader)
        out: list[str] = []
        for name, signature in import_signatures(reader, file_id, imports):
            if name in _C_INCLUDE.findall(signature):
                found = beside_or_nearest(repo, here, name)
            elif name.endswith((".zig", ".zon")):
                found = repo.first([join(directory, name)])
            else:
                continue
            if found and found != here:
                out.append(found)
        return out
