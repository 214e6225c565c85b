"""Java, Kotlin, Scala: an import names a class, found by its package path."""

from __future__ import annotations

import re
from typing import TYPE_CHECKING, ClassVar

from atlas_core.api import Resolver
from atlas_graph.resolvers.common import (
    RepoPaths,
    closest,
    import_signatures,
    per_reader,
    repo_paths,
)

if TYPE_CHECKING:
    from atlas_core.api import IndexView

__all__ = ["JvmResolver"]

EXTENSIONS = (".java", ".kt", ".kts", ".scala", ".groovy")
_WILDCARD = re.compile(r"^\s*import\s+(?:static\s+)?([\w.]+)\.\*")


class JvmResolver(Resolver):
    """Maps ``import a.b.C`` to ``.../a/b/C.java`` (or .kt, .scala); ``a.b.*`` to the package."""

    name: ClassVar[str] = "graph_jvm"
    languages: ClassVar[tuple[str, ...]] = ("java", "kotlin", "scala", "groovy")
    priority: ClassVar[int] = 10

    def resolve(self, reader: IndexView, file_id: int, imports: list[str]) -> list[str]:
        here = reader.paths[file_id]
        repo = repo_paths(reader)
        nearest: dict[tuple[str, str], str | None] = per_reader("jvm.nearest", reader, lambda r: {})
        out: list[str] = []
        for name, signature in import_signatures(reader, file_id, imports):
            wildcard = _WILDCARD.match(signature)
            dotted = name.strip(".")
            if wildcard or name.endswith("."):
                package = (wildcard.group(1) if wildcard else dotted).replace(".", "/")
                out.extend(_package_files(repo, package, here))
                continue
            parts = dotted.split(".")
            # a.b.C, else a.b.C.Inner or static a.b.C.member: drop names from the right
            while len(parts) >= 2:
                found = _nearest(nearest, repo, "/".join(parts), here)
                if found:
                    out.append(found)
                    break
                parts.pop()
        return out


def _nearest(
    cache: dict[tuple[str, str], str | None], repo: RepoPaths, tail: str, here: str
) -> str | None:
    """The JVM source ending with ``tail`` (a class path) nearest to ``here``, remembered
    in ``cache`` per directory: files of a package import alike."""
    key = (tail, here.rpartition("/")[0])
    try:
        return cache[key]
    except KeyError:
        found = cache[key] = closest(
            [p for e in EXTENSIONS for p in repo.with_suffix(tail + e)], here
        )
        return found


def _package_files(repo: RepoPaths, package: str, here: str) -> list[str]:
    """The JVM sources of the directory that ends with the package path, nearest first."""
    tail = "/" + package
    dirs = [
        d
        for d, files in repo.by_dir.items()
        if (d == package or d.endswith(tail)) and any(f.endswith(EXTENSIONS) for f in files)
    ]
    best = closest([f"{d}/_" for d in dirs], here)
    if best is None:
        return []
    return [p for p in repo.files_in(best.rpartition("/")[0]) if p.endswith(EXTENSIONS)]
