"""GoChunker: the core tree-sitter chunker with this package's Go query, plus build tags."""

from __future__ import annotations

from pathlib import Path
from typing import ClassVar

from atlas_core.api import Chunk, TreeSitterChunker
from atlas_lang_go.header import build_constraints

__all__ = ["GoChunker"]


class GoChunker(TreeSitterChunker):
    """Go symbols: package, functions, receiver-qualified methods, types, embeds, build tags.

    It outranks the core tree-sitter chunker for Go (priority 20 > 10). The query file is
    ``atlas_lang_go/queries/go.scm``; build constraints come from the lines above the
    package clause and are recorded as ``build_tag`` chunks named by the constraint
    (``linux && amd64``), so the tags are searchable.
    """

    name: ClassVar[str] = "go"
    priority: ClassVar[int] = 20
    query_dir: ClassVar[Path] = Path(__file__).with_name("queries")

    def chunk(self, rel: str, text: str, language: str) -> list[Chunk]:
        chunks = super().chunk(rel, text, language)
        if "+build" not in text[:4096] and "go:build" not in text[:4096]:
            return chunks
        lines = text.split("\n")
        tags = [
            Chunk("build_tag", expr, expr, number, number, lines[number - 1].strip())
            for number, expr in build_constraints(text)
        ]
        return sorted(tags + chunks, key=lambda c: (c.start, -c.end))
