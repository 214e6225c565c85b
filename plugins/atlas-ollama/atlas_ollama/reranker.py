"""The ``ollama`` reranker: cosine similarity of chunk embeddings, fused with the lexical ranking.

``rerank`` embeds the query and the top candidates' chunks (cached vectors are reused, so a
warm repository costs one request) and fuses each file's best chunk similarity with the
ranking it was given. ``retrieve`` scores every file of the repository against the
vectors precomputed by ``atlas index --embed`` (``--semantic``).
"""

from __future__ import annotations

import time
import weakref
from typing import Any, ClassVar

import numpy as np

from atlas_core.api import AtlasPluginError, QueryContext, progress_bar
from atlas_ollama.client import EmbeddingTimeout
from atlas_ollama.config import OllamaConfig, config_from_table
from atlas_ollama.embedder import FileEmbedder
from atlas_ollama.search import best_per_file, similarities

__all__ = ["OllamaReranker"]


class OllamaReranker:
    """Semantic reranking and retrieval with an Ollama or OpenAI-compatible embedding model."""

    name: ClassVar[str] = "ollama"

    def __init__(self) -> None:
        #: query vectors of this run, so --semantic and --rerank embed the task once
        self._queries: dict[tuple[str, str], np.ndarray] = {}
        #: the query being answered and when it first waited on the server: --semantic
        #: and --rerank share one ``timeout``
        self._started: tuple[weakref.ref[QueryContext], float] | None = None

    def config(self, ctx: QueryContext) -> OllamaConfig:
        return config_from_table(ctx.options(self.name))

    def _budget(
        self, ctx: QueryContext, cfg: OllamaConfig, best_effort: bool
    ) -> tuple[float, tuple[float, str]]:
        """(deadline, budget) for one call: ``auto_timeout`` from now when best effort,
        never past ``timeout`` after the query first waited."""
        now = time.monotonic()
        if self._started is None or self._started[0]() is not ctx:
            self._started = (weakref.ref(ctx), now)
        deadline = self._started[1] + cfg.timeout
        if best_effort and now + cfg.auto_timeout < deadline:
            return now + cfg.auto_timeout, (cfg.auto_timeout, "auto_timeout")
        return deadline, (cfg.timeout, "timeout")

    # -- rerank ------------------------------------------------------------------

    def rerank(self, ctx: QueryContext, candidates: np.ndarray, scores: np.ndarray) -> np.ndarray:
        cfg = self.config(ctx)
        best_effort = not ctx.rerank_asked
        deadline, budget = self._budget(ctx, cfg, best_effort)
        try:
            return self._rerank(ctx, cfg, candidates, scores, deadline, budget)
        except EmbeddingTimeout as exc:
            if best_effort:
                # Atlas keeps a preset's reranking failures for -v; one that cost the
                # user seconds is said (in the words Atlas uses for --rerank)
                ctx.note(f"reranker {self.name} skipped: {exc}", level="warning")
            raise

    def _rerank(
        self,
        ctx: QueryContext,
        cfg: OllamaConfig,
        candidates: np.ndarray,
        scores: np.ndarray,
        deadline: float,
        budget: tuple[float, str],
    ) -> np.ndarray:
        started = time.perf_counter()
        chosen = candidates[: cfg.candidates or len(candidates)]
        with FileEmbedder(ctx.index, cfg, ctx.note, deadline=deadline, budget=budget) as embedder:
            query = embedder.query_vector(ctx.query, self._queries)
            texts: list[str] = []
            owner: list[int] = []
            for slot, file_id in enumerate(chosen.tolist()):
                file_texts = embedder.texts(file_id)
                texts.extend(file_texts)
                owner.extend([slot] * len(file_texts))
            keys = embedder.keys(texts)
            embedder.ensure(keys, texts, progress_bar("embedding candidates", "chunks"))
            found, vectors = embedder.vectors(keys)
            embedder.save()
            requests = embedder.client.requests
        sims = vectors @ query if len(keys) else np.zeros(0, np.float32)
        best = best_per_file(np.asarray(owner, dtype=np.int64)[found], sims[found], len(chosen))
        semantic = np.zeros(len(candidates), dtype=np.float64)
        semantic[: len(chosen)] = _spread(best)
        ctx.note(
            f"ollama: reranked {len(chosen)} files with {cfg.model} ({len(texts)} chunks, "
            f"{embedder.embedded} embedded now, {requests} requests, "
            f"{(time.perf_counter() - started) * 1000:.0f} ms)"
        )
        return _fuse(cfg, np.asarray(scores, dtype=np.float64), semantic)

    # -- retrieve (--semantic) ---------------------------------------------------

    def retrieve(self, ctx: QueryContext) -> np.ndarray:
        cfg = self.config(ctx)
        reader = ctx.index
        data = ctx.extra("embeddings")
        redo = "run 'atlas index --embed'"
        if not isinstance(data, dict) or not data.get("files"):
            raise AtlasPluginError(f"ollama: --semantic needs precomputed embeddings; {redo}")
        if data.get("model") != cfg.model_id:
            raise AtlasPluginError(
                f"ollama: the precomputed embeddings are of {data.get('model')}, the config "
                f"asks for {cfg.model_id}; {redo}"
            )
        hashes = reader.hashes
        keys: list[bytes] = []
        owner: list[int] = []
        stale = 0
        for path, (digest, blob) in data["files"].items():
            i = reader.ids.get(path)
            if i is None:
                continue
            if digest != hashes[i]:
                stale += 1
                continue
            for k in range(0, len(blob), 16):
                keys.append(bytes(blob[k : k + 16]))
                owner.append(i)
        deadline, budget = self._budget(ctx, cfg, best_effort=False)  # --semantic is a flag
        with FileEmbedder(reader, cfg, ctx.note, deadline=deadline, budget=budget) as embedder:
            query = embedder.query_vector(ctx.query, self._queries)
            store = embedder.store
            rows = store.rows(keys)
        if not len(store) or store.dim != len(query):
            raise AtlasPluginError(
                f"ollama: the embedding cache no longer matches the model; {redo}"
            )
        present = rows >= 0
        if stale or not present.all():
            ctx.note(
                f"ollama: --semantic leaves out {stale} changed files and "
                f"{int((~present).sum())} chunks without vectors; {redo} to include them"
            )
        matrix, scales = store.matrix()
        sims = similarities(matrix, scales, query, rows[present])
        best = best_per_file(np.asarray(owner, dtype=np.int64)[present], sims, len(reader))
        return _top(best, cfg.semantic_top)


def _spread(best: np.ndarray) -> np.ndarray:
    """Min-max scale similarities of files with chunks into (0, 1]; files without stay 0."""
    out = np.zeros(len(best), dtype=np.float64)
    has = np.isfinite(best)
    if has.any():
        values = best[has].astype(np.float64)
        low, high = float(values.min()), float(values.max())
        out[has] = 0.05 + 0.95 * ((values - low) / (high - low) if high > low else 1.0)
    return out


def _fuse(cfg: OllamaConfig, lexical: np.ndarray, semantic: np.ndarray) -> np.ndarray:
    from atlas_core.api import ReciprocalRankFusion, WeightedFusion, normalize

    fuser: Any = ReciprocalRankFusion() if cfg.fuser == "rrf" else WeightedFusion()
    lex = normalize(np.maximum(lexical - lexical.min(), 0.0) + 1e-9)
    weights = {"lexical": 1.0, "semantic": cfg.weight}
    return np.asarray(fuser.fuse({"lexical": lex, "semantic": semantic}, weights), np.float64)


def _top(best: np.ndarray, k: int) -> np.ndarray:
    """Scores for the ``k`` most similar files, decaying to 0 at the (k+1)-th; others 0."""
    out = np.zeros(len(best), dtype=np.float64)
    has = np.flatnonzero(np.isfinite(best))
    if not len(has):
        return out
    order = has[np.argsort(-best[has], kind="stable")]
    top = order[:k]
    floor = float(best[order[k]]) if len(order) > k else float(best[top].min()) - 1e-3
    out[top] = np.maximum(best[top] - floor, 1e-6)
    return out
