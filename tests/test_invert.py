"""Inverting a build's postings: the radix order equals numpy's stable argsort, and the
stored arrays of a build from scratch are those of the plain (term, file) sort."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import numpy as np
import pytest

from atlas_core.engine import Atlas
from atlas_core.index import postings
from atlas_core.index.radix import stable_order
from atlas_core.index.reader import open_index
from atlas_core.index.tfcodec import pack_tf
from atlas_core.testing import write_repo


@pytest.mark.parametrize(
    ("n", "top", "dtype"),
    [
        (200_000, 300_000, np.uint32),  # high digit fits a byte, many duplicates
        (50_000, 2**32 - 1, np.uint32),  # the whole 32-bit range (a 16-bit high digit)
        (50_000, 70_000, np.uint32),  # just past one digit
        (50_000, 60_000, np.uint32),  # one digit in a 32-bit type
        (30_000, 900, np.uint16),
        (30_000, 200, np.uint8),
        (20_000, 5_000_000, np.uint64),  # wider than 32 bits: numpy's own sort
    ],
)
def test_stable_order_is_numpys_stable_argsort(n: int, top: int, dtype: type) -> None:
    rng = np.random.default_rng(n + top)
    # few distinct values, so most keys repeat and a wrong tie order would show
    values = rng.integers(0, top, size=max(n // 50, 2), endpoint=True, dtype=np.uint64)
    keys = rng.choice(values, size=n).astype(dtype)
    keys[: len(keys) // 3] = rng.integers(0, top, size=len(keys) // 3, endpoint=True)
    order = stable_order(keys)
    assert order.dtype in (np.intp, np.uint32)  # indexes as numpy's order does
    assert np.array_equal(order, np.argsort(keys, kind="stable"))


def test_stable_order_of_equal_keys_differing_only_in_the_high_bits() -> None:
    keys = np.array([0x30005, 0x10005, 0x20005, 0x10005, 0x5, 0x30005], dtype=np.uint32)
    assert stable_order(keys).tolist() == [4, 1, 3, 2, 0, 5]


@pytest.mark.parametrize("keys", [np.zeros(0, np.uint32), np.array([7], np.uint32)])
def test_stable_order_of_tiny_arrays(keys: np.ndarray) -> None:
    assert np.array_equal(stable_order(keys), np.argsort(keys, kind="stable"))


def _plain_arrays(term: np.ndarray, tf: np.ndarray, counts: np.ndarray, n_terms: int) -> dict:
    """The stored arrays as a plain sort computes them: the reference."""
    n_docs = len(counts)
    order = np.argsort(term, kind="stable")
    doc = np.repeat(np.arange(n_docs, dtype=np.uint32), counts)[order]
    sorted_tf = tf[order]
    post_off = np.zeros(n_terms + 1, dtype=np.int64)
    np.cumsum(np.bincount(term, minlength=n_terms), out=post_off[1:])
    doclen = np.zeros((n_docs, 3), dtype=np.float32)
    for col in range(3):
        doclen[:, col] = np.bincount(doc, weights=sorted_tf[:, col], minlength=n_docs)
    small, big_at, big = pack_tf(sorted_tf)
    return {
        "post_off": post_off,
        "post_doc": doc.astype(np.uint16),
        "post_tf": small,
        "post_tf_big_at": big_at,
        "post_tf_big": big,
        "doclen": doclen,
    }


def test_a_spilled_build_stores_the_arrays_of_the_plain_sort(tmp_path: Path) -> None:
    rng = np.random.default_rng(3)
    n_docs, n_terms = 400, 90_000  # term ids past 65535
    counts = rng.integers(0, 300, size=n_docs)
    counts[[0, 5, 6, n_docs - 1]] = 0  # empty files, first and last among them
    with postings.Spill(tmp_path) as spill:
        terms, tfs = [], []
        for count in counts.tolist():
            # distinct terms per file, as a file's postings are; common terms repeat often
            term = rng.choice(n_terms, size=count, replace=False, p=None)
            term[: count // 2] = rng.choice(2_000, size=count // 2, replace=False)
            term = np.unique(term).astype(np.uint32)
            rng.shuffle(term)
            tf = rng.integers(0, 30, size=(len(term), 3)).astype(np.uint16)
            tf[rng.random(tf.shape) < 0.01] = 300  # some over a byte
            spill.add(term, tf, b"")
            terms.append(term)
            tfs.append(tf)
        counts = np.array([len(t) for t in terms])
        got = spill.inverted(n_docs, spill.term_counts(n_terms))
    want = _plain_arrays(np.concatenate(terms), np.concatenate(tfs), counts, n_terms)
    assert sorted(got) == sorted(want)
    for name, array in want.items():
        assert got[name].dtype == array.dtype, name
        assert np.array_equal(got[name], array), name
    assert (got["doclen"][[0, 5, 6, n_docs - 1]] == 0).all()


def test_a_spilled_build_without_postings(tmp_path: Path) -> None:
    with postings.Spill(tmp_path) as spill:
        for _ in range(3):
            spill.add(np.zeros(0, np.uint32), np.zeros((0, 3), np.uint16), b"")
        got = spill.inverted(3, spill.term_counts(4))
    assert got["post_off"].tolist() == [0, 0, 0, 0, 0]
    assert got["post_doc"].shape == (0,) and got["post_tf"].shape == (0, 3)
    assert got["doclen"].shape == (3, 3) and not got["doclen"].any()


def _repo(tmp_path: Path) -> Path:
    files = {f"src/m{i}.py": f"def m{i}(value):\n    return value + {i}\n" for i in range(60)}
    return write_repo(tmp_path / "r", files)


def test_a_failure_while_inverting_fails_the_build(
    tmp_path: Path, make_atlas: Callable[[Path], Atlas], monkeypatch: pytest.MonkeyPatch
) -> None:
    def boom(self: postings.Spill, *args: object) -> dict[str, np.ndarray]:
        raise RuntimeError("inverting failed")

    monkeypatch.setattr(postings.Spill, "inverted", boom)
    root = _repo(tmp_path)
    atlas = make_atlas(root)
    with pytest.raises(RuntimeError, match="inverting failed"):
        atlas.index()
    assert open_index(atlas.cache, root) is None  # nothing was published
