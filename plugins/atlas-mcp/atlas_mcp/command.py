"""``atlas mcp``: start the MCP server for one repository."""

from __future__ import annotations

import logging
import sys

import click

from atlas_core.api import AppState, common_options

__all__ = ["mcp"]

pass_state = click.make_pass_decorator(AppState)


@click.command()
@click.option(
    "--allow-secrets",
    is_flag=True,
    help="Let the render tool include credential files and unredacted secrets.",
)
@common_options
@pass_state
def mcp(state: AppState, allow_secrets: bool) -> None:
    """Serve Atlas's tools to coding agents over the Model Context Protocol (stdio).

    Tools: query, render, outline, explain, index. Start it from an MCP client (see
    'atlas init' for the configuration); it speaks JSON-RPC on stdin and stdout and logs
    to stderr.
    """
    from atlas_mcp.server import serve
    from atlas_mcp.service import AtlasService

    root = state.root  # fails here, before serving, when the root is unusable
    logging.basicConfig(
        stream=sys.stderr,
        level=logging.INFO if state.verbose else logging.WARNING,
        format="%(message)s",
    )
    if sys.stdin.isatty() and not state.quiet:
        print(
            "atlas: the MCP server talks JSON-RPC on stdin/stdout; start it from an MCP "
            "client ('atlas init' prints the configuration). Ctrl-C to stop.",
            file=sys.stderr,
        )
    serve(AtlasService(root, state.manager, allow_secrets=allow_secrets))
