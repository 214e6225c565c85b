"""Starlark (Bazel, Buck): ``load`` labels of this repository, ``//pkg:file.bzl`` from the
root and ``:file.bzl`` in the loading file's package."""

from __future__ import annotations

import posixpath
from typing import TYPE_CHECKING, ClassVar

from atlas_core.api import Resolver
from atlas_graph.resolvers.common import (
    RepoPaths,
    import_signatures,
    join,
    per_reader,
    repo_paths,
)

if TYPE_CHECKING:
    from atlas_core.api import IndexView

__all__ = ["StarlarkResolver"]

#: the files that make their directory a package
_PACKAGE_FILES = ("BUILD", "BUILD.bazel", "BUCK")


def _label_path(label: str, package: str) -> str | None:
    """The repository path a label names, or None when it names another repository.

    ``//a/b:c.bzl`` is ``a/b/c.bzl``; ``//a/b`` is ``//a/b:b``; ``:c.bzl`` and ``c.bzl``
    are in ``package``; ``@//`` and ``@@//`` are this repository, ``@repo//``, ``@repo``
    and Buck's ``cell//`` other ones.
    """
    label = label.strip()
    if label.startswith("@"):
        label = label.lstrip("@")
        if not label.startswith("//"):
            return None
    if label.startswith("//"):
        directory, colon, target = label[2:].partition(":")
        if not colon:
            target = directory.rpartition("/")[2]
    elif "//" in label:
        return None
    else:
        directory, target = package, label.removeprefix(":")
    if not target:
        return None
    return join(directory, target)


def _package(repo: RepoPaths, memo: dict[str, str | None], directory: str) -> str | None:
    """The nearest directory from ``directory`` up that holds a BUILD file (None: none)."""
    if directory in memo:
        return memo[directory]
    names = {path.rpartition("/")[2] for path in repo.files_in(directory)}
    if any(name in names for name in _PACKAGE_FILES):
        found: str | None = directory
    elif directory:
        found = _package(repo, memo, posixpath.dirname(directory))
    else:
        found = None
    memo[directory] = found
    return found


class StarlarkResolver(Resolver):
    """Maps Bazel and Buck labels (``load``, and ``use_extension`` in ``MODULE.bazel``) to
    files of the repository.

    A relative label (``:defs.bzl``) is in the loading file's package, the nearest
    directory holding a ``BUILD`` file, else beside the file. Labels of other repositories
    (``@rules_cc//cc:defs.bzl``) name nothing here.
    """

    name: ClassVar[str] = "graph_starlark"
    languages: ClassVar[tuple[str, ...]] = ("starlark",)
    priority: ClassVar[int] = 10

    def resolve(self, reader: IndexView, file_id: int, imports: list[str]) -> list[str]:
        here = reader.paths[file_id]
        repo = repo_paths(reader)
        memo: dict[str, str | None] = per_reader("starlark.packages", reader, lambda r: {})
        directory = posixpath.dirname(here)
        out: list[str] = []
        for name, _signature in import_signatures(reader, file_id, imports):
            package = _package(repo, memo, directory)
            candidates = [_label_path(name, directory)]
            if package is not None and package != directory:
                candidates.insert(0, _label_path(name, package))
            found = repo.first(candidates)
            if found and found != here:
                out.append(found)
        return out
