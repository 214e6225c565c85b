"""Earlier commit messages like the task: BM25 over the stored messages, votes per file.

Everything is vectorised over the stored term entries; the only Python loop is over the
task's distinct terms.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Sequence
from typing import Any

import attrs
import numpy as np

__all__ = ["MessageIndex", "commit_votes"]


@attrs.frozen
class MessageIndex:
    """The message terms of a history's commits (newest first) as a CSR, plus the vocabulary
    as a dict for the task's lookups."""

    word_ids: dict[str, int]
    term_offsets: np.ndarray  # int64, one more than the commits
    terms: np.ndarray  # int64 vocabulary ids
    tfs: np.ndarray  # float64 term frequencies

    @classmethod
    def from_record(cls, record: dict[str, Any]) -> MessageIndex:
        vocab = list(record["vocab"])
        return cls(
            dict(zip(vocab, range(len(vocab)), strict=True)),
            np.frombuffer(record["term_offsets"], dtype="<i8").astype(np.int64),
            np.frombuffer(record["terms"], dtype="<i4").astype(np.int64),
            np.frombuffer(record["tfs"], dtype="<u2").astype(np.float64),
        )

    def bm25(
        self, query: Sequence[str], *, window: int, k1: float = 1.2, b: float = 0.75
    ) -> np.ndarray:
        """BM25 of the newest ``window`` commit messages for ``query`` (one score each).

        Repeated query terms count once each, as in ``bm25f``; the collection (document
        count, frequencies, average length) is the window itself.
        """
        n = int(max(min(window, len(self.term_offsets) - 1), 0))
        scores = np.zeros(n)
        if not n:
            return scores
        end = int(self.term_offsets[n])
        terms, tfs = self.terms[:end], self.tfs[:end]
        commit = np.repeat(np.arange(n), np.diff(self.term_offsets[: n + 1]))
        lengths = np.bincount(commit, tfs, minlength=n)
        avg = max(float(lengths.mean()), 1e-9)
        qtf = np.zeros(len(self.word_ids))
        for term, count in Counter(query).items():
            tid = self.word_ids.get(term)
            if tid is not None:
                qtf[tid] = count
        hit = qtf[terms] > 0
        if not hit.any():
            return scores
        terms, tfs, commit = terms[hit], tfs[hit], commit[hit]
        df = np.bincount(terms, minlength=len(qtf))[terms]
        idf = np.log1p((n - df + 0.5) / (df + 0.5))
        norm = k1 * (1.0 - b + b * lengths[commit] / avg)
        part = qtf[terms] * idf * tfs * (k1 + 1.0) / (tfs + norm)
        return np.bincount(commit, part, minlength=n)


def commit_votes(
    scores: np.ndarray, counts: np.ndarray, *, top: int, max_commit_files: int
) -> np.ndarray:
    """Per commit of ``counts``: what each of its files gets from it.

    The ``top`` best-scoring commits (ties: the newer first) vote when they scored above 0
    and touched between 1 and ``max_commit_files`` files: ``score / sqrt(files)``, so a
    focused commit says more about each of its files than a wide one. Other commits give 0.
    """
    votes = np.zeros(len(counts))
    if not len(scores) or top <= 0:
        return votes
    best = np.argsort(-scores, kind="stable")[:top]
    n = counts[best].astype(np.float64)
    keep = (scores[best] > 0) & (n > 0) & (n <= max_commit_files)
    votes[best[keep]] = scores[best[keep]] / np.sqrt(n[keep])
    return votes
