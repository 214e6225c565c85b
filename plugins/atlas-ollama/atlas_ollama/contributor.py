"""``atlas index --embed``: every chunk's vector, kept up to date incrementally.

The vectors live in the shared cache file (:mod:`atlas_ollama.store`); what this
contributor stores through the index is the map from each file to its chunk keys, with
the file's content hash, so the next run re-reads only files that changed, embeds only
chunks the cache lacks, and drops vectors no chunk uses any more.
"""

from __future__ import annotations

import sys
import time
from typing import TYPE_CHECKING, Any, ClassVar

from atlas_core.api import Contributor, progress_bar

if TYPE_CHECKING:
    from atlas_core.api import IndexContext, IndexView
    from atlas_ollama.config import OllamaConfig

__all__ = ["EmbeddingsContributor"]


class EmbeddingsContributor(Contributor):
    """Embeddings of every chunk of the repository (on demand: ``atlas index --embed``)."""

    name: ClassVar[str] = "embeddings"
    on_demand: ClassVar[str] = "embed"

    def fingerprint(self, ctx: IndexContext) -> str:
        # imported here: every index run registers this contributor, few embed
        from atlas_ollama.config import config_from_table
        from atlas_ollama.store import read_meta

        view = ctx.index
        cfg = config_from_table(ctx.options("ollama"))
        # The vectors live outside the stored data: a query that saw the model change size
        # clears them. Name the cache file's epoch while it holds what we stored, and
        # something new otherwise, so that contribute runs and fills it again.
        data = view.extra(self.name)
        meta = read_meta(view.cache / "extras") or {}
        held = (
            isinstance(data, dict)
            and meta.get("model") == data.get("model")
            and meta.get("dim") == data.get("dim")
            and int(meta.get("rows", 0)) >= int(data.get("chunks") or 0)
        )
        state = f"held:{meta.get('epoch')}" if held else f"lost:{time.time_ns():x}"
        return f"{cfg.model_id}|{self._layout(view, cfg)}|{state}"

    def contribute(self, ctx: IndexContext) -> dict[str, Any]:
        from atlas_ollama.config import config_from_table

        view, previous = ctx.index, ctx.previous_data
        cfg = config_from_table(ctx.options("ollama"))
        layout = self._layout(view, cfg)
        reuse: dict[str, list[Any]] = {}
        if (
            isinstance(previous, dict)
            and previous.get("model") == cfg.model_id
            and previous.get("layout") == layout
        ):
            reuse = previous.get("files") or {}
        hashes = view.hashes
        from atlas_ollama.embedder import FileEmbedder  # httpx: only when embedding runs

        with FileEmbedder(view, cfg, _warn) as embedder:
            files: dict[str, list[Any]] = {}
            file_keys: dict[int, list[bytes]] = {}
            read: dict[int, list[str]] = {}
            for i, path in enumerate(view.paths):
                if view.statuses[i] != "ok":
                    continue
                old = reuse.get(path)
                if old is not None and old[0] == hashes[i]:
                    blob = bytes(old[1])
                    file_keys[i] = [blob[k : k + 16] for k in range(0, len(blob), 16)]
                else:
                    read[i] = embedder.texts(i)
                    file_keys[i] = embedder.keys(read[i])
            keys: list[bytes] = []
            texts: list[str] = []
            for i, ks in file_keys.items():
                if ks and not embedder.store.has(ks).all():
                    if i not in read:  # unchanged, but its vectors left the cache
                        read[i] = embedder.texts(i)
                        ks = file_keys[i] = embedder.keys(read[i])
                    keys.extend(ks)
                    texts.extend(read[i])
            embedder.ensure(keys, texts, progress_bar("embedding", "chunks") if texts else None)
            everything = {k for ks in file_keys.values() for k in ks}
            embedder.save(keep=everything)
            for i, ks in file_keys.items():
                if ks:
                    files[view.paths[i]] = [hashes[i], b"".join(ks)]
            return {
                "model": cfg.model_id,
                "dim": embedder.store.dim,
                "layout": layout,
                "chunks": len(everything),
                "embedded": embedder.embedded,
                "files": files,
            }

    def describe(self, data: Any) -> dict[str, Any]:
        """What ``atlas inspect`` shows."""
        if not isinstance(data, dict):
            return {}
        return {
            "model": data.get("model"),
            "dimensions": data.get("dim"),
            "files": len(data.get("files") or {}),
            "chunks": data.get("chunks"),
        }

    @staticmethod
    def _layout(view: IndexView, cfg: OllamaConfig) -> str:
        # chunk boundaries come from the chunkers, which the index fingerprint names
        return f"{cfg.layout_key()}|{view.fingerprint}"


def _warn(message: str) -> None:
    print(f"atlas: {message}", file=sys.stderr)
