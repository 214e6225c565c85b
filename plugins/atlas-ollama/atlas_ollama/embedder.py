"""Vectors for indexed files and queries: chunk texts, the cache, then the server for the rest."""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING

import numpy as np

from atlas_ollama.client import EmbeddingClient
from atlas_ollama.store import VectorStore
from atlas_ollama.texts import cache_key, file_texts

if TYPE_CHECKING:
    from atlas_core.api import IndexView
    from atlas_ollama.config import OllamaConfig

__all__ = ["FileEmbedder"]


class FileEmbedder:
    """Embeds the chunks of an index's files through one client and one cache."""

    def __init__(
        self,
        reader: IndexView,
        config: OllamaConfig,
        note: Callable[[str], None] = lambda message: None,
        *,
        deadline: float | None = None,
        budget: tuple[float, str] | None = None,
    ) -> None:
        """``deadline`` and ``budget``: see :class:`EmbeddingClient`."""
        self.reader = reader
        self.config = config
        self.note = note
        self.client = EmbeddingClient(config, deadline=deadline, budget=budget)
        self.store = VectorStore(reader.cache / "extras", config.model_id)
        self.embedded = 0
        self._query_prefix, self._doc_prefix = config.prefixes()
        self._said_dropped = False
        self._say_dropped()

    def __enter__(self) -> FileEmbedder:
        return self

    def __exit__(self, kind: object, *exc: object) -> None:
        self.client.close()
        if kind is not None:
            self.save()  # keep what was embedded before the server stopped answering

    # -- texts -------------------------------------------------------------------

    def texts(self, i: int) -> list[str]:
        """Chunk texts of indexed file ``i`` (none for binary, large or empty files)."""
        if self.reader.statuses[i] != "ok":
            return []
        return file_texts(
            self.reader.paths[i],
            self.reader.read_text(i),
            self.reader.chunks(i),
            max_chars=self.config.max_chars,
            max_chunks=self.config.max_chunks,
            prefix=self._doc_prefix,
        )

    def keys(self, texts: list[str]) -> list[bytes]:
        return [cache_key(self.config.model_id, t) for t in texts]

    # -- vectors -----------------------------------------------------------------

    def query_vector(
        self, query: str, memo: dict[tuple[str, str], np.ndarray] | None = None
    ) -> np.ndarray:
        """The query's unit vector; drops the cache if the model's dimension changed.

        ``memo`` keeps it for the rest of the run (``--semantic`` with ``--rerank``).
        """
        key = (self.config.model_id, self._query_prefix + query)
        cached = memo.get(key) if memo is not None else None
        vector: np.ndarray = cached if cached is not None else self.client.embed([key[1]])[0]
        if memo is not None:
            if len(memo) >= 64:  # a long-lived process (a server) asks many tasks
                memo.clear()
            memo[key] = vector
        if not self.store.check_dim(len(vector)):
            self._say_dropped()
        return vector

    def ensure(
        self,
        keys: list[bytes],
        texts: list[str],
        progress: Callable[[int, int], None] | None = None,
    ) -> int:
        """Embed the texts whose keys are not cached yet; returns how many were embedded."""
        todo: dict[bytes, str] = {}
        for key, text, cached in zip(keys, texts, self.store.has(keys), strict=True):
            if not cached and key not in todo:
                todo[key] = text
        if not todo:
            return 0
        pending_keys, pending_texts = list(todo), list(todo.values())
        if len(todo) <= self.config.batch_size:
            progress = None  # one request: nothing to watch
        # one request at a time, so a failure keeps every batch embedded before it
        step = self.config.batch_size
        total = len(pending_texts)
        for batch, start in enumerate(range(0, total, step)):
            vectors = self.client.embed(pending_texts[start : start + step])
            self.store.add(pending_keys[start : start + step], vectors)
            self.embedded += len(vectors)
            self._say_dropped()
            done = min(start + step, total)
            if progress and (batch % 4 == 3 or done == total):  # a few requests per update
                progress(done, total)
        return len(todo)

    def vectors(self, keys: list[bytes]) -> tuple[np.ndarray, np.ndarray]:
        """(found mask, float32 vectors) of keys cached or embedded in this run."""
        return self.store.fetch(keys)

    def save(self, keep: set[bytes] | None = None) -> None:
        """Write new vectors to the cache; a cache that cannot be written is only a note."""
        try:
            self.store.save(keep)
        except OSError as exc:
            self.note(f"ollama: cannot write the embedding cache {self.store.path}: {exc}")
        self._say_dropped()

    def _say_dropped(self) -> None:
        if self.store.dropped and not self._said_dropped:
            self._said_dropped = True
            self.note(
                f"ollama: cleared the embedding cache ({self.store.dropped}); "
                f"it now holds vectors of {self.config.model_id}"
            )
