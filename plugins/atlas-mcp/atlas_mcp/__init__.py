"""Atlas plugin: ``atlas mcp``, a Model Context Protocol server over stdio for coding agents."""

from __future__ import annotations

from typing import Any

from atlas_core.api import hookimpl

__all__ = ["ATLAS_PLUGIN_API", "atlas_add_commands"]

#: the plugin API this package is written for (see ``atlas plugins``)
ATLAS_PLUGIN_API = "1.1"


@hookimpl
def atlas_add_commands(cli: Any) -> None:
    from atlas_core.api import lazy_command  # click: not for library users

    # imported when used: ``atlas query`` does not load the server (nor logging)
    cli.add_command(lazy_command("mcp", "atlas_mcp.command:mcp"))
