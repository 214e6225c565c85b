"""Delta generations: an update that writes what changed, not the whole index again.

The postings and chunk records of a large repository are tens of megabytes; rewriting
them because one file changed costs far more than the change. A *delta generation*
keeps them as they are in its *base* (the last generation written in full: the files are
hard links, so nothing is copied) and adds:

- ``base_map``: for each file of the base, its id in this generation, or -1 when it was
  changed or deleted since (its base postings and chunks are ignored);
- ``delta_terms``/``delta_off``/``delta_doc``/``delta_tf``: the postings of every file
  processed since the base (changed or added), by term id then file id;
- ``delta_symbols.bin``/``delta_symbols_off``: those files' chunk records, and
  ``symbols_src`` saying for each file where its record is (base id, or ``-1 - k`` for
  the k-th delta record).

The file table, ``doclen``, the path arrays and the dictionary are whole in every
generation (term ids stay stable, new terms are appended). A reader merges base and
delta per term, so postings come out exactly as a full rebuild would store them. The
next update builds its delta over the same base, carrying the previous delta's files;
once the delta holds more than :data:`MERGE_FRACTION` of the base's postings or files,
the update writes a full generation instead, which becomes the next base.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

import attrs
import numpy as np

if TYPE_CHECKING:
    from atlas_core.index.reader import IndexReader

__all__ = ["MERGE_FRACTION", "DeltaParts", "build_delta", "delta_rows", "wants_delta"]

#: a delta larger than this share of its base (postings or files) is merged into a new base
MERGE_FRACTION = 0.125
#: files linked from the previous generation unchanged (the base's)
BASE_FILES = (
    "post_off.npy",
    "post_doc.npy",
    "post_tf.npy",
    "post_tf_big_at.npy",
    "post_tf_big.npy",
    "symbols.bin",
    "symbols_off.npy",
)


@attrs.define
class DeltaParts:
    """What a delta generation writes besides the file table, dictionary and path data."""

    arrays: dict[str, np.ndarray]
    symbols: bytes
    postings: int  # every live posting, base and delta


def wants_delta(olds: np.ndarray, fresh: int, old: IndexReader) -> bool:
    """Whether an update of ``old`` should be written as a delta generation.

    ``olds`` holds each new file's id in ``old`` (-1 for a file processed now), ``fresh``
    the number of postings of the files processed now.
    """
    base_postings = len(old.array("post_doc"))
    base_files = len(old.array("base_map")) if old.delta else len(old)
    if not base_postings or not base_files:
        return False
    carried = len(old.array("delta_doc")) if old.delta else 0
    if fresh + carried > MERGE_FRACTION * base_postings:
        return False
    kept = olds[olds >= 0]
    if old.delta:  # files carried from the old delta are not in the base
        kept = kept[np.asarray(old.array("symbols_src"))[kept] >= 0]
    return base_files - len(kept) <= MERGE_FRACTION * base_files


def _sources(olds: np.ndarray, old: IndexReader) -> np.ndarray:
    """Where each new file's chunk record is: its base id, or -1 when it is in the delta
    (processed now, or carried from ``old``'s delta)."""
    src = np.full(len(olds), -1, dtype=np.int64)
    carried_new = np.flatnonzero(olds >= 0)
    if old.delta:
        old_src = np.asarray(old.array("symbols_src"), dtype=np.int64)
        src[carried_new] = np.maximum(old_src[olds[carried_new]], -1)
    else:
        src[carried_new] = olds[carried_new]
    return src


def delta_rows(olds: np.ndarray, old: IndexReader) -> list[int]:
    """The new files whose chunk records go into the delta, in order (see
    :func:`build_delta`'s ``records``)."""
    return np.flatnonzero(_sources(olds, old) < 0).tolist()


#: base files newly dropped by an update up to which their postings are counted one by one
_FEW_DROPPED = 8


def _live_base_postings(old: IndexReader, base_map: np.ndarray) -> int:
    """The base postings of files that are still live (``base_map`` >= 0).

    Counted from ``old``'s own figure minus the postings of the base files this update
    drops: a pass over every base posting (5 million at 28k files, 20 ms) only when many
    files are dropped at once.
    """
    base_doc = np.asarray(old.array("post_doc"))
    dead = base_map < 0
    if old.delta:
        was_live = np.asarray(old.array("base_map")) >= 0
        before = old.stats.get("postings", -1) - len(old.array("delta_doc"))
    else:
        was_live = np.ones(len(base_map), dtype=bool)
        before = len(base_doc)
    dropped = np.flatnonzero(dead & was_live)
    if not isinstance(before, int) or before < 0 or len(dropped) > _FEW_DROPPED:
        return len(base_doc) - int(np.count_nonzero(dead[base_doc])) if len(base_doc) else 0
    return before - sum(int(np.count_nonzero(base_doc == d)) for d in dropped.tolist())


def build_delta(
    olds: np.ndarray,
    records: list[bytes],
    old: IndexReader,
    fresh: tuple[np.ndarray, np.ndarray, np.ndarray],
) -> DeltaParts:
    """The delta over ``old``'s base of the files whose ids in ``old`` are ``olds`` (-1:
    processed now). ``records`` are the chunk records of the files :func:`delta_rows`
    names; ``fresh`` the (term, file, tf) postings of the files processed now, sorted by
    term then file."""
    n = len(olds)
    new_id = np.full(len(old) + 1, -1, dtype=np.int64)  # old id -> new id; [-1] stays -1
    carried_new = np.flatnonzero(olds >= 0)
    carried_old = olds[carried_new]
    new_id[carried_old] = carried_new
    if old.delta:
        old_map = np.asarray(old.array("base_map"), dtype=np.int64)
        base_map = new_id[old_map]  # -1 indexes the trailing -1
    else:
        base_map = new_id[:-1].copy()

    # postings: the old delta's files still carried, then the fresh ones, merged
    term, doc, tf = fresh
    if old.delta and len(old.array("delta_doc")):
        d_off = np.asarray(old.array("delta_off"), dtype=np.int64)
        d_term = np.repeat(np.asarray(old.array("delta_terms"), dtype=np.uint32), np.diff(d_off))
        d_doc = new_id[np.asarray(old.array("delta_doc"), dtype=np.int64)]
        keep = d_doc >= 0
        term = np.concatenate([d_term[keep], term])
        doc = np.concatenate([d_doc[keep].astype(np.uint32), doc])
        tf = np.concatenate([np.asarray(old.array("delta_tf"))[keep], tf])
        order = np.lexsort((doc, term))
        term, doc, tf = term[order], doc[order], tf[order]
    terms, counts = np.unique(term, return_counts=True)
    off = np.zeros(len(terms) + 1, dtype=np.int64)
    np.cumsum(counts, out=off[1:])

    # chunk records: where each file's is, and the delta's own
    src = _sources(olds, old)
    in_delta = np.flatnonzero(src < 0)  # processed now, or carried from the old delta
    if len(records) != len(in_delta):
        raise ValueError("one chunk record per file of the delta is needed")
    src[in_delta] = -1 - np.arange(len(in_delta))
    sym_off = np.zeros(len(records) + 1, dtype=np.int64)
    np.cumsum([len(r) for r in records], out=sym_off[1:])

    # field lengths: carried rows as they were, the delta's files' from their postings
    doclen = np.zeros((n, 3), dtype=np.float32)
    doclen[carried_new] = np.asarray(old.doclen)[carried_old]
    for col in range(3):
        sums = np.bincount(doc, weights=tf[:, col], minlength=n)
        doclen[in_delta, col] = sums[in_delta]

    live = _live_base_postings(old, base_map)
    arrays: dict[str, np.ndarray] = {
        "base_map": base_map,
        "delta_terms": terms.astype(np.uint32),
        "delta_off": off,
        "delta_doc": doc.astype(np.uint32),
        "delta_tf": np.ascontiguousarray(tf, dtype=np.uint16),
        "delta_symbols_off": sym_off,
        "symbols_src": src,
        "doclen": doclen,
    }
    return DeltaParts(arrays, b"".join(records), live + len(doc))
