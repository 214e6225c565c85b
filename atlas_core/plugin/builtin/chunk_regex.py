"""Built-in regex chunker (priority 0: any tree-sitter chunker outranks it)."""

from __future__ import annotations

from typing import Any

from atlas_core.plugin import hookimpl


@hookimpl
def atlas_register_chunkers(registry: Any) -> None:
    from atlas_core.chunk.regex import RegexChunker

    registry.add(RegexChunker())
