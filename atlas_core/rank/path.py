"""The path heuristic: query words in path segments, and a prior from role, depth,
well-known directories and size."""

from __future__ import annotations

from typing import TYPE_CHECKING, ClassVar, cast

import attrs
import numpy as np

from atlas_core.components import QueryContext
from atlas_core.config import WEIGHT
from atlas_core.index.readercache import per_reader

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
#: how far a role the task's title names moves toward implementation's prior (a third of
#: the way: tests 0.45 -> 0.63, docs 0.3 -> 0.53; docs/quality.md, "Tasks that name a role")
NAMED_ROLE_LIFT = 1 / 3
#: a file under this many bytes (an empty ``__init__.py``, a stub) is rarely what a task
#: changes: its prior is multiplied by ``SMALL_FACTOR``
SMALL_BYTES = 200
SMALL_FACTOR = 0.6
SOURCE_DIRS = {"src", "lib", "pkg", "internal", "app", "core", "cmd", "source", "sources"}
AUX_DIRS = {
    "examples",
    "example",
    "samples",
    "benchmarks",
    "benchmark",
    "benches",  # Cargo's
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
        match_weight: float = attrs.field(default=3.0, validator=WEIGHT)
        #: how far toward implementation's prior a role the task's title names moves
        #: ("add tests for ..." lifts tests): 0 leaves the prior as it is, 1 removes the
        #: role's penalty
        named_role_lift: float = attrs.field(
            default=NAMED_ROLE_LIFT,
            validator=[attrs.validators.ge(0.0), attrs.validators.le(1.0)],
        )
        #: in a long task (a bug report, ``rank.task.LONG_TASK_WORDS``) the share of matched
        #: words is over the title's words, which the body would dilute; False: all words
        long_task_title: bool = True

    def unavailable(self, ctx: QueryContext) -> str | None:
        return None

    def score(self, ctx: QueryContext) -> np.ndarray:
        """``prior * (1 + match_weight * fraction of the query's words in the path)`` (of a
        long task's title's words: ``long_task_title``).

        The prior and the path words of every file are computed at index time
        (:mod:`atlas_core.index.pathterms`), so a query looks up only its own words.
        """
        from atlas_core.config import structure_component_config

        cfg = structure_component_config(self.Config, ctx.options(self.name), self.name)
        # a built-in signal reads the path arrays of Atlas's own reader
        index = cast("IndexReader", ctx.index)
        query = set(ctx.terms)
        if cfg.long_task_title:
            from atlas_core.rank.task import long_task_title  # task parsing: queries only

            query = set(long_task_title(ctx.query, ctx.terms)) or query
        prior = np.asarray(index.path_prior, dtype=np.float64)
        if ctx.prior_factor is not None:  # contributors' evidence (a library copied in)
            prior = prior * ctx.prior_factor
        prior = prior * self._named_role_factor(ctx, index, cfg.named_role_lift)
        # what scales the other signals' evidence: a small file's own words are no weaker
        # (the prior without its small-file factor)
        trust = np.where(per_reader("path.small", index, _small_files), prior / SMALL_FACTOR, prior)
        top = float(trust.max()) if len(trust) else 0.0
        ctx.file_prior = trust / top if top > 0 else None
        if not query:
            return prior
        hits = np.concatenate([index.path_docs(term) for term in query]).astype(np.int64)
        matched = np.bincount(hits, minlength=len(index))
        out: np.ndarray = prior * (1.0 + cfg.match_weight * (matched / len(query)))
        return out

    @staticmethod
    def _named_role_factor(
        ctx: QueryContext, index: IndexReader, lift: float
    ) -> np.ndarray | float:
        """Per file, what moves the prior of a role the task names ``lift`` of the way to
        implementation's (1.0 for every other file)."""
        from atlas_core.rank.intent import named_roles  # task parsing: not for index runs

        roles = sorted(named_roles(ctx.query) & ROLE_PRIOR.keys())
        if not roles or not lift:
            return 1.0
        names, ids, ok = per_reader("path.roles", index, _role_ids)
        factor = np.ones(len(names) + 1)  # the last: files whose prior ignores the role
        for role in roles:
            if role in names:
                prior = ROLE_PRIOR[role]
                factor[names.index(role)] = (prior + lift * (1.0 - prior)) / prior
        ctx.note(f"the task names {' and '.join(roles)} files: their prior is lifted")
        return factor[np.where(ok, ids, len(names))]

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
        if size < SMALL_BYTES:
            value *= SMALL_FACTOR
        return value


def _small_files(index: IndexReader) -> np.ndarray:
    """Which files are under ``SMALL_BYTES``, once per index generation (from the size
    column a query decodes anyway; a file that could not be read counts too: its prior is
    fixed and its evidence nil, so the scale it gets hardly matters, and reading every
    small file's status cost 18 ms at 28k files)."""
    return np.fromiter(index.sizes, np.int64, len(index)) < SMALL_BYTES


def _role_ids(index: IndexReader) -> tuple[list[str], np.ndarray, np.ndarray]:
    """The roles present, each file's position among them, and which files the prior reads
    the role of (status "ok"): computed once per index generation (2 ms at 28k files)."""
    names: dict[str, int] = {}
    ids = np.fromiter((names.setdefault(r, len(names)) for r in index.roles), np.int64)
    ok = np.fromiter((s == "ok" for s in index.statuses), bool)
    return list(names), ids, ok
