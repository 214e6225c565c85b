"""The path heuristic: query words in path segments, and a prior from role, depth,
well-known directories and size."""

from __future__ import annotations

from typing import TYPE_CHECKING, ClassVar, cast

import attrs
import numpy as np

from atlas_core.components import QueryContext

if TYPE_CHECKING:
    from atlas_core.index.reader import IndexReader

__all__ = ["PathHeuristic"]

ROLE_PRIOR = {
    "impl": 1.0,
    "test": 0.45,
    "config": 0.4,
    "docs": 0.3,
    "build": 0.35,
    "generated": 0.1,
    "vendor": 0.05,
    "other": 0.3,
}
SOURCE_DIRS = {"src", "lib", "pkg", "internal", "app", "core", "cmd", "source", "sources"}
AUX_DIRS = {
    "examples",
    "example",
    "samples",
    "benchmarks",
    "bench",
    "scripts",
    "tools",
    "contrib",
    "demo",
    "demos",
    "misc",
    "hack",
    "_examples",
    "fixtures",
    "migrations",
}


class PathHeuristic:
    """Query words in directory and file names, scaled by a prior on role, depth and size."""

    name: ClassVar[str] = "path"
    stage: ClassVar[int] = 0

    @attrs.define
    class Config:
        match_weight: float = 3.0

    def unavailable(self, ctx: QueryContext) -> str | None:
        return None

    def score(self, ctx: QueryContext) -> np.ndarray:
        """``prior * (1 + match_weight * fraction of the query's words in the path)``.

        The prior and the path words of every file are computed at index time
        (:mod:`atlas_core.index.pathterms`), so a query looks up only its own words.
        """
        from atlas_core.config import structure_component_config

        cfg = structure_component_config(self.Config, ctx.options(self.name), self.name)
        # a built-in signal reads the path arrays of Atlas's own reader
        index = cast("IndexReader", ctx.index)
        query = set(ctx.terms)
        prior = np.asarray(index.path_prior, dtype=np.float64)
        if not query:
            return prior * (1.0 + cfg.match_weight * 0.0)
        hits = np.concatenate([index.path_docs(term) for term in query]).astype(np.int64)
        matched = np.bincount(hits, minlength=len(index))
        fraction = matched / len(query)
        out: np.ndarray = prior * (1.0 + cfg.match_weight * fraction)
        return out

    @staticmethod
    def prior(rel: str, role: str, size: int, status: str) -> float:
        if status != "ok":
            return 0.05
        parts = rel.split("/")
        value = ROLE_PRIOR.get(role, 0.3)
        dirs = parts[:-1]
        if any(d in AUX_DIRS for d in dirs):
            value *= 0.6
        elif dirs and dirs[0] in SOURCE_DIRS:
            value *= 1.1
        value *= 1.0 / (1.0 + 0.05 * max(len(dirs) - 2, 0))
        if size < 200:
            value *= 0.6
        return value
