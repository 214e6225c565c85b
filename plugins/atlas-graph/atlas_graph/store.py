"""The graph as stored in the index (msgpack-able) and as signals read it (file-id arrays)."""

from __future__ import annotations

from collections import Counter
from typing import TYPE_CHECKING, Any

import attrs
import numpy as np

from atlas_graph.resolvers.common import per_reader

if TYPE_CHECKING:
    from atlas_core.api import IndexView
    from atlas_graph.build import Edges

__all__ = ["FORMAT", "NAME", "Graph", "encode", "load_graph", "stored_edges"]

#: bumped when the stored layout changes; older data is ignored (and rebuilt on index)
FORMAT = 3
NAME = "graph"


def encode(
    reader: IndexView, edges: Edges, rank: np.ndarray, base: float, key: str, hashes: bytes
) -> dict[str, Any]:
    """Compact stored form: the files that have edges, edges and ranks as packed arrays.

    Files are named by path so the data stays meaningful if it outlives its generation;
    ``ids`` lets a reader of the same generation skip the path look-up, and ``key`` with
    ``hashes`` let the next index run reuse the edges of unchanged files.
    """
    n = len(reader)
    # the files with edges, ascending (a count per file: cheaper than np.unique)
    nodes = np.flatnonzero(
        np.bincount(np.concatenate([edges.src, edges.dst]).astype(np.int64), minlength=n)
    ).astype(np.int32)
    local = np.full(n, -1, dtype=np.int32)
    local[nodes] = np.arange(len(nodes), dtype=np.int32)
    # edges per language of their source: a count per importing file, then per language
    out_degree = np.bincount(edges.src.astype(np.int64), minlength=n)
    importers = np.flatnonzero(out_degree)
    languages = reader.languages
    by_language: Counter[str] = Counter()
    for i, count in zip(importers.tolist(), out_degree[importers].tolist(), strict=True):
        by_language[languages[i]] += count
    return {
        "format": FORMAT,
        "generation": reader.generation,
        "files": len(reader),
        "paths": [reader.paths[i] for i in nodes.tolist()],
        "ids": nodes.astype("<i4").tobytes(),
        "src": local[edges.src].astype("<i4").tobytes(),
        "dst": local[edges.dst].astype("<i4").tobytes(),
        "rank": rank[nodes].astype("<f8").tobytes(),
        "base": base,
        "resolvers": edges.resolvers,
        "edges_by_language": dict(sorted(by_language.items())),
        "key": key,
        "hashes": hashes,
        "errors": edges.errors,
    }


def stored_edges(data: dict[str, Any]) -> tuple[np.ndarray, np.ndarray]:
    """(src, dst) in the file ids of the generation the data was computed for."""
    ids = np.frombuffer(data["ids"], dtype="<i4").astype(np.int64)
    src = ids[np.frombuffer(data["src"], dtype="<i4")]
    return src, ids[np.frombuffer(data["dst"], dtype="<i4")]


@attrs.define
class Graph:
    """The import graph in the id space of one reader: ``src[k]`` imports ``dst[k]``."""

    n: int
    src: np.ndarray
    dst: np.ndarray
    #: global PageRank per file (0 for files outside the graph)
    rank: np.ndarray
    #: PageRank of a file nobody imports
    base: float

    def imports_of(self, i: int) -> np.ndarray:
        return np.sort(self.dst[self.src == i])

    def importers_of(self, i: int) -> np.ndarray:
        return np.sort(self.src[self.dst == i])


def load_graph(reader: IndexView) -> Graph | None:
    """The stored graph mapped onto ``reader``'s file ids (cached per reader); None if absent."""
    return per_reader("graph.loaded", reader, _load)


def _load(reader: IndexView) -> Graph | None:
    data = reader.extra(NAME)
    if not isinstance(data, dict) or data.get("format") != FORMAT:
        return None
    n = len(reader)
    if data["generation"] == reader.generation and data["files"] == n:
        ids = np.frombuffer(data["ids"], dtype="<i4").astype(np.int64)
    else:  # stale data: map its paths onto this generation, dropping vanished files
        lookup = reader.ids
        ids = np.array([lookup.get(p, -1) for p in data["paths"]], dtype=np.int64)
    src = ids[np.frombuffer(data["src"], dtype="<i4")]
    dst = ids[np.frombuffer(data["dst"], dtype="<i4")]
    keep = (src >= 0) & (dst >= 0)
    rank = np.zeros(n)
    present = ids >= 0
    rank[ids[present]] = np.frombuffer(data["rank"], dtype="<f8")[present]
    return Graph(n, src[keep], dst[keep], rank, float(data["base"]))
