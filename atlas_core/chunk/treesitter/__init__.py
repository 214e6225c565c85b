"""Tree-sitter chunking: per-language query files in ``queries/`` drive the extraction.

Adding a language is adding ``queries/<language>.scm`` (the capture names are described
in :mod:`atlas_core.chunk.treesitter.extract`). Nothing here imports tree-sitter until a file
is chunked.
"""

from __future__ import annotations

from atlas_core.chunk.treesitter.chunker import QUERY_DIR, TreeSitterChunker, query_languages
from atlas_core.chunk.treesitter.extract import extract_chunks, first_doc_line

__all__ = ["QUERY_DIR", "TreeSitterChunker", "extract_chunks", "first_doc_line", "query_languages"]
