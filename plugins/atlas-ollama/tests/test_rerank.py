"""``--rerank`` end to end through the CLI, against the real embedding server."""

from __future__ import annotations

from pathlib import Path

from atlas_ollama.store import FILE_NAME, VectorStore

QUERY = "where do we verify the token"
TARGET = "app/session.py"


def run(atlas_cli, repo: Path, *args: str):
    return atlas_cli(
        "--root", str(repo), "quick", QUERY, "--format", "jsonl", "--min-score", "0", *args
    )


def test_rerank_moves_the_semantic_match_up(ollama, app_repo, atlas_cli, ranked) -> None:
    repo = app_repo()
    plain = run(atlas_cli, repo)
    reranked = run(atlas_cli, repo, "--rerank", "-v")
    assert plain.code == reranked.code == 0
    before, after = ranked(plain), ranked(reranked)
    assert sorted(before) == sorted(after)  # same files, new order
    assert after.index(TARGET) < before.index(TARGET)
    assert "ollama: reranked" in reranked.stderr


def test_weighted_fusion_with_a_heavy_semantic_weight(ollama, app_repo, atlas_cli, ranked) -> None:
    repo = app_repo('fuser = "weighted"\nweight = 3.0')
    result = run(atlas_cli, repo, "--rerank")
    assert result.code == 0
    assert ranked(result)[0] == TARGET
    plain = run(atlas_cli, repo, "--rerank=off")
    assert ranked(plain)[0] != TARGET  # lexically, other files say "token" more


def test_second_run_costs_one_query_embedding(ollama, app_repo, atlas_cli) -> None:
    repo = app_repo("batch_size = 4")
    first = run(atlas_cli, repo, "--rerank")
    assert first.code == 0
    cold = ollama.stats()
    chunks = cold["texts"] - 1
    assert chunks >= 7  # every candidate file has at least one chunk
    assert cold["requests"]["/api/embed"] == 1 + -(-chunks // 4)  # the query, then batches
    ollama.reset()
    second = run(atlas_cli, repo, "--rerank")
    assert second.code == 0
    assert second.stdout == first.stdout  # cached int8 vectors rank exactly as fresh ones
    assert ollama.stats()["requests"] == {"/api/embed": 1}
    assert ollama.texts() == 1
    store = VectorStore(repo / ".atlas" / "extras", "ollama:all-minilm:native")
    assert len(store) == chunks and store.dim == 384


def test_changed_file_alone_is_embedded_again(ollama, app_repo, atlas_cli) -> None:
    repo = app_repo()
    assert run(atlas_cli, repo, "--rerank").code == 0
    ollama.reset()
    (repo / "app" / "csrf.py").write_text(
        '"""Forms carry a random token to stop forgery."""\n\n\ndef new_form_token():\n'
        "    return secrets.token_urlsafe(32)\n"
    )
    assert run(atlas_cli, repo, "--rerank").code == 0
    assert ollama.texts() == 2  # the query and the one chunk of csrf.py


def test_model_change_invalidates_the_cache(ollama, app_repo, atlas_cli, ranked) -> None:
    repo = app_repo()
    assert run(atlas_cli, repo, "--rerank").code == 0
    chunks = ollama.texts() - 1
    config = repo / "atlas.toml"
    config.write_text(config.read_text().replace('"all-minilm"', '"all-minilm-256"'))
    ollama.reset()
    result = run(atlas_cli, repo, "--rerank", "-v")
    assert result.code == 0
    assert ollama.texts() == chunks + 1  # nothing reused across models
    assert "cleared the embedding cache (the cache held vectors of 'ollama:all-minilm:native')" in (
        result.stderr
    )
    store = VectorStore(repo / ".atlas" / "extras", "ollama:all-minilm-256:native")
    assert store.dim == 256 and len(store) == chunks
    assert VectorStore(repo / ".atlas" / "extras", "ollama:all-minilm:native").dropped


def test_server_side_dimension_change_is_not_mixed(ollama, app_repo, atlas_cli) -> None:
    repo = app_repo()
    assert run(atlas_cli, repo, "--rerank").code == 0
    chunks = ollama.texts() - 1
    ollama.reset()
    ollama.knobs(dims={"all-minilm": 128})  # a different model pulled under the same name
    result = run(atlas_cli, repo, "--rerank", "-v")
    assert result.code == 0
    assert (
        "cleared the embedding cache (the model now returns 128-dimensional vectors, "
        "the cache held 384-dimensional ones)" in result.stderr
    )
    assert ollama.texts() == chunks + 1
    store = VectorStore(repo / ".atlas" / "extras", "ollama:all-minilm:native")
    assert store.dim == 128 and len(store) == chunks


def test_thorough_preset_reranks_when_installed(ollama, app_repo, atlas_cli) -> None:
    repo = app_repo()
    result = atlas_cli(
        "--root", str(repo), "-v", "quick", QUERY, "-p", "thorough", "--format", "jsonl"
    )
    assert result.code == 0
    assert "ollama: reranked" in result.stderr
    assert ollama.embed_requests() >= 1


def test_config_can_cap_the_candidates(ollama, app_repo, atlas_cli) -> None:
    repo = app_repo("candidates = 2")
    result = run(atlas_cli, repo, "--rerank", "-v")
    assert result.code == 0
    assert "ollama: reranked 2 files" in result.stderr


def test_openai_api_through_config(ollama, app_repo, atlas_cli, ranked) -> None:
    repo = app_repo('api = "openai"\nfuser = "weighted"\nweight = 3.0')
    result = run(atlas_cli, repo, "--rerank")
    assert result.code == 0 and ranked(result)[0] == TARGET
    assert set(ollama.stats()["requests"]) == {"/v1/embeddings"}


def test_cache_file_is_int8(ollama, app_repo, atlas_cli) -> None:
    import numpy as np

    repo = app_repo()
    assert run(atlas_cli, repo, "--rerank").code == 0
    with np.load(repo / ".atlas" / "extras" / FILE_NAME, allow_pickle=False) as npz:
        assert npz["vectors"].dtype == np.int8
        assert npz["scales"].dtype == np.float32
        assert npz["keys"].shape == (len(npz["vectors"]), 16)
