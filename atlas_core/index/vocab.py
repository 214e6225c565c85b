"""The term dictionary of a new generation.

Term ids are stable across incremental updates: old terms keep their id and new terms are
appended, so carried files' forward postings are reused as they are. When few files
changed, new files' terms are looked up in the old (memory-mapped, sorted) dictionary by
binary search instead of decoding the whole vocabulary. Terms no file uses any more are
dropped once they make up a third of the dictionary.
"""

from __future__ import annotations

import numpy as np

from atlas_core.index.reader import IndexReader

__all__ = ["Vocabulary"]


class Vocabulary:
    """Assigns term ids for one index write."""

    def __init__(self, old: IndexReader | None, *, changed_files: int) -> None:
        self.old = old
        self.base = len(old.array("vocab_off")) - 1 if old is not None else 0
        # many changes: decoding the old dictionary once beats a binary search per term
        self.full = old is None or changed_files > max(200, len(old) // 4)
        self.ids: dict[str, int] = {}
        self.terms: list[str] = []  # full mode: every term; lookup mode: new terms only
        self.positions: list[int] = []  # lookup mode: insertion points of new terms
        if old is not None and self.full:
            self.terms = old.vocabulary()
            self.ids = {t: i for i, t in enumerate(self.terms)}

    def id(self, term: str) -> int:
        tid = self.ids.get(term)
        if tid is not None:
            return tid
        if not self.full and self.old is not None:
            position, found = self.old.locate(term)
            if found is not None:
                self.ids[term] = found
                return found
            self.positions.append(position)
        tid = self.base + len(self.terms) if not self.full else len(self.terms)
        self.ids[term] = tid
        self.terms.append(term)
        return tid

    def ids_of(self, terms: list[str]) -> list[int]:
        """``id`` of each term, in order (the known ones looked up in one pass)."""
        found: list[int | None] = list(map(self.ids.get, terms))
        if None in found:
            found = [
                self.id(t) if tid is None else tid for t, tid in zip(terms, found, strict=True)
            ]
        return found  # type: ignore[return-value]

    def __len__(self) -> int:
        return len(self.terms) if self.full else self.base + len(self.terms)

    @property
    def unchanged(self) -> bool:
        """No term was added: the dictionary to write is the old one, as it is."""
        return not self.full and not self.terms and self.old is not None

    def finish_kept(self) -> tuple[bytes, np.ndarray, np.ndarray]:
        """(blob, offsets, sorted order) of the dictionary with every term kept (a delta
        generation's: unused terms are dropped when the next full generation is written)."""
        if self.full:
            return _encode_sorted(self.terms)
        blob, offsets, order, _ = self._appended()
        return blob, offsets, order

    def finish(self, df: np.ndarray) -> tuple[bytes, np.ndarray, np.ndarray, np.ndarray | None]:
        """(blob, offsets, sorted order, new id of every term id or None) of the dictionary
        to write; ``df`` counts the files using each term id."""
        n = len(self)
        used = df[:n] > 0 if n else np.zeros(0, dtype=bool)
        if n and used.sum() < 0.67 * n:
            return self._compacted(used)
        if self.full:
            return (*_encode_sorted(self.terms), None)
        return self._appended()

    def _appended(self) -> tuple[bytes, np.ndarray, np.ndarray, None]:
        assert self.old is not None
        added = [t.encode("utf-8", "surrogateescape") for t in self.terms]
        old_off = np.asarray(self.old.array("vocab_off"), dtype=np.int64)
        offsets = np.concatenate(
            [old_off, old_off[-1] + np.cumsum([len(b) for b in added], dtype=np.int64)]
        )
        order = np.asarray(self.old.array("vocab_order"), dtype=np.uint32)
        if added:
            # new terms go where the binary search stopped; ties sorted among themselves
            new = sorted(range(len(added)), key=lambda k: (self.positions[k], added[k]))
            order = np.insert(
                order,
                [self.positions[k] for k in new],
                np.array([self.base + k for k in new], dtype=np.uint32),
            )
        return self.old.vocab_blob + b"".join(added), offsets, order, None

    def _compacted(self, used: np.ndarray) -> tuple[bytes, np.ndarray, np.ndarray, np.ndarray]:
        """Drop unused terms; kept terms keep their relative order (postings stay sorted)."""
        terms = self.terms if self.full else [*self._old_terms(), *self.terms]
        keep = np.flatnonzero(used)
        remap = np.zeros(len(terms), dtype=np.uint32)
        remap[keep] = np.arange(len(keep), dtype=np.uint32)
        return (*_encode_sorted([terms[i] for i in keep.tolist()]), remap)

    def _old_terms(self) -> list[str]:
        return self.old.vocabulary() if self.old is not None else []


def _encode_sorted(terms: list[str]) -> tuple[bytes, np.ndarray, np.ndarray]:
    encoded = [t.encode("utf-8", "surrogateescape") for t in terms]
    offsets = np.zeros(len(encoded) + 1, dtype=np.int64)
    np.cumsum([len(e) for e in encoded], out=offsets[1:])
    order = np.array(sorted(range(len(encoded)), key=encoded.__getitem__), dtype=np.uint32)
    return b"".join(encoded), offsets, order
