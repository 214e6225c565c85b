"""Plugin markers. Plugin authors use :data:`atlas_core.hookimpl`."""

from __future__ import annotations

import pluggy

__all__ = ["ENTRY_POINT_GROUP", "PLUGIN_API", "PROJECT", "hookimpl", "hookspec"]

PROJECT = "atlas"
ENTRY_POINT_GROUP = "atlas"
#: Bumped when a component contract changes; plugins declare the version they were built
#: for as ``ATLAS_PLUGIN_API`` (another major version is refused).
PLUGIN_API = (1, 1)

hookspec = pluggy.HookspecMarker(PROJECT)
hookimpl = pluggy.HookimplMarker(PROJECT)
