"""Compact storage of the postings: term frequencies in one byte, file ids in the fewest bytes.

Nearly every stored term frequency is below 256 (on a 28k-file monorepo, 0.05% of the values
are larger), so ``post_tf`` keeps one byte per field and the few larger values are stored
aside, by their flat position, in ``post_tf_big_at`` / ``post_tf_big``. Decoding is exact:
readers see the same uint16 frequencies a build computed. File ids take two bytes while a
repository has fewer than 65,536 files.
"""

from __future__ import annotations

import numpy as np

__all__ = ["doc_dtype", "pack_tf", "unpack_tf"]

_SMALL_MAX = 255


def doc_dtype(n_docs: int) -> type[np.unsignedinteger]:
    """The narrowest unsigned type that holds every file id of ``n_docs`` files."""
    return np.uint16 if n_docs <= 1 << 16 else np.uint32


def pack_tf(tf: np.ndarray) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """(one-byte tf, flat positions of the values over 255, those values) of a (n, 3) array."""
    tf = np.ascontiguousarray(tf, dtype=np.uint16)
    flat = tf.reshape(-1)
    big_at = np.flatnonzero(flat > _SMALL_MAX).astype(np.int64)
    small = tf.astype(np.uint8)  # wraps; the wrapped places are marked and stored aside
    small.reshape(-1)[big_at] = _SMALL_MAX
    return small, big_at, flat[big_at]


def unpack_tf(
    small: np.ndarray, big_at: np.ndarray, big: np.ndarray, start: int = 0, end: int | None = None
) -> np.ndarray:
    """The uint16 (n, 3) frequencies of postings ``start:end`` (all by default)."""
    stop = len(small) if end is None else end
    out = np.asarray(small[start:stop]).astype(np.uint16)
    if len(big_at):
        width = out.shape[1]
        lo, hi = np.searchsorted(big_at, (start * width, stop * width))
        if hi > lo:
            out.reshape(-1)[np.asarray(big_at[lo:hi]) - start * width] = big[lo:hi]
    return out
