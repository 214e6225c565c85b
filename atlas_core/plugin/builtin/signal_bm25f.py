"""Built-in signal: BM25F over file name, symbols and body."""

from __future__ import annotations

from typing import Any

from atlas_core.plugin import hookimpl


@hookimpl
def atlas_register_signals(registry: Any) -> None:
    from atlas_core.rank.bm25f import BM25F

    registry.add(BM25F())
