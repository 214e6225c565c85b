"""The on-disk index: layout, building (incremental, parallel) and reading (memory-mapped)."""
