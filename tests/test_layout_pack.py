"""Index files written in pieces are byte for byte what msgpack makes of them whole."""

from __future__ import annotations

import random
from pathlib import Path
from typing import Any

from atlas_core.index import layout


def _objects() -> list[Any]:
    rng = random.Random(4)
    big = rng.randbytes(1 << 16)
    return [
        {},
        {"a": 1, "b": [1, 2, 3], "c": {"d": b"x" * 10}},
        {"edge": [b"y" * ((1 << 16) - 1), b"z" * (1 << 16), big + b"!"]},
        {f"k{i}": i for i in range(15)},
        {f"k{i}": [b"a"] for i in range(16)},
        {f"k{i}": {"v": i} for i in range(70_000)},  # a map of more than 65,535 entries
        [[b"q" * 70_000] for _ in range(20)],
        {"caf\udce9": ["n\udcffn", 1.5, None, True, -(1 << 40), (1, b"t")], 3: big},
        {"files": {"count": 2, "hash": [big, b"\x01\x00" * 40_000], "path": "a\0b"}},
        b"w" * 100_000,
        [{"x": big}] * 17,
        [big] * 70,  # longer than the arrays framed piece by piece
        ["p" * 30] * 9000,
    ]


def test_pieces_join_to_what_msgpack_packs() -> None:
    for obj in _objects():
        header, *parts = layout.pack_checked_parts(obj)
        assert b"".join(parts) == layout.packb(obj)
        checked = layout.pack_checked(obj)
        assert checked == header + layout.packb(obj)
        assert layout.unpack_checked(checked, "x") == layout.unpackb(layout.packb(obj))


def test_damaged_contributor_records_are_dropped_and_named(tmp_path: Path) -> None:
    extras = tmp_path / "extras"
    extras.mkdir()
    layout.write_checked(extras / "good.msgpack", {"data": [1, 2]})
    torn = layout.pack_checked({"data": "x" * 100})
    (extras / "torn.msgpack").write_bytes(torn[:-5])
    flipped = bytearray(layout.pack_checked({"data": "y" * 100}))
    flipped[-3] ^= 1
    (extras / "flipped.msgpack").write_bytes(bytes(flipped))
    older = bytearray(layout.pack_checked({"data": 1}))
    older[len(b"ATLAS-IDX")] ^= 0xFF  # another format version: dropped, not reported
    (extras / "older.msgpack").write_bytes(bytes(older))
    assert sorted(layout.drop_damaged_extras(tmp_path)) == ["flipped", "torn"]
    assert sorted(p.name for p in extras.iterdir()) == ["good.msgpack"]


def test_what_is_not_a_file_where_a_record_belongs_is_removed_not_followed(
    tmp_path: Path,
) -> None:
    import os

    extras = tmp_path / "extras"
    extras.mkdir()
    target = tmp_path / "target.msgpack"
    target.write_bytes(layout.pack_checked({"data": 1}))  # a valid record: still not followed
    (extras / "linked.msgpack").symlink_to(target)
    os.mkfifo(extras / "fifo.msgpack")
    (extras / "empty.msgpack").mkdir()
    layout.write_checked(extras / "good.msgpack", {"data": [1, 2]})
    messages: list[str] = []
    assert layout.drop_damaged_extras(tmp_path, messages.append) == []
    assert sorted(p.name for p in extras.iterdir()) == ["good.msgpack"]
    assert target.read_bytes() == layout.pack_checked({"data": 1})
    assert sorted(messages) == [
        "extras/empty.msgpack was a directory, not a file: removed it",
        "extras/fifo.msgpack was a special file, not a file: removed it",
        "extras/linked.msgpack was a symbolic link, not a file: removed the link "
        "(not what it points to)",
    ]


def test_arrays_are_read_whatever_the_length_of_their_header() -> None:
    import io

    import numpy as np

    from atlas_core.index.reader import _npy

    fields = np.dtype([(f"f{i}_{'x' * 40}", "<i4") for i in range(90)])  # a 5 KiB header
    for array in (
        np.arange(10),
        np.zeros((3, 4), np.float32),
        np.arange(270, dtype="<i4").view(fields),
    ):
        out = io.BytesIO()
        np.save(out, array)
        read = _npy(out.getvalue(), "x")
        assert read.dtype == array.dtype and read.shape == array.shape
        assert read.tobytes() == array.tobytes()
