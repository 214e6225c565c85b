"""The ``atlas`` command line."""

from __future__ import annotations

from atlas_core.cli.main import main

__all__ = ["main"]
