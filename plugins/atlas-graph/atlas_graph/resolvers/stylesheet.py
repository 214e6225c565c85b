"""CSS, SCSS, Sass and Less: ``@import`` (and Sass's ``@use``, ``@forward``) against the
file's directory, then the repository root; Sass partials and Less's implied extension."""

from __future__ import annotations

import posixpath
from typing import TYPE_CHECKING, ClassVar

from atlas_core.api import Resolver
from atlas_graph.resolvers.common import (
    RepoPaths,
    beside_or_nearest,
    import_signatures,
    join,
    repo_paths,
)

if TYPE_CHECKING:
    from atlas_core.api import IndexView

__all__ = ["StylesheetResolver", "from_site_root", "sass_candidates", "web_path"]

_SASS_EXTENSIONS = (".scss", ".sass", ".css")


def web_path(name: str) -> str | None:
    """An import or URL as a path (``?query`` and ``#fragment`` dropped), or None when it
    names no file: ``http(s)://`` and ``//`` URLs, ``data:``, Sass's built-in ``sass:math``,
    template expressions (``{{ url_for(...) }}``)."""
    path = name.strip().split("?", 1)[0].split("#", 1)[0]
    if not path or path.startswith("//") or ":" in path or any(c in path for c in "{}<>$"):
        return None
    return path


def from_site_root(repo: RepoPaths, here: str, path: str) -> str | None:
    """A root-relative URL (``/static/app.js``): the path from the repository root, else
    the file ending in it nearest to ``here`` (a site served from a subdirectory)."""
    rel = path.lstrip("/")
    if not rel:
        return None
    return repo.first([join("", rel)]) or beside_or_nearest(repo, here, rel)


def sass_candidates(path: str) -> list[str]:
    """The files Sass tries for ``path``: the file, its partial (``_name``), then the
    directory's ``_index``/``index``; with each extension unless ``path`` has one."""
    head, _, name = path.rpartition("/")
    prefix = f"{head}/" if head else ""
    if name.endswith(_SASS_EXTENSIONS):
        return [path, f"{prefix}_{name}"]
    out = [f"{prefix}{n}{ext}" for n in (name, f"_{name}") for ext in _SASS_EXTENSIONS]
    out += [f"{path}/{n}{ext}" for n in ("_index", "index") for ext in _SASS_EXTENSIONS]
    return out


def _less_candidates(path: str) -> list[str]:
    """Less appends ``.less`` to a name without an extension."""
    name = path.rpartition("/")[2]
    return [path] if "." in name else [f"{path}.less", path]


class StylesheetResolver(Resolver):
    """Maps stylesheet imports to files of the repository.

    A path is looked up beside the importing file, then (unless written ``./`` or
    ``../``) from the repository root, as a bundler's load path of ``.`` would; a
    root-relative URL as :func:`from_site_root` says. A package import
    (``~bootstrap/scss/x``, ``@use "bootstrap"``) names a file only when that path exists
    in the repository; URLs and ``sass:`` modules name none.
    """

    name: ClassVar[str] = "graph_stylesheet"
    languages: ClassVar[tuple[str, ...]] = ("css", "scss", "sass", "less")
    priority: ClassVar[int] = 10

    def resolve(self, reader: IndexView, file_id: int, imports: list[str]) -> list[str]:
        here = reader.paths[file_id]
        language = reader.languages[file_id]
        directory = posixpath.dirname(here)
        repo = repo_paths(reader)
        out: list[str] = []
        for name, _signature in import_signatures(reader, file_id, imports):
            path = web_path(name)
            if path is None:
                continue
            if path.startswith("/"):
                found = from_site_root(repo, here, path)
                if found and found != here:
                    out.append(found)
                continue
            if path.startswith("~"):  # webpack's "from node_modules"
                bases, path = [""], path[1:]
            elif path.startswith(("./", "../")):
                bases = [directory]
            else:
                bases = [directory, ""]
            if language in ("scss", "sass"):
                candidates = sass_candidates(path)
            elif language == "less":
                candidates = _less_candidates(path)
            else:
                candidates = [path]
            found = repo.first(join(base, c) for base in bases for c in candidates)
            if found and found != here:
                out.append(found)
        return out
