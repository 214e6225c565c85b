"""A progress bar on stderr, drawn only on a terminal (plugins use it too)."""

from __future__ import annotations

import sys
from collections.abc import Callable

__all__ = ["progress_bar"]


def progress_bar(what: str, unit: str) -> Callable[[int, int], None] | None:
    """A ``(done, total)`` callback drawing ``atlas: WHAT [###---] done/total UNIT``.

    None when stderr is not a terminal, so piped runs stay silent.
    """
    if not sys.stderr.isatty():
        return None

    def show(done: int, total: int) -> None:
        width = 30
        filled = int(width * done / max(total, 1))
        bar = "#" * filled + "-" * (width - filled)
        end = "\n" if done >= total else ""
        sys.stderr.write(f"\ratlas: {what} [{bar}] {done}/{total} {unit}{end}")
        sys.stderr.flush()

    return show
