"""Protocol Buffers: ``import "a/b.proto"`` against the file's directory, the root, then
any directory the path exists under."""

from __future__ import annotations

import posixpath
from typing import TYPE_CHECKING, ClassVar

from atlas_core.api import Resolver
from atlas_graph.resolvers.common import closest, import_signatures, join, repo_paths

if TYPE_CHECKING:
    from atlas_core.api import IndexView

__all__ = ["ProtobufResolver"]


class ProtobufResolver(Resolver):
    """Maps proto imports to ``.proto`` files of the repository.

    protoc looks an import up under each ``-I`` directory, which only the build knows:
    any directory under which the path exists may be one, and the nearest wins.
    """

    name: ClassVar[str] = "graph_protobuf"
    languages: ClassVar[tuple[str, ...]] = ("protobuf",)
    priority: ClassVar[int] = 10

    def resolve(self, reader: IndexView, file_id: int, imports: list[str]) -> list[str]:
        here = reader.paths[file_id]
        repo = repo_paths(reader)
        out: list[str] = []
        for name, _ in import_signatures(reader, file_id, imports):
            path = name.strip().strip("\"'")
            if not path:
                continue
            found = repo.first([join(posixpath.dirname(here), path), join("", path)])
            if found is None and not path.startswith(("/", "../")):
                found = closest(repo.with_suffix(posixpath.normpath(path)), here)
            if found:
                out.append(found)
        return out
