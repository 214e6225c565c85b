"""Built-in command: ``atlas init`` (instruction files for coding agents)."""

from __future__ import annotations

from typing import Any

from atlas_core.plugin import hookimpl


@hookimpl
def atlas_add_commands(cli: Any) -> None:
    from atlas_core.cli.lazy import lazy_command

    cli.add_command(lazy_command("init", "atlas_core.cli.init:init"))
