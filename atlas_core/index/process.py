"""Turning one file into index data: read, sniff, classify, chunk, count terms.

Runs in indexing worker processes (forked, so the plugin manager is inherited).
"""

from __future__ import annotations

import hashlib
import math
import os
from pathlib import PurePosixPath
from typing import Any

import attrs
import numpy as np

from atlas_core.fsread import open_regular
from atlas_core.plugin.guard import call_hook, failure, origin_of, raise_errors
from atlas_core.terms import count_terms

__all__ = ["FileProcessor", "FileResult", "estimate_tokens"]

_SNIFF = 8192


def estimate_tokens(nbytes: int) -> int:
    """Token estimate of a text: one token per four bytes, rounded up (documented)."""
    return math.ceil(nbytes / 4)


def content_hash(data: bytes) -> bytes:
    return hashlib.blake2b(data, digest_size=16).digest()


@attrs.define
class FileResult:
    """What indexing learned about one file."""

    rel: str
    hash: bytes
    language: str
    role: str
    tokens: int
    status: str
    chunks: list[list[Any]]
    terms: list[str]
    tf: np.ndarray  # (n_terms, 3) uint16
    errors: list[str] = attrs.field(factory=list)
    undecodable: bool = False


@attrs.define
class FileProcessor:
    """Everything a worker needs: classification hooks, chunkers and limits."""

    hook: Any
    chunkers: dict[str, Any]  # language -> chunker ("*" for any)
    max_file_bytes: int

    def chunker_for(self, language: str) -> Any:
        return self.chunkers.get(language) or self.chunkers.get("*")

    def process(self, rel: str, path: str) -> FileResult:
        try:
            with open(open_regular(path), "rb") as fh:
                data = fh.read(self.max_file_bytes + 1)
                size = os.fstat(fh.fileno()).st_size
        except OSError as exc:
            return self._empty(rel, b"", "unreadable", [f"{rel}: {exc.strerror}"])
        digest = content_hash(data) if size <= self.max_file_bytes else b""
        if b"\0" in data[:_SNIFF]:
            return self._empty(rel, digest, "binary", [])
        head = data[:1024].decode("utf-8", "replace")
        stage = f"classifying {rel}"
        language = (
            call_hook(self.hook, "atlas_classify_language", stage, rel=rel, head=head) or "unknown"
        )
        role = (
            call_hook(
                self.hook, "atlas_classify_role", stage, rel=rel, language=language, head=head
            )
            or "other"
        )
        if size > self.max_file_bytes:
            result = self._empty(rel, digest, "large", [])
            result.language, result.role, result.tokens = language, role, estimate_tokens(size)
            return result
        undecodable = False
        try:
            text = data.decode("utf-8")
        except UnicodeDecodeError:
            text = data.decode("utf-8", "replace")
            undecodable = True
        errors: list[str] = []
        chunks = []
        chunker = self.chunker_for(language)
        if chunker is not None:
            try:
                chunks = chunker.chunk(rel, text, language)
            except Exception as exc:  # one file's failure: noted, the index carries on
                if raise_errors():
                    raise
                errors.append(str(failure(origin_of(chunker), f"chunking {rel}", exc)))
        stem = PurePosixPath(rel).name.split(".")[0] or PurePosixPath(rel).name
        fields = (
            count_terms(stem),
            count_terms(" ".join(c.name for c in chunks if c.kind != "import")),
            count_terms(text),
        )
        vocab = sorted(set().union(*fields))
        tf = np.zeros((len(vocab), 3), dtype=np.uint16)
        for col, counter in enumerate(fields):
            for row, term in enumerate(vocab):
                n = counter.get(term)
                if n:
                    tf[row, col] = min(n, 65535)
        return FileResult(
            rel,
            digest,
            language,
            role,
            estimate_tokens(len(data)),
            "ok",
            [c.to_row() for c in chunks],
            vocab,
            tf,
            errors,
            undecodable,
        )

    @staticmethod
    def _empty(rel: str, digest: bytes, status: str, errors: list[str]) -> FileResult:
        return FileResult(
            rel,
            digest,
            "unknown",
            "other",
            0,
            status,
            [],
            [],
            np.zeros((0, 3), dtype=np.uint16),
            errors,
        )


# The processor a forked worker uses; set by the parent right before the pool starts.
_PROCESSOR: FileProcessor | None = None


def set_processor(processor: FileProcessor) -> None:
    global _PROCESSOR
    _PROCESSOR = processor


def process_batch(batch: list[tuple[str, str]]) -> list[FileResult]:
    assert _PROCESSOR is not None
    return [_PROCESSOR.process(rel, path) for rel, path in batch]
