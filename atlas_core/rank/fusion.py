"""Fusers: reciprocal rank fusion and weighted linear fusion."""

from __future__ import annotations

from typing import ClassVar

import numpy as np

__all__ = ["ReciprocalRankFusion", "WeightedFusion", "normalize", "ranks"]


def normalize(raw: np.ndarray) -> np.ndarray:
    """Scale to [0, 1] by the maximum (all zeros stay zeros)."""
    top = float(raw.max()) if raw.size else 0.0
    return raw / top if top > 0 else np.zeros_like(raw, dtype=np.float64)


def ranks(scores: np.ndarray) -> np.ndarray:
    """1-based rank of every file by descending score (ties share the better rank)."""
    order = np.argsort(-scores, kind="stable")
    rank = np.empty(len(scores), dtype=np.float64)
    rank[order] = np.arange(1, len(scores) + 1)
    # ties: equal scores get the rank of the first of them
    sorted_scores = scores[order]
    first = np.r_[True, sorted_scores[1:] != sorted_scores[:-1]]
    rank[order] = np.maximum.accumulate(np.where(first, np.arange(1, len(scores) + 1), 0))
    return rank


class ReciprocalRankFusion:
    """Sum over signals of weight / (k + rank); files a signal scores 0 get nothing from it."""

    name: ClassVar[str] = "rrf"
    k: float = 60.0

    def fuse(self, scores: dict[str, np.ndarray], weights: dict[str, float]) -> np.ndarray:
        fused: np.ndarray | None = None
        for name, values in scores.items():
            contribution = weights.get(name, 1.0) / (self.k + ranks(values))
            contribution[values <= 0] = 0.0
            fused = contribution if fused is None else fused + contribution
        return fused if fused is not None else np.zeros(0)


class WeightedFusion:
    """Weighted sum of the signals' normalised scores."""

    name: ClassVar[str] = "weighted"

    def fuse(self, scores: dict[str, np.ndarray], weights: dict[str, float]) -> np.ndarray:
        fused: np.ndarray | None = None
        for name, values in scores.items():
            contribution = weights.get(name, 1.0) * values
            fused = contribution if fused is None else fused + contribution
        return fused if fused is not None else np.zeros(0)
