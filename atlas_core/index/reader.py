"""Reading an index: metadata eagerly, postings memory-mapped and touched per query term."""

from __future__ import annotations

from functools import cached_property
from pathlib import Path
from typing import Any

import numpy as np

from atlas_core.errors import IndexCorruptError
from atlas_core.index.layout import read_checked
from atlas_core.types import Chunk, FileEntry

__all__ = ["ARRAYS", "FIELDS", "IndexReader", "open_index"]

#: the text fields of every document, in column order of the tf arrays
FIELDS = ("filename", "symbols", "body")
ARRAYS = (
    "symbols_off",
    "vocab_off",
    "vocab_order",
    "post_off",
    "post_doc",
    "post_tf",
    "fwd_off",
    "fwd_term",
    "fwd_tf",
    "doclen",
)


def open_index(cache: Path) -> IndexReader | None:
    """The live generation, or None when there is no index yet.

    :raises IndexCorruptError: when an index exists but cannot be trusted.
    """
    current = cache / "CURRENT"
    if not current.exists():
        return None
    try:
        name = current.read_text().strip()
    except OSError as exc:
        raise IndexCorruptError(f"cannot read {current}: {exc.strerror}") from None
    gen = cache / name
    if not name.startswith("gen-") or not gen.is_dir():
        raise IndexCorruptError(f"the live index generation {name!r} is missing")
    return IndexReader(cache, gen)


class IndexReader:
    """One generation of the index.

    Metadata (the file table) is read and checksum-verified on open; array files are
    checked for size and memory-mapped on first use, so a query reads only the postings
    of its own terms.
    """

    def __init__(self, cache: Path, gen: Path) -> None:
        self.cache = cache
        self.gen = gen
        meta = read_checked(gen / "meta.msgpack")
        if not isinstance(meta, dict) or "files" not in meta:
            raise IndexCorruptError("index metadata is incomplete")
        self.meta: dict[str, Any] = meta
        self.root = Path(self.meta["root"])
        for name, size in self.meta["arrays"].items():
            path = gen / f"{name}.npy"
            try:
                actual = path.stat().st_size
            except OSError:
                raise IndexCorruptError(f"index array {name} is missing") from None
            if actual != size:
                raise IndexCorruptError(f"index array {name} has {actual} bytes, expected {size}")
        for name, size in self.meta.get("blobs", {}).items():
            try:
                actual = (gen / name).stat().st_size
            except OSError:
                raise IndexCorruptError(f"index file {name} is missing") from None
            if actual != size:
                raise IndexCorruptError(f"index file {name} has {actual} bytes, expected {size}")
        columns = self.meta["files"]
        self.paths: list[str] = columns["path"]
        self.languages: list[str] = columns["language"]
        self.roles: list[str] = columns["role"]
        self.tokens: list[int] = columns["tokens"]
        self.sizes: list[int] = columns["size"]
        self.statuses: list[str] = columns["status"]
        self._arrays: dict[str, np.ndarray] = {}
        self._extras: dict[str, Any] = {}

    # -- files -------------------------------------------------------------------

    @property
    def generation(self) -> int:
        return int(self.meta["generation"])

    def __len__(self) -> int:
        return len(self.paths)

    def entry(self, i: int) -> FileEntry:
        return FileEntry(
            i,
            self.paths[i],
            self.sizes[i],
            self.languages[i],
            self.roles[i],
            self.tokens[i],
            self.statuses[i],
        )

    @cached_property
    def ids(self) -> dict[str, int]:
        return {p: i for i, p in enumerate(self.paths)}

    def read_text(self, i: int) -> str:
        """The current content of file ``i`` (read from the work tree, decoded leniently)."""
        try:
            return (self.root / self.paths[i]).read_bytes().decode("utf-8", "replace")
        except OSError:
            return ""

    # -- arrays ------------------------------------------------------------------

    def array(self, name: str) -> np.ndarray:
        arr = self._arrays.get(name)
        if arr is None:
            try:
                arr = np.load(self.gen / f"{name}.npy", mmap_mode="r", allow_pickle=False)
            except (OSError, ValueError) as exc:
                raise IndexCorruptError(f"index array {name} cannot be read: {exc}") from None
            self._arrays[name] = arr
        return arr

    @cached_property
    def vocab_blob(self) -> bytes:
        try:
            return (self.gen / "vocab.bin").read_bytes()
        except OSError as exc:
            raise IndexCorruptError(f"index vocabulary cannot be read: {exc}") from None

    def term_at(self, term_id: int) -> str:
        off = self.array("vocab_off")
        return self.vocab_blob[int(off[term_id]) : int(off[term_id + 1])].decode("utf-8")

    def vocabulary(self) -> list[str]:
        """Every term, in id order (used when re-indexing)."""
        off = self.array("vocab_off").tolist()
        blob = self.vocab_blob
        return [blob[off[i] : off[i + 1]].decode("utf-8") for i in range(len(off) - 1)]

    def locate(self, term: str) -> tuple[int, int | None]:
        """Binary search of the sorted vocabulary: (insertion position, term id or None)."""
        order = self.array("vocab_order")
        key = term.encode("utf-8")
        off = self.array("vocab_off")
        blob = self.vocab_blob
        lo, hi = 0, len(order)
        while lo < hi:
            mid = (lo + hi) // 2
            tid = int(order[mid])
            if blob[int(off[tid]) : int(off[tid + 1])] < key:
                lo = mid + 1
            else:
                hi = mid
        if lo < len(order):
            tid = int(order[lo])
            if blob[int(off[tid]) : int(off[tid + 1])] == key:
                return lo, tid
        return lo, None

    def term_id(self, term: str) -> int | None:
        """The id of ``term``; touches about log2(V) dictionary entries."""
        return self.locate(term)[1]

    def postings(self, term_id: int) -> tuple[np.ndarray, np.ndarray]:
        """(file ids, tf per field with shape (n, 3)) of one term."""
        off = self.array("post_off")
        start, end = int(off[term_id]), int(off[term_id + 1])
        return (
            np.asarray(self.array("post_doc")[start:end]),
            np.asarray(self.array("post_tf")[start:end]),
        )

    @property
    def doclen(self) -> np.ndarray:
        return self.array("doclen")

    @property
    def stats(self) -> dict[str, Any]:
        stats: dict[str, Any] = self.meta["stats"]
        return stats

    # -- symbols and extras ------------------------------------------------------

    @cached_property
    def _symbols_blob(self) -> Any:
        import mmap

        path = self.gen / "symbols.bin"
        if not path.stat().st_size:
            return b""
        with open(path, "rb") as fh:
            return mmap.mmap(fh.fileno(), 0, access=mmap.ACCESS_READ)

    def symbol_record(self, i: int) -> bytes:
        """The raw msgpack record of file ``i``'s chunks."""
        off = self.array("symbols_off")
        return bytes(self._symbols_blob[int(off[i]) : int(off[i + 1])])

    def chunks(self, i: int) -> list[Chunk]:
        """Symbols and imports of file ``i`` (reads only this file's record)."""
        import msgpack

        try:
            rows = msgpack.unpackb(self.symbol_record(i), raw=False)
        except Exception as exc:
            raise IndexCorruptError(f"symbols of {self.paths[i]} cannot be decoded") from exc
        return [Chunk.from_row(row) for row in rows]

    def extra(self, name: str) -> Any:
        """Data a contributor stored for this generation, or None."""
        if name not in self._extras:
            path = self.cache / "extras" / f"{name}.msgpack"
            value = None
            if path.exists():
                try:
                    stored = read_checked(path)
                    value = stored.get("data")
                except IndexCorruptError:
                    value = None
            self._extras[name] = value
        return self._extras[name]

    def extra_record(self, name: str) -> dict[str, Any] | None:
        path = self.cache / "extras" / f"{name}.msgpack"
        if not path.exists():
            return None
        try:
            record = read_checked(path)
        except IndexCorruptError:
            return None
        return record if isinstance(record, dict) else None

    def size_on_disk(self) -> int:
        total = sum(p.stat().st_size for p in self.gen.iterdir() if p.is_file())
        extras = self.cache / "extras"
        if extras.is_dir():
            total += sum(p.stat().st_size for p in extras.iterdir() if p.is_file())
        return total
