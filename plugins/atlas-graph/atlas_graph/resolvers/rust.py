"""Rust: ``mod x;`` declarations and ``use crate::/self::/super::`` paths, across the
crates of a Cargo workspace."""

from __future__ import annotations

import posixpath
import re
from typing import TYPE_CHECKING, ClassVar

from atlas_core.api import Resolver
from atlas_graph.resolvers.common import RepoPaths, import_signatures, per_reader, repo_paths

if TYPE_CHECKING:
    from atlas_core.api import IndexView

__all__ = ["RustResolver", "expand_use"]

_MOD = re.compile(r"^\s*(?:pub(?:\([^)]*\))?\s+)?mod\s+(\w+)\s*;")
_INLINE_MOD = re.compile(r"^\s*(?:pub(?:\([^)]*\))?\s+)?mod\s")
_USE = re.compile(r"^\s*(?:pub(?:\([^)]*\))?\s+)?use\s+(.+)$", re.DOTALL)
# Leading blanks stop at the line's end: "^\s*" let every line of a block of blank lines
# rescan the whole block (quadratic); the line that holds the key matches on its own.
_PACKAGE_NAME = re.compile(r"^[^\S\n]*\[(package|lib)\]([^\[]*)", re.MULTILINE)
_NAME = re.compile(r"^[^\S\n]*name\s*=\s*\"([^\"]+)\"", re.MULTILINE)
_ROOT_FILES = ("lib.rs", "main.rs")


def expand_use(text: str) -> list[str]:
    """``crate::{a, b::{c, d as e}, f::*}`` -> crate::a, crate::b::c, crate::b::d, crate::f."""
    text = text.split("//", 1)[0].strip().rstrip(";").strip()
    start = text.find("{")
    if start < 0:
        path = text.split(" as ", 1)[0].strip()
        path = path.removesuffix("::*").removesuffix("::self")
        return [path] if path else []
    prefix = text[:start]
    depth, end, parts, last = 0, len(text), [], start + 1
    for k in range(start, len(text)):
        char = text[k]
        if char == "{":
            depth += 1
        elif char == "}":
            depth -= 1
            if depth == 0:
                end = k
                break
        elif char == "," and depth == 1:
            parts.append(text[last:k])
            last = k + 1
    parts.append(text[last:end])
    out = []
    for part in parts:
        part = part.strip()
        if part == "self":
            out.append(prefix.removesuffix("::"))
        elif part:
            out.extend(expand_use(prefix + part))
    return out or [prefix.removesuffix("::")]


class _Crates:
    """Where each crate of the repository keeps its sources."""

    def __init__(self, reader: IndexView) -> None:
        repo = repo_paths(reader)
        self.dirs: list[str] = []
        self.by_name: dict[str, str] = {}
        for path in repo.by_name.get("Cargo.toml", ()):
            directory = posixpath.dirname(path)
            self.dirs.append(directory)
            for _section, body in _PACKAGE_NAME.findall(repo.read(path) or ""):
                match = _NAME.search(body)
                if match:
                    self.by_name.setdefault(match.group(1).replace("-", "_"), directory)
        self.dirs.sort(key=len, reverse=True)

    def crate_of(self, path: str) -> str | None:
        for directory in self.dirs:
            if not directory or path.startswith(directory + "/"):
                return directory
        return None


def _src(crate: str) -> str:
    return f"{crate}/src" if crate else "src"


class RustResolver(Resolver):
    """Maps Rust module declarations and use paths to files of the repository."""

    name: ClassVar[str] = "graph_rust"
    languages: ClassVar[tuple[str, ...]] = ("rust",)
    priority: ClassVar[int] = 10

    def resolve(self, reader: IndexView, file_id: int, imports: list[str]) -> list[str]:
        here = reader.paths[file_id]
        repo = repo_paths(reader)
        crates = per_reader("rust.crates", reader, _Crates)
        out: list[str] = []
        for name, signature in import_signatures(reader, file_id, imports):
            mod = _MOD.match(signature)
            if mod or not signature:
                child = self._child(repo, here, mod.group(1) if mod else name)
                if child:
                    out.append(child)
                    continue
                if mod:
                    continue
            if _INLINE_MOD.match(signature):
                continue  # mod x { ... } lives in this file
            use = _USE.match(signature)
            for path in expand_use(use.group(1)) if use else [name]:
                found = self._use(repo, crates, here, path.split("::"))
                if found and found != here:
                    out.append(found)
        return out

    @staticmethod
    def _mod_dir(here: str) -> str:
        """The directory holding the child modules of the module in file ``here``."""
        directory, _, name = here.rpartition("/")
        parent = directory.rpartition("/")[2]
        if name in (*_ROOT_FILES, "mod.rs") or parent in {"bin", "tests", "examples", "benches"}:
            return directory
        if "/src/" not in f"/{here}":
            return directory
        return f"{directory}/{name[:-3]}" if directory else name[:-3]

    def _child(self, repo: RepoPaths, here: str, name: str) -> str | None:
        directory = self._mod_dir(here)
        prefix = f"{directory}/" if directory else ""
        return repo.first((f"{prefix}{name}.rs", f"{prefix}{name}/mod.rs"))

    def _use(self, repo: RepoPaths, crates: _Crates, here: str, segments: list[str]) -> str | None:
        segments = [s.strip() for s in segments if s.strip()]
        if not segments:
            return None
        crate = crates.crate_of(here)
        src = _src(crate) if crate is not None else posixpath.dirname(here)
        current = self._module_path(src, here)
        head = segments[0]
        if head == "crate":
            return self._walk(repo, src, [], segments[1:], explicit=True)
        if head in {"self", "super"}:
            base = list(current) if current is not None else []
            while segments and segments[0] in {"self", "super"}:
                if segments.pop(0) == "super" and base:
                    base.pop()
            return self._walk(repo, src, base, segments, explicit=True)
        if head in crates.by_name:
            other = _src(crates.by_name[head])
            return self._walk(repo, other, [], segments[1:], explicit=True)
        # uniform paths: a child module in scope, then a module of the crate root
        if current:
            found = self._walk(repo, src, current, segments, explicit=False)
            if found:
                return found
        return self._walk(repo, src, [], segments, explicit=False)

    @staticmethod
    def _module_path(src: str, here: str) -> list[str] | None:
        """Module segments of ``here`` inside the crate sources ``src`` (None: outside)."""
        if not here.startswith(src + "/"):
            return None
        rel = here[len(src) + 1 : -3].split("/")
        if rel in (["lib"], ["main"]) or rel[0] == "bin":
            return []
        return rel[:-1] if rel[-1] == "mod" else rel

    def _walk(
        self, repo: RepoPaths, src: str, base: list[str], rest: list[str], *, explicit: bool
    ) -> str | None:
        """The deepest module file along ``base + rest``; the base module itself if explicit."""
        found = None
        for k in range(len(rest), 0, -1):
            found = self._module_file(repo, src, base + rest[:k])
            if found:
                return found
        return self._module_file(repo, src, base) if explicit else None

    @staticmethod
    def _module_file(repo: RepoPaths, src: str, path: list[str]) -> str | None:
        if not path:
            return repo.first(f"{src}/{name}" for name in _ROOT_FILES)
        stem = f"{src}/{'/'.join(path)}"
        return repo.first((f"{stem}.rs", f"{stem}/mod.rs"))
