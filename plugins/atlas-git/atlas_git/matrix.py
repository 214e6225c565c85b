"""The stored history as a commit x file incidence list, ready for numpy at query time."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

import attrs
import numpy as np

if TYPE_CHECKING:
    from atlas_core.api import IndexView, QueryContext
    from atlas_git.messages import MessageIndex

__all__ = ["QueryHistory", "big_commit_discount", "history_of", "messages_of"]

DAY = 86_400.0

# one slot: the git signals of a query read the same stored record
_cache: tuple[Any, QueryHistory] | None = None
_messages: tuple[Any, MessageIndex] | None = None


def big_commit_discount(counts: np.ndarray) -> np.ndarray:
    """Weight of a commit by how many files it touched: 1 up to 2 files, then 1/log2(n).

    A commit touching 8 files counts a third, one touching 64 a sixth: a wide change says
    less about each of its files than a focused one.
    """
    bits = np.log2(np.maximum(counts, 1).astype(np.float64))
    out: np.ndarray = 1.0 / np.maximum(bits, 1.0)
    return out


@attrs.frozen
class QueryHistory:
    """Entries (commit, file) for the files of the current index."""

    n_files: int
    head_time: int
    times: np.ndarray  # per commit
    counts: np.ndarray  # files touched per commit, indexed or not
    ent_commit: np.ndarray  # per entry
    ent_file: np.ndarray  # per entry: a file id of the index
    #: the newest commits recency and co-change use (older ones are kept for their messages)
    recent: int

    @classmethod
    def from_record(cls, record: dict[str, Any], index: IndexView) -> QueryHistory:
        offsets = np.frombuffer(record["offsets"], dtype="<i8")
        files = np.frombuffer(record["files"], dtype="<i4")
        n_files = len(index)
        if record.get("generation") == index.generation:
            ids = np.frombuffer(record["ids"], dtype="<i4")
        else:  # stored for another generation (its update failed): map the paths again
            known = index.ids
            ids = np.asarray([known.get(p, -1) for p in record["paths"]], dtype=np.int64)
        counts = np.diff(offsets).astype(np.int64)
        commit = np.repeat(np.arange(len(counts), dtype=np.int64), counts)
        current = ids[files].astype(np.int64) if len(files) else np.zeros(0, np.int64)
        keep = (current >= 0) & (current < n_files)
        return cls(
            n_files,
            int(record["head_time"]),
            np.frombuffer(record["times"], dtype="<i8").astype(np.float64),
            counts,
            commit[keep],
            current[keep],
            int(record.get("recent", len(counts))),
        )

    @property
    def empty(self) -> bool:
        """True when no stored commit touched an indexed file."""
        return not len(self.ent_file)

    def commit_weights(self, *, half_life_days: float, max_commit_files: int) -> np.ndarray:
        """Weight per commit: the big-commit discount, times a decay by age if asked."""
        weights = big_commit_discount(self.counts)
        weights[self.counts > max_commit_files] = 0.0
        weights[self.recent :] = 0.0
        if half_life_days > 0:
            age_days = (self.head_time - self.times) / DAY
            weights *= np.exp2(-np.maximum(age_days, 0.0) / half_life_days)
        return weights

    def per_file(self, weights: np.ndarray) -> np.ndarray:
        """Sum of the weights of each file's commits."""
        return np.bincount(self.ent_file, weights[self.ent_commit], minlength=self.n_files)

    def cochange(
        self,
        base: np.ndarray,
        weights: np.ndarray,
        *,
        seeds: int,
        min_seed_score: float,
        seed_norm: float,
    ) -> np.ndarray:
        """Score files by how often they changed with the top files of ``base``.

        For each seed ``s`` with score ``b_s`` and (weighted) commit count ``n_s``, a file
        ``f`` gets ``b_s * n_sf / n_s ** seed_norm``, where ``n_sf`` counts the commits that
        touched both: ``seed_norm`` 1 is the confidence ``P(f | s)``, 0 the raw count, and
        the default 0.5 lies between (a seed that changes often votes more, not linearly).
        """
        out = np.zeros(self.n_files)
        if not len(self.ent_file) or seeds <= 0:
            return out
        top = np.argsort(-base, kind="stable")[:seeds]
        best = float(base[top[0]]) if len(top) else 0.0
        top = top[base[top] >= max(min_seed_score * best, 1e-12)]
        if not len(top):
            return out
        seed_weight = np.zeros(self.n_files)
        seed_weight[top] = base[top]
        entry_weight = weights[self.ent_commit]
        total = np.bincount(self.ent_file, entry_weight, minlength=self.n_files)
        is_seed = seed_weight[self.ent_file] > 0
        # each seed entry gives its commit the seed's score over the seed's total weight
        share = np.zeros(len(self.ent_file))
        seed_files = self.ent_file[is_seed]
        denominator = total[seed_files] ** seed_norm
        share[is_seed] = np.divide(
            seed_weight[seed_files] * entry_weight[is_seed],
            denominator,
            out=np.zeros(len(seed_files)),
            where=denominator > 0,
        )
        per_commit = np.bincount(self.ent_commit, share, minlength=len(self.counts))
        # a seed is not its own partner: remove what it gave its own commit
        got = per_commit[self.ent_commit] - share
        return np.maximum(np.bincount(self.ent_file, got, minlength=self.n_files), 0.0)


def history_of(ctx: QueryContext) -> QueryHistory:
    """The history of ``ctx``'s index (built once per stored record)."""
    global _cache
    record = ctx.extra("git")
    if _cache is not None and _cache[0] is record:
        return _cache[1]
    history = QueryHistory.from_record(record, ctx.index)
    _cache = (record, history)
    return history


def messages_of(ctx: QueryContext) -> MessageIndex:
    """The commit messages of ``ctx``'s index (built once per stored record)."""
    from atlas_git.messages import MessageIndex

    global _messages
    record = ctx.extra("git")
    if _messages is not None and _messages[0] is record:
        return _messages[1]
    messages = MessageIndex.from_record(record)
    _messages = (record, messages)
    return messages
