"""``atlas mcp``: start the MCP server for one repository."""

from __future__ import annotations

import logging
import os
import sys
from pathlib import Path

import click

from atlas_core.api import AppState, UsageError, common_options

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

    Tools: query, map, related, render, outline, explain, index. Start it from an MCP
    client (see 'atlas init' for the configuration); it speaks JSON-RPC on stdin and
    stdout and logs to stderr. Without --root the repository is found from the working directory, as
    git finds it, so one configuration serves every checkout.
    """
    from atlas_mcp.server import serve
    from atlas_mcp.service import AtlasService

    root = state.root  # fails here, before serving, when the root is unusable
    if state.root_option is None and not os.environ.get("ATLAS_ROOT"):
        _check_found_root(root)
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


def _check_found_root(root: Path) -> None:
    """A client that starts the server outside any project (in the home directory, or
    ``/``) must not make it index that: ask for a root instead."""
    if (root / ".git").exists() or (root / ".atlas").is_dir():
        return
    if root == Path.home().resolve() or root == Path(root.anchor):
        raise UsageError(
            f"started in {root}, which is not a repository; start 'atlas mcp' in the "
            "repository or pass --root DIR (e.g. --root ${workspaceFolder} in an editor)"
        )
