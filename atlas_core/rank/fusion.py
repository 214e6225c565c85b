"""Fusers: reciprocal rank fusion and weighted linear fusion."""

from __future__ import annotations

from typing import ClassVar

import attrs
import numpy as np

__all__ = [
    "RRFConfig",
    "ReciprocalRankFusion",
    "WeightedConfig",
    "WeightedFusion",
    "normalize",
    "rank_normalize",
    "ranks",
]


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


def rank_normalize(scores: np.ndarray) -> np.ndarray:
    """Scores by rank: of the n files scored above 0, the best gets 1.0, the next
    (n - 1) / n ... the last 1 / n (ties share the better rank); the rest 0."""
    scored = scores > 0
    n = int(scored.sum())
    if not n:
        return np.zeros_like(scores, dtype=np.float64)
    return np.where(scored, (n + 1 - ranks(scores)) / n, 0.0)


@attrs.frozen
class RRFConfig:
    """``[fusers.rrf]``."""

    #: the rank offset: larger flattens the gap between the first ranks and the rest
    k: float = attrs.field(default=60.0, validator=attrs.validators.gt(0.0))


class ReciprocalRankFusion:
    """Sum over signals of weight / (k + rank); files a signal scores 0 get nothing from it."""

    name: ClassVar[str] = "rrf"
    Config: ClassVar[type[RRFConfig]] = RRFConfig

    def __init__(self, k: float = 60.0) -> None:
        self.k = k

    def configure(self, config: RRFConfig) -> ReciprocalRankFusion:
        """A copy with the ``[fusers.rrf]`` settings."""
        return ReciprocalRankFusion(config.k)

    def fuse(self, scores: dict[str, np.ndarray], weights: dict[str, float]) -> np.ndarray:
        fused: np.ndarray | None = None
        for name, values in scores.items():
            contribution = weights.get(name, 1.0) / (self.k + ranks(values))
            contribution[values <= 0] = 0.0
            fused = contribution if fused is None else fused + contribution
        return fused if fused is not None else np.zeros(0)


@attrs.frozen
class WeightedConfig:
    """``[fusers.weighted]``."""

    #: "max": each signal's scores divided by its best (as the pipeline passes them);
    #: "rank": each signal's scores replaced by their rank (:func:`rank_normalize`), so a
    #: signal's spread of values no longer matters, only its order
    normalize: str = attrs.field(default="max", validator=attrs.validators.in_(("max", "rank")))


class WeightedFusion:
    """Weighted sum of the signals' normalised scores."""

    name: ClassVar[str] = "weighted"
    Config: ClassVar[type[WeightedConfig]] = WeightedConfig

    def __init__(self, normalize: str = "max") -> None:
        self.normalize = normalize

    def configure(self, config: WeightedConfig) -> WeightedFusion:
        """A copy with the ``[fusers.weighted]`` settings."""
        return WeightedFusion(config.normalize)

    def fuse(self, scores: dict[str, np.ndarray], weights: dict[str, float]) -> np.ndarray:
        fused: np.ndarray | None = None
        for name, values in scores.items():
            if self.normalize == "rank":
                values = rank_normalize(values)
            contribution = weights.get(name, 1.0) * values
            fused = contribution if fused is None else fused + contribution
        return fused if fused is not None else np.zeros(0)
