"""OCaml: ``open Foo`` / ``include Foo`` name the compilation unit ``foo.ml``."""

from __future__ import annotations

from typing import TYPE_CHECKING, ClassVar

from atlas_core.api import Resolver
from atlas_graph.resolvers.common import RepoPaths, closest, import_signatures, repo_paths

if TYPE_CHECKING:
    from atlas_core.api import IndexView

__all__ = ["OCamlResolver"]


class OCamlResolver(Resolver):
    """Maps a module path's first name to ``foo.ml`` (or ``Foo.ml``, else ``foo.mli``).

    Several files of that name: the nearest wins. ``Lib.Foo`` whose ``Lib`` is no file
    (a dune wrapped library) falls back to ``lib/foo.ml``. Modules of the standard
    library and of packages have no file in the repository and are skipped.
    """

    name: ClassVar[str] = "graph_ocaml"
    languages: ClassVar[tuple[str, ...]] = ("ocaml", "ocaml_interface")
    priority: ClassVar[int] = 10

    def resolve(self, reader: IndexView, file_id: int, imports: list[str]) -> list[str]:
        here = reader.paths[file_id]
        repo = repo_paths(reader)
        out: list[str] = []
        for name, _ in import_signatures(reader, file_id, imports):
            parts = [p for p in name.split(".") if p]
            if not parts:
                continue
            found = closest(_units(repo, parts[0]), here)
            if found is None and len(parts) > 1:
                found = closest(
                    [p for p in _units(repo, parts[1]) if _in_dir_named(p, parts[0])], here
                )
            if found:
                out.append(found)
        return out


def _units(repo: RepoPaths, module: str) -> list[str]:
    """The files of the compilation unit ``module``: implementations, else interfaces."""
    if not module.isidentifier():
        return []
    stems = dict.fromkeys((module[0].lower() + module[1:], module))
    for ext in (".ml", ".mli"):
        found = [p for stem in stems for p in repo.by_name.get(stem + ext, ())]
        if found:
            return found
    return []


def _in_dir_named(path: str, module: str) -> bool:
    """Whether ``path``'s directory is named after ``module`` (``Lib`` -> ``.../lib/``)."""
    directory = path.rpartition("/")[0].rpartition("/")[2]
    return directory.lower() == module.lower()
