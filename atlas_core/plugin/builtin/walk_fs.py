"""Built-in walker: the gitignore-correct file-system walk."""

from __future__ import annotations

from typing import Any

from atlas_core.plugin import hookimpl


@hookimpl
def atlas_register_walkers(registry: Any) -> None:
    from atlas_core.walk.fs import FsWalker

    registry.add(FsWalker())
