"""A C-family header's centrality is its implementation's too.

The include graph makes headers the hubs (``jv.h``, ``SDWebImageManager.h``), but what a
header declares lives in its implementation file, which few files include. PageRank alone
ranks the header above the file a change to that module most often touches.
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np

__all__ = ["HEADER_SUFFIXES", "IMPLEMENTATION_SUFFIXES", "share_with_implementations"]

HEADER_SUFFIXES = (".h", ".hh", ".hpp", ".hxx")
IMPLEMENTATION_SUFFIXES = (".c", ".cc", ".cpp", ".cxx", ".m", ".mm")


def share_with_implementations(paths: Sequence[str], rank: np.ndarray) -> np.ndarray:
    """``rank`` with each implementation file raised to its header's rank when that is
    higher. A header's implementation is the file of the same name beside it
    (``src/jv.h``, ``src/jv.c``), else the only implementation file of that name in the
    repository (``include/git2/repo.h``, ``src/repo.c``)."""
    beside: dict[str, list[int]] = {}
    by_name: dict[str, list[int]] = {}
    headers: list[int] = []
    for i, path in enumerate(paths):
        if path.endswith(IMPLEMENTATION_SUFFIXES):
            stem = path.rpartition(".")[0]
            beside.setdefault(stem, []).append(i)
            by_name.setdefault(stem.rpartition("/")[2], []).append(i)
        elif path.endswith(HEADER_SUFFIXES):
            headers.append(i)
    out = rank.copy()
    for h in headers:
        stem = paths[h].rpartition(".")[0]
        found = beside.get(stem)
        if found is None:
            named = by_name.get(stem.rpartition("/")[2], [])
            found = named if len(named) == 1 else []
        for i in found:
            out[i] = max(out[i], rank[h])
    return out
