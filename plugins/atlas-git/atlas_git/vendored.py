"""Libraries copied into the source tree: a directory inside it with a licence of its own
(``src/decNumber/ICU-license.html``) that the project's own commits rarely touch.

The licence says the code came from elsewhere; the history says whether the project still
works on it. A fork it maintains (black's ``src/blib2to3/``: about 4% of the commits for 3%
of the files) keeps its prior; a library copied in (jq's ``src/decNumber/``: well under 1%
of the commits for 7% of the files) has its files' path prior multiplied by
``vendored_factor`` (the vendor role's prior).
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import TYPE_CHECKING, Any

import numpy as np

if TYPE_CHECKING:
    from atlas_core.api import IndexView, PriorFactor
    from atlas_git.history import History

__all__ = ["prior_factors", "quiet_subtrees"]

#: fewer commits with files than this say too little about how a directory is worked on
MIN_COMMITS = 20
#: directories named one by one in a query's ``-v`` notes and ``atlas inspect``
MAX_REASONS = 10


def quiet_subtrees(view: IndexView, history: History, *, max_share: float) -> list[dict[str, Any]]:
    """The licensed directories (:func:`atlas_core.api.licensed_subtrees`) that the stored
    commits touch less than ``max_share`` of what their share of the indexed files would
    suggest, with the evidence and the ids of their files (msgpack-able)."""
    from atlas_core.api import licensed_subtrees

    counts = history.counts
    window = int(np.count_nonzero(counts))
    if window < MIN_COMMITS:
        return []
    paths = view.paths
    found = licensed_subtrees(paths)
    if not found:
        return []
    dirs = [d for d, _ in found]
    index_dir = _subtree_of(paths, dirs)
    entry_dir = _subtree_of(history.paths, dirs)[history.files]
    entry_commit = np.repeat(np.arange(len(counts)), counts)
    hit = entry_dir >= 0
    # distinct (directory, commit) pairs: how many commits touch each directory
    pairs = np.unique(entry_dir[hit].astype(np.int64) * len(counts) + entry_commit[hit])
    touched = np.bincount(pairs // max(len(counts), 1), minlength=len(dirs))
    files = np.bincount(index_dir[index_dir >= 0], minlength=len(dirs))
    quiet = (files > 0) & (touched / window < max_share * files / len(paths))
    # each directory's file ids, grouped in one sort (a tree may hold thousands of them)
    order = np.argsort(index_dir, kind="stable")
    starts = np.searchsorted(index_dir[order], np.arange(len(dirs) + 1))
    return [
        {
            "dir": found[k][0],
            "licence": found[k][1],
            "commits": int(touched[k]),
            "window": window,
            "ids": order[starts[k] : starts[k + 1]].astype("<i4").tobytes(),
        }
        for k in np.flatnonzero(quiet).tolist()
    ]


def prior_factors(data: dict[str, Any], index: IndexView) -> list[PriorFactor]:
    """One factor per quiet licensed directory stored in ``data`` (the git record), when it
    was worked out for ``index``'s generation; past ``MAX_REASONS`` directories, one for the
    rest (a query's ``-v`` says one line for each)."""
    from atlas_core.api import PriorFactor, display_path

    found = data.get("vendored") or []
    if not found or data.get("generation") != index.generation:
        return []
    factor = float(data.get("vendored_factor", 1.0))
    out = [
        PriorFactor(
            _ids(item),
            factor,
            f"{display_path(item['dir'])} is a library copied in (its own {item['licence']}; "
            f"{item['commits']} of the last {item['window']} commits touch it)",
        )
        for item in found[:MAX_REASONS]
    ]
    rest = found[MAX_REASONS:]
    if rest:
        ids = np.concatenate([_ids(item) for item in rest])
        out.append(PriorFactor(ids, factor, f"{len(rest)} more libraries copied in"))
    return out


def _ids(item: dict[str, Any]) -> np.ndarray:
    return np.frombuffer(item["ids"], dtype="<i4").astype(np.int64)


def _subtree_of(paths: Sequence[str], dirs: list[str]) -> np.ndarray:
    """Per path, the position in ``dirs`` of the directory holding it (-1: none; the
    innermost when they nest)."""
    position = {d: k for k, d in enumerate(dirs)}
    out = np.full(len(paths), -1, dtype=np.int32)
    for i, rel in enumerate(paths):
        end = rel.rfind("/")
        while end > 0:
            k = position.get(rel[: end + 1])
            if k is not None:
                out[i] = k
                break
            end = rel.rfind("/", 0, end)
    return out
