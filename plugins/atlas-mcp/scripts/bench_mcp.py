"""Query latency through MCP: start ``atlas mcp`` and time ``query`` calls over stdio.

Usage: python bench_mcp.py REPO [--calls 50] [--atlas PATH] [--tasks FILE] [--touch]

Spawns the server with the SDK's own stdio client, as an agent would, makes one call that
includes opening (or building) the index, then ``--calls`` timed ``query`` calls cycling
through the tasks, and prints the first call, the median and the 90th percentile in
milliseconds. ``--touch`` also bumps one file's modification time (content unchanged) before
each of 5 extra calls, to time a call that must refresh the index first.
"""

from __future__ import annotations

import argparse
import os
import shutil
import statistics
import sys
import time
from pathlib import Path

TASKS = [
    "add a timeout option to the client",
    "fix parsing of the configuration file",
    "handle errors raised by the request handler",
    "add a command line flag for verbose output",
    "log a warning when a deprecated option is used",
    "serialize the result to json",
    "validate input data and report a clear error",
    "cache the computed value between calls",
    "support environment variables for settings",
    "retry failed network requests with backoff",
]


async def run(args: argparse.Namespace) -> int:
    from mcp import Client, StdioServerParameters

    tasks = TASKS
    if args.tasks:
        tasks = [t.strip() for t in Path(args.tasks).read_text().splitlines() if t.strip()]
    env = {"ATLAS_LOAD_PLUGINS": args.plugins}
    params = StdioServerParameters(
        command=args.atlas, args=["mcp", "--root", args.repo, "-q"], env=env
    )
    started = time.perf_counter()
    async with Client(params, mode=args.mode) as client:
        connected = time.perf_counter() - started
        t0 = time.perf_counter()
        first = await client.call_tool("query", {"task": tasks[0], "top": 20})
        first_ms = (time.perf_counter() - t0) * 1000
        if first.is_error:
            print(f"query failed: {first.content[0].text}", file=sys.stderr)  # type: ignore[union-attr]
            return 1
        times = []
        for n in range(args.calls):
            t0 = time.perf_counter()
            result = await client.call_tool("query", {"task": tasks[n % len(tasks)], "top": 20})
            times.append((time.perf_counter() - t0) * 1000)
            assert not result.is_error, result.content
        touched = []
        if args.touch:
            victim = next(
                p
                for p in sorted(Path(args.repo).rglob("*.*"))
                if p.is_file() and ".git" not in p.parts and ".atlas" not in p.parts
            )
            for n in range(5):
                os.utime(victim, ns=(time.time_ns(), time.time_ns()))
                t0 = time.perf_counter()
                await client.call_tool("query", {"task": tasks[n], "top": 20})
                touched.append((time.perf_counter() - t0) * 1000)
    times.sort()
    print(f"repo {args.repo}: connect {connected * 1000:.0f} ms, first query {first_ms:.1f} ms")
    print(
        f"{args.calls} queries through MCP: median {statistics.median(times):.2f} ms, "
        f"p90 {times[int(len(times) * 0.9) - 1]:.2f} ms, min {times[0]:.2f} ms, "
        f"max {times[-1]:.2f} ms"
    )
    if touched:
        print(f"after a file changed (5 calls): median {statistics.median(touched):.1f} ms")
    return 0


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("repo")
    parser.add_argument("--calls", type=int, default=50)
    parser.add_argument("--atlas", default=shutil.which("atlas") or "atlas")
    parser.add_argument("--tasks", help="a file with one task per line")
    parser.add_argument("--plugins", default="mcp", help="ATLAS_LOAD_PLUGINS for the server")
    parser.add_argument("--mode", default="legacy", help="legacy (initialize handshake) or auto")
    parser.add_argument("--touch", action="store_true", help="also time calls after a change")
    args = parser.parse_args()
    import anyio

    return anyio.run(run, args)


if __name__ == "__main__":
    sys.exit(main())
