"""The best passage of a file: BM25 over windows of lines, the file scored by its best one.

Whole-file BM25 lets a long file collect a task's words from all over it; a change usually
sits where the words meet. Each candidate file is cut into windows of ``window`` lines
(overlapping by half), every window is scored with BM25 (the index's idf, a window's own
length against the average window), and the file gets the score of its best window.
"""

from __future__ import annotations

import math
from collections import Counter
from collections.abc import Iterable
from typing import Any

import numpy as np

from atlas_core.terms import IDENT, identifier_terms

__all__ = ["best_passage_scores"]


def best_passage_scores(
    index: Any,
    terms: list[str],
    candidates: Iterable[int],
    window: int = 40,
    k1: float = 1.2,
    b: float = 0.75,
) -> np.ndarray:
    """Per file of ``index``: the BM25 score of its best window for ``terms`` (0 for files
    not in ``candidates``)."""
    n_docs = len(index)
    out = np.zeros(n_docs, dtype=np.float64)
    query = Counter(terms)
    idf: dict[str, float] = {}
    for term in query:
        tid = index.term_id(term)
        if tid is None:
            continue
        df = len(index.postings(tid)[0])
        if df:
            idf[term] = math.log(1.0 + (n_docs - df + 0.5) / (df + 0.5))
    if not idf:
        return out
    names = sorted(idf)
    column = {t: k for k, t in enumerate(names)}
    weights = np.array([idf[t] * query[t] for t in names])
    step = max(window // 2, 1)
    for i in candidates:
        text = index.read_text(i)
        if not text:
            continue
        lines = text.count("\n") + 1
        starts = np.fromiter(
            (m.start() for m in IDENT.finditer(text)), dtype=np.int64
        )  # positions of identifiers
        if not len(starts):
            continue
        newlines = np.flatnonzero(np.frombuffer(text.encode("utf-32-le"), dtype=np.uint32) == 10)
        line_of = np.searchsorted(newlines, starts)
        hits = np.zeros((lines, len(names)))
        size = np.bincount(line_of, minlength=lines).astype(np.float64)
        for line, m in zip(line_of.tolist(), IDENT.finditer(text), strict=True):
            for term in identifier_terms(m.group()):
                k = column.get(term)
                if k is not None:
                    hits[line, k] += 1
        # window sums of hits and sizes, by cumulative sums over lines
        cum_hits = np.vstack([np.zeros(len(names)), np.cumsum(hits, axis=0)])
        cum_size = np.concatenate([[0.0], np.cumsum(size)])
        first = np.arange(0, max(lines - step, 1), step)
        last = np.minimum(first + window, lines)
        tf = cum_hits[last] - cum_hits[first]
        length = cum_size[last] - cum_size[first]
        avg = max(float(size.sum()) * window / max(lines, 1), 1.0)
        norm = (1.0 - b + b * length / avg)[:, None]
        scores = (weights * tf * (k1 + 1.0) / (tf + k1 * norm)).sum(axis=1)
        out[i] = float(scores.max()) if len(scores) else 0.0
    return out
