"""Stage 7, output: formats for query results, the context document for LLMs, secret redaction."""
