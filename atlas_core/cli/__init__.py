"""The ``atlas`` command line."""

from __future__ import annotations

import gc

# A command makes tens of thousands of objects that live until it exits (modules, classes,
# one record per file) and almost no reference cycles: a cold index of the 28k-file
# benchmark leaves about 3,000 objects in cycles. With the default threshold (700) the
# collector scanned them 70-180 times per run, 20 ms of a query and 55-90 ms of a
# no-change index. Long-lived commands (``atlas mcp``) set their own policy.
gc.set_threshold(100_000, 10, 10)

try:
    from atlas_core.cli.main import main
except KeyboardInterrupt:  # Ctrl-C while the command line is still being imported
    import sys

    print("atlas: interrupted", file=sys.stderr)
    raise SystemExit(130) from None

__all__ = ["main"]
