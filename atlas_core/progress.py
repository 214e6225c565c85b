"""A progress bar on stderr, drawn only on a terminal and never under ``-q`` (plugins use
it too)."""

from __future__ import annotations

import os
import sys
from collections.abc import Callable

__all__ = ["progress_bar", "set_quiet"]

_quiet = False


def set_quiet(quiet: bool) -> None:
    """Silence (or allow again) every progress bar of this process; the CLI's ``-q`` sets it."""
    global _quiet
    _quiet = quiet


def _wanted() -> bool:
    if _quiet or os.environ.get("TERM") == "dumb":
        return False
    try:
        return sys.stderr.isatty()
    except (AttributeError, ValueError):  # stderr replaced or closed
        return False


def progress_bar(what: str, unit: str) -> Callable[[int, int], None] | None:
    """A ``(done, total)`` callback drawing ``atlas: WHAT [###---] done/total UNIT``.

    None when stderr is not a terminal (piped runs stay silent), under ``-q``, or with
    ``TERM=dumb`` (no carriage returns to redraw the line with).
    """
    if not _wanted():
        return None

    def show(done: int, total: int) -> None:
        if _quiet:
            return
        width = 30
        filled = int(width * done / max(total, 1))
        bar = "#" * filled + "-" * (width - filled)
        end = "\n" if done >= total else ""
        sys.stderr.write(f"\ratlas: {what} [{bar}] {done}/{total} {unit}{end}")
        sys.stderr.flush()

    return show
