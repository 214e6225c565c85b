"""Stage 3, chunk: symbols and imports of a file (tree-sitter queries, regex fallback)."""
