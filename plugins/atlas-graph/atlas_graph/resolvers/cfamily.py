"""C, C++, Objective-C: quoted includes against the file's directory, then include roots."""

from __future__ import annotations

import posixpath
import re
from typing import TYPE_CHECKING, ClassVar

from atlas_core.api import Resolver
from atlas_graph.resolvers.common import closest, import_signatures, join, repo_paths

if TYPE_CHECKING:
    from atlas_core.api import IndexView

__all__ = ["CFamilyResolver"]

_ANGLE = re.compile(r"^\s*#\s*include\s*<")
_HEADER_DIRS = {"include", "inc"}
_INCLUDE_DIRS = _HEADER_DIRS | {"src", "source", "lib"}


class CFamilyResolver(Resolver):
    """Maps ``#include "x.h"`` to headers of the repository.

    A quoted include is looked up beside the including file, then anywhere its path
    matches (nearest first). An angle include counts only when it names a header under an
    include directory of the repository (``<mylib/x.h>`` -> ``include/mylib/x.h``).
    """

    name: ClassVar[str] = "graph_c"
    languages: ClassVar[tuple[str, ...]] = ("c", "cpp", "objc")
    priority: ClassVar[int] = 10

    def resolve(self, reader: IndexView, file_id: int, imports: list[str]) -> list[str]:
        here = reader.paths[file_id]
        repo = repo_paths(reader)
        out: list[str] = []
        for name, signature in import_signatures(reader, file_id, imports):
            if _ANGLE.match(signature):
                # <x.h> is most often a system header: only include/ directories count
                roots = _INCLUDE_DIRS if "/" in name else _HEADER_DIRS
                candidates = [
                    p
                    for p in repo.with_suffix(name)
                    if p[: -len(name) - 1].rpartition("/")[2] in roots
                ]
                found = closest(candidates, here)
            else:
                found = repo.first([join(posixpath.dirname(here), name)]) or closest(
                    repo.with_suffix(name.lstrip("./")), here
                )
            if found and found != here:
                out.append(found)
        return out
