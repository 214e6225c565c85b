"""Starlark (Bazel, Buck): ``load`` labels of this repository, ``//pkg:file.bzl`` from the
root (``@own_name//pkg:file.bzl`` too) and ``:file.bzl`` in the loading file's package."""

from __future__ import annotations

import posixpath
import re
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
#: the root files that name this repository, and the call in each that does
_NAMING_FILES = (
    ("MODULE.bazel", "module"),
    ("WORKSPACE", "workspace"),
    ("WORKSPACE.bazel", "workspace"),
)
# a top-level ``module(...)`` or ``workspace(...)`` call's arguments (bounded: no real one
# comes near 4,000 characters, and each scan stops at the next parenthesis)
_CALL = re.compile(r"^(module|workspace)[^\S\n]*\(([^()]{0,4000})\)", re.M)
# ``name = "x"`` and module()'s ``repo_name = "x"`` (the name the module calls itself by)
_NAME_ARG = re.compile(r"(?<![\w.])(name|repo_name)[^\S\n]*=\s*[\"']([\w.+~-]{1,256})[\"']")


def _own_names(reader: IndexView) -> frozenset[str]:
    """The names this repository goes by: ``module(name, repo_name)`` of the root
    ``MODULE.bazel``, ``workspace(name)`` of the root ``WORKSPACE`` (``.bazel``)."""
    repo = repo_paths(reader)
    names: set[str] = set()
    for path, function in _NAMING_FILES:
        if not repo.exists(path):
            continue
        calls = _CALL.finditer(repo.read(path) or "")
        call = next((c for c in calls if c.group(1) == function), None)
        if call is None:
            continue
        for argument, value in _NAME_ARG.findall(call.group(2)):
            if argument == "name" or function == "module":
                names.add(value)
    return frozenset(names)


def _label_path(label: str, package: str, own: frozenset[str]) -> str | None:
    """The repository path a label names, or None when it names another repository.

    ``//a/b:c.bzl`` is ``a/b/c.bzl``; ``//a/b`` is ``//a/b:b``; ``:c.bzl`` and ``c.bzl``
    are in ``package``; ``@//``, ``@@//`` and ``@name//`` or ``@@name//`` of a name in
    ``own`` are this repository, other ``@repo//``, ``@repo`` and Buck's ``cell//`` other
    ones.
    """
    label = label.strip()
    if label.startswith("@"):
        repo, slashes, rest = label.lstrip("@").partition("//")
        if not slashes or (repo and repo not in own):
            return None
        label = "//" + rest
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
    directory holding a ``BUILD`` file, else beside the file. A label naming this
    repository by the name its root ``MODULE.bazel`` or ``WORKSPACE`` gives it
    (``@rules_foo//foo:defs.bzl``) is read as ``//foo:defs.bzl``; labels of other
    repositories (``@rules_cc//cc:defs.bzl``) name nothing here.
    """

    name: ClassVar[str] = "graph_starlark"
    languages: ClassVar[tuple[str, ...]] = ("starlark",)
    priority: ClassVar[int] = 10

    @property
    def version(self) -> str:
        """Bumped when the answers change: labels naming this repository by its own name
        (``@rules_foo//``) resolve since 2."""
        return "2"

    def resolve(self, reader: IndexView, file_id: int, imports: list[str]) -> list[str]:
        here = reader.paths[file_id]
        repo = repo_paths(reader)
        memo: dict[str, str | None] = per_reader("starlark.packages", reader, lambda r: {})
        own = per_reader("starlark.names", reader, _own_names)
        directory = posixpath.dirname(here)
        out: list[str] = []
        for name, _signature in import_signatures(reader, file_id, imports):
            package = _package(repo, memo, directory)
            candidates = [_label_path(name, directory, own)]
            if package is not None and package != directory:
                candidates.insert(0, _label_path(name, package, own))
            found = repo.first(candidates)
            if found and found != here:
                out.append(found)
        return out
