"""Choosing files within a budget."""

from __future__ import annotations

import numpy as np

__all__ = ["select_within_budget"]


def select_within_budget(
    order: np.ndarray,
    scores: np.ndarray,
    tokens: list[int],
    sizes: list[int],
    *,
    max_tokens: int | None,
    max_bytes: int | None,
    min_score: float,
    top: int | None,
) -> list[int]:
    """Walk files by descending score and keep each one that still fits.

    A file too large for what is left is skipped, not a reason to stop: smaller files
    further down may still fit. Stops at ``top`` files or at the first score below
    ``min_score``.
    """
    chosen: list[int] = []
    used_tokens = used_bytes = 0
    for i in order.tolist():
        if scores[i] < min_score or scores[i] <= 0:
            break
        if top is not None and len(chosen) >= top:
            break
        if max_tokens is not None and used_tokens + tokens[i] > max_tokens:
            continue
        if max_bytes is not None and used_bytes + sizes[i] > max_bytes:
            continue
        chosen.append(i)
        used_tokens += tokens[i]
        used_bytes += sizes[i]
    return chosen
