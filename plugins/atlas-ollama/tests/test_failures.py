"""Each failure: one clear line and the lexical answer kept; ``--rerank=require``: an error."""

from __future__ import annotations

from pathlib import Path

QUERY = "where do we verify the token"


def run(atlas_cli, repo: Path, *args: str):
    return atlas_cli(
        "--root", str(repo), "quick", QUERY, "--format", "jsonl", "--min-score", "0", *args
    )


def warnings(stderr: str) -> list[str]:
    return [line for line in stderr.splitlines() if line.startswith("atlas: warning:")]


def check(atlas_cli, ranked, repo: Path, line: str, code: int = 1) -> None:
    """Without require: a warning and the lexical ranking; with it: that line, exit 1."""
    plain = run(atlas_cli, repo, "--rerank=off")
    soft = run(atlas_cli, repo, "--rerank")
    assert soft.code == 0
    assert ranked(soft) == ranked(plain) and ranked(plain)  # the lexical answer, unchanged
    assert warnings(soft.stderr) == [f"atlas: warning: reranker ollama skipped: {line}"]
    hard = run(atlas_cli, repo, "--rerank=require")
    assert hard.code == code
    assert hard.stdout == ""
    assert hard.stderr.strip().splitlines() == [f"atlas: error: {line}"]


def test_unreachable(monkeypatch, app_repo, atlas_cli, ranked, free_port) -> None:
    monkeypatch.setenv("ATLAS_LOAD_PLUGINS", "ollama")
    monkeypatch.setenv("OLLAMA_HOST", f"127.0.0.1:{free_port}")
    check(
        atlas_cli,
        ranked,
        app_repo("retries = 0"),
        f"ollama: cannot reach http://127.0.0.1:{free_port} (connection refused); "
        "start it with 'ollama serve' or set OLLAMA_HOST",
    )


def test_model_not_pulled(ollama, app_repo, atlas_cli, ranked) -> None:
    check(
        atlas_cli,
        ranked,
        app_repo(model="nomic-embed-text"),
        "ollama: model 'nomic-embed-text' is not pulled; run 'ollama pull nomic-embed-text' "
        "(pulled here: all-minilm-256:latest, all-minilm:latest)",
    )


def test_http_error(ollama, app_repo, atlas_cli, ranked) -> None:
    repo = app_repo("retries = 1")
    ollama.knobs(fail={"status": 503, "count": 2})
    soft = run(atlas_cli, repo, "--rerank")
    assert soft.code == 0
    assert warnings(soft.stderr) == [
        f"atlas: warning: reranker ollama skipped: ollama: {ollama.url}/api/embed answered "
        "HTTP 503: llama runner process has terminated: exit status 2"
    ]
    assert ranked(soft) == ranked(run(atlas_cli, repo, "--rerank=off"))
    ollama.knobs(fail={"status": 500, "count": 2})
    hard = run(atlas_cli, repo, "--rerank=require")
    assert hard.code == 1 and "answered HTTP 500" in hard.stderr


def test_timeout(ollama, app_repo, atlas_cli, ranked) -> None:
    ollama.knobs(delay=1.0)
    check(
        atlas_cli,
        ranked,
        app_repo("timeout = 0.2\nretries = 0"),
        f"ollama: {ollama.url}/api/embed did not answer within 0.2s (1 tries); "
        "raise [rerankers.ollama] timeout or check the server",
    )


def test_bad_config(ollama, app_repo, atlas_cli, ranked) -> None:
    check(
        atlas_cli,
        ranked,
        app_repo('fuser = "borda"'),
        "[rerankers.ollama] fuser must be 'rrf' or 'weighted', not 'borda'",
        code=2,  # a usage error
    )
    assert ollama.embed_requests() == 0


def test_semantic_without_precomputed_embeddings(ollama, app_repo, atlas_cli, ranked) -> None:
    repo = app_repo()
    line = "ollama: --semantic needs precomputed embeddings; run 'atlas index --embed'"
    soft = run(atlas_cli, repo, "--semantic")
    assert soft.code == 0 and ranked(soft) == ranked(run(atlas_cli, repo))
    assert warnings(soft.stderr) == [f"atlas: warning: semantic retrieval skipped: {line}"]
    hard = run(atlas_cli, repo, "--semantic", "--rerank=require")
    assert hard.code == 1 and hard.stderr.strip().splitlines() == [f"atlas: error: {line}"]


def test_embed_with_the_server_down(monkeypatch, app_repo, atlas_cli, free_port) -> None:
    monkeypatch.setenv("ATLAS_LOAD_PLUGINS", "ollama")
    monkeypatch.setenv("OLLAMA_HOST", f"127.0.0.1:{free_port}")
    repo = app_repo("retries = 0")
    result = atlas_cli("--root", str(repo), "index", "--embed")
    assert result.code == 1
    assert result.stderr.strip().splitlines() == [
        f"atlas: error: index --embed: ollama: cannot reach http://127.0.0.1:{free_port} "
        "(connection refused); start it with 'ollama serve' or set OLLAMA_HOST"
    ]
    # the lexical index was still written: queries work
    assert atlas_cli("--root", str(repo), "query", "token", "--format", "jsonl").code == 0


def test_a_config_cannot_send_the_files_to_another_machine(ollama, app_repo, atlas_cli) -> None:
    """A repository's own atlas.toml may name only a server on this machine: the task and
    the files' text never go where an unreviewed tree says ($OLLAMA_HOST may)."""
    repo = app_repo('host = "http://192.0.2.7:11434"')  # TEST-NET: it would hang, not answer
    result = run(atlas_cli, repo, "--rerank=require")
    assert result.code != 0 and result.stdout == ""
    assert result.stderr.strip().splitlines() == [
        "atlas: error: [rerankers.ollama] host 'http://192.0.2.7:11434' is not on this machine;"
        " the config may only name a local server (set $OLLAMA_HOST to use another machine)"
    ]
    local = run(atlas_cli, app_repo(f'host = "{ollama.url}"'), "--rerank=require")
    assert local.code == 0 and ollama.embed_requests() > 0


def test_a_config_cannot_keep_a_query_waiting_for_hours(monkeypatch, app_repo, atlas_cli) -> None:
    monkeypatch.setenv("ATLAS_LOAD_PLUGINS", "ollama")
    for settings in ("retries = 100000", "timeout = 1e9"):
        result = run(atlas_cli, app_repo(settings), "--rerank=require")
        assert result.stderr.strip().splitlines() == [
            "atlas: error: [rerankers.ollama] timeout must be at most 600 seconds and "
            "retries at most 10"
        ]
