"""Where the index lives and how its files are written safely.

``<root>/.atlas/`` (or ``$ATLAS_CACHE_DIR``) holds ``CURRENT`` (the name of the live
generation directory), the generation directories ``gen-N/``, ``extras/`` (contributor
data) and ``lock``. A new generation is written under a temporary name, renamed into
place, and only then published by replacing ``CURRENT``: a crash at any point leaves the
previous generation live.
"""

from __future__ import annotations

import contextlib
import os
import shutil
import zlib
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import msgpack

from atlas_core.errors import IndexCorruptError

__all__ = [
    "FORMAT_VERSION",
    "cache_dir_for",
    "read_checked",
    "write_atomic",
    "write_checked",
]

#: bump when the on-disk layout changes; older indexes are rebuilt
FORMAT_VERSION = 4
_MAGIC = b"ATLAS-IDX"


def cache_dir_for(root: Path) -> Path:
    """``$ATLAS_CACHE_DIR`` if set, else ``<root>/.atlas``."""
    env = os.environ.get("ATLAS_CACHE_DIR")
    return Path(env).expanduser().resolve() if env else root / ".atlas"


def ensure_cache_dir(cache: Path) -> None:
    """Create the cache directory with a ``.gitignore`` of ``*``, so git never sees it."""
    cache.mkdir(parents=True, exist_ok=True)
    marker = cache / ".gitignore"
    if not marker.exists():
        write_atomic(marker, b"# created by atlas: everything here is a cache\n*\n")


def write_atomic(path: Path, data: bytes) -> None:
    """Write aside, flush, then rename over ``path``."""
    tmp = path.with_name(f".{path.name}.{os.getpid()}.tmp")
    with open(tmp, "wb") as fh:
        fh.write(data)
        fh.flush()
        os.fsync(fh.fileno())
    os.replace(tmp, path)


def pack_checked(obj: Any) -> bytes:
    """msgpack with a magic, format version and CRC32 header."""
    body: bytes = msgpack.packb(obj, use_bin_type=True)
    header = _MAGIC + FORMAT_VERSION.to_bytes(2, "little") + zlib.crc32(body).to_bytes(4, "little")
    return header + body


def write_checked(path: Path, obj: Any) -> None:
    write_atomic(path, pack_checked(obj))


def read_checked(path: Path) -> Any:
    """Read a file written by :func:`write_checked`, verifying version and checksum."""
    try:
        data = path.read_bytes()
    except OSError as exc:
        raise IndexCorruptError(f"cannot read {path.name}: {exc.strerror}") from None
    n = len(_MAGIC)
    if len(data) < n + 6 or not data.startswith(_MAGIC):
        raise IndexCorruptError(f"{path.name} is not an Atlas index file")
    version = int.from_bytes(data[n : n + 2], "little")
    if version != FORMAT_VERSION:
        raise IndexCorruptError(
            f"index format {version} is not the current format {FORMAT_VERSION}"
        )
    body = data[n + 6 :]
    if zlib.crc32(body) != int.from_bytes(data[n + 2 : n + 6], "little"):
        raise IndexCorruptError(f"{path.name} fails its checksum")
    try:
        return msgpack.unpackb(body, raw=False, strict_map_key=False)
    except Exception as exc:
        raise IndexCorruptError(f"{path.name} cannot be decoded: {exc}") from None


def remove_quietly(path: Path) -> None:
    if path.is_dir() and not path.is_symlink():
        shutil.rmtree(path, ignore_errors=True)
    else:
        with contextlib.suppress(OSError):
            path.unlink()


def generation_dirs(cache: Path) -> Iterator[Path]:
    if cache.is_dir():
        for child in cache.iterdir():
            if child.name.startswith(("gen-", "tmp-")):
                yield child
