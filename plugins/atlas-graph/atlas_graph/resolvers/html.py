"""HTML: ``<script src>`` and ``<link rel="stylesheet" href>`` against the page's directory,
and root-relative URLs from the repository root or the nearest file ending in them."""

from __future__ import annotations

import posixpath
from typing import TYPE_CHECKING, ClassVar

from atlas_core.api import Resolver
from atlas_graph.resolvers.common import import_signatures, join, repo_paths
from atlas_graph.resolvers.stylesheet import from_site_root, web_path

if TYPE_CHECKING:
    from atlas_core.api import IndexView

__all__ = ["HtmlResolver"]


class HtmlResolver(Resolver):
    """Maps the scripts and stylesheets a page loads to files of the repository.

    ``https://``, ``http://`` and ``//`` URLs are skipped, as are template expressions
    (``{{ url_for('static', filename='app.js') }}``); a ``?v=3`` query is dropped.
    """

    name: ClassVar[str] = "graph_html"
    languages: ClassVar[tuple[str, ...]] = ("html",)
    priority: ClassVar[int] = 10

    def resolve(self, reader: IndexView, file_id: int, imports: list[str]) -> list[str]:
        here = reader.paths[file_id]
        repo = repo_paths(reader)
        out: list[str] = []
        for name, _signature in import_signatures(reader, file_id, imports):
            path = web_path(name)
            if path is None:
                continue
            if path.startswith("/"):
                found = from_site_root(repo, here, path)
            else:
                found = repo.first([join(posixpath.dirname(here), path)])
            if found and found != here:
                out.append(found)
        return out
