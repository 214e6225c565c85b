"""Stage 2, classify: a file's language and role from its path and first bytes."""
