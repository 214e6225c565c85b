"""Compact postings: one-byte term frequencies with the large ones stored aside, narrow ids."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import numpy as np

from atlas_core.engine import Atlas
from atlas_core.index.tfcodec import doc_dtype, pack_tf, unpack_tf
from atlas_core.testing import write_repo


def test_round_trip_is_exact_for_every_slice() -> None:
    rng = np.random.default_rng(7)
    tf = rng.integers(0, 40, size=(500, 3)).astype(np.uint16)
    tf[rng.integers(0, 500, 30), rng.integers(0, 3, 30)] = rng.integers(256, 65535, 30)
    tf[0, 0], tf[-1, 2] = 256, 65535  # first and last place
    small, big_at, big = pack_tf(tf)
    assert small.dtype == np.uint8 and small.shape == tf.shape
    assert len(big) == int((tf > 255).sum())
    assert np.array_equal(unpack_tf(small, big_at, big), tf)
    for start, end in [(0, 1), (0, 500), (17, 18), (123, 377), (499, 500), (250, 250)]:
        assert np.array_equal(unpack_tf(small, big_at, big, start, end), tf[start:end])


def test_file_ids_take_the_narrowest_type() -> None:
    assert doc_dtype(28_000) == np.uint16
    assert doc_dtype(1 << 16) == np.uint16  # ids run to n - 1
    assert doc_dtype((1 << 16) + 1) == np.uint32


def test_frequencies_over_255_survive_an_index_and_a_delta(
    tmp_path: Path, make_atlas: Callable[[Path], Atlas]
) -> None:
    files = {f"src/m{i}.py": f"def m{i}():\n    return {i}\n" for i in range(40)}
    files["src/loud.py"] = "def loud():\n" + "    zebra = 1\n" * 700
    root = write_repo(tmp_path / "r", files)
    atlas = make_atlas(root)
    atlas.index()
    reader = atlas.reader()
    docs, tf = reader.postings(reader.term_id("zebra"))
    assert [reader.paths[d] for d in docs] == ["src/loud.py"]
    assert int(tf[0, 2]) == 700
    # an edit elsewhere writes a delta generation over the same base postings
    (root / "src" / "m3.py").write_text("def m3():\n    zebra = 2\n")
    atlas.index()
    reader = atlas.reader()
    assert reader.delta
    docs, tf = reader.postings(reader.term_id("zebra"))
    assert {reader.paths[int(d)]: int(t) for d, t in zip(docs, tf[:, 2], strict=True)} == {
        "src/loud.py": 700,
        "src/m3.py": 1,
    }
