"""Plugin markers. Plugin authors use :data:`atlas_core.hookimpl`."""

from __future__ import annotations

import pluggy

__all__ = ["ENTRY_POINT_GROUP", "PLUGIN_API", "PROJECT", "hookimpl", "hookspec"]

PROJECT = "atlas"
ENTRY_POINT_GROUP = "atlas"
#: Bumped when a component contract changes; components declare ``requires_api``.
PLUGIN_API = (1, 1)

hookspec = pluggy.HookspecMarker(PROJECT)
hookimpl = pluggy.HookimplMarker(PROJECT)
