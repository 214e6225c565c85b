"""Julia: ``include("x.jl")`` against the file's directory, ``using``/``import`` of a
package against its ``src/Name.jl``."""

from __future__ import annotations

import posixpath
import re
from typing import TYPE_CHECKING, ClassVar

from atlas_core.api import Resolver
from atlas_graph.resolvers.common import closest, import_signatures, join, repo_paths

if TYPE_CHECKING:
    from atlas_core.api import IndexView

__all__ = ["JuliaResolver"]

_INCLUDE = re.compile(r"^\s*include\s*\(")
_MODULE = re.compile(r"^[^\W\d]\w*$")


class JuliaResolver(Resolver):
    """Maps Julia includes and package imports to ``.jl`` files of the repository.

    ``using Foo`` / ``import Foo.Bar`` name the package Foo: its entry file, a
    ``src/Foo.jl`` (the nearest, in a repository of several packages), else the
    repository's ``Foo.jl``. Relative module paths (``using .Sub``) name modules already
    in scope (defined or included in the file) and are skipped, as are packages the
    repository does not hold (``Base``, ``LinearAlgebra``).
    """

    name: ClassVar[str] = "graph_julia"
    languages: ClassVar[tuple[str, ...]] = ("julia",)
    priority: ClassVar[int] = 10

    def resolve(self, reader: IndexView, file_id: int, imports: list[str]) -> list[str]:
        here = reader.paths[file_id]
        repo = repo_paths(reader)
        out: list[str] = []
        for name, signature in import_signatures(reader, file_id, imports):
            if _INCLUDE.match(signature) or name.endswith(".jl"):
                found = repo.first([join(posixpath.dirname(here), name)])
            else:
                package = name.partition(".")[0].strip()
                if not _MODULE.match(package):
                    continue  # a relative module path, or not a name at all
                entry = f"{package}.jl"
                found = closest(repo.with_suffix(f"src/{entry}"), here) or repo.first([entry])
            if found and found != here:
                out.append(found)
        return out
