"""Token estimates: the unit of every budget (the indexer's and the output's)."""

from __future__ import annotations

import math

__all__ = ["estimate_tokens"]


def estimate_tokens(nbytes: int) -> int:
    """Token estimate of a text: one token per four bytes, rounded up (documented)."""
    return math.ceil(nbytes / 4)
