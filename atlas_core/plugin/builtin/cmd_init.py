"""Built-in command: ``atlas init`` (instruction files for coding agents)."""

from __future__ import annotations

from typing import Any

from atlas_core.plugin import hookimpl


@hookimpl
def atlas_add_commands(cli: Any) -> None:
    from atlas_core.cli.init import init

    cli.add_command(init)
