"""The embedding cache: int8 vectors keyed by (model, chunk text), one file per index.

``extras/ollama-vectors.npz`` holds ``keys`` (n x 16 bytes), ``scales`` (float32, one per
vector), ``vectors`` (int8, n x dim) and ``meta`` (JSON: model id and dimension). A
vector ``v`` (unit length) is stored as ``round(v / s)`` with ``s = max|v| / 127``, which
keeps cosine similarity within about 0.005 at a quarter of the float32 size.

Writers re-read the file under an exclusive lock, merge, write aside and rename, so
concurrent queries and ``atlas index --embed`` never lose each other's vectors and a
reader always sees a whole file. Vectors of another model or dimension are never
mixed in: such a file is dropped.
"""

from __future__ import annotations

import contextlib
import json
import os
import time
from collections.abc import Iterable, Iterator
from pathlib import Path
from typing import Any

import numpy as np

__all__ = ["FILE_NAME", "VectorStore", "dequantize", "quantize", "read_meta"]

FILE_NAME = "ollama-vectors.npz"
_VERSION = 1


def quantize(vectors: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """(int8 matrix, float32 scale per row) of float vectors."""
    vectors = np.asarray(vectors, dtype=np.float32)
    scales = np.abs(vectors).max(axis=1) / 127.0 if len(vectors) else np.zeros(0, np.float32)
    scales = np.where(scales > 0, scales, 1.0).astype(np.float32)
    quantized = np.clip(np.rint(vectors / scales[:, None]), -127, 127).astype(np.int8)
    return quantized, scales


def dequantize(quantized: np.ndarray, scales: np.ndarray) -> np.ndarray:
    return np.asarray(quantized, dtype=np.float32) * np.asarray(scales, np.float32)[:, None]


class VectorStore:
    """Cached vectors of one model in one cache directory."""

    def __init__(self, directory: Path, model_id: str) -> None:
        self.directory = directory
        self.path = directory / FILE_NAME
        self.model_id = model_id
        #: why the file on disk was not usable (another model or dimension), if it was not
        self.dropped = ""
        self._keys = np.zeros((0, 16), np.uint8)
        self._scales = np.zeros(0, np.float32)
        self._vectors = np.zeros((0, 0), np.int8)
        self._dim = 0
        self._row: dict[bytes, int] | None = None
        self._pending: dict[bytes, np.ndarray] = {}
        self._load()

    # -- reading -----------------------------------------------------------------

    @property
    def dim(self) -> int:
        """Vector size of the cached vectors (0: empty)."""
        return self._dim

    def __len__(self) -> int:
        return len(self._scales)

    def rows(self, keys: Iterable[bytes]) -> np.ndarray:
        """Row of each key in the file (-1: not cached)."""
        if self._row is None:
            self._row = {bytes(k): i for i, k in enumerate(self._keys)}
        row = self._row
        return np.array([row.get(k, -1) for k in keys], dtype=np.int64)

    def vectors(self, rows: np.ndarray) -> np.ndarray:
        """Float32 vectors of the given rows."""
        return dequantize(self._vectors[rows], self._scales[rows])

    def matrix(self) -> tuple[np.ndarray, np.ndarray]:
        """The whole int8 matrix and its scales."""
        return self._vectors, self._scales

    def has(self, keys: list[bytes]) -> np.ndarray:
        """Which keys have a vector, on disk or added since."""
        rows = self.rows(keys)
        return np.array(
            [r >= 0 or k in self._pending for k, r in zip(keys, rows, strict=True)], dtype=bool
        )

    def fetch(self, keys: list[bytes]) -> tuple[np.ndarray, np.ndarray]:
        """(found mask, float32 matrix with a row per key: zeros where not found)."""
        rows = self.rows(keys)
        out = np.zeros((len(keys), self._dim), dtype=np.float32)
        found = rows >= 0
        if found.any():
            out[found] = self.vectors(rows[found])
        for k in np.flatnonzero(~found):
            vector = self._pending.get(keys[k])
            if vector is not None:
                out[k] = vector
                found[k] = True
        return found, out

    def size_on_disk(self) -> int:
        try:
            return self.path.stat().st_size
        except OSError:
            return 0

    # -- writing -----------------------------------------------------------------

    def check_dim(self, dim: int) -> bool:
        """False (and the cache dropped) when the server now gives vectors of another size."""
        if self._dim and dim != self._dim:
            self.dropped = (
                f"the model now returns {dim}-dimensional vectors, the cache held "
                f"{self._dim}-dimensional ones"
            )
            self.clear()
            return False
        return True

    def add(self, keys: list[bytes], vectors: np.ndarray) -> None:
        """Remember new vectors (unit length float32); :meth:`save` writes them."""
        if not len(keys):
            return
        dim = int(vectors.shape[1])
        if not self.check_dim(dim) or not self._dim:
            self._dim = dim
        # hold them as they will be read back, so a cold run ranks exactly as a warm one
        vectors = dequantize(*quantize(vectors))
        for key, vec in zip(keys, vectors, strict=True):
            self._pending[key] = vec

    def clear(self) -> None:
        """Forget every vector, on disk too."""
        with self._locked(), contextlib.suppress(OSError):
            self.path.unlink()
        self._keys = np.zeros((0, 16), np.uint8)
        self._scales = np.zeros(0, np.float32)
        self._vectors = np.zeros((0, 0), np.int8)
        self._dim = 0
        self._row = None
        self._pending.clear()

    def save(self, keep: set[bytes] | None = None) -> bool:
        """Merge pending vectors into the file; with ``keep``, drop every other key.

        Returns whether the file was written.
        """
        if not self._pending and keep is None:
            return False
        with self._locked():
            self._load()  # another process may have written since we read
            pending_dim = len(next(iter(self._pending.values()))) if self._pending else 0
            if pending_dim and len(self._keys) and self._vectors.shape[1] != pending_dim:
                # written by a process that still saw the old model: ours are newer
                self.dropped = "the cache on disk held vectors of another dimension"
                self._keys = np.zeros((0, 16), np.uint8)
                self._scales = np.zeros(0, np.float32)
                self._vectors = np.zeros((0, pending_dim), np.int8)
            disk_keys = [bytes(k) for k in self._keys]
            known = set(disk_keys)
            fresh = {k: v for k, v in self._pending.items() if k not in known}
            keep_mask = np.array([keep is None or k in keep for k in disk_keys], dtype=bool)
            self._pending.clear()
            if not fresh and keep_mask.all():
                return False
            parts_q, parts_s = [self._vectors[keep_mask]], [self._scales[keep_mask]]
            new_keys = [k for k, m in zip(disk_keys, keep_mask, strict=True) if m]
            if fresh:
                q, s = quantize(np.vstack(list(fresh.values())))
                parts_q.append(q)
                parts_s.append(s)
                new_keys.extend(fresh)
            dim = pending_dim or int(self._vectors.shape[1])
            parts_q = [p.reshape(-1, dim) for p in parts_q]
            key_array = np.frombuffer(b"".join(new_keys), dtype=np.uint8).reshape(-1, 16)
            self._write(key_array, np.concatenate(parts_s), np.vstack(parts_q), dim)
            self._load()
        return True

    # -- file --------------------------------------------------------------------

    def _load(self) -> None:
        data = _read(self.path)
        self._row = None
        self._epoch = ""
        if data is None:
            self._keys = np.zeros((0, 16), np.uint8)
            self._scales = np.zeros(0, np.float32)
            self._vectors = np.zeros((0, self._dim), np.int8)
            return
        meta, keys, scales, vectors = data
        if meta.get("model") != self.model_id or meta.get("version") != _VERSION:
            self.dropped = f"the cache held vectors of {meta.get('model')!r}"
            keys, scales = np.zeros((0, 16), np.uint8), np.zeros(0, np.float32)
            vectors = np.zeros((0, 0), np.int8)
        else:
            self._dim = int(vectors.shape[1])
            self._epoch = str(meta.get("epoch", ""))
        self._keys, self._scales, self._vectors = keys, scales, vectors

    def _write(self, keys: np.ndarray, scales: np.ndarray, vectors: np.ndarray, dim: int) -> None:
        self.directory.mkdir(parents=True, exist_ok=True)
        # a file started afresh gets a new epoch, so index-time data can tell it was lost
        epoch = self._epoch if len(self._keys) else f"{time.time_ns():x}"
        meta = json.dumps(
            {
                "model": self.model_id,
                "dim": dim,
                "rows": len(keys),
                "epoch": epoch,
                "version": _VERSION,
            }
        )
        tmp = self.path.with_name(f".{self.path.name}.{os.getpid()}.tmp")
        with open(tmp, "wb") as fh:
            np.savez(fh, meta=np.array(meta), keys=keys, scales=scales, vectors=vectors)
            fh.flush()
            os.fsync(fh.fileno())
        os.replace(tmp, self.path)

    @contextlib.contextmanager
    def _locked(self) -> Iterator[None]:
        self.directory.mkdir(parents=True, exist_ok=True)
        try:
            import fcntl
        except ImportError:  # pragma: no cover - not on POSIX
            yield
            return
        with open(self.directory / f"{FILE_NAME}.lock", "a+b") as fh:
            fcntl.flock(fh.fileno(), fcntl.LOCK_EX)
            try:
                yield
            finally:
                fcntl.flock(fh.fileno(), fcntl.LOCK_UN)


def _read(path: Path) -> tuple[dict[str, Any], np.ndarray, np.ndarray, np.ndarray] | None:
    """The arrays of a cache file, or None if it is missing or unreadable."""
    try:
        with np.load(path, allow_pickle=False) as npz:
            meta = json.loads(str(npz["meta"]))
            keys, scales, vectors = npz["keys"], npz["scales"], npz["vectors"]
    except (OSError, ValueError, KeyError, json.JSONDecodeError, EOFError):
        return None
    except Exception:  # a torn or foreign zip: treat as no cache
        return None
    ok = (
        isinstance(meta, dict)
        and keys.dtype == np.uint8
        and keys.ndim == 2
        and keys.shape[1] == 16
        and vectors.dtype == np.int8
        and vectors.ndim == 2
        and len(keys) == len(scales) == len(vectors)
    )
    return (meta, keys, scales, vectors) if ok else None


def read_meta(directory: Path) -> dict[str, Any] | None:
    """The cache file's meta (model, dim, rows) without reading its arrays; None if unusable."""
    try:
        with np.load(directory / FILE_NAME, allow_pickle=False) as npz:
            meta = json.loads(str(npz["meta"]))
    except Exception:  # missing, torn or foreign: all mean "no cache"
        return None
    return meta if isinstance(meta, dict) else None
