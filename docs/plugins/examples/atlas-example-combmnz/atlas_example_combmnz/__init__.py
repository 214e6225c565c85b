"""A fusion strategy: CombMNZ. Select it with ``fuser = "combmnz"`` in a preset."""

from __future__ import annotations

from atlas_core.api import Fuser, Registrar, hookimpl

__all__ = ["ATLAS_PLUGIN_API", "atlas_register_fusers"]

ATLAS_PLUGIN_API = "1.1"


@hookimpl
def atlas_register_fusers(registry: Registrar[Fuser]) -> None:
    from atlas_example_combmnz.fuser import CombMNZ

    registry.add(CombMNZ())
