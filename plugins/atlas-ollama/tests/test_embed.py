"""``atlas index --embed`` (incremental, stale vectors dropped) and ``--semantic`` retrieval."""

from __future__ import annotations

import json
from pathlib import Path

from atlas_ollama.store import VectorStore

MODEL_ID = "ollama:all-minilm:native"
#: shares no word with the code: only meaning can find app/session.py
QUERY = "confirm the caller identity is genuine"


def embed(atlas_cli, repo: Path, *args: str):
    return atlas_cli("--root", str(repo), "index", "--embed", *args)


def semantic(atlas_cli, repo: Path, *args: str):
    return atlas_cli(
        "--root",
        str(repo),
        "query",
        QUERY,
        "--semantic",
        "--format",
        "jsonl",
        "--min-score",
        "0",
        *args,
    )


def store(repo: Path, model_id: str = MODEL_ID) -> VectorStore:
    return VectorStore(repo / ".atlas" / "extras", model_id)


def test_embed_precomputes_every_chunk_once(ollama, app_repo, atlas_cli) -> None:
    repo = app_repo("batch_size = 5")
    result = embed(atlas_cli, repo, "-v")
    assert result.code == 0, result.stderr
    assert "contributor embeddings: updated" in result.stderr
    chunks = ollama.texts()
    assert chunks >= 7 and len(store(repo)) == chunks
    assert ollama.stats()["batches"] == [5] * (chunks // 5) + ([chunks % 5] if chunks % 5 else [])
    ollama.reset()
    again = embed(atlas_cli, repo, "-v")
    assert again.code == 0
    assert ollama.embed_requests() == 0  # nothing changed: nothing asked
    inspect = atlas_cli("--root", str(repo), "ollama", "--format", "json")
    report = json.loads(inspect.stdout)
    # the seven app files and atlas.toml
    assert report["Precomputed"] == {"Model": MODEL_ID, "Files": 8, "Chunks": chunks}
    assert report["Cache"]["Vectors"] == chunks and report["Cache"]["Dimensions"] == 384


def test_embed_is_incremental_and_drops_stale_vectors(ollama, app_repo, atlas_cli) -> None:
    repo = app_repo()
    assert embed(atlas_cli, repo).code == 0
    before = len(store(repo))
    ollama.reset()
    (repo / "app" / "invoice.py").write_text(
        '"""Invoices."""\n\n\ndef total(lines):\n    return 0\n'
    )
    (repo / "app" / "colors.py").unlink()
    # a plain refresh keeps the embeddings up to date once they exist
    result = atlas_cli("--root", str(repo), "-v", "index")
    assert result.code == 0 and "contributor embeddings: updated" in result.stderr
    assert ollama.texts() == 1  # invoice.py's one chunk; nothing else re-embedded
    assert len(store(repo)) == before - 1  # colors.py and the old invoice.py are gone, +1 new


def test_semantic_finds_what_words_cannot(ollama, app_repo, atlas_cli, ranked) -> None:
    repo = app_repo()
    assert embed(atlas_cli, repo).code == 0
    lexical = atlas_cli(
        "--root", str(repo), "query", QUERY, "--format", "jsonl", "--min-score", "0"
    )
    assert "app/session.py" not in ranked(lexical)[:1]
    ollama.reset()
    hybrid = semantic(atlas_cli, repo, "-v")
    assert hybrid.code == 0, hybrid.stderr
    assert ranked(hybrid)[0] == "app/session.py"
    assert ollama.stats()["requests"] == {"/api/embed": 1}  # the query alone
    ollama.reset()
    both = semantic(atlas_cli, repo, "--rerank=require")
    assert both.code == 0 and ranked(both)[0] == "app/session.py"
    assert ollama.texts() == 1  # one query embedding serves retrieval and reranking


def test_semantic_after_a_model_change_asks_for_embed(ollama, app_repo, atlas_cli, ranked) -> None:
    repo = app_repo()
    assert embed(atlas_cli, repo).code == 0
    config = repo / "atlas.toml"
    config.write_text(config.read_text().replace('"all-minilm"', '"all-minilm-256"'))
    result = semantic(atlas_cli, repo)
    assert result.code == 0
    assert (
        "atlas: warning: semantic retrieval skipped: ollama: the precomputed embeddings are of "
        "ollama:all-minilm:native, the config asks for ollama:all-minilm-256:native; "
        "run 'atlas index --embed'"
    ) in result.stderr
    ollama.reset()
    assert embed(atlas_cli, repo).code == 0
    assert len(store(repo, "ollama:all-minilm-256:native")) == ollama.texts()  # all redone
    result = semantic(atlas_cli, repo)
    assert "warning" not in result.stderr and ranked(result)[0] == "app/session.py"


def test_dimension_change_under_the_same_name(ollama, app_repo, atlas_cli) -> None:
    repo = app_repo()
    assert embed(atlas_cli, repo).code == 0
    ollama.knobs(dims={"all-minilm": 64})
    result = semantic(atlas_cli, repo)
    assert result.code == 0
    assert (
        "semantic retrieval skipped: ollama: the embedding cache no longer matches the model; "
        "run 'atlas index --embed'" in result.stderr
    )
    assert embed(atlas_cli, repo).code == 0
    assert store(repo).dim == 64
    assert semantic(atlas_cli, repo).stderr == ""


def test_ollama_command_formats(monkeypatch, app_repo, atlas_cli, free_port):
    monkeypatch.setenv("ATLAS_LOAD_PLUGINS", "ollama")
    monkeypatch.setenv("OLLAMA_HOST", f"127.0.0.1:{free_port}")
    repo = app_repo("retries = 0")
    for fmt in ("compact", "context"):
        result = atlas_cli("--root", str(repo), "ollama", "--format", fmt)
        assert (result.code, result.stdout) == (2, "")
        assert result.stderr == f"atlas: error: this command prints human or json, not '{fmt}'\n"
    result = atlas_cli("--root", str(repo), "ollama", "--format", "jsonl")
    assert result.code == 1  # the server is unreachable; the report is still printed
    (line,) = result.stdout.splitlines()
    assert json.loads(line)["Host"] == f"http://127.0.0.1:{free_port}"


def test_ollama_command_reports_an_unreachable_server(monkeypatch, app_repo, atlas_cli, free_port):
    monkeypatch.setenv("ATLAS_LOAD_PLUGINS", "ollama")
    monkeypatch.setenv("OLLAMA_HOST", f"127.0.0.1:{free_port}")
    result = atlas_cli("--root", str(app_repo("retries = 0")), "ollama", "--format", "human")
    assert result.code == 1
    assert result.stdout.splitlines()[0] == f"server      http://127.0.0.1:{free_port} (api ollama)"
    assert result.stderr.strip().splitlines() == [
        f"atlas: error: ollama: cannot reach http://127.0.0.1:{free_port} (connection refused); "
        "start it with 'ollama serve' or set OLLAMA_HOST"
    ]
