"""Built-in fuser: reciprocal rank fusion (k = 60)."""

from __future__ import annotations

from typing import Any

from atlas_core.plugin import hookimpl


@hookimpl
def atlas_register_fusers(registry: Any) -> None:
    from atlas_core.rank.fusion import ReciprocalRankFusion

    registry.add(ReciprocalRankFusion())
