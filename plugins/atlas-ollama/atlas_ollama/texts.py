"""The texts embedded for a file: its path, symbol names and body, cut into chunks.

A file is split at every symbol start the chunker found (so a chunk never begins in the
middle of a function), consecutive pieces are packed up to ``max_chars``, and a piece
longer than that is cut at line ends. Each chunk text starts with the path and the names
of the symbols it holds, which is what a query names most often.
"""

from __future__ import annotations

import hashlib
from collections.abc import Sequence

from atlas_core.api import Chunk

__all__ = ["cache_key", "file_texts"]


def cache_key(model_id: str, text: str) -> bytes:
    """16 bytes naming one (model, text) pair in the vector cache."""
    return hashlib.blake2b(f"{model_id}\0{text}".encode(), digest_size=16).digest()


def file_texts(
    path: str,
    text: str,
    chunks: Sequence[Chunk],
    *,
    max_chars: int,
    max_chunks: int,
    prefix: str = "",
) -> list[str]:
    """Chunk texts of one file, at most ``max_chunks`` of them, from the top of the file."""
    # indentation and blank lines carry no meaning for the model: keep the budget for code
    lines = [line.strip() for line in text.splitlines()]
    if not any(lines):
        return []
    names: dict[int, list[str]] = {}
    for chunk in chunks:
        if chunk.kind == "import" or not 1 <= chunk.start <= len(lines):
            continue
        names.setdefault(chunk.start, []).append(chunk.qualified or chunk.name)
    starts = sorted({1, *names})
    ends = [s - 1 for s in starts[1:]] + [len(lines)]
    out: list[str] = []
    body: list[str] = []
    held: list[str] = []

    def room() -> int:
        return max_chars - len(prefix) - len(path) - 2 - _names_size(held, max_chars)

    def flush() -> None:
        if body:
            out.append(_compose(prefix, path, held, body, max_chars))
        body.clear()
        held.clear()

    for start, end in zip(starts, ends, strict=True):
        piece = [line for line in lines[start - 1 : end] if line]
        if not piece:
            continue
        own = names.get(start, [])
        if body and _size(body) + _size(piece) > room() - _names_size(own, max_chars):
            flush()  # start a new chunk at this symbol rather than inside it
        held.extend(own)
        for line in piece:
            if body and _size(body) + len(line) + 1 > room():
                flush()
                held.extend(own)  # the rest of a long symbol keeps its name
            body.append(line)
        if len(out) >= max_chunks:
            break
    flush()
    return out[:max_chunks]


def _size(lines: list[str]) -> int:
    return sum(len(line) + 1 for line in lines)


def _names_size(names: list[str], max_chars: int) -> int:
    if not names:
        return 0
    return min(sum(len(n) + 2 for n in names) + 10, max_chars // 4)


def _compose(prefix: str, path: str, names: list[str], body: list[str], max_chars: int) -> str:
    head = f"{prefix}{path}\n"
    if names:
        listed = "symbols: " + ", ".join(dict.fromkeys(names))
        head += listed[: max_chars // 4 - 1] + "\n"
    return (head + "\n".join(body))[: max(max_chars, len(head) + 1)]
