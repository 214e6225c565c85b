"""Built-in fuser: weighted sum of normalised scores."""

from __future__ import annotations

from typing import Any

from atlas_core.plugin import hookimpl


@hookimpl
def atlas_register_fusers(registry: Any) -> None:
    from atlas_core.rank.fusion import WeightedFusion

    registry.add(WeightedFusion())
