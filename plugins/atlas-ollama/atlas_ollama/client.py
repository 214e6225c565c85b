"""An embedding client for Ollama's ``/api/embed`` and the OpenAI ``/v1/embeddings`` API.

Batches texts, retries what is worth retrying, and turns every failure into one
:class:`EmbeddingError` line that says what to do.
"""

from __future__ import annotations

import time
from typing import TYPE_CHECKING, Any

import numpy as np

from atlas_core.api import AtlasPluginError

if TYPE_CHECKING:
    import httpx

    from atlas_ollama.config import OllamaConfig

__all__ = ["EmbeddingClient", "EmbeddingError", "EmbeddingTimeout", "ModelMissingError"]

_RETRY_STATUS = {429, 500, 502, 503, 504}


class EmbeddingError(AtlasPluginError):
    """The embedding server could not give us vectors; the message is one line for the user."""


class EmbeddingTimeout(EmbeddingError):
    """The server did not answer within the time the plugin may wait."""


class ModelMissingError(EmbeddingError):
    """The server does not have the configured model."""


class EmbeddingClient:
    """Vectors for texts from one server and model; counts the requests it makes."""

    def __init__(
        self,
        config: OllamaConfig,
        *,
        sleep: Any = time.sleep,
        deadline: float | None = None,
        budget: tuple[float, str] | None = None,
    ) -> None:
        """``deadline`` (a :func:`time.monotonic` time) ends every wait of this client, on
        top of the ``timeout`` each request has; ``budget`` is (seconds, setting) the
        deadline stands for, named when it runs out."""
        self.config = config
        self.base_url = config.base_url
        self.requests = 0
        self.deadline = deadline
        self.budget = budget or (config.timeout, "timeout")
        self._sleep = sleep
        self._http: httpx.Client | None = None

    # -- public ------------------------------------------------------------------

    def embed(self, texts: list[str]) -> np.ndarray:
        """L2-normalised float32 vectors, one row per text, in order."""
        if not texts:
            return np.zeros((0, 0), dtype=np.float32)
        rows: list[np.ndarray] = []
        size = self.config.batch_size
        for start in range(0, len(texts), size):
            rows.append(self._embed_batch(texts[start : start + size]))
        dims = {r.shape[1] for r in rows}
        if len(dims) > 1:
            raise EmbeddingError(
                f"ollama: {self._where()} returned vectors of different sizes {sorted(dims)} "
                "in one run; is the model being replaced?"
            )
        out = np.vstack(rows)
        norms = np.linalg.norm(out, axis=1, keepdims=True)
        norms[norms == 0] = 1.0
        normalised: np.ndarray = (out / norms).astype(np.float32)
        return normalised

    def models(self) -> list[str]:
        """The model names the server offers (``/api/tags`` or ``/v1/models``)."""
        path = "/api/tags" if self.config.api == "ollama" else "/v1/models"
        body = self._request("GET", path, None)
        items = body.get("models") if self.config.api == "ollama" else body.get("data")
        if not isinstance(items, list):
            raise EmbeddingError(f"ollama: unexpected answer from {self.base_url}{path}")
        key = "name" if self.config.api == "ollama" else "id"
        return [str(m.get(key) or m.get("model") or "") for m in items if isinstance(m, dict)]

    def close(self) -> None:
        if self._http is not None:
            self._http.close()
            self._http = None

    def __enter__(self) -> EmbeddingClient:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    # -- requests ----------------------------------------------------------------

    def _embed_batch(self, texts: list[str]) -> np.ndarray:
        cfg = self.config
        payload: dict[str, Any] = {"model": cfg.model, "input": texts}
        if cfg.dimensions:
            payload["dimensions"] = cfg.dimensions
        if cfg.api == "ollama":
            payload["truncate"] = True
            body = self._request("POST", "/api/embed", payload)
            vectors = body.get("embeddings")
        else:
            payload["encoding_format"] = "float"
            body = self._request("POST", "/v1/embeddings", payload)
            data = body.get("data")
            vectors = None
            if isinstance(data, list) and all(isinstance(d, dict) for d in data):
                ordered = sorted(data, key=lambda d: int(d.get("index", 0)))
                vectors = [d.get("embedding") for d in ordered]
        try:
            array = np.asarray(vectors, dtype=np.float32)
        except (TypeError, ValueError):
            array = np.zeros(0, dtype=np.float32)
        if array.ndim != 2 or array.shape[0] != len(texts) or array.shape[1] == 0:
            raise EmbeddingError(
                f"ollama: {self._where()} did not return one vector per input "
                f"({len(texts)} sent); is '{cfg.model}' an embedding model?"
            )
        if not np.isfinite(array).all():
            raise EmbeddingError(f"ollama: {self._where()} returned non-finite numbers")
        return array

    def _client(self) -> httpx.Client:
        if self._http is None:
            import httpx

            self._http = httpx.Client(base_url=self.base_url)
        return self._http

    def _request(self, method: str, path: str, payload: dict[str, Any] | None) -> dict[str, Any]:
        import httpx

        # one bound for the request and its retries: a server that accepts connections
        # and never answers must not hold the command for timeout x tries
        end = time.monotonic() + self.config.timeout
        if self.deadline is not None:
            end = min(end, self.deadline)
        tries = self.config.retries + 1
        made = 0
        last = "timeout"
        failed: httpx.Response | None = None  # a 429/5xx answer, retried while time is left
        for attempt in range(tries):
            if attempt:
                pause = min(0.25 * 2 ** (attempt - 1), 2.0)
                if time.monotonic() + pause >= end:
                    break
                self._sleep(pause)
            left = end - time.monotonic()
            if left <= 0:
                last = "timeout"
                break
            self.requests += 1
            made += 1
            try:
                response = self._send(method, path, payload, left, end)
            except httpx.TimeoutException:
                last = "timeout"
                continue
            except httpx.TransportError as exc:
                last = f"connect:{_reason(exc)}"
                if last == "connect:connection refused":
                    break  # nothing listens there: trying again only makes the user wait
                continue
            if response.status_code in _RETRY_STATUS and attempt + 1 < tries:
                last, failed = "http", response
                continue
            return self._decode(response, path)
        if last == "http" and failed is not None:
            return self._decode(failed, path)  # its own error message says the most
        if last == "timeout":
            seconds, setting = self.budget
            raise EmbeddingTimeout(
                f"ollama: {self.base_url}{path} did not answer within {seconds:g}s "
                f"({made} tries); raise [rerankers.ollama] {setting} or check the server"
            )
        hint = (
            "start it with 'ollama serve' or set OLLAMA_HOST"
            if self.config.api == "ollama"
            else "start the server or set [rerankers.ollama] host"
        )
        raise EmbeddingError(
            f"ollama: cannot reach {self.base_url} ({last[len('connect:') :]}); {hint}"
        )

    def _send(
        self, method: str, path: str, payload: dict[str, Any] | None, left: float, end: float
    ) -> httpx.Response:
        """One request that gives up at ``end``, also against a server that sends its
        answer a byte at a time (httpx's timeouts bound each wait, not the whole)."""
        import httpx

        timeout = httpx.Timeout(left, connect=min(left, 10.0))
        with self._client().stream(method, path, json=payload, timeout=timeout) as response:
            body = bytearray()
            for chunk in response.iter_raw():
                body += chunk
                if time.monotonic() > end:
                    raise httpx.ReadTimeout("no complete answer in time", request=response.request)
            return httpx.Response(
                response.status_code,
                headers=response.headers,
                content=bytes(body),
                request=response.request,
            )

    def _decode(self, response: httpx.Response, path: str) -> dict[str, Any]:
        try:
            body = response.json()
        except ValueError:
            body = None
        if response.status_code >= 400:
            message = _error_message(body) or response.text.strip()[:200] or response.reason_phrase
            if response.status_code == 404 and path != "/api/tags" and self._model_missing(message):
                raise ModelMissingError(self._missing_line())
            raise EmbeddingError(
                f"ollama: {self.base_url}{path} answered HTTP {response.status_code}: "
                + " ".join(message.split())[:200]
            )
        if not isinstance(body, dict):
            raise EmbeddingError(f"ollama: {self.base_url}{path} did not answer with JSON")
        return body

    def _model_missing(self, message: str) -> bool:
        lowered = message.lower()
        return "not found" in lowered or "does not exist" in lowered or self.config.model in message

    def _missing_line(self) -> str:
        model = self.config.model
        if self.config.api != "ollama":
            return (
                f"ollama: {self.base_url} does not serve model '{model}'; "
                "check [rerankers.ollama] model"
            )
        line = f"ollama: model '{model}' is not pulled; run 'ollama pull {model}'"
        try:
            pulled = [m for m in self.models() if m]
        except EmbeddingError:
            pulled = []
        if pulled:
            line += f" (pulled here: {', '.join(sorted(pulled)[:8])})"
        return line

    def _where(self) -> str:
        return f"{self.base_url} (model '{self.config.model}')"


def _error_message(body: Any) -> str:
    """The error text of Ollama (``{"error": str}``) and OpenAI-style servers."""
    if not isinstance(body, dict):
        return ""
    error = body.get("error")
    if isinstance(error, str):
        return error
    if isinstance(error, dict) and isinstance(error.get("message"), str):
        return str(error["message"])
    message = body.get("message") or body.get("detail")
    return message if isinstance(message, str) else ""


def _reason(exc: Exception) -> str:
    text = str(exc).lower()
    if "refused" in text:
        return "connection refused"
    if "name or service" in text or "nodename" in text or "getaddrinfo" in text:
        return "unknown host"
    return str(exc).splitlines()[0][:120] if str(exc) else type(exc).__name__
