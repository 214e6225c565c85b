"""GleamChunker: the core's tree-sitter chunker with this package's query file."""

from __future__ import annotations

from pathlib import Path
from typing import ClassVar

from atlas_core.api import TreeSitterChunker

__all__ = ["GleamChunker"]


class GleamChunker(TreeSitterChunker):
    """Gleam functions, custom types and their constructors, type aliases, constants and
    imports. The grammar ships in tree-sitter-language-pack; the query is ours."""

    name: ClassVar[str] = "gleam"
    priority: ClassVar[int] = 20  # above the core's tree-sitter (10) and regex (0) chunkers
    query_dir: ClassVar[Path] = Path(__file__).with_name("queries")
