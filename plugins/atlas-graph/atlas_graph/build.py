"""Building the import graph of an index: resolve every file's imports, keep internal edges."""

from __future__ import annotations

import logging
from collections import Counter
from typing import TYPE_CHECKING, Any

import attrs
import numpy as np

if TYPE_CHECKING:
    from atlas_core.index.reader import IndexReader

__all__ = ["EXCLUDED_ROLES", "Edges", "build_edges", "graph_files"]

log = logging.getLogger(__name__)

#: files of these roles are neither sources nor targets of edges
EXCLUDED_ROLES = frozenset({"vendor", "generated"})


@attrs.define
class Edges:
    """Import edges between file ids of one index generation, and what resolving found."""

    src: np.ndarray
    dst: np.ndarray
    imports: int = 0
    files_with_imports: int = 0
    resolvers: dict[str, str] = attrs.field(factory=dict)
    by_language: dict[str, int] = attrs.field(factory=dict)
    errors: list[str] = attrs.field(factory=list)


def graph_files(reader: IndexReader) -> np.ndarray:
    """Boolean mask of the files that may take part in the graph."""
    return np.array(
        [
            s == "ok" and r not in EXCLUDED_ROLES
            for s, r in zip(reader.statuses, reader.roles, strict=True)
        ],
        dtype=bool,
    )


def build_edges(reader: IndexReader, resolvers: dict[str, Any]) -> Edges:
    """Resolve the imports of every graph file with the resolver chosen for its language.

    Imports that name no file of the repository (the standard library, third-party
    packages) are dropped, and so are edges to files outside the graph.
    """
    eligible = graph_files(reader)
    ids = reader.ids
    pairs: set[tuple[int, int]] = set()
    edges = Edges(np.zeros(0, np.int32), np.zeros(0, np.int32))
    used: dict[str, str] = {}
    per_language: Counter[str] = Counter()
    for i in np.flatnonzero(eligible).tolist():
        resolver = resolvers.get(reader.languages[i])
        if resolver is None:
            continue
        names = list(dict.fromkeys(c.name for c in reader.chunks(i) if c.kind == "import"))
        if not names:
            continue
        edges.files_with_imports += 1
        edges.imports += len(names)
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
        used[reader.languages[i]] = resolver.name
        before = len(pairs)
        for target in targets:
            j = ids.get(target)
            if j is not None and j != i and eligible[j]:
                pairs.add((i, j))
        per_language[reader.languages[i]] += len(pairs) - before
    ordered = sorted(pairs)
    edges.src = np.array([p[0] for p in ordered], dtype=np.int32)
    edges.dst = np.array([p[1] for p in ordered], dtype=np.int32)
    edges.resolvers = dict(sorted(used.items()))
    edges.by_language = dict(sorted(per_language.items()))
    return edges
