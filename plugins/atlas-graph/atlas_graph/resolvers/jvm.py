"""Java, Kotlin, Scala: an import names a class, found by its package path."""

from __future__ import annotations

import posixpath
import re
from typing import TYPE_CHECKING, ClassVar

from atlas_core.api import Resolver
from atlas_graph.resolvers.common import (
    RepoPaths,
    closest,
    closest_in,
    import_signatures,
    join,
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

    @property
    def version(self) -> str:
        """Bumped when the answers change: ``apply from:`` paths resolve since 2, and
        ``a.b.C.*`` of a class (no package) names its file since 3."""
        return "3"

    def resolve(self, reader: IndexView, file_id: int, imports: list[str]) -> list[str]:
        here = reader.paths[file_id]
        tables = per_reader("jvm.tables", reader, _Tables)
        out: list[str] = []
        for name, signature in import_signatures(reader, file_id, imports):
            if name.startswith(("./", "../")):  # Gradle's `apply from: 'gradle/x.gradle'`
                found = tables.repo.first([join(posixpath.dirname(here), name)])
                out.extend([found] if found else [])
                continue
            wildcard = _WILDCARD.match(signature)
            dotted = name.strip(".")
            if wildcard or name.endswith("."):
                package = (wildcard.group(1) if wildcard else dotted).replace(".", "/")
                files = tables.package_files(package, here)
                out.extend(files)
                if files:
                    continue
                # no such package: `a.b.C.*` names the members or nested types of class C
            parts = dotted.split(".")
            # a.b.C, else a.b.C.Inner or static a.b.C.member: drop names from the right
            while len(parts) >= 2:
                found = tables.nearest("/".join(parts), here)
                if found:
                    out.append(found)
                    break
                parts.pop()
        return out


class _Tables:
    """What resolving a JVM file looks up, per reader, remembered as it is asked: the
    sources of each class path and package path, and the nearest of several per directory
    (files of a package import alike)."""

    def __init__(self, reader: IndexView) -> None:
        self.repo: RepoPaths = repo_paths(reader)
        self.sources: dict[str, list[str]] = {}
        self.packages: dict[str, list[str]] = {}
        self.near: dict[tuple[str, str], str | None] = {}

    def nearest(self, tail: str, here: str) -> str | None:
        """The JVM source ending with ``tail`` (a class path) nearest to ``here``."""
        found = self.sources.get(tail)
        if found is None:
            found = self.sources[tail] = [
                p for e in EXTENSIONS for p in self.repo.with_suffix(tail + e)
            ]
        if len(found) < 2:  # the usual case: the same from anywhere
            return found[0] if found else None
        return closest_in(self.near, tail, found, here)

    def package_files(self, package: str, here: str) -> list[str]:
        """The JVM sources of the directory that ends with the package path, nearest
        first."""
        dirs = self.packages.get(package)
        if dirs is None:
            tail = "/" + package
            dirs = self.packages[package] = [
                f"{d}/_"
                for d, files in self.repo.by_dir.items()
                if (d == package or d.endswith(tail)) and any(f.endswith(EXTENSIONS) for f in files)
            ]
        best = closest(dirs, here)
        if best is None:
            return []
        return [p for p in self.repo.files_in(best.rpartition("/")[0]) if p.endswith(EXTENSIONS)]
