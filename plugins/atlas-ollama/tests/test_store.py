"""The int8 vector cache and the chunk texts."""

from __future__ import annotations

import multiprocessing
from pathlib import Path

import numpy as np
from atlas_ollama.client import EmbeddingClient
from atlas_ollama.config import OllamaConfig
from atlas_ollama.store import FILE_NAME, VectorStore, dequantize, quantize
from atlas_ollama.texts import cache_key, file_texts

from atlas_core import Chunk

MODEL = "ollama:all-minilm:native"


def real_vectors(server, n: int) -> np.ndarray:
    texts = [f"def step_{i}(state):\n    return state * {i} + len('{'x' * i}')" for i in range(n)]
    with EmbeddingClient(OllamaConfig(host=server.url, model="all-minilm")) as client:
        return client.embed(texts)


def test_int8_keeps_cosine_similarity(ollama) -> None:
    vectors = real_vectors(ollama, 24)
    q, scales = quantize(vectors)
    assert q.dtype == np.int8 and scales.dtype == np.float32
    approx = dequantize(q, scales)
    exact = vectors @ vectors.T
    assert np.abs(approx @ vectors.T - exact).max() < 0.01
    assert q.nbytes + scales.nbytes == 24 * (384 + 4)  # a quarter of float32, plus a scale


def test_round_trip_and_pruning(tmp_path: Path) -> None:
    rng = np.random.default_rng(0)
    vectors = rng.normal(size=(5, 8)).astype(np.float32)
    vectors /= np.linalg.norm(vectors, axis=1, keepdims=True)
    keys = [bytes([i]) * 16 for i in range(5)]
    store = VectorStore(tmp_path, MODEL)
    store.add(keys, vectors)
    assert store.save()
    again = VectorStore(tmp_path, MODEL)
    found, got = again.fetch(keys)
    assert found.all() and np.abs(got - vectors).max() < 0.01
    assert again.save(keep=set(keys[:2]))
    assert len(VectorStore(tmp_path, MODEL)) == 2
    assert not VectorStore(tmp_path, MODEL).save(keep=set(keys[:2]))  # nothing to do


def _writer(directory: str, start: int) -> None:
    store = VectorStore(Path(directory), MODEL)
    for k in range(start, start + 20):
        vector = np.zeros((1, 8), np.float32)
        vector[0, k % 8] = 1.0
        store.add([k.to_bytes(16, "big")], vector)
        store.save()


def test_concurrent_writers_lose_nothing(tmp_path: Path) -> None:
    ctx = multiprocessing.get_context("fork")  # real processes, each with its own store
    procs = [ctx.Process(target=_writer, args=(str(tmp_path), s)) for s in (0, 100, 200)]
    for p in procs:
        p.start()
    for p in procs:
        p.join(60)
    assert all(p.exitcode == 0 for p in procs)
    keys = [k.to_bytes(16, "big") for s in (0, 100, 200) for k in range(s, s + 20)]
    found, _ = VectorStore(tmp_path, MODEL).fetch(keys)
    assert found.all()


def test_torn_or_foreign_file_is_no_cache(tmp_path: Path) -> None:
    (tmp_path / FILE_NAME).write_bytes(b"PK\x03\x04 not really a zip")
    store = VectorStore(tmp_path, MODEL)
    assert len(store) == 0
    store.add([b"k" * 16], np.ones((1, 4), np.float32) / 2)
    assert store.save() and len(VectorStore(tmp_path, MODEL)) == 1


def test_other_model_is_dropped_not_mixed(tmp_path: Path) -> None:
    first = VectorStore(tmp_path, MODEL)
    first.add([b"a" * 16], np.ones((1, 4), np.float32) / 2)
    first.save()
    other = VectorStore(tmp_path, "ollama:other:native")
    assert len(other) == 0 and "ollama:all-minilm:native" in other.dropped
    other.add([b"b" * 16], np.ones((1, 6), np.float32) / 6**0.5)
    other.save()
    assert len(VectorStore(tmp_path, "ollama:other:native")) == 1
    assert len(VectorStore(tmp_path, MODEL)) == 0


def test_keys_depend_on_model_and_text() -> None:
    assert cache_key("a", "x") != cache_key("b", "x") != cache_key("a", "y")
    assert len(cache_key("a", "x")) == 16


def test_texts_start_at_symbols_and_respect_the_budget() -> None:
    body = "\n".join(
        [
            "import os",
            "",
            "def small():",
            "    return 1",
            "",
            "class Big:",
            *[f"    field_{i} = {i}  # a long comment to fill the line" for i in range(60)],
            "def tail():",
            "    return 2",
        ]
    )
    chunks = [
        Chunk("import", "os", "", 1, 1),
        Chunk("function", "small", "small", 3, 4),
        Chunk("class", "Big", "Big", 6, 66),
        Chunk("function", "tail", "tail", 67, 68),
    ]
    texts = file_texts("pkg/mod.py", body, chunks, max_chars=400, max_chunks=50)
    assert all(len(t) <= 400 for t in texts)
    assert all(t.startswith("pkg/mod.py\n") for t in texts)
    assert "symbols: small" in texts[0] and "return 1" in texts[0]
    big = [t for t in texts if "symbols: Big" in t]
    assert len(big) > 2  # a long class is cut at line ends, each piece keeps its name
    # small neighbours share a chunk, and the chunk names both
    assert "symbols: Big, tail" in big[-1] and big[-1].endswith("def tail():\nreturn 2")
    joined = "\n".join(texts)
    assert all(f"field_{i} = {i}" in joined for i in range(60))  # nothing lost
    assert len(file_texts("pkg/mod.py", body, chunks, max_chars=400, max_chunks=3)) == 3
    assert file_texts("empty.py", "\n\n", [], max_chars=400, max_chunks=3) == []
