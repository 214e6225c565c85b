"""Pseudo-relevance feedback: words the best text matches share, added to the query.

A task says "retry"; the files that match it best define ``Backoff``, ``attempts`` and
``RetryPolicy``. Those names, shared by several of the best matches and rare in the
repository, are added to the query with a smaller weight (RM3, Lavrenko and Croft 2001, on
symbol names instead of whole texts), so a file that uses the repository's own words for
the task's idea is found even when it never writes the task's words.
"""

from __future__ import annotations

import math
from collections import defaultdict
from typing import TYPE_CHECKING

import numpy as np

from atlas_core.terms import tokenize

if TYPE_CHECKING:
    from atlas_core.index.reader import IndexReader

__all__ = ["feedback_terms"]


def feedback_terms(
    index: IndexReader,
    scores: np.ndarray,
    query: set[str],
    *,
    docs: int = 10,
    terms: int = 10,
    min_share: float = 0.2,
    max_df: float = 0.1,
) -> dict[str, float]:
    """Up to ``terms`` words of the symbol names of the ``docs`` best files, with a weight
    from 0 to 1: the share of the feedback (the files' scores) whose files name the word,
    times its rarity. A word must be named by files holding ``min_share`` of the feedback
    and by at most ``max_df`` of all files; words of the query are left out."""
    n = len(index)
    k = min(docs, int(np.count_nonzero(scores > 0)))
    if k < 2:
        return {}
    best = np.argpartition(-scores, k - 1)[:k]
    shares = scores[best] / float(scores[best].sum())
    votes: defaultdict[str, float] = defaultdict(float)
    for doc, share in zip(best.tolist(), shares.tolist(), strict=True):
        words: set[str] = set()
        for row in index.chunk_rows(doc):
            # definitions only: a module's chunk is its docstring, and imports name
            # libraries (``subprocess``, ``hashlib``) more often than the task's ideas
            if row[0] not in ("module", "import"):
                words.update(tokenize(row[1]))
        for word in words - query:
            votes[word] += share
    weighted: dict[str, float] = {}
    for word, vote in votes.items():
        if vote < min_share:
            continue
        df = index.document_frequency(word)
        if not df or df > max_df * n:
            continue
        weighted[word] = vote * math.log(1.0 + (n - df + 0.5) / (df + 0.5))
    chosen = sorted(weighted, key=lambda w: (-weighted[w], w))[:terms]
    if not chosen:
        return {}
    top = weighted[chosen[0]]
    return {word: weighted[word] / top for word in chosen}
