"""An org-specific signal: files owned (in CODEOWNERS) by a team the task mentions rise.

"fix the @payments-team retry bug" boosts every file CODEOWNERS assigns to @payments-team.
"""

from __future__ import annotations

from atlas_core.api import Registrar, Signal, hookimpl

__all__ = ["ATLAS_PLUGIN_API", "atlas_register_signals"]

ATLAS_PLUGIN_API = "1.1"


@hookimpl
def atlas_register_signals(registry: Registrar[Signal]) -> None:
    from atlas_example_signal.signal import CodeOwners

    registry.add(CodeOwners())
