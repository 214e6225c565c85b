"""The file table in the metadata, stored by column in compact form.

As msgpack lists, the nine columns of a 28k-file table are some 250,000 small objects, and
decoding them was most of opening an index (every query, twice per re-index). Stored
compactly they decode in a few calls: paths as one string, numbers as little-endian
arrays, and the columns of few distinct values (language, role, status) as codes into a
table of those values. Readers see the same lists as before.
"""

from __future__ import annotations

from typing import Any

import numpy as np

from atlas_core.errors import IndexCorruptError

__all__ = ["pack_files", "unpack_files"]

#: numeric columns and their stored types
_NUMBERS = {"size": "<i8", "mtime_ns": "<i8", "ino": "<u8", "tokens": "<i8"}
#: columns of few distinct values
_CODED = ("language", "role", "status")
_CODE = "<u2"


def pack_files(columns: dict[str, list[Any]]) -> dict[str, Any]:
    """The compact form of a file table (column name -> list, one entry per file)."""
    paths = columns["path"]
    packed: dict[str, Any] = {
        "count": len(paths),
        "path": "\0".join(paths),  # no file name holds a NUL
        "hash": columns["hash"],
    }
    for name, dtype in _NUMBERS.items():
        packed[name] = np.asarray(columns[name], dtype=dtype).tobytes()
    for name in _CODED:
        values = list(dict.fromkeys(columns[name]))
        code = {value: k for k, value in enumerate(values)}
        codes = np.fromiter(map(code.__getitem__, columns[name]), _CODE, len(paths))
        packed[name] = {"values": values, "codes": codes.tobytes()}
    return packed


def unpack_files(packed: Any) -> dict[str, list[Any]]:
    """The file table back as lists.

    :raises IndexCorruptError: when the stored form is not one :func:`pack_files` wrote.
    """
    try:
        count = int(packed["count"])
        paths = packed["path"].split("\0") if count else []
        columns: dict[str, list[Any]] = {"path": paths, "hash": packed["hash"]}
        for name, dtype in _NUMBERS.items():
            columns[name] = np.frombuffer(packed[name], dtype=dtype).tolist()
        for name in _CODED:
            values = np.array(packed[name]["values"] + [None], dtype=object)
            codes = np.frombuffer(packed[name]["codes"], dtype=_CODE)
            if len(codes) and int(codes.max()) >= len(values) - 1:
                raise ValueError(name)
            columns[name] = values[codes].tolist()
    except (KeyError, TypeError, ValueError, AttributeError):
        raise IndexCorruptError("index metadata is incomplete") from None
    if not isinstance(columns["hash"], list) or any(len(c) != count for c in columns.values()):
        raise IndexCorruptError("index metadata is incomplete")
    return columns
