"""The file table's compact form in the index metadata."""

from __future__ import annotations

import random

import pytest

from atlas_core.errors import IndexCorruptError
from atlas_core.index import layout
from atlas_core.index.filetable import pack_files, unpack_files


def _table() -> dict[str, list[object]]:
    return {
        "path": ["README.md", "src/caf\udce9.py", "src/a b/[x].py"],  # a non-UTF-8 name
        "size": [12, 0, 1 << 40],
        "mtime_ns": [1_700_000_000_123_456_789, -5, 0],
        "ino": [(1 << 64) - 1, 7, 0],
        "hash": [b"\x01" * 16, b"", None],
        "language": ["markdown", "python", "python"],
        "role": ["docs", "impl", "test"],
        "tokens": [3, 0, 99],
        "status": ["ok", "ok", "large"],
    }


def test_round_trip_through_msgpack_gives_the_same_lists() -> None:
    table = _table()
    stored = layout.unpackb(layout.packb(pack_files(table)))
    assert unpack_files(stored) == table


def test_an_empty_table() -> None:
    empty: dict[str, list[object]] = {name: [] for name in _table()}
    assert unpack_files(layout.unpackb(layout.packb(pack_files(empty)))) == empty


@pytest.mark.parametrize(
    "damage",
    [
        lambda p: p.pop("size"),
        lambda p: p.update(count=p["count"] + 1),
        lambda p: p.update(size=p["size"][:-1]),
        lambda p: p["role"].update(values=p["role"]["values"][:1]),
        lambda p: p.update(path=17),
    ],
)
def test_damage_is_an_index_error(damage: object) -> None:
    packed = layout.unpackb(layout.packb(pack_files(_table())))
    damage(packed)  # type: ignore[operator]
    with pytest.raises(IndexCorruptError):
        unpack_files(packed)


def test_columns_equal_to_the_previous_table_keep_their_stored_form() -> None:
    stored = layout.unpackb(layout.packb(pack_files(_table())))
    previous = unpack_files(stored)
    columns = {name: list(column) for name, column in _table().items()}
    columns["size"][1] = 5
    columns["hash"][1] = b"\x02" * 16
    packed = pack_files(columns, previous)
    for name in ("path", "mtime_ns", "ino", "tokens", "language", "role", "status"):
        assert packed[name] is stored[name], name  # carried, not encoded again
    assert packed["size"] is not stored["size"] and packed["hash"] is not stored["hash"]
    # byte for byte what packing from scratch gives, keys in the same order
    assert layout.packb(packed) == layout.packb(pack_files(columns))
    assert unpack_files(layout.unpackb(layout.packb(packed))) == columns


@pytest.mark.parametrize(
    "hashes",
    [[b"\x01" * 20, b"\x02" * 20, b""], [b"\x01", None, b""], [None, None], ["odd", b"x"], []],
)
def test_hashes_round_trip_whatever_they_hold(hashes: list[object]) -> None:
    table = {name: [column[0]] * len(hashes) for name, column in _table().items()}
    table["path"] = [f"f{k}" for k in range(len(hashes))]
    table["hash"] = hashes
    assert unpack_files(layout.unpackb(layout.packb(pack_files(table)))) == table


def test_hashes_mostly_of_one_length_decode_as_stored() -> None:
    rng = random.Random(3)
    for _ in range(200):
        n = rng.randint(1, 70)
        common = [rng.randbytes(16) for _ in range(5)]
        # mostly 16 bytes (the fast path), some empty, None or shorter (patched one by one)
        odd = [b"", None, rng.randbytes(8), b"\0" * 16]
        hashes = [rng.choice(common) if rng.random() < 0.95 else rng.choice(odd) for _ in range(n)]
        table = {name: [column[0]] * n for name, column in _table().items()}
        table["path"] = [f"f{k}" for k in range(n)]
        table["hash"] = hashes
        decoded = unpack_files(layout.unpackb(layout.packb(pack_files(table))))["hash"]
        assert decoded == hashes
        assert [type(h) for h in decoded] == [type(h) for h in hashes]


def test_paths_given_with_their_stored_bytes_are_taken_without_decoding() -> None:
    table = unpack_files(layout.unpackb(layout.packb(pack_files(_table()))))
    paths = list(_table()["path"])
    joined = "\0".join(paths).encode("utf-8", "surrogateescape")
    assert not table.adopt_paths(paths[:-1], joined)  # not one per file
    assert not table.adopt_paths(paths, joined + b"x")  # other bytes: other paths
    assert "path" not in table._decoded
    assert table.adopt_paths(paths, joined)
    assert table["path"] is paths
    assert pack_files(_table(), table)["path"] == joined  # still the stored form


def test_numbers_read_the_stored_bytes_until_a_column_is_replaced() -> None:
    stored = layout.unpackb(layout.packb(pack_files(_table())))
    table = unpack_files(stored)
    assert table.numbers("size").tolist() == _table()["size"]
    assert "size" not in table._decoded  # read over the stored bytes
    with pytest.raises(ValueError):
        table.numbers("ino").flags.writeable = True  # read-only: the bytes are shared
    sizes = list(table["size"])
    sizes[1] = 42
    table.replace("size", sizes)
    assert table.numbers("size").tolist() == [12, 42, 1 << 40]
    assert table.stored_if_equal("size", sizes) is None  # its stored form is gone
    again = unpack_files(layout.unpackb(layout.packb(pack_files(table))))
    assert again["size"] == [12, 42, 1 << 40] and again["path"] == _table()["path"]
    with pytest.raises(ValueError):
        table.replace("size", [1])
