"""Atlas plugin: git history signals (recency of change, earlier commit messages like the
task, co-change with the best matches)."""

from __future__ import annotations

from typing import Any

from atlas_core.api import hookimpl

__all__ = ["ATLAS_PLUGIN_API", "atlas_register_contributors", "atlas_register_signals"]

#: the plugin API this package is written for (see ``atlas plugins``)
ATLAS_PLUGIN_API = "1.1"


@hookimpl
def atlas_register_contributors(registry: Any) -> None:
    from atlas_git.contributor import GitHistory

    registry.add(GitHistory())


@hookimpl
def atlas_register_signals(registry: Any) -> None:
    from atlas_git.signals import GitCochange, GitMessages, GitRecency

    registry.add(GitRecency())
    registry.add(GitMessages())
    registry.add(GitCochange())
