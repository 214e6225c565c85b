"""Postings of a generation: gathered from the files processed in a run, merged with the
carried ones of an update, or inverted from a build's spill files, into the stored arrays."""

from __future__ import annotations

import contextlib
import os
from array import array
from collections.abc import Mapping
from pathlib import Path
from typing import TYPE_CHECKING, Any, Protocol

import numpy as np

from atlas_core.errors import IndexWriteError
from atlas_core.index.radix import stable_order
from atlas_core.index.tfcodec import doc_dtype, pack_tf

if TYPE_CHECKING:
    from atlas_core.index.reader import IndexReader

__all__ = [
    "Processed",
    "Spill",
    "field_lengths",
    "fresh_postings",
    "invert",
    "merge",
    "offsets",
    "posting_arrays",
    "stored_arrays",
]


class Processed(Protocol):
    """A file processed in this run: its postings until they are gathered."""

    terms: np.ndarray | None  # global term ids
    tf: np.ndarray | None  # per field


def fresh_postings(
    processed: Mapping[int, Processed],
) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """(term, doc, tf) of the files processed in this run (by file id), sorted by term then
    file id; their ``terms`` and ``tf`` are released as they are gathered."""
    fresh = sorted(processed.items())
    terms = [d.terms for _, d in fresh if d.terms is not None]
    tfs = [d.tf for _, d in fresh if d.tf is not None]
    counts = np.array([len(t) for t in terms], dtype=np.int64)
    # 32-bit ids: the largest arrays of a build, kept at half the size of int64
    term = np.concatenate(terms).astype(np.uint32) if terms else np.zeros(0, np.uint32)
    for _, d in fresh:
        d.terms = None
    tf = np.concatenate(tfs).astype(np.uint16) if tfs else np.zeros((0, 3), np.uint16)
    for _, d in fresh:
        d.tf = None
    ids = np.array([k for k, _ in fresh], dtype=np.uint32)
    doc = np.repeat(ids, counts) if len(ids) else np.zeros(0, np.uint32)
    order = stable_order(term)  # files are already in ascending order
    return term[order], doc[order], np.take(tf, order, axis=0)


def posting_arrays(
    n_terms: int, n_docs: int, term: np.ndarray, doc: np.ndarray, tf: np.ndarray
) -> dict[str, np.ndarray]:
    """Postings sorted by (term, file) into the stored arrays, with per-field lengths."""
    doclen = np.zeros((n_docs, 3), dtype=np.float32)
    for col in range(3):
        doclen[:, col] = np.bincount(doc, weights=tf[:, col], minlength=n_docs)
    post_doc = doc.astype(doc_dtype(n_docs), copy=False)
    return stored_arrays(np.bincount(term, minlength=n_terms), post_doc, tf, doclen)


def stored_arrays(
    df: np.ndarray, doc: np.ndarray, tf: np.ndarray, doclen: np.ndarray
) -> dict[str, np.ndarray]:
    """The stored arrays of postings sorted by (term, file): ``df`` counts each term id's
    postings, ``doc`` is in its stored type, ``doclen`` sums each file's tf per field."""
    small, big_at, big = pack_tf(tf)
    return {
        "post_off": offsets(df),
        "post_doc": doc,
        "post_tf": small,
        "post_tf_big_at": big_at,
        "post_tf_big": big,
        "doclen": doclen,
    }


def invert(processed: Mapping[int, Processed], n_docs: int, n_terms: int) -> dict[str, np.ndarray]:
    """Postings of a build from scratch kept in memory (see ``Spill.inverted``)."""
    term, doc, tf = fresh_postings(processed)
    return posting_arrays(n_terms, n_docs, term, doc, tf)


def merge(
    processed: Mapping[int, Processed], old_id: np.ndarray, old: IndexReader, n_terms: int
) -> dict[str, np.ndarray]:
    """Postings of an update: the old ones of carried files (``old_id``: each new file's
    row in ``old``, -1 when processed; ids renumbered, order kept, since ids follow the
    sorted paths) with the processed files' inserted in place."""
    n_docs = len(old_id)
    new_id = np.full(len(old) + 1, -1, dtype=np.int64)
    carried = np.flatnonzero(old_id >= 0)
    new_id[old_id[carried]] = carried
    old_term, old_doc, old_tf = old.all_postings()
    kept = new_id[old_doc]
    mask = kept >= 0
    k_term, k_doc = old_term[mask], kept[mask].astype(np.uint32)
    del old_term, kept
    k_tf = old_tf[mask]
    del old_tf
    term, doc, tf = fresh_postings(processed)
    if len(term):
        width = np.int64(n_docs + 1)
        at = np.searchsorted(
            k_term.astype(np.int64) * width + k_doc,
            term.astype(np.int64) * width + doc,
        )
        k_term, k_doc = np.insert(k_term, at, term), np.insert(k_doc, at, doc)
        k_tf = np.insert(k_tf, at, tf, axis=0)
    return posting_arrays(n_terms, n_docs, k_term, k_doc, k_tf)


def offsets(counts: np.ndarray) -> np.ndarray:
    """Where each run of ``counts`` starts, and the total at the end."""
    off = np.zeros(len(counts) + 1, dtype=np.int64)
    np.cumsum(counts, out=off[1:])
    return off


def field_lengths(tf: np.ndarray, counts: np.ndarray) -> np.ndarray:
    """Each file's tf summed per field (float32), from postings in file order, ``counts``
    per file: a sum over each file's run, where summing by file id over the postings
    sorted by term took three scattered passes."""
    doclen = np.zeros((len(counts), 3), dtype=np.float32)
    full = np.flatnonzero(counts > 0)
    if len(full):  # sums of integers, exact, then rounded once as the stored float32
        starts = (np.cumsum(counts) - counts)[full]
        for field in range(3):  # a column at a time: the sum casts its input to int64
            doclen[full, field] = np.add.reduceat(tf[:, field], starts, dtype=np.int64)
    return doclen


class Spill:
    """Fresh files' postings and chunk records, in file order, written aside as they arrive.

    A build from scratch would otherwise hold every posting and chunk record of the
    repository in memory while the workers run. The files are Atlas temporaries in the
    cache directory (``.spill-*.PID.tmp``: a dead run's are removed by ``remove_stale``).
    """

    _PARTS = ("term", "tf", "symbols")

    def __init__(self, cache: Path) -> None:
        self.paths = {p: cache / f".spill-{p}.{os.getpid()}.tmp" for p in self._PARTS}
        self._out: dict[str, Any] = {}
        self.counts = array("q")  # postings of each file
        self.sizes = array("q")  # chunk-record bytes of each file

    def __enter__(self) -> Spill:
        flags = os.O_RDWR | os.O_CREAT | os.O_TRUNC | getattr(os, "O_NOFOLLOW", 0)
        try:
            for part, path in self.paths.items():
                self._out[part] = open(os.open(path, flags, 0o600), "w+b")
        except OSError as exc:
            self.__exit__(None, None, None)
            raise IndexWriteError(f"cannot write in {path.parent}: {exc.strerror}") from None
        return self

    def __exit__(self, *exc: object) -> None:
        for fh in self._out.values():
            # closing flushes what is buffered: on a full disk that fails too, and the
            # files must still go (left behind, they kept the disk full for every later run)
            with contextlib.suppress(OSError):
                fh.close()
        for path in self.paths.values():
            with contextlib.suppress(OSError):
                os.unlink(path)

    def add(self, terms: np.ndarray, tf: np.ndarray, symbols: bytes) -> None:
        """The next file's postings (global term ids, tf per field) and chunk record."""
        self._out["term"].write(np.ascontiguousarray(terms, dtype=np.uint32).tobytes())
        self._out["tf"].write(np.ascontiguousarray(tf, dtype=np.uint16).tobytes())
        self._out["symbols"].write(symbols)
        self.counts.append(len(terms))
        self.sizes.append(len(symbols))

    def _read(self, part: str) -> bytes:
        fh = self._out[part]
        fh.flush()
        fh.seek(0)
        data: bytes = fh.read()
        return data

    def term_counts(self, n_terms: int) -> np.ndarray:
        """Postings of each term id (of ``n_terms`` at least)."""
        return np.bincount(np.frombuffer(self._read("term"), dtype=np.uint32), minlength=n_terms)

    def inverted(self, n_docs: int, df: np.ndarray) -> dict[str, np.ndarray]:
        """The stored postings arrays (see ``stored_arrays``) of the ``n_docs`` files added, which
        are every file of the generation, in file order; ``df`` is ``term_counts``."""
        counts = np.frombuffer(self.counts, dtype=np.int64)
        if len(counts) != n_docs:
            raise AssertionError("a build from scratch spilled other files than it writes")
        term = np.frombuffer(self._read("term"), dtype=np.uint32)
        # files were added in ascending order: sorted by file; as intp once, not per gather
        order = stable_order(term).astype(np.intp, copy=False)
        del term
        tf = np.frombuffer(self._read("tf"), dtype=np.uint16).reshape(-1, 3)
        doclen = field_lengths(tf, counts)
        tf = np.take(tf, order, axis=0)
        ids = np.arange(n_docs, dtype=doc_dtype(n_docs))
        doc = np.take(np.repeat(ids, counts), order)
        del order
        return stored_arrays(df, doc, tf, doclen)

    def symbols(self) -> tuple[bytes, np.ndarray]:
        """Every file's chunk record, joined, and their offsets (as the builder's ``_symbols``)."""
        offsets = np.zeros(len(self.sizes) + 1, dtype=np.int64)
        np.cumsum(np.frombuffer(self.sizes, dtype=np.int64), out=offsets[1:])
        return self._read("symbols"), offsets
