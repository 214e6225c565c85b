"""``atlas ollama``: is the embedding server usable, and what does the cache hold?"""

from __future__ import annotations

import time
from typing import Any

import click

from atlas_core.api import AppState, AtlasError, common_options

__all__ = ["ollama"]


@click.command("ollama")
@common_options
def ollama() -> None:
    """Check the embedding server and model, and show the embedding cache."""
    from atlas_ollama.client import EmbeddingClient, EmbeddingError
    from atlas_ollama.config import config_from_table
    from atlas_ollama.store import VectorStore

    state = click.get_current_context().find_object(AppState)
    assert state is not None
    from atlas_core.api import json_wanted, print_json

    wants_json = json_wanted(state)  # a format it cannot print fails before anything runs
    atlas = state.atlas
    cfg = config_from_table(atlas.settings.components.get("ollama", {}))
    report: dict[str, Any] = {"Host": cfg.base_url, "Api": cfg.api, "Model": cfg.model}
    problem = ""
    with EmbeddingClient(cfg) as client:
        try:
            names = client.models()
            report["Models"] = names
            started = time.perf_counter()
            vector = client.embed(["def verify_token(token): ..."])[0]
            report["Dimensions"] = len(vector)
            report["EmbedMs"] = round((time.perf_counter() - started) * 1000, 1)
        except EmbeddingError as exc:
            problem = str(exc)
    store = VectorStore(atlas.cache / "extras", cfg.model_id)
    size = store.size_on_disk()
    report["Cache"] = {
        "Path": str(store.path),
        "Vectors": len(store),
        "Dimensions": store.dim,
        "Bytes": size,
        "BytesPer1000": round(size * 1000 / len(store)) if len(store) else 0,
        "Dropped": store.dropped,
    }
    extra = _precomputed(atlas)
    if extra:
        report["Precomputed"] = extra
    if wants_json:
        report["Problem"] = problem
        print_json(state, report)
    else:
        _print_human(report, problem)
    if problem:
        raise AtlasError(problem)


def _precomputed(atlas: Any) -> dict[str, Any]:
    try:
        reader = atlas.reader(build_if_missing=False)
    except AtlasError:
        return {}
    data = reader.extra("embeddings") if reader is not None else None
    if not isinstance(data, dict):
        return {}
    return {
        "Model": data.get("model"),
        "Files": len(data.get("files") or {}),
        "Chunks": data.get("chunks"),
    }


def _print_human(report: dict[str, Any], problem: str) -> None:
    print(f"server      {report['Host']} (api {report['Api']})")
    if problem:
        print(f"model       {report['Model']}: unusable")
    else:
        print(
            f"model       {report['Model']}: {report['Dimensions']} dimensions, "
            f"{report['EmbedMs']:.0f} ms for one text"
        )
    cache = report["Cache"]
    if cache["Vectors"]:
        print(
            f"cache       {cache['Vectors']} vectors ({cache['Dimensions']}-d), "
            f"{_size(cache['Bytes'])}, {_size(cache['BytesPer1000'])} per 1,000 chunks"
        )
    else:
        print("cache       empty")
    pre = report.get("Precomputed")
    if pre:
        print(f"precomputed {pre['Chunks']} chunks of {pre['Files']} files ({pre['Model']})")
    else:
        print("precomputed none (run 'atlas index --embed' for --semantic)")


def _size(n: int) -> str:
    return f"{n / 1e6:.2f} MB" if n >= 1e6 else f"{n / 1e3:.1f} kB"
