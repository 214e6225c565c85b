"""Reading an index: every file verified against its checksum on open, arrays memory-mapped.

A reader holds a shared lock on its generation directory for as long as it lives, so a
writer never removes a generation somebody reads (it leaves it for a later run). A reader
that loses the race anyway (the generation it was about to open was replaced and removed
before it could lock it) opens the new live generation instead.
"""

from __future__ import annotations

import io
import mmap
import os
import stat
import threading
import weakref
import zlib
from bisect import bisect_left
from collections.abc import Mapping, Sequence
from functools import cached_property
from pathlib import Path
from types import MappingProxyType
from typing import Any

import numpy as np

from atlas_core.errors import AtlasError, IndexCorruptError
from atlas_core.index import layout
from atlas_core.index.filetable import FileTable, unpack_files
from atlas_core.index.layout import ARRAYS, BLOBS, DELTA_ARRAYS, DELTA_BLOBS, META
from atlas_core.index.tfcodec import unpack_tf
from atlas_core.types import Chunk, FileEntry

__all__ = ["ARRAYS", "FIELDS", "IndexReader", "open_index"]

#: the text fields of every document, in column order of the tf arrays
FIELDS = ("filename", "symbols", "body")
_COLUMNS = ("path", "size", "mtime_ns", "ino", "hash", "language", "role", "tokens", "status")
_MMAP_MIN = 1 << 16
_RACE_RETRIES = 20
#: files whose decoded chunks a reader keeps: a query asks for the same ~50 files' chunks
#: two or three times (selection, skim, symbols), and a long-lived reader for the next query
_CHUNK_CACHE = 512


def open_index(cache: Path, root: Path | None = None) -> IndexReader | None:
    """The live generation, or None when there is no index yet.

    With ``root``, an index recorded for another root is not trusted.

    :raises CacheDirError: when the cache directory is not Atlas's own.
    :raises IndexCorruptError: when an index exists but cannot be trusted.
    """
    if not layout.check_cache_dir(cache):
        return None
    for _ in range(_RACE_RETRIES):
        name = layout.read_current(cache)
        if name is None:
            return None
        try:
            return IndexReader(cache, cache / name, root=root)
        except IndexCorruptError:
            if layout.read_current(cache) == name:
                raise
            # a writer published a new generation meanwhile: open that one
    raise IndexCorruptError("the index kept changing while being opened")


class IndexReader:
    """One generation of the index.

    Metadata (the file table), the arrays and blobs, and contributor data are read and
    checksum-verified on open. Arrays are memory-mapped, so the page cache holds them once.
    """

    def __init__(
        self,
        cache: Path,
        gen: Path,
        *,
        root: Path | None = None,
        verify: bool = True,
        written: dict[str, Any] | None = None,
    ) -> None:
        self.cache = cache
        self.gen = gen
        #: False: the caller has just written the generation and knows its checksums
        self._verify = verify
        #: the metadata the caller has just written there (spares decoding it again)
        self._written = written
        try:
            fd = os.open(gen, os.O_RDONLY | os.O_DIRECTORY | layout._NOFOLLOW)
        except OSError:
            raise IndexCorruptError(
                f"the live index generation {gen.name} is missing or not a directory"
            ) from None
        self._dir = fd
        self._closer = weakref.finalize(self, os.close, fd)
        self._arrays: dict[str, np.ndarray] = {}
        self._extras: dict[str, Any] = {}
        self._extra_bodies: dict[str, memoryview] = {}
        self._chunk_cache: dict[int, tuple[Chunk, ...]] = {}
        self._row_cache: dict[int, tuple[list[Any], ...]] = {}
        self._chunk_lock = threading.Lock()
        try:
            layout.share_lock(fd)
            self._open(root)
        except BaseException:
            self.close()
            raise

    def _open(self, root: Path | None) -> None:
        meta = self._written
        self._written = None
        if meta is None:
            meta = layout.read_checked(Path(META), dir_fd=self._dir)
            if isinstance(meta, dict) and "files" in meta:
                meta["files"] = unpack_files(meta["files"])
        try:
            self._published_ns = os.stat(META, dir_fd=self._dir, follow_symlinks=False).st_mtime_ns
        except OSError:
            self._published_ns = 0
        if not isinstance(meta, dict) or not all(
            k in meta for k in ("files", "checksums", "root", "generation", "stats")
        ):
            raise IndexCorruptError("index metadata is incomplete")
        if root is not None and meta["root"] != str(root):
            raise IndexCorruptError(f"the index was built for another root ({meta['root']})")
        columns = meta["files"]
        # a FileTable was checked when it was made (its columns are decoded when used)
        if not isinstance(columns, FileTable) and (
            not isinstance(columns, dict)
            or not all(
                isinstance(columns.get(c), list) and len(columns[c]) == len(columns["path"])
                for c in _COLUMNS
            )
        ):
            raise IndexCorruptError("index metadata is incomplete")
        sums = meta["checksums"]
        #: a delta generation: the base's postings and symbols, and what changed since
        self.delta = bool(meta.get("delta"))
        self._array_names = (*ARRAYS, *DELTA_ARRAYS) if self.delta else ARRAYS
        #: arrays kept in the metadata (a delta generation's own: see IndexBuilder._save)
        self._inline: dict[str, bytes] = meta.get("inline") or {}
        if not isinstance(self._inline, dict) or not set(self._inline) <= set(self._array_names):
            raise IndexCorruptError("index metadata is incomplete")
        expected = {f"{a}.npy" for a in self._array_names if a not in self._inline}
        expected |= set(BLOBS)
        if self.delta:
            expected |= set(DELTA_BLOBS)
        if not isinstance(sums, dict) or set(sums) != expected:
            raise IndexCorruptError("index metadata lists other files than an index has")
        self.meta: dict[str, Any] = meta
        self.root = root if root is not None else Path(meta["root"])
        # [size, crc32] and, since format 8, the [inode, mtime_ns] the file had when the
        # generation was published
        self._sums: dict[str, tuple[int, ...]] = {
            k: tuple(int(x) for x in v[:4]) for k, v in sums.items()
        }
        self._files: Mapping[str, list[Any]] = columns
        self._count = len(columns.rows) if isinstance(columns, FileTable) else len(columns["path"])
        for name in self._array_names:
            self.array(name)
        self.vocab_blob = bytes(self._verified("vocab.bin", mapped=False))
        self._symbols_blob = self._verified("symbols.bin")
        self.path_blob = bytes(self._verified("path_vocab.bin", mapped=False))
        n = self._count
        if self.delta:
            self._delta_symbols_blob = self._verified("delta_symbols.bin")
            base = len(self.array("base_map"))
            if (
                len(self.array("symbols_off")) != base + 1
                or len(self.array("symbols_src")) != n
                or len(self.array("delta_off")) != len(self.array("delta_terms")) + 1
                or len(self.array("post_off")) > len(self.array("vocab_off"))
            ):
                raise IndexCorruptError("index arrays do not match its file table")
        elif len(self.array("symbols_off")) != n + 1:
            raise IndexCorruptError("index arrays do not match its file table")
        if self.array("doclen").shape != (n, 3) or self.array("path_prior").shape != (n,):
            raise IndexCorruptError("index arrays do not match its file table")
        self._read_extras()

    def close(self) -> None:
        """Release the generation (memory-mapped arrays stay valid)."""
        self._closer()

    def __enter__(self) -> IndexReader:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    def verify(self) -> None:
        """Verify every array (all are checked on open; kept for callers that ask)."""
        for name in self._array_names:
            self.array(name)

    # -- files -------------------------------------------------------------------

    # Each column of the file table is decoded the first time it is used (a query needs
    # few), then kept as an attribute. Plugins see these very objects, so they are tuples
    # (and ``ids`` a read-only mapping): one plugin changing them in place would misplace
    # every file for every later query on this reader.

    @cached_property
    def paths(self) -> tuple[str, ...]:
        return tuple(self._files["path"])

    @cached_property
    def languages(self) -> tuple[str, ...]:
        return tuple(self._files["language"])

    @cached_property
    def roles(self) -> tuple[str, ...]:
        return tuple(self._files["role"])

    @cached_property
    def tokens(self) -> tuple[int, ...]:
        return tuple(self._files["tokens"])

    @cached_property
    def sizes(self) -> tuple[int, ...]:
        return tuple(self._files["size"])

    @cached_property
    def statuses(self) -> tuple[str, ...]:
        return tuple(self._files["status"])

    def path(self, i: int) -> str:
        """The path of file ``i`` (without decoding every path, when they were not yet)."""
        return str(self.file_field("path", i))

    def file_field(self, column: str, i: int) -> Any:
        """File ``i``'s entry in one column of the file table (``path``, ``language``,
        ``role``, ``status``, ``tokens``, ``size``...), decoding no more than it."""
        files = self._files
        if isinstance(files, FileTable):
            return files.value(column, i)
        return files[column][i]

    @property
    def generation(self) -> int:
        return int(self.meta["generation"])

    def __len__(self) -> int:
        return self._count

    @property
    def fingerprint(self) -> str:
        """The indexing settings and chunkers this generation was built with."""
        return str(self.meta.get("fingerprint", ""))

    @cached_property
    def hashes(self) -> tuple[bytes, ...]:
        """Each file's content hash (empty for files too large to read)."""
        return tuple(self._files["hash"])

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
    def ids(self) -> Mapping[str, int]:
        """Path -> file id (read-only)."""
        ids = dict(zip(self.paths, range(len(self.paths)), strict=True))  # C-level: 2x faster
        return MappingProxyType(ids)

    def read_text(self, i: int) -> str:
        """The current content of file ``i`` (read from the work tree, decoded leniently; a
        notebook's cells, as indexed)."""
        from atlas_core.fsread import read_confined
        from atlas_core.notebook import readable_text

        rel = self.path(i)
        try:
            return readable_text(rel, read_confined(self.root, rel))
        except AtlasError:  # refused, gone, not a regular file (never blocks on a FIFO)
            return ""

    # -- verified files ----------------------------------------------------------

    @property
    def dir_fd(self) -> int:
        """The open generation directory (valid until :meth:`close`)."""
        return self._dir

    def checksum(self, name: str) -> tuple[int, int]:
        """(size, crc32) of one file of the generation, as its metadata records them."""
        size, crc = self._sums[name][:2]
        return size, crc

    def _verified(self, name: str, *, mapped: bool = True) -> Any:
        """The bytes of one file of the generation, after checking its size and CRC32.

        A file that is still the inode with the modification time it was published with,
        a time older than the metadata's (written after it), has not been written to since
        its checksum was taken: its CRC32 is not computed again (at 28k files that is some
        30 ms per query and per re-index). A file as new as the metadata could have been
        changed within the file system's clock tick, so it is checked as before.
        """
        size, crc, *stamp = self._sums[name]
        try:
            fd = os.open(name, os.O_RDONLY | layout._NOFOLLOW, dir_fd=self._dir)
        except OSError:
            raise IndexCorruptError(f"index file {name} is missing") from None
        try:
            st = os.fstat(fd)
            if not stat.S_ISREG(st.st_mode):
                raise IndexCorruptError(f"index file {name} is not a regular file")
            if st.st_size != size:
                raise IndexCorruptError(
                    f"index file {name} has {st.st_size} bytes, expected {size}"
                )
            data: Any
            if size >= _MMAP_MIN and mapped:
                data = mmap.mmap(fd, size, access=mmap.ACCESS_READ)
            else:
                with open(fd, "rb", closefd=False) as fh:
                    data = fh.read()
        except OSError as exc:
            raise IndexCorruptError(f"index file {name} cannot be read: {exc.strerror}") from None
        finally:
            os.close(fd)
        unchanged = (
            len(stamp) == 2
            and (st.st_ino, st.st_mtime_ns) == tuple(stamp)
            and st.st_mtime_ns < self._published_ns
        )
        if len(data) != size or (self._verify and not unchanged and zlib.crc32(data) != crc):
            raise IndexCorruptError(f"index file {name} fails its checksum")
        return data

    def _read_extras(self) -> None:
        """Check every contributor's stored data now, so no query ranks from damaged data."""
        try:
            fd = os.open(self.cache / "extras", os.O_RDONLY | os.O_DIRECTORY | layout._NOFOLLOW)
        except FileNotFoundError:
            return
        except OSError:
            raise IndexCorruptError("the contributor data directory is unusable") from None
        try:
            with os.scandir(fd) as entries:
                names = [e for e in entries if layout.is_extra_name(e.name)]
            for entry in names:
                file_name = entry.name
                if not entry.is_file(follow_symlinks=False):  # never followed: damage
                    try:
                        what = layout.not_a_file(entry.stat(follow_symlinks=False).st_mode)
                    except OSError:
                        what = "not a file"
                    raise IndexCorruptError(f"extras/{file_name} is {what}, not a file")
                try:
                    data = layout.read_file(file_name, dir_fd=fd)
                except OSError:
                    raise IndexCorruptError(f"extras/{file_name} cannot be read") from None
                body = layout.checked_body(data, f"extras/{file_name}")
                self._extra_bodies[file_name.removesuffix(".msgpack")] = body
        finally:
            os.close(fd)

    # -- arrays ------------------------------------------------------------------

    def inline(self, name: str) -> bool:
        """Whether array ``name`` is kept in the metadata rather than a file of its own."""
        return name in self._inline

    def array(self, name: str) -> np.ndarray:
        arr = self._arrays.get(name)
        if arr is None:
            inline = self._inline.get(name)
            # an inline array was checked with the metadata
            data = inline if isinstance(inline, bytes) else self._verified(f"{name}.npy")
            arr = _npy(data, name)
            self._arrays[name] = arr
        return arr

    def vocabulary(self) -> list[str]:
        """Every term, in id order (used when re-indexing)."""
        off = self.array("vocab_off").tolist()
        blob = self.vocab_blob
        return [
            blob[off[i] : off[i + 1]].decode("utf-8", "surrogateescape")
            for i in range(len(off) - 1)
        ]

    def locate(self, term: str) -> tuple[int, int | None]:
        """Binary search of the sorted vocabulary: (insertion position, term id or None)."""
        order, off = self._vocab_index
        key = term.encode("utf-8", "surrogateescape")
        blob = self.vocab_blob
        lo, hi = 0, len(order)
        while lo < hi:
            mid = (lo + hi) // 2
            tid = order[mid]
            if blob[off[tid] : off[tid + 1]] < key:
                lo = mid + 1
            else:
                hi = mid
        if lo < len(order):
            tid = order[lo]
            if blob[off[tid] : off[tid + 1]] == key:
                return lo, int(tid)
        return lo, None

    @cached_property
    def _vocab_index(self) -> tuple[Sequence[int], Sequence[int]]:
        """``vocab_order`` and ``vocab_off`` as memoryviews, whose items are Python ints
        (a numpy scalar per step made a one-file re-index's look-ups take 4 ms)."""
        arrays = (self.array("vocab_order"), self.array("vocab_off"))
        if all(a.dtype.isnative and a.flags.c_contiguous for a in arrays):
            views: list[Any] = [memoryview(a.data).cast("B") for a in arrays]
            return views[0].cast(arrays[0].dtype.char), views[1].cast(arrays[1].dtype.char)
        return arrays[0], arrays[1]  # type: ignore[return-value]

    def term_id(self, term: str) -> int | None:
        """The id of ``term``; touches about log2(V) dictionary entries."""
        return self.locate(term)[1]

    def document_frequency(self, term: str) -> int:
        """How many files hold ``term`` (read from the postings' offsets, not decoded)."""
        tid = self.term_id(term)
        if tid is None:
            return 0
        off = self.array("post_off")
        if self.delta or tid + 1 >= len(off):
            return len(self.postings(tid)[0])
        return int(off[tid + 1]) - int(off[tid])

    def postings(self, term_id: int) -> tuple[np.ndarray, np.ndarray]:
        """(file ids, ascending, and tf per field with shape (n, 3)) of one term."""
        off = self.array("post_off")
        if term_id + 1 < len(off):
            start, end = int(off[term_id]), int(off[term_id + 1])
        else:  # a term new since the base of a delta generation
            start = end = 0
        docs = np.asarray(self.array("post_doc")[start:end])
        tf = self._tf(start, end)
        if not self.delta:
            return docs, tf
        mapped = self.array("base_map")[docs]
        keep = mapped >= 0
        terms = self.array("delta_terms")
        k = int(np.searchsorted(terms, term_id))
        if k < len(terms) and int(terms[k]) == term_id:
            d_off = self.array("delta_off")
            lo, hi = int(d_off[k]), int(d_off[k + 1])
            merged = np.concatenate([mapped[keep], self.array("delta_doc")[lo:hi]])
            tfs = np.concatenate([tf[keep], self.array("delta_tf")[lo:hi]])
            order = np.argsort(merged, kind="stable")
            return merged[order].astype(np.uint32), tfs[order]
        return mapped[keep].astype(np.uint32), tf[keep]

    def _tf(self, start: int, end: int) -> np.ndarray:
        big_at, big = self.array("post_tf_big_at"), self.array("post_tf_big")
        return unpack_tf(self.array("post_tf"), big_at, big, start, end)

    def all_postings(self) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
        """Every posting as (term, file, tf) arrays, sorted by term then file (re-indexing)."""
        off = np.asarray(self.array("post_off"), dtype=np.int64)
        term = np.repeat(np.arange(len(off) - 1, dtype=np.uint32), np.diff(off))
        doc = np.asarray(self.array("post_doc"))
        tf = self._tf(0, len(doc))
        if not self.delta:
            return term, doc, tf
        mapped = self.array("base_map")[doc]
        keep = mapped >= 0
        term, doc, tf = term[keep], mapped[keep].astype(np.uint32), tf[keep]
        d_off = np.asarray(self.array("delta_off"), dtype=np.int64)
        d_term = np.repeat(np.asarray(self.array("delta_terms")), np.diff(d_off))
        d_doc = np.asarray(self.array("delta_doc"))
        if not len(d_term):
            return term, doc, tf
        width = np.int64(len(self) + 1)
        at = np.searchsorted(
            term.astype(np.int64) * width + doc, d_term.astype(np.int64) * width + d_doc
        )
        return (
            np.insert(term, at, d_term),
            np.insert(doc, at, d_doc),
            np.insert(tf, at, np.asarray(self.array("delta_tf")), axis=0),
        )

    @cached_property
    def _path_terms(self) -> list[str]:
        blob = self.path_blob
        return blob.decode("utf-8", "surrogateescape").split("\n") if blob else []

    def path_docs(self, term: str) -> np.ndarray:
        """The files (ascending ids) whose directory or file name holds ``term``."""
        terms = self._path_terms
        k = bisect_left(terms, term)
        if k == len(terms) or terms[k] != term:
            return np.zeros(0, dtype=np.uint32)
        off = self.array("path_off")
        return np.asarray(self.array("path_doc")[int(off[k]) : int(off[k + 1])])

    @property
    def path_prior(self) -> np.ndarray:
        """The path signal's prior per file (role, depth, directories, size)."""
        return self.array("path_prior")

    @property
    def doclen(self) -> np.ndarray:
        return self.array("doclen")

    @property
    def stats(self) -> dict[str, Any]:
        stats: dict[str, Any] = self.meta["stats"]
        return stats

    # -- symbols and extras ------------------------------------------------------

    def symbol_record(self, i: int) -> bytes:
        """The raw msgpack record of file ``i``'s chunks."""
        blob = self._symbols_blob
        off = self.array("symbols_off")
        if self.delta:
            i = int(self.array("symbols_src")[i])
            if i < 0:
                i = -i - 1
                blob, off = self._delta_symbols_blob, self.array("delta_symbols_off")
        return bytes(blob[int(off[i]) : int(off[i + 1])])

    def chunk_rows(self, i: int) -> tuple[list[Any], ...]:
        """File ``i``'s chunks as :meth:`Chunk.to_row` wrote them (do not change them).

        Cheaper than :meth:`chunks` for a caller that needs a field or two of each.
        """
        rows = self._row_cache.get(i)
        if rows is None:
            try:
                rows = tuple(layout.unpackb(self.symbol_record(i)))
                if not all(isinstance(row, list) and 2 <= len(row) <= 6 for row in rows):
                    raise ValueError("not a chunk record")
            except Exception as exc:
                raise IndexCorruptError(f"symbols of {self.path(i)!r} cannot be decoded") from exc
            _keep(self._row_cache, i, rows, self._chunk_lock)
        return rows

    def chunks(self, i: int) -> tuple[Chunk, ...]:
        """Symbols and imports of file ``i`` (reads only this file's record; kept, so a
        tuple)."""
        cached = self._chunk_cache.get(i)
        if cached is None:
            rows = self.chunk_rows(i)
            try:
                cached = tuple(Chunk.from_row(row) for row in rows)
            except Exception as exc:
                raise IndexCorruptError(f"symbols of {self.path(i)!r} cannot be decoded") from exc
            _keep(self._chunk_cache, i, cached, self._chunk_lock)
        return cached

    def extra_names(self) -> list[str]:
        """The names of the stored contributor records (``git``, ``git.priors``...), sorted."""
        return sorted(self._extra_bodies)

    def extra(self, name: str) -> Any:
        """Data a contributor stored (as of when this reader was opened), or None."""
        record = self.extra_record(name)
        return record.get("data") if record is not None else None

    def extra_record(self, name: str) -> dict[str, Any] | None:
        """A contributor's stored record (``fingerprint`` and ``data``), or None."""
        if name not in self._extras:
            body = self._extra_bodies.get(name)
            record = None
            if body is not None:
                try:
                    record = layout.unpackb(body)
                except Exception:
                    raise IndexCorruptError(f"extras/{name}.msgpack cannot be decoded") from None
            self._extras[name] = record if isinstance(record, dict) else None
        value: dict[str, Any] | None = self._extras[name]
        return value

    def size_on_disk(self) -> int:
        total = sum(entry[0] for entry in self._sums.values())
        with os.scandir(self.gen) as entries:
            total += sum(e.stat(follow_symlinks=False).st_size for e in entries if e.name == META)
        extras = self.cache / "extras"
        if extras.is_dir() and not extras.is_symlink():
            with os.scandir(extras) as entries:
                total += sum(
                    e.stat(follow_symlinks=False).st_size
                    for e in entries
                    if e.is_file(follow_symlinks=False)
                )
        return total


def _keep(cache: dict[int, Any], i: int, value: Any, lock: threading.Lock) -> None:
    """Keep ``value`` as ``cache[i]``; the oldest entry goes when the cache is full."""
    with lock:
        if len(cache) >= _CHUNK_CACHE:
            del cache[next(iter(cache))]
        cache[i] = value


def _npy_header(head_bytes: bytes) -> tuple[tuple[int, ...], bool, np.dtype[Any], int]:
    """(shape, fortran order, dtype, data offset) of a ``.npy`` file's first bytes."""
    fmt = np.lib.format
    head = io.BytesIO(head_bytes)
    version = fmt.read_magic(head)
    if version == (1, 0):
        shape, fortran, dtype = fmt.read_array_header_1_0(head)
    else:
        shape, fortran, dtype = fmt.read_array_header_2_0(head)
    return shape, fortran, dtype, head.tell()


def _npy(data: Any, name: str) -> np.ndarray:
    """An array over the verified bytes of a ``.npy`` file (no copy when memory-mapped)."""
    try:
        try:  # the header is a few hundred bytes: copying 64 KiB of each array cost ms
            shape, fortran, dtype, offset = _npy_header(bytes(data[: min(len(data), 4096)]))
        except ValueError:  # a longer header than that
            shape, fortran, dtype, offset = _npy_header(bytes(data[: min(len(data), 1 << 16)]))
        count = int(np.prod(shape, dtype=np.int64))
        if fortran or dtype.hasobject or offset + count * dtype.itemsize != len(data):
            raise ValueError("unexpected layout")
        return np.frombuffer(data, dtype=dtype, count=count, offset=offset).reshape(shape)
    except (ValueError, TypeError) as exc:
        raise IndexCorruptError(f"index array {name} cannot be read: {exc}") from None
