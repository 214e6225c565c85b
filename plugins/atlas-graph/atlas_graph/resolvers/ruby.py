"""Ruby: ``require_relative`` against the file's directory, ``require`` against ``lib/``."""

from __future__ import annotations

import posixpath
import re
from typing import TYPE_CHECKING, ClassVar

from atlas_core.api import Resolver
from atlas_graph.resolvers.common import closest, import_signatures, join, repo_paths

if TYPE_CHECKING:
    from atlas_core.api import IndexView

__all__ = ["RubyResolver"]

_RELATIVE = re.compile(r"^\s*require_relative\b")
# directories Ruby projects put on the load path
_LOAD_DIRS = ("lib", "app", "test", "spec", "ext")


class RubyResolver(Resolver):
    """Maps Ruby requires to ``.rb`` files of the repository."""

    name: ClassVar[str] = "graph_ruby"
    languages: ClassVar[tuple[str, ...]] = ("ruby",)
    priority: ClassVar[int] = 10

    def resolve(self, reader: IndexView, file_id: int, imports: list[str]) -> list[str]:
        here = reader.paths[file_id]
        repo = repo_paths(reader)
        out: list[str] = []
        for name, signature in import_signatures(reader, file_id, imports):
            target = name if name.endswith(".rb") else name + ".rb"
            if _RELATIVE.match(signature) or name.startswith(("./", "../")):
                found = repo.first([join(posixpath.dirname(here), target)])
            else:
                candidates = [
                    p
                    for p in repo.with_suffix(target)
                    if p == target or p[: -len(target) - 1].rpartition("/")[2] in _LOAD_DIRS
                ]
                found = closest(candidates, here)
            if found:
                out.append(found)
        return out
