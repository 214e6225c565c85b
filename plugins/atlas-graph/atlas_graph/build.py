"""Building the import graph of an index: resolve every file's imports, keep internal edges.

Re-indexing after an edit re-resolves only the files whose content changed, as long as
the set of files and the resolvers' configuration files (tsconfig.json, go.mod ...) are
the same; anything else is resolved from scratch.
"""

from __future__ import annotations

import hashlib
import logging
from collections.abc import Mapping
from typing import TYPE_CHECKING, Any

import attrs
import numpy as np

from atlas_graph.resolvers.common import imports_of

if TYPE_CHECKING:
    from atlas_core.api import IndexView

__all__ = [
    "EXCLUDED_ROLES",
    "Edges",
    "build_edges",
    "content_hashes",
    "graph_files",
    "layout_key",
]

log = logging.getLogger(__name__)

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
    }
)
_HASH_BYTES = 8


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
    """Boolean mask of the files that may take part in the graph."""
    return np.array(
        [
            s == "ok" and r not in EXCLUDED_ROLES
            for s, r in zip(reader.statuses, reader.roles, strict=True)
        ],
        dtype=bool,
    )


def content_hashes(reader: IndexView) -> bytes:
    """A short content hash per file, concatenated (empty when the index has none)."""
    hashes = reader.hashes
    if not isinstance(hashes, list) or len(hashes) != len(reader):
        return b""
    return b"".join(bytes(h or b"")[:_HASH_BYTES].ljust(_HASH_BYTES, b"\0") for h in hashes)


def layout_key(reader: IndexView, hashes: bytes, resolvers: Mapping[str, Any]) -> str:
    """Changes when the file set, a resolution config file, the chunkers or the resolvers
    change: while it holds, file ids carry over and unchanged files keep their edges."""
    digest = hashlib.sha1()
    # the chunkers that found the imports are part of the index's fingerprint
    digest.update(reader.fingerprint.encode())
    for name in sorted({f"{r.name}:{r.priority}" for r in resolvers.values()}):
        digest.update(name.encode())
    for i, path in enumerate(reader.paths):
        digest.update(path.encode("utf-8", "surrogateescape"))  # non-UTF-8 names
        digest.update(b"\0")
        if hashes and path.rpartition("/")[2] in CONFIG_FILES:
            digest.update(hashes[i * _HASH_BYTES : (i + 1) * _HASH_BYTES])
    return digest.hexdigest()


def build_edges(
    reader: IndexView,
    resolvers: Mapping[str, Any],
    reuse: Mapping[int, list[int]] | None = None,
) -> Edges:
    """Resolve the imports of every graph file with the resolver chosen for its language.

    Imports that name no file of the repository (the standard library, third-party
    packages) are dropped, and so are edges to files outside the graph. ``reuse`` maps
    the ids of unchanged files to their previous targets, which are kept as they are.
    """
    eligible = graph_files(reader)
    ids = reader.ids
    pairs: set[tuple[int, int]] = set()
    edges = Edges(np.zeros(0, np.int32), np.zeros(0, np.int32))
    used: dict[str, str] = {}
    for i in np.flatnonzero(eligible).tolist():
        resolver = resolvers.get(reader.languages[i])
        if resolver is None:
            continue
        used[reader.languages[i]] = resolver.name
        if reuse is not None and i in reuse:
            pairs.update((i, j) for j in reuse[i] if eligible[j] and j != i)
            continue
        names = list(dict.fromkeys(name for name, _ in imports_of(reader, i)))
        if not names:
            continue
        edges.resolved_files += 1
        try:
            targets = resolver.resolve(reader, i, names)
        except Exception as exc:  # one resolver's bug must not cost the whole graph
            if len(edges.errors) < 5:
                edges.errors.append(
                    f"resolver {resolver.name} failed on {reader.paths[i]}: "
                    f"{type(exc).__name__}: {exc}"
                )
            log.debug("resolver %s failed on %s", resolver.name, reader.paths[i], exc_info=True)
            continue
        for target in targets:
            j = ids.get(target)
            if j is not None and j != i and eligible[j]:
                pairs.add((i, j))
    ordered = sorted(pairs)
    edges.src = np.array([p[0] for p in ordered], dtype=np.int32)
    edges.dst = np.array([p[1] for p in ordered], dtype=np.int32)
    edges.resolvers = dict(sorted(used.items()))
    return edges
