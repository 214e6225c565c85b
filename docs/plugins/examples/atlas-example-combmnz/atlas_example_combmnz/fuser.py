"""CombMNZ (Fox and Shaw, 1994): a file's weighted score sum, times how many signals
gave it any score at all. Files several signals agree on rise above a file one signal
loves."""

from __future__ import annotations

from typing import ClassVar

import numpy as np

from atlas_core.api import Fuser

__all__ = ["CombMNZ"]


class CombMNZ(Fuser):
    """Weighted sum of normalised scores times the number of signals scoring the file."""

    name: ClassVar[str] = "combmnz"

    def fuse(self, scores: dict[str, np.ndarray], weights: dict[str, float]) -> np.ndarray:
        if not scores:
            return np.zeros(0)
        total = np.zeros(len(next(iter(scores.values()))), dtype=np.float64)
        hits = np.zeros_like(total)
        for name, values in scores.items():
            weight = weights.get(name, 1.0)
            if weight <= 0:
                continue
            total += weight * values
            hits += values > 0
        return total * hits
