"""The MCP server: Atlas's tools over stdio, with the official ``mcp`` SDK (low-level API).

Tool calls run one at a time, in the order they came, each in a worker thread, so the event
loop keeps answering pings and cancellations while a large repository is being indexed. A
call the client cancels (``notifications/cancelled``) while it waits for its turn never
runs. One already running cannot be stopped (a thread cannot be interrupted safely, and a
plugin's signal may be in the middle of anything): it finishes, its answer is dropped, and
the calls behind it wait for it. Every failure becomes a tool error the agent can read,
never a crash of the server.
"""

from __future__ import annotations

import contextlib
import gc
import io
import logging
import os
import sys
import threading
import time
from collections.abc import Iterator
from functools import partial
from importlib import metadata
from typing import Any, cast

from atlas_core.api import AtlasError
from atlas_mcp.screen import ScreenedLines, SharedWriter
from atlas_mcp.service import AtlasService
from atlas_mcp.tools import (
    INSTRUCTIONS,
    ToolResult,
    integral_arguments,
    tool_specs,
    validate_arguments,
)

__all__ = ["build_server", "serve"]

log = logging.getLogger(__name__)


def _version() -> str:
    try:
        return metadata.version("atlas-mcp")
    except metadata.PackageNotFoundError:  # pragma: no cover - run from a source tree
        return "0"


def build_server(service: AtlasService) -> Any:
    """A low-level ``mcp`` server whose tools run on ``service``."""
    import anyio
    import anyio.to_thread
    import mcp_types as types
    from mcp.server.lowlevel import Server

    def specs() -> dict[str, Any]:
        return tool_specs(service.presets())

    # whose turn it is: waiting here, unlike on the service's lock in a thread, can be
    # cancelled, so a call cancelled before it started is skipped
    turn = anyio.Lock()

    async def list_tools(ctx: Any, params: Any) -> types.ListToolsResult:
        return types.ListToolsResult(
            tools=[
                types.Tool(
                    name=spec.name,
                    title=spec.title,
                    description=spec.description,
                    input_schema=spec.schema,
                    annotations=types.ToolAnnotations(
                        title=spec.title,
                        read_only_hint=spec.read_only,
                        destructive_hint=False,
                        idempotent_hint=True,
                        open_world_hint=False,
                    ),
                )
                for spec in specs().values()
            ]
        )

    def error(message: str) -> types.CallToolResult:
        return types.CallToolResult(
            content=[types.TextContent(type="text", text=message)], is_error=True
        )

    async def call_tool(ctx: Any, params: types.CallToolRequestParams) -> types.CallToolResult:
        available = specs()
        spec = available.get(params.name)
        if spec is None:
            return error(f"unknown tool {params.name!r} (tools: {', '.join(available)})")
        arguments = dict(params.arguments or {})
        problem = validate_arguments(spec, arguments)
        if problem:
            return error(problem)
        arguments = integral_arguments(spec, arguments)
        async with turn:
            started = time.perf_counter()
            try:
                result: ToolResult = await anyio.to_thread.run_sync(
                    partial(spec.run, service, arguments)
                )
            except AtlasError as exc:
                return error(str(exc))
            except Exception as exc:
                log.exception("atlas: tool %s failed", spec.name)
                return error(f"internal error in {spec.name}: {type(exc).__name__}: {exc}")
            finally:
                took = (time.perf_counter() - started) * 1000
                log.info("atlas: %s took %.1f ms", spec.name, took)
        return types.CallToolResult(
            content=[types.TextContent(type="text", text=result.text)],
            structured_content=result.structured,
        )

    return Server(
        "atlas",
        version=_version(),
        title="Atlas",
        instructions=INSTRUCTIONS,
        on_list_tools=list_tools,
        on_call_tool=call_tool,
    )


@contextlib.contextmanager
def _claim_stdio() -> Iterator[tuple[int, int]]:
    """Private copies of fd 0 and 1 for the protocol, the originals pointed elsewhere.

    While serving, fd 0 reads the null device and fd 1 writes to stderr, so a stray
    ``print`` or a child process can neither eat the client's messages nor corrupt ours.
    """
    wire_in, wire_out = os.dup(0), os.dup(1)
    null = os.open(os.devnull, os.O_RDWR)
    try:
        os.dup2(null, 0)
        try:
            os.dup2(2, 1)
        except OSError:  # no stderr: stray output is discarded instead
            os.dup2(null, 1)
        yield wire_in, wire_out
    finally:
        os.close(null)
        os.dup2(wire_in, 0)
        os.dup2(wire_out, 1)
        os.close(wire_in)
        os.close(wire_out)


def serve(service: AtlasService, *, warm: bool = True) -> None:
    """Serve ``service`` on stdin/stdout until the client disconnects.

    The SDK's stdio transport gets screened streams (:mod:`atlas_mcp.screen`): a line it
    would silently drop is answered with a JSON-RPC error first.
    """
    import anyio
    from mcp.server.stdio import stdio_server

    # The command line collects cycles rarely (see atlas_core.cli); a server lives long.
    # What start-up made lives until exit: frozen, no collection scans it again. Young
    # objects are collected at Python's default pace.
    gc.freeze()
    gc.set_threshold(700, 10, 10)
    if warm:
        # open or build the index while the client finishes its handshake; a daemon
        # thread, so a client that leaves early is not kept waiting (index writes are atomic)
        threading.Thread(target=service.warm, name="atlas-warm", daemon=True).start()
    server = build_server(service)

    async def run(wire_in: int, wire_out: int) -> None:
        with (
            os.fdopen(wire_in, "rb", closefd=False) as raw_in,
            os.fdopen(wire_out, "wb", closefd=False) as raw_out,
        ):
            text_in = io.TextIOWrapper(raw_in, encoding="utf-8", errors="replace")
            text_out = io.TextIOWrapper(raw_out, encoding="utf-8")
            out = SharedWriter(anyio.wrap_file(text_out))
            lines = ScreenedLines(anyio.wrap_file(text_in), out)
            async with stdio_server(cast(Any, lines), cast(Any, out)) as (reader, writer):
                await server.run(reader, writer, server.create_initialization_options())
            text_out.flush()

    sys.stdout.flush()  # anything printed so far belongs on the wire, before it is claimed
    with _claim_stdio() as (wire_in, wire_out):
        anyio.run(run, wire_in, wire_out)
