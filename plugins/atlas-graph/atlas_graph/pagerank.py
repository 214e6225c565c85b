"""PageRank by power iteration over edge arrays (no sparse-matrix library needed)."""

from __future__ import annotations

import numpy as np

__all__ = ["pagerank"]


def pagerank(
    n: int,
    src: np.ndarray,
    dst: np.ndarray,
    *,
    weights: np.ndarray | None = None,
    damping: float = 0.85,
    teleport: np.ndarray | None = None,
    tol: float = 1e-10,
    max_iter: int = 100,
) -> np.ndarray:
    """Stationary distribution of a random surfer on ``n`` nodes; the result sums to 1.

    The surfer follows an out-edge ``src -> dst`` (chosen in proportion to ``weights``)
    with probability ``damping``, else jumps to a node drawn from ``teleport`` (uniform by
    default: global PageRank; concentrated on some nodes: personalised PageRank). A node
    without out-edges jumps as if teleporting.
    """
    if n == 0:
        return np.zeros(0)
    src = np.asarray(src, dtype=np.int64)
    dst = np.asarray(dst, dtype=np.int64)
    w = np.ones(len(src)) if weights is None else np.asarray(weights, dtype=np.float64)
    if teleport is None:
        jump = np.full(n, 1.0 / n)
    else:
        jump = np.asarray(teleport, dtype=np.float64)
        total = jump.sum()
        jump = jump / total if total > 0 else np.full(n, 1.0 / n)
    out_weight = np.bincount(src, weights=w, minlength=n)
    dangling = out_weight == 0
    # share of a node's rank that each of its edges carries
    edge_share = w / np.where(dangling, 1.0, out_weight)[src]
    rank = jump.copy()
    for _ in range(max_iter):
        flow = np.bincount(dst, weights=rank[src] * edge_share, minlength=n)
        lost = rank[dangling].sum()
        new = damping * (flow + lost * jump) + (1.0 - damping) * jump
        delta = float(np.abs(new - rank).sum())
        rank = new
        if delta < tol:
            break
    result: np.ndarray = rank / rank.sum()
    return result
