"""Building the import graph of an index: resolve every file's imports, keep internal edges.

Re-indexing after an edit re-resolves only the files whose content changed, as long as
the set of files and the resolvers' configuration files (tsconfig.json, go.mod ...) are
the same; anything else is resolved from scratch.
"""

from __future__ import annotations

import hashlib
import itertools
from collections.abc import Mapping
from typing import TYPE_CHECKING, Any

import attrs
import numpy as np

from atlas_graph.resolvers.common import imports_of, per_reader

if TYPE_CHECKING:
    from atlas_core.api import IndexView

__all__ = [
    "EXCLUDED_ROLES",
    "HASH_BYTES",
    "Edges",
    "Reuse",
    "build_edges",
    "content_hashes",
    "graph_files",
    "layout_key",
]

#: files of these roles are neither sources nor targets of edges
EXCLUDED_ROLES = frozenset({"vendor", "generated"})
#: files whose content changes how other files' imports resolve
CONFIG_FILES = frozenset(
    {
        "tsconfig.json",
        "jsconfig.json",
        "package.json",
        "go.mod",
        "Cargo.toml",
        "composer.json",
        "pubspec.yaml",
        "MODULE.bazel",
        "WORKSPACE",
        "WORKSPACE.bazel",
    }
)
_LONGEST_CONFIG = max(map(len, CONFIG_FILES))
HASH_BYTES = 8
#: resolver failures kept for the report
_MAX_ERRORS = 5


@attrs.define
class Edges:
    """Import edges between file ids of one index generation, and how they were found."""

    src: np.ndarray
    dst: np.ndarray
    #: language -> name of the resolver used
    resolvers: dict[str, str] = attrs.field(factory=dict)
    #: files whose imports were resolved (the others' edges were reused)
    resolved_files: int = 0
    errors: list[str] = attrs.field(factory=list)


def graph_files(reader: IndexView) -> np.ndarray:
    """Boolean mask of the files that may take part in the graph (read-only, computed
    once per reader)."""
    return per_reader("graph.files", reader, _graph_files)


def _graph_files(reader: IndexView) -> np.ndarray:
    n = len(reader)
    # by whole columns (C-level comparisons): a loop per file took milliseconds at 28k files
    mask = np.asarray(reader.statuses, dtype=object) == "ok"
    mask &= ~np.fromiter(map(EXCLUDED_ROLES.__contains__, reader.roles), bool, n)
    mask = np.asarray(mask, dtype=bool)
    mask.flags.writeable = False
    return mask


def content_hashes(reader: IndexView) -> bytes:
    """A short content hash per file, concatenated (empty when the index has none)."""
    hashes = reader.hashes
    if not isinstance(hashes, (list, tuple)) or len(hashes) != len(reader):
        return b""
    try:
        joined = b"".join(hashes)
    except TypeError:  # None among them
        return b"".join(bytes(h or b"")[:HASH_BYTES].ljust(HASH_BYTES, b"\0") for h in hashes)
    # the first HASH_BYTES of each, zero-padded, with array indexing rather than a loop
    sizes = np.fromiter(map(len, hashes), dtype=np.int64, count=len(hashes))
    starts = np.cumsum(sizes) - sizes
    data = np.frombuffer(joined, dtype=np.uint8)
    width = np.arange(HASH_BYTES)
    out = np.zeros((len(hashes), HASH_BYTES), dtype=np.uint8)
    whole = np.flatnonzero(sizes >= HASH_BYTES)  # the usual case: a plain gather
    out[whole] = data[starts[whole, None] + width]
    short = np.flatnonzero((sizes > 0) & (sizes < HASH_BYTES))
    if len(short):  # fewer bytes than kept: zero-padded
        take = width < sizes[short, None]
        rows = out[short]
        rows[take] = data[(starts[short, None] + width)[take]]
        out[short] = rows
    return out.tobytes()


def layout_key(reader: IndexView, hashes: bytes, resolvers: Mapping[str, Any]) -> str:
    """Changes when the file set, a resolution config file, the chunkers or the resolvers
    change: while it holds, file ids carry over and unchanged files keep their edges."""
    digest = hashlib.sha1()
    # the chunkers that found the imports are part of the index's fingerprint
    digest.update(reader.fingerprint.encode())
    for name in sorted({f"{r.name}:{r.priority}" for r in resolvers.values()}):
        digest.update(name.encode())
    joined = "\0".join(reader.paths).encode("utf-8", "surrogateescape")  # non-UTF-8 names
    digest.update(joined)
    if hashes:
        ends = np.flatnonzero(np.frombuffer(joined, dtype=np.uint8) == 0)
        for i in _config_files(joined, ends):
            digest.update(i.to_bytes(8, "little"))
            digest.update(hashes[i * HASH_BYTES : (i + 1) * HASH_BYTES])
    return digest.hexdigest()


def _config_files(joined: bytes, ends: np.ndarray) -> list[int]:
    """Ids of the files named like a config file, ascending, from the paths joined by NULs
    (``ends``: the NULs' offsets).

    The paths' last bytes are compared with each name's a byte at a time, keeping the
    paths that still match (no UTF-8 sequence holds a "/" or NUL byte): a loop per path
    took 5 ms at 28k files.
    """
    # zeros before the first path: every offset below is in range
    data = np.concatenate(
        [np.zeros(_LONGEST_CONFIG + 1, np.uint8), np.frombuffer(joined, np.uint8)]
    )
    stops = np.append(ends, len(joined)) + _LONGEST_CONFIG + 1  # each path's end in ``data``
    last = data[stops - 1]
    found: list[np.ndarray] = []
    for name in CONFIG_FILES:
        needle = name.encode()
        ids = np.flatnonzero(last == needle[-1])
        for back, byte in enumerate(reversed(needle[:-1]), start=2):
            ids = ids[data[stops[ids] - back] == byte]
        before = data[stops[ids] - len(needle) - 1]
        found.append(ids[(before == ord("/")) | (before == 0)])
    return np.sort(np.concatenate(found)).tolist()  # type: ignore[no-any-return]


@attrs.frozen
class Reuse:
    """Edges of the previous run that still hold: those of files whose content is
    unchanged, in file ids that carry over (the file set is the same)."""

    unchanged: np.ndarray  # bool per file
    src: np.ndarray
    dst: np.ndarray


def build_edges(
    reader: IndexView,
    resolvers: Mapping[str, Any],
    reuse: Reuse | None = None,
) -> Edges:
    """Resolve the imports of every graph file with the resolver chosen for its language.

    Imports that name no file of the repository (the standard library, third-party
    packages) are dropped, and so are edges to files outside the graph. With ``reuse``,
    unchanged files keep their previous targets and only the others are resolved, so the
    work follows what changed.
    """
    eligible = graph_files(reader)
    languages = reader.languages
    n = len(reader)
    edges = Edges(np.zeros(0, np.int32), np.zeros(0, np.int32))
    present = set(itertools.compress(languages, eligible.tolist()))
    used = {lang: resolvers[lang].name for lang in present if resolvers.get(lang) is not None}
    resolvable = np.fromiter(map(used.__contains__, languages), bool, n) & eligible
    src_parts: list[np.ndarray] = []
    dst_parts: list[np.ndarray] = []
    todo = np.flatnonzero(resolvable)
    if reuse is not None and len(reuse.unchanged) == n:
        old_src = np.asarray(reuse.src, dtype=np.int64)
        old_dst = np.asarray(reuse.dst, dtype=np.int64)
        keep = resolvable[old_src] & reuse.unchanged[old_src] & eligible[old_dst]
        keep &= old_src != old_dst
        src_parts.append(old_src[keep])
        dst_parts.append(old_dst[keep])
        todo = np.flatnonzero(resolvable & ~reuse.unchanged)
    found = _resolve(reader, resolvers, todo.tolist(), eligible)
    if len(found.src):
        src_parts.append(found.src)
        dst_parts.append(found.dst)
    edges.resolved_files = found.resolved
    edges.errors = found.errors
    if n and sum(len(part) for part in src_parts):
        key = np.concatenate(src_parts) * n + np.concatenate(dst_parts)
        if not bool((key[1:] > key[:-1]).all()):  # reused edges alone come sorted, distinct
            key = np.sort(key)
            # distinct edges (np.unique would import numpy.ma: some 15 ms of every re-index)
            key = key[np.concatenate(([True], key[1:] != key[:-1]))]
        edges.src = (key // n).astype(np.int32)
        edges.dst = (key % n).astype(np.int32)
    edges.resolvers = dict(sorted(used.items()))
    return edges


@attrs.define
class _Found:
    """Edges found by resolving some files, with the count and the first errors."""

    src: np.ndarray
    dst: np.ndarray
    resolved: int = 0
    #: the first failures, in file order
    errors: list[str] = attrs.field(factory=list)


#: longer import names are not resolved: no real one comes near, and resolvers try each
#: prefix of a name (``import a.a.a...`` of 100,000 parts took minutes and 10 GB)
MAX_NAME = 1024


def _resolve(
    reader: IndexView, resolvers: Mapping[str, Any], files: list[int], eligible: np.ndarray
) -> _Found:
    """Resolve the imports of ``files`` (ascending ids); edges to graph files only."""
    found = _Found(np.zeros(0, np.int64), np.zeros(0, np.int64))
    if not files:  # every file's edges reused: no dictionary of paths needed
        return found
    ids = reader.ids
    languages = reader.languages
    allowed = eligible.tolist()
    src: list[int] = []
    dst: list[int] = []
    for i in files:
        resolver = resolvers[languages[i]]
        names = list(
            dict.fromkeys(name for name, _ in imports_of(reader, i) if len(name) <= MAX_NAME)
        )
        if not names:
            continue
        found.resolved += 1
        try:
            targets = resolver.resolve(reader, i, names)
        except Exception as exc:  # one resolver's bug must not cost the whole graph
            if len(found.errors) < _MAX_ERRORS:
                found.errors.append(
                    f"resolver {resolver.name} failed on {reader.paths[i]}: "
                    f"{type(exc).__name__}: {exc}"
                )
            _log_failure(resolver.name, reader.paths[i])
            continue
        for target in targets:
            j = ids.get(target)
            if j is not None and j != i and allowed[j]:
                src.append(i)
                dst.append(j)
    found.src = np.array(src, dtype=np.int64)
    found.dst = np.array(dst, dtype=np.int64)
    return found


def _log_failure(resolver: str, path: str) -> None:
    """Log a resolver's failure with its traceback (``logging`` is imported only then:
    some milliseconds of every index run otherwise)."""
    import logging

    logging.getLogger(__name__).debug("resolver %s failed on %s", resolver, path, exc_info=True)
