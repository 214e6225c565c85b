"""The ``[rerankers.ollama]`` table of ``atlas.toml``: typed, with defaults."""

from __future__ import annotations

import ipaddress
import os
from typing import Any
from urllib.parse import urlsplit

import attrs

from atlas_core.api import UsageError

__all__ = ["DEFAULT_HOST", "OllamaConfig", "config_from_table", "is_local", "resolve_host"]

DEFAULT_HOST = "http://localhost:11434"
#: the most a config may set for the waits (seconds), and extra tries
MAX_TIMEOUT = 600.0
MAX_RETRIES = 10

#: prefixes some embedding models were trained with (query, document); config overrides
_KNOWN_PREFIXES: dict[str, tuple[str, str]] = {
    "nomic-embed": ("search_query: ", "search_document: "),
    "mxbai-embed-large": ("Represent this sentence for searching relevant passages: ", ""),
    "snowflake-arctic-embed": ("Represent this sentence for searching relevant passages: ", ""),
}


@attrs.define
class OllamaConfig:
    """Settings of the ollama reranker and of ``atlas index --embed``."""

    #: server address on this machine; empty: ``$OLLAMA_HOST`` (which may name another
    #: machine), else http://localhost:11434
    host: str = ""
    #: embedding model, as the server names it
    model: str = "nomic-embed-text"
    #: "ollama" (``/api/embed``) or "openai" (``/v1/embeddings``: llama.cpp, vLLM, LM Studio)
    api: str = "ollama"
    #: ask the server for this many dimensions (0: the model's own)
    dimensions: int = 0
    #: texts per request
    batch_size: int = 32
    #: seconds the plugin waits on the server in total: for one query's --rerank and
    #: --semantic together, or for each request of ``atlas index --embed`` (retries included)
    timeout: float = 30.0
    #: the same for a reranking no flag asked for (the ``thorough`` preset): best effort, so
    #: a server that does not answer costs this much, then the lexical answer and a warning
    auto_timeout: float = 5.0
    #: extra tries after a connection error, a timeout or an HTTP 5xx/429
    retries: int = 2
    # The three below bound the cost of a cold rerank (about candidates * max_chunks texts
    # of max_chars each); they are the settings measured on the shared benchmark.
    #: rerank at most this many of the engine's candidates (0: all of them)
    candidates: int = 20
    #: characters per embedded chunk (path and symbol names included)
    max_chars: int = 800
    #: chunks embedded per file, from its top
    max_chunks: int = 8
    #: how cosine similarity joins the lexical ranking: "weighted" (scores) or "rrf" (ranks)
    fuser: str = "weighted"
    #: weight of the semantic side in that fusion (the lexical side has 1.0); 0.25 was the
    #: best of the settings tried on the shared benchmark with all-MiniLM-L6-v2
    weight: float = attrs.field(default=0.25, validator=attrs.validators.ge(0.0))
    #: files ``--semantic`` retrieves by vector similarity
    semantic_top: int = 50
    #: text put before the query / each chunk (None: what the model is known to want)
    query_prefix: str | None = None
    document_prefix: str | None = None

    def validate(self) -> OllamaConfig:
        """Check values the types allow but the plugin does not; returns self."""
        if self.api not in {"ollama", "openai"}:
            raise UsageError(
                f"[rerankers.ollama] api must be 'ollama' or 'openai', not {self.api!r}"
            )
        if self.fuser not in {"rrf", "weighted"}:
            raise UsageError(
                f"[rerankers.ollama] fuser must be 'rrf' or 'weighted', not {self.fuser!r}"
            )
        if not self.model.strip():
            raise UsageError("[rerankers.ollama] model is empty")
        if self.host.strip() and not is_local(resolve_host(self.host, self.api)):
            # the config may be a repository's own: it must not send the task and the
            # files' text to a server of its choosing
            raise UsageError(
                f"[rerankers.ollama] host {self.host!r} is not on this machine; the config "
                "may only name a local server (set $OLLAMA_HOST to use another machine)"
            )
        for key in ("batch_size", "max_chars", "max_chunks", "semantic_top"):
            if getattr(self, key) < 1:
                raise UsageError(f"[rerankers.ollama] {key} must be at least 1")
        if (
            self.timeout <= 0
            or self.auto_timeout <= 0
            or self.retries < 0
            or self.dimensions < 0
            or self.candidates < 0
        ):
            raise UsageError(
                "[rerankers.ollama] timeout and auto_timeout must be positive; retries, "
                "dimensions and candidates must not be negative"
            )
        # bounded: a repository's config must not keep a query waiting for hours
        if self.timeout > MAX_TIMEOUT or self.retries > MAX_RETRIES:
            raise UsageError(
                f"[rerankers.ollama] timeout must be at most {MAX_TIMEOUT:.0f} seconds and "
                f"retries at most {MAX_RETRIES}"
            )
        if self.auto_timeout > MAX_TIMEOUT:
            raise UsageError(
                f"[rerankers.ollama] auto_timeout must be at most {MAX_TIMEOUT:.0f} seconds"
            )
        return self

    @property
    def base_url(self) -> str:
        return resolve_host(self.host or os.environ.get("OLLAMA_HOST", ""), self.api)

    @property
    def model_id(self) -> str:
        """What the cached vectors depend on: API flavour, model and dimensions."""
        return f"{self.api}:{self.model}:{self.dimensions or 'native'}"

    def prefixes(self) -> tuple[str, str]:
        """(query prefix, document prefix)."""
        known = next((p for k, p in _KNOWN_PREFIXES.items() if self.model.startswith(k)), ("", ""))
        query = self.query_prefix if self.query_prefix is not None else known[0]
        doc = self.document_prefix if self.document_prefix is not None else known[1]
        return query, doc

    def layout_key(self) -> str:
        """Everything that shapes the chunk texts (and so the cache keys)."""
        return f"{self.max_chars}:{self.max_chunks}:{self.prefixes()[1]!r}"


def resolve_host(raw: str, api: str = "ollama") -> str:
    """A base URL from ``OLLAMA_HOST``-style input, read as Ollama reads it.

    ``host`` or ``host:port`` means http on port 11434 unless given; a full URL keeps its
    scheme's own default port. A trailing ``/v1`` is dropped for the OpenAI API.
    """
    raw = raw.strip() or DEFAULT_HOST
    default_port: int | None = None
    if "://" not in raw:
        raw, default_port = "http://" + raw, 11434
    try:
        parts = urlsplit(raw)
        port = parts.port or default_port
    except ValueError:
        raise UsageError(f"ollama: bad host {raw!r} (want e.g. {DEFAULT_HOST})") from None
    if parts.scheme not in {"http", "https"} or not parts.hostname:
        raise UsageError(f"ollama: bad host {raw!r} (want e.g. {DEFAULT_HOST})")
    host = parts.hostname
    if host in {"0.0.0.0", "::"}:  # a bind address: the server is on this machine
        host = "127.0.0.1" if host == "0.0.0.0" else "::1"
    if ":" in host:
        host = f"[{host}]"
    path = parts.path.rstrip("/")
    if api == "openai" and path.endswith("/v1"):
        path = path[: -len("/v1")]
    netloc = f"{host}:{port}" if port else host
    return f"{parts.scheme}://{netloc}{path}"


def is_local(url: str) -> bool:
    """Whether ``url`` (from :func:`resolve_host`) names this machine: ``localhost`` or a
    loopback address."""
    host = (urlsplit(url).hostname or "").rstrip(".").lower()
    if host == "localhost" or host.endswith(".localhost"):
        return True
    try:
        return ipaddress.ip_address(host).is_loopback
    except ValueError:
        return False


def config_from_table(table: dict[str, Any]) -> OllamaConfig:
    """Typed settings from a raw ``[rerankers.ollama]`` table."""
    from atlas_core.api import component_config

    return component_config(OllamaConfig, dict(table), "ollama").validate()
