"""A server that accepts connections and never answers: every command gives up in time.

No embedding model is needed: the server is a socket on 127.0.0.1 that accepts and
keeps the connection open without a byte of answer.
"""

from __future__ import annotations

import socket
import threading
import time
from collections.abc import Iterator
from pathlib import Path

import pytest

QUERY = "where do we verify the token"
#: well below what one wait of the old client cost (60 s per try, 3 tries: 181 s)
BOUND = 4.0


@pytest.fixture
def hung(monkeypatch: pytest.MonkeyPatch) -> Iterator[str]:
    """``OLLAMA_HOST`` of a server that accepts and never answers; atlas-ollama loaded."""
    server = socket.create_server(("127.0.0.1", 0))
    held: list[socket.socket] = []
    stop = threading.Event()

    def accept() -> None:
        server.settimeout(0.1)
        while not stop.is_set():
            try:
                conn, _ = server.accept()
            except OSError:
                continue
            held.append(conn)  # read nothing, answer nothing

    thread = threading.Thread(target=accept, daemon=True)
    thread.start()
    url = f"http://127.0.0.1:{server.getsockname()[1]}"
    monkeypatch.setenv("ATLAS_LOAD_PLUGINS", "ollama")
    monkeypatch.setenv("OLLAMA_HOST", url)
    yield url
    stop.set()
    thread.join()
    for conn in held:
        conn.close()
    server.close()


def timed(atlas_cli, repo: Path, *args: str):
    started = time.monotonic()
    result = atlas_cli("--root", str(repo), *args)
    return result, time.monotonic() - started


def query(atlas_cli, repo: Path, *args: str):
    return timed(atlas_cli, repo, "query", QUERY, "--format", "jsonl", "--min-score", "0", *args)


def warnings(stderr: str) -> list[str]:
    return [line for line in stderr.splitlines() if line.startswith("atlas: warning:")]


def test_thorough_gives_up_after_auto_timeout_with_a_warning(
    hung, app_repo, atlas_cli, ranked
) -> None:
    # timeout is what --rerank may wait: the preset must not wait that long
    repo = app_repo("auto_timeout = 0.5\ntimeout = 30\nretries = 2")
    result, took = query(atlas_cli, repo, "-p", "thorough")
    assert took < BOUND
    assert result.code == 0
    assert warnings(result.stderr) == [
        f"atlas: warning: reranker ollama skipped: ollama: {hung}/api/embed did not answer "
        "within 0.5s (1 tries); raise [rerankers.ollama] auto_timeout or check the server"
    ]
    lexical, _ = query(atlas_cli, repo, "-p", "thorough", "--rerank=off")
    assert ranked(result) == ranked(lexical) and ranked(lexical)


def test_an_explicit_rerank_waits_timeout_in_total_not_per_try(
    hung, app_repo, atlas_cli, ranked
) -> None:
    repo = app_repo("timeout = 1\nretries = 2\nauto_timeout = 0.2")
    line = (
        f"ollama: {hung}/api/embed did not answer within 1s (1 tries); "
        "raise [rerankers.ollama] timeout or check the server"
    )
    soft, took = query(atlas_cli, repo, "-p", "thorough", "--rerank")
    assert took < BOUND  # three tries of 1 s each and the pauses would be over 3.5 s
    assert soft.code == 0 and ranked(soft)
    assert warnings(soft.stderr) == [f"atlas: warning: reranker ollama skipped: {line}"]
    hard, took = query(atlas_cli, repo, "--rerank=require")
    assert took < BOUND
    assert hard.code == 1 and hard.stdout == ""
    assert hard.stderr.strip().splitlines() == [f"atlas: error: {line}"]


def test_embed_gives_up_with_an_error(hung, app_repo, atlas_cli) -> None:
    repo = app_repo("timeout = 0.5\nretries = 3")
    result, took = timed(atlas_cli, repo, "index", "--embed")
    assert took < BOUND
    assert result.code == 1
    assert result.stderr.strip().splitlines() == [
        f"atlas: error: index --embed: ollama: {hung}/api/embed did not answer within 0.5s "
        "(1 tries); raise [rerankers.ollama] timeout or check the server"
    ]


def test_the_defaults_bound_every_wait() -> None:
    from atlas_ollama.config import OllamaConfig

    cfg = OllamaConfig().validate()
    assert cfg.auto_timeout <= 5 and cfg.timeout <= 30


@pytest.mark.parametrize("value", ["0", "-1", "601"])
def test_a_bad_auto_timeout_is_a_usage_error(
    monkeypatch: pytest.MonkeyPatch, app_repo, atlas_cli, value: str
) -> None:
    monkeypatch.setenv("ATLAS_LOAD_PLUGINS", "ollama")
    result, _ = query(atlas_cli, app_repo(f"auto_timeout = {value}"), "--rerank=require")
    assert result.code == 2 and result.stdout == ""
    [line] = result.stderr.strip().splitlines()
    assert line.startswith("atlas: error: [rerankers.ollama] ") and "auto_timeout" in line


def test_the_library_asking_for_reranking_waits_timeout_and_a_preset_auto_timeout(
    hung, app_repo
) -> None:
    """The reranker learns from ``QueryContext.rerank_asked`` who asked, not from argv."""
    import atlas_core

    repo = app_repo("auto_timeout = 0.3\ntimeout = 1.5\nretries = 2")
    with atlas_core.open(repo) as atlas:
        started = time.monotonic()
        preset = atlas.query(QUERY, preset="thorough")
        by_preset = time.monotonic() - started
        started = time.monotonic()
        asked = atlas.query(QUERY, preset="thorough", rerank="on")
        by_argument = time.monotonic() - started
    assert by_preset < 1.2 <= by_argument < BOUND
    assert any("within 0.3s" in note.message for note in preset.notes)
    assert any("within 1.5s" in note.message for note in asked.notes)
