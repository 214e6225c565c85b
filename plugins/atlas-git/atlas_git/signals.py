"""The git signals: ``git_recency`` and ``git_messages`` (stage 0), ``git_cochange``
(stage 1)."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any, ClassVar

import attrs

if TYPE_CHECKING:
    import numpy as np

    from atlas_core.api import QueryContext, Tie

__all__ = ["GitCochange", "GitMessages", "GitRecency"]

#: the config's ranges (Atlas's converter rejects nan and inf)
_AT_LEAST_0 = attrs.validators.ge(0.0)
_COUNT = attrs.validators.ge(0)
_SHARE = [attrs.validators.ge(0.0), attrs.validators.le(1.0)]


def _unavailable(ctx: QueryContext) -> str | None:
    data = ctx.extra("git")
    if not isinstance(data, dict):
        return "no git history in the index yet (run 'atlas index' with atlas-git installed)"
    if data.get("status") != "ok":
        return str(data.get("reason") or "no git history")
    from atlas_git.history import FORMAT
    from atlas_git.matrix import history_of

    if data.get("format") != FORMAT:
        return "the stored git history is from another atlas-git version (run 'atlas index')"

    if history_of(ctx).empty:
        return "no commit in the history window touches an indexed file"
    return None


class GitRecency:
    """Files changed often and lately: the sum over their commits of an exponential decay.

    Age is measured from the newest commit of the repository, not from today, so an old
    checkout ranks the same as it did when it was current.
    """

    name: ClassVar[str] = "git_recency"
    stage: ClassVar[int] = 0

    @attrs.define
    class Config:
        #: a commit this many days older than the newest one counts half
        half_life_days: float = attrs.field(default=90.0, validator=_AT_LEAST_0)
        #: commits touching more files than this are ignored
        max_commit_files: int = attrs.field(default=50, validator=_COUNT)

    def unavailable(self, ctx: QueryContext) -> str | None:
        return _unavailable(ctx)

    def score(self, ctx: QueryContext) -> np.ndarray:
        from atlas_core.api import component_config
        from atlas_git.matrix import history_of

        cfg = component_config(self.Config, ctx.options(self.name), self.name)
        history = history_of(ctx)
        weights = history.commit_weights(
            half_life_days=cfg.half_life_days, max_commit_files=cfg.max_commit_files
        )
        return history.per_file(weights)


class GitMessages:
    """Files changed by earlier commits whose messages read like the task.

    Each of the newest ``window`` commit messages is scored against the task with BM25
    (Atlas's tokenizer); the ``top`` best commits vote for the files they touched, each
    with its score divided by the square root of its file count, and a file scores the sum
    of its votes. Measured by ``scripts/history_eval.py`` (docs/quality.md).
    """

    name: ClassVar[str] = "git_messages"
    stage: ClassVar[int] = 0

    @attrs.define
    class Config:
        #: the newest commits whose messages are searched
        window: int = attrs.field(default=2000, validator=_COUNT)
        #: how many of the best-matching commits vote
        top: int = attrs.field(default=10, validator=_COUNT)
        #: commits touching more files than this do not vote
        max_commit_files: int = attrs.field(default=50, validator=_COUNT)
        k1: float = attrs.field(default=1.2, validator=attrs.validators.gt(0.0))
        b: float = attrs.field(default=0.75, validator=_SHARE)

    def unavailable(self, ctx: QueryContext) -> str | None:
        return _unavailable(ctx)

    def score(self, ctx: QueryContext) -> np.ndarray:
        import numpy as np

        from atlas_core.api import component_config
        from atlas_git.matrix import history_of, messages_of
        from atlas_git.messages import commit_votes

        cfg = component_config(self.Config, ctx.options(self.name), self.name)
        history = history_of(ctx)
        scores = messages_of(ctx).bm25(ctx.terms, window=cfg.window, k1=cfg.k1, b=cfg.b)
        votes = np.zeros(len(history.counts))
        votes[: len(scores)] = commit_votes(
            scores,
            history.counts[: len(scores)],
            top=cfg.top,
            max_commit_files=cfg.max_commit_files,
        )
        return history.per_file(votes)


class GitCochange:
    """Files that changed in the same commits as the best text matches (temporal coupling).

    The top files of the seed signal (``[pipeline] seed_signal``: ``bm25f``, or ``fused``, the
    first stage's ranking) are seeds, weighted by their score, and so are the user's
    own seed files (``--seed``, ``--diff``) with the weight of the best match; a file scores, summed
    over the seeds, how many of the seed's commits also touched it, damped by how often
    the seed changes (see :meth:`QueryHistory.cochange`).
    """

    name: ClassVar[str] = "git_cochange"
    stage: ClassVar[int] = 1

    @attrs.define
    class Config:
        #: how many of the seed signal's best files are seeds
        seeds: int = attrs.field(default=20, validator=_COUNT)
        #: a seed needs at least this share of the seed signal's best score
        min_seed_score: float = attrs.field(default=0.1, validator=_SHARE)
        #: a seed's votes are divided by its commit count to this power (1: confidence)
        seed_norm: float = attrs.field(default=0.5, validator=_AT_LEAST_0)
        #: commits touching more files than this are ignored
        max_commit_files: int = attrs.field(default=50, validator=_COUNT)
        #: co-changes this many days older than the newest commit count half (0: no decay)
        half_life_days: float = attrs.field(default=0.0, validator=_AT_LEAST_0)

    def unavailable(self, ctx: QueryContext) -> str | None:
        return _unavailable(ctx)

    def score(self, ctx: QueryContext) -> np.ndarray:
        import numpy as np

        from atlas_core.api import FUSED_SEEDS, component_config
        from atlas_git.matrix import history_of

        cfg = component_config(self.Config, ctx.options(self.name), self.name)
        base: Any = ctx.seed_scores()
        if base is None:
            what = "ranking" if ctx.seed_signal == FUSED_SEEDS else "signal"
            ctx.note(f"signal git_cochange has no seeds: the {ctx.seed_signal} {what} did not run")
            return np.zeros(len(ctx.index))
        history = history_of(ctx)
        weights = history.commit_weights(
            half_life_days=cfg.half_life_days, max_commit_files=cfg.max_commit_files
        )
        base = np.asarray(base, dtype=np.float64)
        seeds = list(ctx.seeds)
        if seeds:  # the user's own files vote like the best text match, always
            base = base.copy()
            base[seeds] = np.maximum(base[seeds], 1.0 + 1e-9)
        return history.cochange(
            base,
            weights,
            seeds=cfg.seeds + len(seeds),
            min_seed_score=cfg.min_seed_score,
            seed_norm=cfg.seed_norm,
        )

    def related(self, ctx: QueryContext, ids: list[int]) -> list[Tie]:
        """Files that changed in the same commits as ``ids`` ("co-changed N times")."""
        import numpy as np

        from atlas_core.api import Tie, component_config
        from atlas_git.matrix import history_of

        cfg = component_config(self.Config, ctx.options(self.name), self.name)
        history = history_of(ctx)
        weights = history.commit_weights(half_life_days=0.0, max_commit_files=cfg.max_commit_files)
        out: list[Tie] = []
        for i in ids:
            mine = np.zeros(len(history.counts), dtype=bool)
            mine[history.ent_commit[history.ent_file == i]] = True
            mine &= weights > 0
            total = float(weights[mine].sum())
            if total <= 0:
                continue
            with_mine = mine[history.ent_commit]
            files = history.ent_file[with_mine]
            together = np.bincount(files, minlength=history.n_files)
            weighted = np.bincount(
                files, weights[history.ent_commit[with_mine]], minlength=history.n_files
            )
            for j in np.flatnonzero(together).tolist():
                if j == i:
                    continue
                n = int(together[j])
                strength = COCHANGE * (weighted[j] / total) * (1.0 - 0.5**n)
                times = "once" if n == 1 else f"{n} times"
                out.append(Tie(j, i, "co-changed", float(strength), f"co-changed {times}"))
        return out


#: strength of a file that changed in every commit of the given one (and often)
COCHANGE = 0.8
