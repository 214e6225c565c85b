"""JavaScript and TypeScript: relative paths, extensions, index files, tsconfig ``paths``,
and packages of the same workspace (``package.json`` names)."""

from __future__ import annotations

import json
import posixpath
from typing import TYPE_CHECKING, Any, ClassVar

import attrs

from atlas_core.api import Resolver
from atlas_graph.resolvers.common import RepoPaths, join, load_jsonc, per_reader, repo_paths

if TYPE_CHECKING:
    from atlas_core.api import IndexView

__all__ = ["JavaScriptResolver"]

EXTENSIONS = (
    ".ts",
    ".tsx",
    ".d.ts",
    ".js",
    ".jsx",
    ".mjs",
    ".cjs",
    ".mts",
    ".cts",
    ".vue",
    ".svelte",
    ".json",
)
# ESM TypeScript imports name the compiled file: "./a.js" is ./a.ts on disk
_COMPILED = {".js": (".ts", ".tsx"), ".jsx": (".tsx",), ".mjs": (".mts",), ".cjs": (".cts",)}
_CONFIG_NAMES = ("tsconfig.json", "jsconfig.json")


@attrs.frozen
class _PathMap:
    """The ``baseUrl`` and ``paths`` of one tsconfig, made repository-relative."""

    base: str | None
    patterns: tuple[tuple[str, tuple[str, ...]], ...]


def _config_options(repo: RepoPaths, path: str, depth: int = 0) -> tuple[str | None, Any]:
    """(baseUrl, paths) of a tsconfig, following relative ``extends`` a few levels."""
    data = load_jsonc(repo.read(path)) or {}
    here = posixpath.dirname(path)
    base_url: str | None = None
    paths: Any = None
    parent = data.get("extends")
    if isinstance(parent, str) and parent.startswith(".") and depth < 4:
        target = join(here, parent if parent.endswith(".json") else parent + ".json")
        if target and repo.exists(target):
            base_url, paths = _config_options(repo, target, depth + 1)
    options = data.get("compilerOptions")
    if isinstance(options, dict):
        if isinstance(options.get("baseUrl"), str):
            base_url = join(here, options["baseUrl"]) or ""
        if isinstance(options.get("paths"), dict):
            paths = options["paths"]
            if base_url is None:  # TypeScript 4.1+: paths are relative to the config
                base_url = here
    return base_url, paths


def _path_maps(reader: IndexView) -> dict[str, _PathMap]:
    """Directory holding a tsconfig/jsconfig -> its path mapping."""
    repo = repo_paths(reader)
    maps: dict[str, _PathMap] = {}
    for name in _CONFIG_NAMES:
        for path in repo.by_name.get(name, ()):
            directory = posixpath.dirname(path)
            if directory in maps:
                continue
            base, paths = _config_options(repo, path)
            patterns = []
            if isinstance(paths, dict):
                for key, targets in paths.items():
                    if isinstance(key, str) and isinstance(targets, list):
                        patterns.append((key, tuple(t for t in targets if isinstance(t, str))))
            # longest pattern prefix first, as TypeScript does
            patterns.sort(key=lambda p: -len(p[0].split("*", 1)[0]))
            maps[directory] = _PathMap(base, tuple(patterns))
    return maps


def _packages(reader: IndexView) -> dict[str, tuple[str, dict[str, Any]]]:
    """Workspace package name -> (its directory, its package.json)."""
    repo = repo_paths(reader)
    found: dict[str, tuple[str, dict[str, Any]]] = {}
    for path in sorted(repo.by_name.get("package.json", ()), key=len):
        if "node_modules/" in path:
            continue
        try:
            data = json.loads(repo.read(path) or "")
        except ValueError:
            continue
        if isinstance(data, dict) and isinstance(data.get("name"), str):
            found.setdefault(data["name"], (posixpath.dirname(path), data))
    return found


class JavaScriptResolver(Resolver):
    """Maps JavaScript/TypeScript import specifiers to files of the repository."""

    name: ClassVar[str] = "graph_javascript"
    languages: ClassVar[tuple[str, ...]] = ("javascript", "typescript", "tsx", "vue", "svelte")
    priority: ClassVar[int] = 10

    def resolve(self, reader: IndexView, file_id: int, imports: list[str]) -> list[str]:
        here = reader.paths[file_id]
        repo = repo_paths(reader)
        out = []
        for spec in dict.fromkeys(imports):
            found = self._one(reader, repo, here, spec.split("?", 1)[0])
            if found:
                out.append(found)
        return out

    def _one(self, reader: IndexView, repo: RepoPaths, here: str, spec: str) -> str | None:
        if not spec or spec.startswith(("/", "node:", "http:", "https:", "data:")):
            return None
        if spec.startswith((".", "..")) and (spec in {".", ".."} or spec.startswith(("./", "../"))):
            base = join(posixpath.dirname(here), spec)
            return self._file(repo, base)
        found = self._mapped(reader, repo, here, spec)
        if found:
            return found
        return self._workspace(reader, repo, spec)

    def _mapped(self, reader: IndexView, repo: RepoPaths, here: str, spec: str) -> str | None:
        """Through the nearest tsconfig/jsconfig: ``paths`` patterns, then ``baseUrl``."""
        maps = per_reader("js.paths", reader, _path_maps)
        if not maps:
            return None
        directory = posixpath.dirname(here)
        while True:
            config = maps.get(directory)
            if config is not None:
                break
            if not directory:
                return None
            directory = posixpath.dirname(directory)
        base = config.base if config.base is not None else directory
        for pattern, targets in config.patterns:
            star = _match(pattern, spec)
            if star is None:
                continue
            for target in targets:
                found = self._file(repo, join(base, target.replace("*", star, 1)))
                if found:
                    return found
        if config.base is not None:
            return self._file(repo, join(config.base, spec))
        return None

    def _workspace(self, reader: IndexView, repo: RepoPaths, spec: str) -> str | None:
        """A package of the same repository, by its package.json name."""
        packages = per_reader("js.packages", reader, _packages)
        if not packages:
            return None
        parts = spec.split("/")
        name_len = 2 if spec.startswith("@") else 1
        name, sub = "/".join(parts[:name_len]), "/".join(parts[name_len:])
        if name not in packages:
            return None
        directory, data = packages[name]
        if sub:
            return self._file(repo, join(directory, sub)) or self._file(
                repo, join(directory, "src/" + sub)
            )
        for key in ("source", "module", "main", "types", "typings"):
            entry = data.get(key)
            if isinstance(entry, str):
                found = self._file(repo, join(directory, entry))
                if found:
                    return found
        return self._file(repo, join(directory, "src/index")) or self._file(
            repo, join(directory, "index")
        )

    @staticmethod
    def _file(repo: RepoPaths, base: str | None) -> str | None:
        """``base`` as a file, with an extension added, as a directory index, or compiled."""
        if base is None:
            return None
        inside = f"{base}/" if base else ""
        candidates = [f"{inside}index{ext}" for ext in EXTENSIONS]
        if base:
            stem, ext = posixpath.splitext(base)
            candidates[:0] = [base, *(base + e for e in EXTENSIONS)]
            candidates += [stem + alt for alt in _COMPILED.get(ext, ())]
        found = repo.first(candidates)
        if found is None and repo.exists(f"{inside}package.json"):
            # a directory that is a package: its entry point
            entry = _entry(repo, base)
            found = repo.first([entry]) if entry else None
        return found


def _entry(repo: RepoPaths, directory: str) -> str | None:
    """The ``main`` file named by a directory's package.json, as a repository path."""
    inside = f"{directory}/" if directory else ""
    try:
        data = json.loads(repo.read(f"{inside}package.json") or "")
    except ValueError:
        return None
    main = data.get("main") if isinstance(data, dict) else None
    if not isinstance(main, str):
        return None
    target = join(directory, main)
    if target is None:
        return None
    inside = f"{target}/" if target else ""
    options = [
        target,
        *(target + e for e in EXTENSIONS),
        *(f"{inside}index{e}" for e in EXTENSIONS),
    ]
    return repo.first(options)


def _match(pattern: str, spec: str) -> str | None:
    """What ``*`` stands for when ``spec`` matches a tsconfig ``paths`` pattern."""
    if "*" not in pattern:
        return "" if pattern == spec else None
    prefix, _, suffix = pattern.partition("*")
    if spec.startswith(prefix) and spec.endswith(suffix) and len(spec) >= len(prefix + suffix):
        return spec[len(prefix) : len(spec) - len(suffix)]
    return None
