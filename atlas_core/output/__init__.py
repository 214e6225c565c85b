"""Output formats for query results, and the context document for LLMs."""
