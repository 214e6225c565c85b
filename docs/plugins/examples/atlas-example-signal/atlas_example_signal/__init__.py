"""An org-specific signal: files owned (in CODEOWNERS) by a team the task mentions rise.

"fix the @payments-team retry bug" boosts every file CODEOWNERS assigns to @payments-team.
"""

from __future__ import annotations

from typing import Any

from atlas_core.api import hookimpl


@hookimpl
def atlas_register_signals(registry: Any) -> None:
    from atlas_example_signal.signal import CodeOwners

    registry.add(CodeOwners())
