"""The ``pagerank`` and ``graph`` signals, read from the graph stored at index time."""

from __future__ import annotations

from typing import TYPE_CHECKING, ClassVar

import attrs
import numpy as np

if TYPE_CHECKING:
    from atlas_core.api import QueryContext, Tie

__all__ = ["GraphSignal", "PageRankSignal", "spread"]

_MISSING = "no import graph in the index (run 'atlas index' with atlas-graph installed)"


@attrs.define
class PageRankConfig:
    """``[signals.pagerank]``."""

    #: "log": log of the rank over an unimported file's (hubs do not swamp); "linear": raw
    scale: str = attrs.field(default="log", validator=attrs.validators.in_(("log", "linear")))


@attrs.define
class GraphConfig:
    """``[signals.graph]``. Defaults tuned on the shared localisation benchmark."""

    #: how many of the best text matches seed the walk (weighted by their scores)
    seeds: int = attrs.field(default=10, validator=attrs.validators.ge(1))
    #: probability of following an edge rather than jumping back to a seed
    damping: float = attrs.field(
        default=0.85, validator=[attrs.validators.ge(0.0), attrs.validators.lt(1.0)]
    )
    #: weight of stepping from a file to its importers (1.0: as to its imports)
    reverse: float = attrs.field(default=0.5, validator=attrs.validators.ge(0.0))
    #: keep the seeds' own restart mass (True) or score only what the walk brings
    keep_seeds: bool = True


def _config(cls: type, ctx: QueryContext, name: str) -> object:
    from atlas_core.api import component_config

    return component_config(cls, ctx.options(name), name)


class PageRankSignal:
    """Global PageRank of the import graph: files many others depend on score higher."""

    name: ClassVar[str] = "pagerank"
    stage: ClassVar[int] = 0
    #: ``[signals.pagerank]``, checked when the config is loaded
    Config: ClassVar[type[PageRankConfig]] = PageRankConfig

    def unavailable(self, ctx: QueryContext) -> str | None:
        from atlas_graph.store import load_graph

        return _MISSING if load_graph(ctx.index) is None else None

    def score(self, ctx: QueryContext) -> np.ndarray:
        from atlas_graph.store import load_graph

        config = _config(PageRankConfig, ctx, self.name)
        assert isinstance(config, PageRankConfig)
        graph = load_graph(ctx.index)
        if graph is None:
            return np.zeros(len(ctx.index))
        if config.scale == "linear":
            from atlas_graph.build import graph_files

            # files without edges were left out of the stored data: they rank as ``base``
            return np.where(graph.rank > 0, graph.rank, graph_files(ctx.index) * graph.base)
        return np.log(np.maximum(graph.rank / max(graph.base, 1e-300), 1.0))


class GraphSignal:
    """Personalised PageRank seeded by the best text matches and the user's seed files.

    The walk follows imports both ways, so the files the best matches depend on and the
    files that depend on them rise: the middleware, its helpers and the code that wires it.
    """

    name: ClassVar[str] = "graph"
    stage: ClassVar[int] = 1
    #: ``[signals.graph]``, checked when the config is loaded
    Config: ClassVar[type[GraphConfig]] = GraphConfig

    def unavailable(self, ctx: QueryContext) -> str | None:
        from atlas_graph.store import load_graph

        return _MISSING if load_graph(ctx.index) is None else None

    def score(self, ctx: QueryContext) -> np.ndarray:
        from atlas_graph.store import load_graph

        config = _config(GraphConfig, ctx, self.name)
        assert isinstance(config, GraphConfig)
        n = len(ctx.index)
        graph = load_graph(ctx.index)
        text = ctx.seed_scores()
        if graph is None or not len(graph.src):
            return np.zeros(n)
        text = np.zeros(n) if text is None else np.asarray(text, dtype=np.float64)
        seeds = list(ctx.seeds)
        if seeds:  # the user's own files start the walk, as strongly as the best match
            text = text.copy()
            text[seeds] = np.maximum(text[seeds], 1.0)
        if not np.any(text > 0):
            ctx.note("signal graph: no text matches to start from")
            return np.zeros(n)
        return spread(
            graph.src,
            graph.dst,
            text,
            seeds=config.seeds + len(seeds),
            damping=config.damping,
            reverse=config.reverse,
            keep_seeds=config.keep_seeds,
        )

    def related(self, ctx: QueryContext, ids: list[int]) -> list[Tie]:
        """The files ``ids`` import and the files importing them.

        An import is a strong tie; an importer of a file many others import is a weak one
        (a hub's importers say little about it).
        """
        from atlas_core.api import Tie
        from atlas_graph.store import load_graph

        graph = load_graph(ctx.index)
        if graph is None or not len(graph.src):
            return []
        fan_in = np.bincount(graph.dst, minlength=graph.n)
        fan_out = np.bincount(graph.src, minlength=graph.n)
        out: list[Tie] = []
        for i in ids:
            imported = graph.imports_of(i)
            for j in imported.tolist():
                # a file imported by many is a utility: less specific to this one
                strength = IMPORTED * min(1.0, 3.0 / np.sqrt(max(fan_in[j], 1)))
                out.append(Tie(j, i, "import of", float(strength)))
            importers = graph.importers_of(i)
            for j in importers.tolist():
                strength = IMPORTER * min(1.0, 3.0 / np.sqrt(max(len(importers), 1)))
                strength *= min(1.0, 4.0 / np.sqrt(max(fan_out[j], 1)))
                out.append(Tie(j, i, "importer of", float(strength)))
        return out


#: tie strengths: a file the given one imports, a file importing the given one
IMPORTED = 0.6
IMPORTER = 0.5


def spread(
    src: np.ndarray,
    dst: np.ndarray,
    text: np.ndarray,
    *,
    seeds: int,
    damping: float,
    reverse: float = 0.5,
    keep_seeds: bool = True,
) -> np.ndarray:
    """Personalised PageRank from the ``seeds`` best files of ``text`` (weighted by score)
    over import edges, followed forwards and, with weight ``reverse``, backwards."""
    from atlas_graph.pagerank import pagerank

    n = len(text)
    top = np.argsort(-text, kind="stable")[:seeds]
    top = top[text[top] > 0]
    teleport = np.zeros(n)
    teleport[top] = text[top]
    teleport /= teleport.sum()
    both_src = np.concatenate([src, dst])
    both_dst = np.concatenate([dst, src])
    weights = np.concatenate([np.ones(len(src)), np.full(len(src), reverse)])
    keep = weights > 0
    rank = pagerank(
        n,
        both_src[keep],
        both_dst[keep],
        weights=weights[keep],
        damping=damping,
        teleport=teleport,
        tol=1e-6,
        # ten steps reach every file that matters: more changed no ranking on the benchmark
        max_iter=10,
    )
    if not keep_seeds:
        rank = np.maximum(rank - (1.0 - damping) * teleport, 0.0)
    return rank
