"""Stage 4, index: the on-disk index (layout, incremental building, memory-mapped reading)."""
