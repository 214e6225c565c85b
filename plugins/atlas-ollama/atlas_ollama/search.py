"""Exact vector search over the int8 matrix, and chunk scores merged per file."""

from __future__ import annotations

import numpy as np

__all__ = ["best_per_file", "similarities"]

_BLOCK = 16_384


def similarities(
    matrix: np.ndarray, scales: np.ndarray, query: np.ndarray, rows: np.ndarray
) -> np.ndarray:
    """Cosine similarity of the query with each chosen row (exact, blockwise float32)."""
    q = np.asarray(query, dtype=np.float32)
    rows = np.asarray(rows, dtype=np.int64)
    out = np.empty(len(rows), dtype=np.float32)
    contiguous = len(rows) == len(matrix) and bool((rows == np.arange(len(rows))).all())
    for start in range(0, len(rows), _BLOCK):
        block = (
            matrix[start : start + _BLOCK] if contiguous else matrix[rows[start : start + _BLOCK]]
        )
        out[start : start + len(block)] = block.astype(np.float32) @ q
    scaled: np.ndarray = out * np.asarray(scales, dtype=np.float32)[rows]
    return scaled


def best_per_file(owner: np.ndarray, sims: np.ndarray, n_files: int) -> np.ndarray:
    """Each file's best chunk similarity (-inf for files without chunks)."""
    best = np.full(n_files, -np.inf, dtype=np.float64)
    if len(owner):
        np.maximum.at(best, owner, sims.astype(np.float64))
    return best
