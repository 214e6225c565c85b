"""Erlang: ``-include`` beside the file or in an ``include/`` directory,
``-include_lib("app/include/x.hrl")`` in the application ``app`` of the repository."""

from __future__ import annotations

import posixpath
import re
from typing import TYPE_CHECKING, ClassVar

from atlas_core.api import Resolver
from atlas_graph.resolvers.common import (
    RepoPaths,
    closest,
    import_signatures,
    join,
    per_reader,
    repo_paths,
)

if TYPE_CHECKING:
    from atlas_core.api import IndexView

__all__ = ["ErlangResolver"]

_INCLUDE_LIB = re.compile(r"^\s*-\s*include_lib\b")
_APP_FILE = re.compile(r"^(.+)\.app(?:\.src)?$")


def _applications(reader: IndexView) -> dict[str, list[str]]:
    """Application name -> the directories of the applications of that name, from their
    ``src/NAME.app.src`` or ``ebin/NAME.app`` resource files."""
    found: dict[str, list[str]] = {}
    for path in reader.paths:
        if not path.endswith((".app.src", ".app")):
            continue
        directory, _, file = path.rpartition("/")
        parent, _, kind = directory.rpartition("/")
        match = _APP_FILE.match(file)
        if match and kind in {"src", "ebin"} and directory:
            found.setdefault(match.group(1), []).append(parent)
    return found


class ErlangResolver(Resolver):
    """Maps Erlang includes to ``.hrl`` files of the repository.

    ``-include("x.hrl")`` is looked up beside the file, then in the nearest ``include/``
    directory. ``-include_lib("app/include/x.hrl")`` is the file of that path in the
    repository (an umbrella's ``apps/app/include/x.hrl``), else ``include/x.hrl`` of the
    application the repository declares as ``app`` (``src/app.app.src``); libraries the
    repository does not hold (``kernel``, ``stdlib``) are skipped.
    """

    name: ClassVar[str] = "graph_erlang"
    languages: ClassVar[tuple[str, ...]] = ("erlang",)
    priority: ClassVar[int] = 10

    def resolve(self, reader: IndexView, file_id: int, imports: list[str]) -> list[str]:
        here = reader.paths[file_id]
        repo = repo_paths(reader)
        out: list[str] = []
        for name, signature in import_signatures(reader, file_id, imports):
            name = name.strip()
            if not name or name.startswith("/"):
                continue
            if _INCLUDE_LIB.match(signature):
                found = self._include_lib(reader, repo, here, name)
            else:
                found = repo.first([join(posixpath.dirname(here), name)])
                if found is None and not name.startswith(("./", "../")):
                    found = closest(repo.with_suffix(f"include/{name}"), here)
            if found and found != here:
                out.append(found)
        return out

    @staticmethod
    def _include_lib(reader: IndexView, repo: RepoPaths, here: str, name: str) -> str | None:
        app, _, rest = name.partition("/")
        if not rest or name.startswith(("./", "../")):
            return None
        found = closest(repo.with_suffix(name), here)
        if found is not None:
            return found
        directories = per_reader("erlang.apps", reader, _applications).get(app, [])
        return closest(
            [p for d in directories if (p := join(d, rest)) is not None and p in repo.paths],
            here,
        )
