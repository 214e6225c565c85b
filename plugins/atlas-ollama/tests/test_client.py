"""The embedding client against the real test server: batching, both APIs, failures."""

from __future__ import annotations

import numpy as np
import pytest
from atlas_ollama.client import EmbeddingClient, EmbeddingError, ModelMissingError
from atlas_ollama.config import OllamaConfig, resolve_host

from atlas_core import UsageError


def client(server, **settings) -> EmbeddingClient:
    return EmbeddingClient(OllamaConfig(host=server.url, model="all-minilm", **settings))


def test_batches_and_unit_vectors(ollama) -> None:
    texts = [f"def handler_{i}(request): return {i}" for i in range(7)]
    with client(ollama, batch_size=3) as c:
        vectors = c.embed(texts)
    assert vectors.shape == (7, 384)
    assert np.allclose(np.linalg.norm(vectors, axis=1), 1.0, atol=1e-5)
    assert ollama.stats()["batches"] == [3, 3, 1]
    assert c.requests == 3


def test_vectors_carry_meaning(ollama) -> None:
    with client(ollama) as c:
        query, jwt, colours = c.embed(
            [
                "verify the login token",
                "claims = jwt.decode(raw, SECRET, algorithms=['HS256'])",
                "PALETTE = ['#1f77b4', '#ff7f0e']  # chart colours",
            ]
        )
    assert query @ jwt > query @ colours + 0.1


def test_openai_api_gives_the_same_vectors(ollama) -> None:
    text = ["def check_bearer(header): return jwt.decode(header)"]
    with client(ollama) as native, client(ollama, api="openai") as openai:
        a, b = native.embed(text)[0], openai.embed(text)[0]
        assert openai.models() == native.models() == ["all-minilm-256:latest", "all-minilm:latest"]
    assert float(a @ b) > 0.9999
    assert ollama.stats()["requests"]["/v1/embeddings"] == 1
    assert ollama.stats()["requests"]["/api/embed"] == 1


def test_dimensions_are_asked_for(ollama) -> None:
    with client(ollama, dimensions=128) as c:
        assert c.embed(["x = 1"]).shape == (1, 128)


def test_unreachable_server(free_port) -> None:
    cfg = OllamaConfig(host=f"http://127.0.0.1:{free_port}", model="all-minilm", retries=1)
    slept: list[float] = []
    with pytest.raises(EmbeddingError) as err, EmbeddingClient(cfg, sleep=slept.append) as c:
        c.embed(["x"])
    assert str(err.value) == (
        f"ollama: cannot reach http://127.0.0.1:{free_port} (connection refused); "
        "start it with 'ollama serve' or set OLLAMA_HOST"
    )
    assert c.requests == 1 and not slept  # refused: no server, so no retry


def test_model_not_pulled_names_the_pull_command(ollama) -> None:
    cfg = OllamaConfig(host=ollama.url, model="nomic-embed-text")
    with pytest.raises(ModelMissingError) as err, EmbeddingClient(cfg) as c:
        c.embed(["x"])
    assert str(err.value) == (
        "ollama: model 'nomic-embed-text' is not pulled; run 'ollama pull nomic-embed-text' "
        "(pulled here: all-minilm-256:latest, all-minilm:latest)"
    )
    with pytest.raises(ModelMissingError, match="does not serve model 'nomic-embed-text'"):
        EmbeddingClient(
            OllamaConfig(host=ollama.url, model="nomic-embed-text", api="openai")
        ).embed(["x"])


def test_http_500_is_retried_then_reported(ollama) -> None:
    ollama.knobs(fail={"status": 500, "count": 1})
    with client(ollama, retries=2) as c:
        assert c.embed(["x"]).shape == (1, 384)  # the retry got through
        assert c.requests == 2
    ollama.knobs(fail={"status": 500, "count": 3})
    with pytest.raises(EmbeddingError) as err, client(ollama, retries=2) as c:
        c.embed(["x"])
    assert str(err.value) == (
        f"ollama: {ollama.url}/api/embed answered HTTP 500: "
        "llama runner process has terminated: exit status 2"
    )


def test_client_errors_are_not_retried(ollama) -> None:
    with pytest.raises(EmbeddingError), client(ollama, retries=3, dimensions=999) as c:
        c.embed(["x"])
    assert c.requests == 1


def test_timeout(ollama) -> None:
    ollama.knobs(delay=1.5)
    with pytest.raises(EmbeddingError) as err, client(ollama, timeout=0.3, retries=1) as c:
        c.embed(["x"])
    assert str(err.value) == (
        f"ollama: {ollama.url}/api/embed did not answer within 0.3s (1 tries); "
        "raise [rerankers.ollama] timeout or check the server"
    )


@pytest.mark.parametrize(
    ("raw", "api", "url"),
    [
        ("", "ollama", "http://localhost:11434"),
        ("127.0.0.1", "ollama", "http://127.0.0.1:11434"),
        ("0.0.0.0:9000", "ollama", "http://127.0.0.1:9000"),
        ("https://gpu.example.com", "ollama", "https://gpu.example.com"),
        ("http://localhost:8080/v1/", "openai", "http://localhost:8080"),
        ("[::1]:11500", "ollama", "http://[::1]:11500"),
    ],
)
def test_host_is_read_as_ollama_reads_it(raw: str, api: str, url: str) -> None:
    assert resolve_host(raw, api) == url


def test_bad_settings_are_one_line() -> None:
    with pytest.raises(UsageError, match="api must be 'ollama' or 'openai'"):
        OllamaConfig(api="grpc").validate()
    with pytest.raises(UsageError, match="bad host"):
        resolve_host("ftp://x")
