"""Stage 5, rank: signals (BM25F, path prior, mentions) and fusion (RRF, weighted)."""
