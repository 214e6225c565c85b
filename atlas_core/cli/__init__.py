"""The ``atlas`` command line."""

from __future__ import annotations

try:
    from atlas_core.cli.main import main
except KeyboardInterrupt:  # Ctrl-C while the command line is still being imported
    import sys

    if sys.stderr is not None:  # closed: print() would write to stdout
        print("atlas: interrupted", file=sys.stderr)
    raise SystemExit(130) from None

__all__ = ["main"]
