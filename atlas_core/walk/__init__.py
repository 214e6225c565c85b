"""Stage 1, walk: list a repository's files, gitignore-correct (the built-in walker)."""
