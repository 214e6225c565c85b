"""Dart: ``package:`` URIs through the packages' ``pubspec.yaml``, other URIs against the
file's directory."""

from __future__ import annotations

import posixpath
import re
from typing import TYPE_CHECKING, ClassVar

from atlas_core.api import Resolver
from atlas_graph.resolvers.common import import_signatures, join, per_reader, repo_paths

if TYPE_CHECKING:
    from atlas_core.api import IndexView

__all__ = ["DartResolver"]

# a top-level ``name:`` key (indented ones belong to other sections)
_NAME = re.compile(r"^name[^\S\n]*:[^\S\n]*[\"']?([A-Za-z_]\w*)[\"']?[^\S\n]*(?:#.*)?$", re.M)
# the alternatives of a conditional import: ``import 'a.dart' if (dart.library.io) 'b.dart'``
_CONDITIONAL = re.compile(r"\bif\s*\([^)]*\)\s*(?:'([^']*)'|\"([^\"]*)\")")
_SCHEME = re.compile(r"^[A-Za-z][A-Za-z0-9+.-]*:")


def _packages(reader: IndexView) -> dict[str, str]:
    """Package name -> its directory, from every ``pubspec.yaml`` (shallowest first)."""
    repo = repo_paths(reader)
    found: dict[str, str] = {}
    for path in sorted(repo.by_name.get("pubspec.yaml", ()), key=lambda p: (p.count("/"), p)):
        match = _NAME.search(repo.read(path) or "")
        if match:
            found.setdefault(match.group(1), posixpath.dirname(path))
    return found


class DartResolver(Resolver):
    """Maps Dart imports, exports and parts to ``.dart`` files of the repository.

    ``package:NAME/x.dart`` is ``lib/x.dart`` of the package whose ``pubspec.yaml`` is
    named NAME (a package the repository does not hold is skipped); ``dart:`` libraries
    are the SDK's; a URI without a scheme is relative to the importing file.
    """

    name: ClassVar[str] = "graph_dart"
    languages: ClassVar[tuple[str, ...]] = ("dart",)
    priority: ClassVar[int] = 10

    def resolve(self, reader: IndexView, file_id: int, imports: list[str]) -> list[str]:
        here = reader.paths[file_id]
        repo = repo_paths(reader)
        packages: dict[str, str] | None = None
        out: list[str] = []
        for name, signature in import_signatures(reader, file_id, imports):
            uris = [name]
            uris.extend(a or b for a, b in _CONDITIONAL.findall(signature))
            for uri in dict.fromkeys(uris):
                if uri.startswith("package:"):
                    if packages is None:
                        packages = per_reader("dart.packages", reader, _packages)
                    package, _, rest = uri[len("package:") :].partition("/")
                    directory = packages.get(package)
                    if directory is None or not rest:
                        continue
                    lib = f"{directory}/lib" if directory else "lib"
                    found = repo.first([join(lib, rest)])
                elif _SCHEME.match(uri):
                    continue  # dart:core, or a URL
                else:
                    found = repo.first([join(posixpath.dirname(here), uri)])
                if found and found != here:
                    out.append(found)
        return out
