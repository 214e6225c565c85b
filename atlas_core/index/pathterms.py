"""Per-file path data computed once at index time: the path prior and path-term postings.

The ``path`` signal needs, for every file, a prior (role, depth, well-known directories,
size) and whether each query word names one of its directories or its file name. Both
depend only on the file table, so they are stored with the generation as arrays: a query
then costs a look-up per query word instead of a walk over every path.
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np

from atlas_core.terms import tokenize

__all__ = ["path_arrays"]


def path_arrays(
    paths: Sequence[str], roles: Sequence[str], sizes: Sequence[int], statuses: Sequence[str]
) -> tuple[bytes, dict[str, np.ndarray]]:
    """(sorted path terms joined by newlines, {path_prior, path_off, path_doc}).

    ``path_doc[path_off[k]:path_off[k + 1]]`` are the files (ascending) whose directory or
    file name (before its first dot) holds the ``k``-th term.
    """
    from atlas_core.rank.path import PathHeuristic

    prior = PathHeuristic.prior
    dir_terms: dict[str, frozenset[str]] = {}
    docs_of: dict[str, list[int]] = {}
    values = np.zeros(len(paths), dtype=np.float64)
    for i, rel in enumerate(paths):
        directory, _, name = rel.rpartition("/")
        terms = dir_terms.get(directory)
        if terms is None:
            terms = dir_terms[directory] = frozenset(tokenize(directory))
        for term in terms.union(tokenize(name.split(".")[0])):
            docs_of.setdefault(term, []).append(i)
        values[i] = prior(rel, roles[i], sizes[i], statuses[i])
    ordered = sorted(docs_of)
    off = np.zeros(len(ordered) + 1, dtype=np.int64)
    np.cumsum([len(docs_of[t]) for t in ordered], out=off[1:])
    flat = [i for t in ordered for i in docs_of[t]]
    doc = np.asarray(flat, dtype=np.uint32)
    blob = "\n".join(ordered).encode("utf-8", "surrogateescape")
    return blob, {"path_prior": values, "path_off": off, "path_doc": doc}
