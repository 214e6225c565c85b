"""Clojure: a namespace ``a.b-c`` lives in ``a/b_c.clj`` (``.cljc``, ``.cljs``) under a
source root."""

from __future__ import annotations

from typing import TYPE_CHECKING, ClassVar

from atlas_core.api import Resolver
from atlas_graph.resolvers.common import closest, import_signatures, repo_paths

if TYPE_CHECKING:
    from atlas_core.api import IndexView

__all__ = ["ClojureResolver"]

_EXTENSIONS = (".clj", ".cljc", ".cljs")


class ClojureResolver(Resolver):
    """Maps required namespaces to their source files, the importer's own dialect first.

    Any directory may be the source root (``src/``, ``test/``, ``src/main/clojure/``):
    the namespace's path is specific enough, and the nearest file wins.
    """

    name: ClassVar[str] = "graph_clojure"
    languages: ClassVar[tuple[str, ...]] = ("clojure",)
    priority: ClassVar[int] = 10

    def resolve(self, reader: IndexView, file_id: int, imports: list[str]) -> list[str]:
        here = reader.paths[file_id]
        repo = repo_paths(reader)
        own = here[here.rfind(".") :]
        # .cljs requires .cljs (or shared .cljc) first, .clj requires .clj first
        extensions = sorted(_EXTENSIONS, key=lambda e: (e != own, e != ".cljc", e))
        out: list[str] = []
        for name, _ in import_signatures(reader, file_id, imports):
            parts = name.split(".")
            if not all(parts) or "/" in name:
                continue
            stem = "/".join(parts).replace("-", "_")
            for ext in extensions:
                found = closest(repo.with_suffix(stem + ext), here)
                if found:
                    out.append(found)
                    break
        return out
