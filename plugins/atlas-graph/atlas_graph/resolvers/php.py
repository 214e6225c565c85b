"""PHP: ``use A\\B\\C`` through composer.json PSR-4 prefixes, else by the class's path;
``require``/``include`` of a file against the file's directory."""

from __future__ import annotations

import json
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

__all__ = ["PhpResolver"]

_USE = re.compile(r"^\s*use\s+(?:function\s+|const\s+)?(.+)$", re.DOTALL)
_NAMESPACE = re.compile(r"^\s*namespace\b")


def _psr4(reader: IndexView) -> list[tuple[str, str]]:
    """(namespace prefix with trailing backslash, directory), longest prefix first."""
    repo = repo_paths(reader)
    found: list[tuple[str, str]] = []
    for path in repo.by_name.get("composer.json", ()):
        try:
            data = json.loads(repo.read(path) or "")
        except ValueError:
            continue
        if not isinstance(data, dict):
            continue
        for section in ("autoload", "autoload-dev"):
            table = data.get(section)
            mapping = table.get("psr-4") if isinstance(table, dict) else None
            if not isinstance(mapping, dict):
                continue
            for prefix, dirs in mapping.items():
                for directory in dirs if isinstance(dirs, list) else [dirs]:
                    if isinstance(directory, str):
                        target = join(posixpath.dirname(path), directory) or ""
                        found.append((prefix, target))
    found.sort(key=lambda p: -len(p[0]))
    return found


def _names(text: str) -> list[str]:
    r"""``A\B\{C, D as E}`` -> A\B\C, A\B\D; ``A\B, C`` -> A\B, C."""
    text = text.split(";", 1)[0]
    if "{" in text:
        prefix, _, inner = text.partition("{")
        return [prefix + part.split(" as ")[0].strip() for part in inner.rstrip("} ").split(",")]
    return [part.split(" as ")[0].strip() for part in text.split(",")]


class PhpResolver(Resolver):
    """Maps PHP ``use`` statements to class files of the repository."""

    name: ClassVar[str] = "graph_php"
    languages: ClassVar[tuple[str, ...]] = ("php",)
    priority: ClassVar[int] = 10

    def resolve(self, reader: IndexView, file_id: int, imports: list[str]) -> list[str]:
        here = reader.paths[file_id]
        repo = repo_paths(reader)
        prefixes = per_reader("php.psr4", reader, _psr4)
        out: list[str] = []
        for name, signature in import_signatures(reader, file_id, imports):
            if _NAMESPACE.match(signature):
                continue
            if name.endswith((".php", ".inc")):  # require/include of a file
                found = repo.first([join(posixpath.dirname(here), name.lstrip("/"))]) or closest(
                    repo.with_suffix(name.lstrip("./")), here
                )
                if found and found != here:
                    out.append(found)
                continue
            use = _USE.match(signature)
            for qualified in _names(use.group(1)) if use else [name]:
                found = self._class(repo, prefixes, here, qualified.strip().lstrip("\\"))
                if found:
                    out.append(found)
        return out

    @staticmethod
    def _class(
        repo: RepoPaths, prefixes: list[tuple[str, str]], here: str, name: str
    ) -> str | None:
        if not name:
            return None
        for prefix, directory in prefixes:
            if name.startswith(prefix):
                rel = name[len(prefix) :].replace("\\", "/") + ".php"
                found = repo.first([join(directory, rel)])
                if found:
                    return found
        parts = name.split("\\")
        while len(parts) >= 2:
            found = closest(repo.with_suffix("/".join(parts) + ".php"), here)
            if found:
                return found
            parts.pop(0)
        return None
