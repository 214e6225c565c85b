"""The ``graph`` contributor: import edges and global PageRank, computed at index time."""

from __future__ import annotations

import bisect
import hashlib
from collections.abc import Mapping
from typing import TYPE_CHECKING, Any, ClassVar

import numpy as np

from atlas_core.api import Contributor, display_path
from atlas_graph.store import FORMAT, NAME

if TYPE_CHECKING:
    from atlas_core.api import IndexContext, IndexView, Resolver
    from atlas_graph.build import Reuse

__all__ = ["DAMPING", "GraphContributor"]

#: damping factor of the global PageRank
DAMPING = 0.85


class GraphContributor(Contributor):
    """Resolves every file's imports to files of the repository and ranks files by PageRank.

    The resolvers are every plugin's (``ctx.resolvers``): for each language the one with
    the highest priority is used, so a language plugin (atlas-lang-go) outranks the generic
    resolvers of this plugin.
    """

    name: ClassVar[str] = NAME

    @staticmethod
    def resolvers(ctx: IndexContext) -> dict[str, Resolver]:
        """Language -> the resolver used for it."""
        from atlas_graph.resolvers import pick_resolvers

        return pick_resolvers(ctx.resolvers)

    def fingerprint(self, ctx: IndexContext) -> str:
        # the index generation already changes with any file; this covers the resolvers
        chosen = sorted(
            (lang, r.name, r.priority, str(getattr(r, "version", "")))  # version: optional
            for lang, r in self.resolvers(ctx).items()
        )
        key = f"format={FORMAT}|damping={DAMPING}|{chosen}"
        return hashlib.sha1(key.encode()).hexdigest()[:16]

    def contribute(self, ctx: IndexContext) -> dict[str, Any]:
        from atlas_graph.build import build_edges, content_hashes, graph_files, layout_key
        from atlas_graph.companions import share_with_implementations
        from atlas_graph.pagerank import pagerank
        from atlas_graph.store import encode

        view, previous = ctx.index, ctx.previous_data
        resolvers = self.resolvers(ctx)
        hashes = _carried_hashes(ctx)
        if hashes is None:
            hashes = content_hashes(view)
        key = layout_key(view, hashes, resolvers)
        reuse = _reusable(previous, key, hashes)
        if reuse is not None:
            reuse = _same_imports(ctx, reuse)
        edges = build_edges(view, resolvers, reuse)
        if reuse is not None and _same_graph(ctx, edges):
            # the same files and edges: PageRank would come out the same
            return {
                **previous,
                "generation": view.generation,
                "hashes": hashes,
                "errors": edges.errors,
            }
        eligible = np.flatnonzero(graph_files(view))
        # PageRank over every graph file, isolated ones included, so ranks compare
        # across repositories of different sizes by their ratio to ``base``
        local = np.full(len(view), -1, dtype=np.int64)
        local[eligible] = np.arange(len(eligible))
        ranks = pagerank(len(eligible), local[edges.src], local[edges.dst], damping=DAMPING)
        rank = np.zeros(len(view))
        rank[eligible] = ranks
        rank = share_with_implementations(view.paths, rank)
        base = (1.0 - DAMPING) / max(len(eligible), 1)
        imported = np.zeros(len(eligible), dtype=bool)
        targets = local[edges.dst]
        imported[targets[targets >= 0]] = True
        unimported = np.flatnonzero(~imported)
        if len(unimported):
            base = float(ranks[unimported].min())
        return encode(view, edges, rank, base, key, hashes)

    def describe(self, data: Any) -> dict[str, Any]:
        """What ``atlas inspect`` shows: graph size and the most central files."""
        return describe_graph(data)


def describe_graph(data: Any, top: int = 10) -> dict[str, Any]:
    """Summary of stored graph data: sizes, resolvers used, the most central files."""
    if not isinstance(data, Mapping) or data.get("format") != FORMAT:
        return {"Status": "no graph data in this index (run 'atlas index')"}
    rank = np.frombuffer(data["rank"], dtype="<f8")
    order = np.argsort(-rank, kind="stable")[:top]
    importers = np.bincount(np.frombuffer(data["dst"], dtype="<i4"), minlength=len(rank))
    summary: dict[str, Any] = {
        "Files": len(data["paths"]),
        "Edges": len(data["src"]) // 4,
        "Resolvers": data["resolvers"],
        "EdgesByLanguage": data["edges_by_language"],
        "MostCentral": [
            {
                "Path": display_path(data["paths"][k]),
                "PageRank": float(f"{rank[k]:.4g}"),
                "Importers": int(importers[k]),
            }
            for k in order.tolist()
        ],
    }
    if data.get("errors"):
        summary["ResolverErrors"] = data["errors"]
    return summary


def _same_graph(ctx: IndexContext, edges: Any) -> bool:
    """Whether the previous graph data holds as it is: no file added or deleted, the
    changed files still take part (or not) as before, and the edges are the same."""
    from atlas_graph.build import EXCLUDED_ROLES
    from atlas_graph.store import stored_edges

    view, before, previous = ctx.index, ctx.previous, ctx.previous_data
    if before is None or ctx.changes.added or ctx.changes.deleted:
        return False
    if edges.resolvers != previous.get("resolvers") or len(before) != len(view):
        return False
    for path in ctx.changes.changed:
        i, j = _id_of(before, path), _id_of(view, path)
        if i is None or j is None:
            return False
        was = before.statuses[i] == "ok" and before.roles[i] not in EXCLUDED_ROLES
        now = view.statuses[j] == "ok" and view.roles[j] not in EXCLUDED_ROLES
        if was != now or before.languages[i] != view.languages[j]:
            return False
    src, dst = stored_edges(dict(previous))
    return bool(np.array_equal(src, edges.src) and np.array_equal(dst, edges.dst))


def _carried_hashes(ctx: IndexContext) -> bytes | None:
    """``content_hashes(ctx.index)`` from the previous run's, when they were taken of the
    previous generation and only files changed since (none added or deleted): the changed
    files' are put in place, instead of 28k hashes joined and sliced again. None otherwise."""
    from atlas_graph.build import HASH_BYTES

    view, before, previous = ctx.index, ctx.previous, ctx.previous_data
    if before is None or ctx.changes.added or ctx.changes.deleted or len(before) != len(view):
        return None
    if not isinstance(previous, Mapping) or previous.get("format") != FORMAT:
        return None
    old, hashes = previous.get("hashes"), view.hashes
    if previous.get("generation") != before.generation or not isinstance(hashes, (list, tuple)):
        return None
    if not isinstance(old, bytes) or len(old) != HASH_BYTES * len(view) or len(hashes) != len(view):
        return None
    out = bytearray(old)
    for path in ctx.changes.changed:
        k = _id_of(view, path)
        if k is None:
            return None
        out[k * HASH_BYTES : (k + 1) * HASH_BYTES] = bytes(hashes[k] or b"")[:HASH_BYTES].ljust(
            HASH_BYTES, b"\0"
        )
    return bytes(out)


def _id_of(view: IndexView, path: str) -> int | None:
    """The id of ``path`` in ``view`` (None if absent): a binary search of the sorted
    paths first, since a dictionary of every path costs milliseconds at 28k files."""
    paths = view.paths
    i = bisect.bisect_left(paths, path)
    if i < len(paths) and paths[i] == path:
        return i
    return view.ids.get(path)  # not found that way (or paths out of order)


def _reusable(previous: Any, key: str, hashes: bytes) -> Reuse | None:
    """Previous edges of every file whose content is unchanged, when ids carry over."""
    from atlas_graph.build import Reuse
    from atlas_graph.store import stored_edges

    if not isinstance(previous, Mapping) or previous.get("format") != FORMAT:
        return None
    old_hashes = previous.get("hashes")
    if previous.get("key") != key or not isinstance(old_hashes, bytes):
        return None
    if not hashes or len(old_hashes) != len(hashes):
        return None
    old = np.frombuffer(old_hashes, dtype="<u8")
    new = np.frombuffer(hashes, dtype="<u8")
    src, dst = stored_edges(dict(previous))
    return Reuse(old == new, src, dst)


def _same_imports(ctx: IndexContext, reuse: Reuse) -> Reuse:
    """``reuse`` extended to the changed files whose imports are what they were.

    Resolving an import depends on the importing file's path, language and import lines
    and on the repository's files and resolution configs, which ``reuse`` already holds
    the same: an edit that leaves a file's imports alone (the usual one) needs no resolver,
    and building a resolver's tables is most of a one-file re-index's graph work.
    """
    from atlas_graph.build import EXCLUDED_ROLES, Reuse
    from atlas_graph.resolvers.common import imports_of

    view, before = ctx.index, ctx.previous
    if before is None or len(before) != len(view):
        return reuse
    unchanged = reuse.unchanged.copy()
    for k in np.flatnonzero(~unchanged).tolist():
        same = (
            before.paths[k] == view.paths[k]
            and before.languages[k] == view.languages[k]
            and (before.statuses[k], view.statuses[k]) == ("ok", "ok")
            and before.roles[k] not in EXCLUDED_ROLES
            and view.roles[k] not in EXCLUDED_ROLES
            and imports_of(before, k) == imports_of(view, k)
        )
        unchanged[k] = same
    return Reuse(unchanged, reuse.src, reuse.dst)
