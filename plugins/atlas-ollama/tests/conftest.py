"""A real embedding server for the session, and small repositories to rank."""

from __future__ import annotations

import os
import socket
import subprocess
import sys
import tempfile
import threading
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest

HERE = Path(__file__).resolve().parent

#: a tiny application: several files say "token", one of them verifies a JWT
APP: dict[str, str] = {
    "app/session.py": '''"""Login sessions."""
import jwt

SECRET = "change-me"


def check_bearer(header):
    """Decode the bearer header and reject forged or expired ones."""
    raw = header.removeprefix("Bearer ")
    claims = jwt.decode(raw, SECRET, algorithms=["HS256"])
    if claims.get("exp", 0) < now():
        raise PermissionError("expired")
    return claims["sub"]
''',
    "app/lexer.py": '''"""Split source text into a token stream for the template engine."""


def next_token(text, pos):
    """Return the next token and the position after it."""
    while pos < len(text) and text[pos].isspace():
        pos += 1
    start = pos
    while pos < len(text) and not text[pos].isspace():
        pos += 1
    return text[start:pos], pos


def all_tokens(text):
    pos, out = 0, []
    while pos < len(text):
        token, pos = next_token(text, pos)
        out.append(token)
    return out
''',
    "app/invoice.py": '''"""Invoices and their totals."""


def total(lines, tax_rate):
    """Sum the line amounts and add tax."""
    net = sum(line.amount for line in lines)
    return round(net * (1 + tax_rate), 2)
''',
    "app/retry.py": '''"""Retry flaky network calls with exponential backoff."""
import time


def with_backoff(call, attempts=5):
    delay = 0.1
    for attempt in range(attempts):
        try:
            return call()
        except ConnectionError:
            time.sleep(delay)
            delay *= 2
    raise ConnectionError("gave up")
''',
    "app/colors.py": '''"""Colour palettes for the dashboard charts."""

PALETTE = ["#1f77b4", "#ff7f0e", "#2ca02c"]


def pick(i):
    return PALETTE[i % len(PALETTE)]
''',
    "app/csrf.py": '''"""Forms carry a random token to stop cross-site request forgery."""
import secrets


def new_form_token():
    return secrets.token_hex(16)
''',
    "app/pager.py": '''"""Page through long result lists; each page has a continuation token."""


def page(items, size, token=None):
    start = int(token or 0)
    return items[start : start + size], str(start + size)
''',
}


class EmbedServer:
    """The test server process and its test-only endpoints."""

    def __init__(self, url: str, proc: subprocess.Popen[str]) -> None:
        self.url = url
        self.proc = proc

    def _call(self, method: str, path: str, body: Any = None) -> Any:
        import httpx

        response = httpx.request(method, self.url + path, json=body, timeout=30)
        response.raise_for_status()
        return response.json()

    def stats(self) -> dict[str, Any]:
        result: dict[str, Any] = self._call("GET", "/_stats")
        return result

    def embed_requests(self) -> int:
        requests = self.stats()["requests"]
        return int(requests.get("/api/embed", 0) + requests.get("/v1/embeddings", 0))

    def texts(self) -> int:
        return int(self.stats()["texts"])

    def reset(self) -> None:
        self._call("POST", "/_reset")

    def knobs(self, **knobs: Any) -> None:
        self._call("POST", "/_knobs", knobs)


def free_port() -> int:
    """A port nothing listens on (bound, read, released)."""
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


@pytest.fixture(scope="session")
def embed_server() -> Iterator[EmbedServer]:
    """One real embedding server (all-MiniLM-L6-v2 on the CPU) for the whole session."""
    log = tempfile.TemporaryFile(mode="w+")  # noqa: SIM115 - outlives this block, closed below
    env = {**os.environ, "HF_HUB_OFFLINE": "1", "TRANSFORMERS_OFFLINE": "1"}
    proc = subprocess.Popen(
        [
            sys.executable,
            str(HERE / "embed_server.py"),
            "--port",
            "0",
            "--model",
            "all-minilm",
            "--model",
            "all-minilm-256=256",
        ],
        stdout=subprocess.PIPE,
        stderr=log,
        text=True,
        env=env,
    )
    line: list[str] = []
    reader = threading.Thread(
        target=lambda: line.append(proc.stdout.readline() if proc.stdout else "")
    )
    reader.start()
    reader.join(timeout=300)
    if not line or not line[0].startswith("READY "):
        proc.kill()
        log.seek(0)
        pytest.fail(f"the embedding server did not start: {log.read()[-2000:]}")
    server = EmbedServer(f"http://127.0.0.1:{int(line[0].split()[1])}", proc)
    try:
        yield server
    finally:
        proc.terminate()
        try:
            proc.wait(timeout=10)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait()
        log.close()


@pytest.fixture
def ollama(embed_server: EmbedServer, monkeypatch: pytest.MonkeyPatch) -> EmbedServer:
    """The server, reset, with atlas-ollama loaded and ``OLLAMA_HOST`` pointing at it."""
    embed_server.reset()
    monkeypatch.setenv("ATLAS_LOAD_PLUGINS", "ollama")
    monkeypatch.setenv("OLLAMA_HOST", embed_server.url)
    return embed_server


@pytest.fixture
def app_repo(make_repo: Callable[..., Path]) -> Callable[..., Path]:
    """``app_repo('extra = 1')``: the tiny application with ``[rerankers.ollama]`` settings."""

    def make(
        settings: str = "", files: dict[str, str] | None = None, model: str = "all-minilm"
    ) -> Path:
        config = f'[rerankers.ollama]\nmodel = "{model}"\n{settings}\n'
        return make_repo({**APP, **(files or {}), "atlas.toml": config})

    return make


@pytest.fixture
def ranked() -> Callable[[Any], list[str]]:
    """Ranked paths of a ``--format jsonl`` run."""
    return lambda result: [str(row["Path"]) for row in result.json_lines() if "Path" in row]


@pytest.fixture(name="free_port")
def free_port_fixture() -> int:
    return free_port()
