"""Built-in signal: the path heuristic."""

from __future__ import annotations

from typing import Any

from atlas_core.plugin import hookimpl


@hookimpl
def atlas_register_signals(registry: Any) -> None:
    from atlas_core.rank.path import PathHeuristic

    registry.add(PathHeuristic())
