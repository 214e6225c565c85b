"""Built-in signal: files and symbols the task names outright."""

from __future__ import annotations

from typing import Any

from atlas_core.plugin import hookimpl


@hookimpl
def atlas_register_signals(registry: Any) -> None:
    from atlas_core.ranking.mentions import Mentions

    registry.add(Mentions())
