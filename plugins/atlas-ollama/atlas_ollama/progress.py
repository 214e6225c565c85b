"""A stderr progress bar for long embedding runs, shown only on a terminal."""

from __future__ import annotations

import sys
from collections.abc import Callable

__all__ = ["progress_bar"]


def progress_bar(what: str = "embedding") -> Callable[[int, int], None] | None:
    """A ``(done, total)`` callback drawing a bar on stderr; None when stderr is no terminal."""
    if not sys.stderr.isatty():
        return None

    def show(done: int, total: int) -> None:
        width = 30
        filled = int(width * done / max(total, 1))
        bar = "#" * filled + "-" * (width - filled)
        end = "\n" if done >= total else ""
        sys.stderr.write(f"\ratlas: {what} [{bar}] {done}/{total} chunks{end}")
        sys.stderr.flush()

    return show
