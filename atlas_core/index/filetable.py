"""The file table in the metadata, stored by column in compact form.

As msgpack lists, the nine columns of a 28k-file table are some 250,000 small objects, and
decoding them was most of opening an index (every query, twice per re-index). Stored
compactly they decode in a few calls: paths as one string (UTF-8), content hashes as one blob and
their lengths, numbers as little-endian arrays, and the columns of few distinct values
(language, role, status) as codes into a table of those values.

Readers see the same lists as before, through a :class:`FileTable` that decodes a column
the first time it is asked for: a query needs a few columns (and of those, few entries),
re-indexing needs them all.
"""

from __future__ import annotations

import threading
from collections.abc import Iterator, Mapping
from typing import Any

import numpy as np

from atlas_core.errors import IndexCorruptError

__all__ = ["COLUMNS", "FileTable", "pack_files", "unpack_files"]

#: numeric columns and their stored types
_NUMBERS = {"size": "<i8", "mtime_ns": "<i8", "ino": "<u8", "tokens": "<i8"}
#: columns of few distinct values
_CODED = ("language", "role", "status")
_CODE = "<u2"
#: a hash's stored length; -1: no hash (None)
_HASH_LEN = "<i4"
#: every column, in the order a table lists them
COLUMNS = ("path", "hash", *_NUMBERS, *_CODED)


def pack_files(
    columns: Mapping[str, list[Any]], previous: FileTable | None = None
) -> dict[str, Any]:
    """The compact form of a file table (column name -> list, one entry per file).

    Columns of a :class:`FileTable` that were never decoded (so never changed) are
    carried over in their stored form, and so is every column equal to the same column of
    ``previous`` (a table whose decoded columns were not changed in place): a re-index
    after an edit re-encodes the few columns the edit changed, not all nine.
    """
    if isinstance(columns, FileTable):
        stored, count = columns.untouched(), columns.count()
    else:
        stored, count = {}, len(columns["path"])
    if previous is not None and previous is not columns:
        for name in COLUMNS:
            if name not in stored:
                raw = previous.stored_if_equal(name, columns[name])
                if raw is not None:
                    stored[name] = raw
    packed: dict[str, Any] = {"count": count}
    for name in COLUMNS:  # always in this order: the same table packs to the same bytes
        packed[name] = stored[name] if name in stored else _pack_column(name, columns[name])
    return packed


def _pack_column(name: str, column: list[Any]) -> Any:
    if name == "path":  # no file name holds a NUL
        return "\0".join(column).encode("utf-8", "surrogateescape")
    if name == "hash":
        return _pack_hashes(column)
    if name in _NUMBERS:
        return np.asarray(column, dtype=_NUMBERS[name]).tobytes()
    values = list(dict.fromkeys(column))
    code = {value: k for k, value in enumerate(values)}
    codes = np.fromiter(map(code.__getitem__, column), _CODE, len(column))
    return {"values": values, "codes": codes.tobytes()}


def _pack_hashes(hashes: list[Any]) -> Any:
    """Hashes as one blob and their lengths (-1: None); a list if some are neither."""
    kinds = set(map(type, hashes))
    if kinds <= {bytes}:  # the usual case, without a Python-level loop
        lengths = np.fromiter(map(len, hashes), _HASH_LEN, len(hashes))
        return [b"".join(hashes), lengths.tobytes()]
    if not kinds <= {bytes, type(None)}:
        return list(hashes)
    lengths = np.fromiter((-1 if h is None else len(h) for h in hashes), _HASH_LEN, len(hashes))
    return [b"".join(h for h in hashes if h), lengths.tobytes()]


def unpack_files(packed: Any) -> FileTable:
    """The file table (see :class:`FileTable`) of what :func:`pack_files` wrote.

    :raises IndexCorruptError: when the stored form is not one :func:`pack_files` wrote.
    """
    return FileTable(packed)


class FileTable(Mapping[str, list[Any]]):
    """The stored file table as a mapping of column name to list, decoded lazily.

    Every column is checked on creation (lengths and codes: no decoding); a column is
    decoded the first time it is read, and the same list is returned afterwards. A column
    is changed with :meth:`replace`, not in place: numeric columns are read over their
    stored bytes, and unchanged columns are written again as they were stored.
    """

    def __init__(self, packed: Any) -> None:
        self._stored: dict[str, Any] = {}
        #: every column's stored form, kept after decoding (see :meth:`stored_if_equal`)
        self._raw: dict[str, Any] = {}
        self._decoded: dict[str, list[Any]] = {}
        self._lock = threading.Lock()
        try:
            count = int(packed["count"])
            path = packed["path"]
            if not isinstance(path, bytes) or (path.count(0) + 1 if count else len(path)) != count:
                raise ValueError("path")
            for name, dtype in _NUMBERS.items():
                if len(packed[name]) != count * np.dtype(dtype).itemsize:
                    raise ValueError(name)
            for name in _CODED:
                values, codes = packed[name]["values"], packed[name]["codes"]
                if not isinstance(values, list) or len(codes) != count * 2:
                    raise ValueError(name)
                if count and int(np.frombuffer(codes, _CODE).max()) >= len(values):
                    raise ValueError(name)
            hashes = packed["hash"]
            if isinstance(hashes, list) and len(hashes) == 2 and isinstance(hashes[0], bytes):
                blob, lengths = hashes
                sizes = np.frombuffer(lengths, _HASH_LEN)
                if len(sizes) != count or int(np.maximum(sizes, 0).sum()) != len(blob):
                    raise ValueError("hash")
            elif not isinstance(hashes, list) or len(hashes) != count:
                raise ValueError("hash")
            self._stored = {name: packed[name] for name in COLUMNS}
            self._raw = dict(self._stored)
        except (KeyError, TypeError, ValueError, AttributeError):
            raise IndexCorruptError("index metadata is incomplete") from None
        #: range(number of files)
        self.rows = range(count)
        self._path_ends: list[int] | None = None

    def __getitem__(self, name: str) -> list[Any]:
        column = self._decoded.get(name)
        if column is None:
            with self._lock:
                column = self._decoded.get(name)
                if column is None:
                    column = self._decode(name, self._stored.pop(name))  # KeyError: no such
                    self._decoded[name] = column
        return column

    def value(self, name: str, i: int) -> Any:
        """``self[name][i]``, without decoding the whole column when it was not yet."""
        column = self._decoded.get(name)
        if column is not None:
            return column[i]
        with self._lock:
            column = self._decoded.get(name)
            if column is not None:
                return column[i]
            raw = self._stored[name]
            i = self.rows[i]  # IndexError as for a list
            if name == "path":
                if self._path_ends is None:
                    ends = np.flatnonzero(np.frombuffer(raw, np.uint8) == 0)
                    self._path_ends = [*ends.tolist(), len(raw)]
                start = self._path_ends[i - 1] + 1 if i else 0
                return raw[start : self._path_ends[i]].decode("utf-8", "surrogateescape")
            if name in _NUMBERS:
                return np.frombuffer(raw, dtype=_NUMBERS[name])[i].item()
            if name in _CODED:
                return raw["values"][int(np.frombuffer(raw["codes"], dtype=_CODE)[i])]
        return self[name][i]  # a hash: rarely asked for one at a time

    def count(self) -> int:
        """The number of files (a decoded column may have grown since the table was read)."""
        with self._lock:
            decoded = next(iter(self._decoded.values()), None)
        return len(self.rows) if decoded is None else len(decoded)

    def stored_if_equal(self, name: str, column: list[Any]) -> Any:
        """The stored form of column ``name`` when ``column`` holds the same entries
        (None otherwise); valid as long as the decoded column was not changed in place."""
        raw = self._raw.get(name)
        if raw is None or len(column) != len(self.rows):
            return None
        return raw if column == self[name] else None

    def numbers(self, name: str) -> np.ndarray:
        """A numeric column (``size``, ``mtime_ns``, ``ino``, ``tokens``) as a read-only
        array, over its stored bytes while it was not replaced (see :meth:`replace`)."""
        raw = self._raw.get(name)
        if raw is None:
            column = np.asarray(self[name], dtype=_NUMBERS[name])
            column.flags.writeable = False
            return column
        return np.frombuffer(raw, dtype=_NUMBERS[name])

    def replace(self, name: str, column: list[Any]) -> None:
        """Make ``column`` the column ``name`` (one entry per file). Columns are changed
        so, never in place: a stored form kept for an unchanged column would be stale."""
        if len(column) != len(self.rows):
            raise ValueError(f"{len(column)} entries for {len(self.rows)} files")
        with self._lock:
            self._stored.pop(name, None)
            self._raw.pop(name, None)
            self._decoded[name] = column

    def adopt_paths(self, paths: list[str], joined: bytes) -> bool:
        """Take ``paths`` as the path column when ``joined`` (them joined by NULs, in
        UTF-8) is the stored column, byte for byte: a comparison of bytes instead of
        decoding 28k paths (some milliseconds). Returns whether they were taken."""
        with self._lock:
            if "path" in self._decoded or len(paths) != len(self.rows):
                return False
            if self._raw.get("path") != joined:
                return False
            self._stored.pop("path", None)
            self._decoded["path"] = paths
            return True

    def untouched(self) -> dict[str, Any]:
        """The stored form of the columns never decoded (so never changed)."""
        with self._lock:
            return dict(self._stored)

    def __contains__(self, name: object) -> bool:
        return name in COLUMNS

    def __iter__(self) -> Iterator[str]:
        return iter(COLUMNS)

    def __len__(self) -> int:
        return len(COLUMNS)

    def _decode(self, name: str, raw: Any) -> list[Any]:
        count = len(self.rows)
        if name == "path":
            return raw.decode("utf-8", "surrogateescape").split("\0") if count else []  # type: ignore[no-any-return]
        if name == "hash":
            if not (len(raw) == 2 and isinstance(raw[0], bytes)):
                return list(raw)
            blob, lengths = raw
            sizes = np.frombuffer(lengths, _HASH_LEN)
            width = int(sizes.max()) if count else 0
            odd = np.flatnonzero(sizes != width).tolist()
            if width > 0 and len(odd) <= count // 16:
                return _same_width_hashes(blob, sizes, width, odd)
            ends = np.cumsum(np.maximum(sizes, 0)).tolist()
            starts = [0, *ends][:-1]
            return [
                None if n < 0 else blob[a:b]
                for n, a, b in zip(sizes.tolist(), starts, ends, strict=True)
            ]
        if name in _NUMBERS:
            return np.frombuffer(raw, dtype=_NUMBERS[name]).tolist()  # type: ignore[no-any-return]
        values = np.array(raw["values"], dtype=object)
        return values[np.frombuffer(raw["codes"], dtype=_CODE)].tolist()  # type: ignore[no-any-return]


def _same_width_hashes(blob: bytes, sizes: np.ndarray, width: int, odd: list[int]) -> list[Any]:
    """The hashes of a column where most are ``width`` bytes long (the others, ``odd``,
    are empty, None or shorter): numpy slices the blob, the others are put in place."""
    if all(sizes[k] <= 0 for k in odd):  # only empty or None: the blob is the others'
        hashes: list[Any] = np.frombuffer(blob, dtype=f"V{width}").tolist()
        for k in odd:  # ascending: each lands at its row
            hashes.insert(k, None if sizes[k] < 0 else b"")
        return hashes
    lengths = np.maximum(sizes, 0)
    starts = np.cumsum(lengths) - lengths
    data = np.frombuffer(blob, dtype=np.uint8)
    full = np.flatnonzero(sizes == width)
    table = np.zeros((len(sizes), width), dtype=np.uint8)
    table[full] = data[starts[full, None] + np.arange(width)]
    hashes = table.view(f"V{width}").ravel().tolist()
    for k in odd:
        n, at = int(sizes[k]), int(starts[k])
        hashes[k] = None if n < 0 else blob[at : at + n]
    return hashes
