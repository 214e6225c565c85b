"""Built-in tree-sitter chunker (priority 10: outranks the regex chunker, not language packages)."""

from __future__ import annotations

from typing import Any

from atlas_core.plugin import hookimpl


@hookimpl
def atlas_register_chunkers(registry: Any) -> None:
    from atlas_core.chunk.treesitter.chunker import TreeSitterChunker

    registry.add(TreeSitterChunker())
