#!/usr/bin/env python3
"""Speed benchmark: prints every index and query figure for one or more repositories.

usage: scripts/bench.py REPO [REPO ...] [--atlas PATH] [--runs N] [--calls N] [--query TEXT]
                        [--preset NAME]
       scripts/bench.py --scale SOURCE [--sizes 3k,10k,28k,100k] [--work DIR] [...]

For each repository, with the real ``atlas`` command in fresh processes: cold index time
(and files per second), peak memory of the whole process tree while indexing (the workers
included, sampled from /proc), no-change re-index time (best of 3), one-file-changed
re-index time, warm ``atlas query`` wall time end to end (median of --runs), and index size
on disk; then, in one long-lived process holding the index open as the MCP server does
(``atlas_mcp.service.AtlasService``, freshness check included), the median and 95th
percentile of --calls repeated queries. The index goes to a temporary ATLAS_CACHE_DIR; the
repository is left as it was (the touched file is restored). Give several repositories (a
3k, 10k, 28k and 100k-file tree) to see how each cost grows.

With ``--scale SOURCE`` (a large tree such as the 28k-file monorepo), the trees are made
from it under ``--work`` (copies: SOURCE itself is never touched): ``3k`` and ``10k`` are its
first top-level folders up to that many files, ``28k`` a copy of the whole of it, ``100k``
four copies side by side; each is benchmarked, then deleted, and one table sums it up.
"""

from __future__ import annotations

import argparse
import os
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

TASKS = [
    "add retry logic to the http client",
    "fix parsing of the configuration file",
    "handle errors raised by the request handler",
    "add a command line flag for verbose output",
    "serialize the result to json",
]

SERVICE = r"""
import statistics, sys, time
from pathlib import Path
from atlas_core.plugin.manager import get_plugin_manager
from atlas_mcp.service import AtlasService
root, calls, tasks = Path(sys.argv[1]), int(sys.argv[2]), sys.argv[3:]
service = AtlasService(root, get_plugin_manager())
service.warm()
service.query(tasks[0], top=20)
times = []
for n in range(calls):
    t0 = time.perf_counter()
    service.query(tasks[n % len(tasks)], top=20)
    times.append((time.perf_counter() - t0) * 1000)
times.sort()
print(statistics.median(times), times[min(len(times) - 1, int(0.95 * len(times)))])
"""


def tree_rss_mb(root: int) -> float:
    """Resident memory of a process and all its descendants, in MB (Linux /proc)."""
    kids: dict[int, list[int]] = {}
    rss: dict[int, int] = {}
    page = os.sysconf("SC_PAGE_SIZE")
    for entry in os.listdir("/proc"):
        if not entry.isdigit():
            continue
        try:
            with open(f"/proc/{entry}/stat") as f:
                fields = f.read().rsplit(")", 1)[1].split()
        except OSError:
            continue
        kids.setdefault(int(fields[1]), []).append(int(entry))
        rss[int(entry)] = int(fields[21]) * page
    total, todo = 0, [root]
    while todo:
        pid = todo.pop()
        total += rss.get(pid, 0)
        todo.extend(kids.get(pid, []))
    return total / 1e6


def run(cmd: list[str], env: dict[str, str], sample: bool = False) -> tuple[float, float, str]:
    """Wall seconds, peak memory of the process tree in MB (when sampled), stdout."""
    start = time.perf_counter()
    proc = subprocess.Popen(cmd, env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE)
    peak = 0.0
    if sample:
        while proc.poll() is None:
            peak = max(peak, tree_rss_mb(proc.pid))
            time.sleep(0.05)
    out, err = proc.communicate()
    elapsed = time.perf_counter() - start
    if proc.returncode != 0:
        sys.exit(f"command failed ({proc.returncode}): {' '.join(cmd)}\n{err.decode()}")
    return elapsed, peak, out.decode()


def pick_file(root: Path, atlas: str, env: dict[str, str]) -> Path:
    out = run(
        [
            atlas,
            "--root",
            str(root),
            "query",
            "main",
            "--format",
            "compact",
            "--top",
            "1",
            "--min-score",
            "0",
        ],
        env,
    )[2].split()
    return root / out[0]


def bench(root: Path, args: argparse.Namespace) -> dict[str, float]:
    cache = Path(tempfile.mkdtemp(prefix="atlas-bench-"))
    env = {**os.environ, "ATLAS_CACHE_DIR": str(cache)}
    base = [args.atlas, "--root", str(root), "-q"]
    python = str(Path(args.atlas).with_name("python"))
    try:
        cold, cold_mem, _ = run([*base, "index", "--force"], env, sample=True)
        nochange = min(run([*base, "index"], env)[0] for _ in range(3))
        target = pick_file(root, args.atlas, env)
        original = target.read_bytes()
        stat = target.stat()
        try:
            target.write_bytes(original + b"\n# atlas bench edit\n")
            onechange = run([*base, "index"], env)[0]
        finally:
            target.write_bytes(original)
            os.utime(target, ns=(stat.st_atime_ns, stat.st_mtime_ns))
        run([*base, "index"], env)
        query = [*base, "query", args.query, "-p", args.preset, "--format", "jsonl"]
        times = [run(query, env)[0] for _ in range(args.runs)]
        files = len(
            run(
                [
                    *base,
                    "query",
                    "x",
                    "--format",
                    "compact",
                    "--top",
                    "0",
                    "--min-score",
                    "0",
                    "--max-tokens",
                    "0",
                ],
                env,
            )[2].split()
        )
        size = sum(p.stat().st_size for p in cache.rglob("*") if p.is_file())
        served = ""
        if os.path.exists(python):
            out = run([python, "-c", SERVICE, str(root), str(args.calls), *TASKS], env)[2]
            median, p95 = (float(v) for v in out.split())
            served = f"median {median:.1f} ms, p95 {p95:.1f} ms ({args.calls} calls)"
    finally:
        shutil.rmtree(cache, ignore_errors=True)
    print(f"repository              {root}")
    print(
        f"cold index              {cold:.2f} s ({files / cold:,.0f} files/s, "
        f"{files:,} files indexed)"
    )
    print(f"peak memory (tree)      {cold_mem:.0f} MB while indexing, all processes together")
    print(f"no-change re-index      {nochange:.2f} s")
    print(f"one-file re-index       {onechange:.2f} s   ({target.relative_to(root)})")
    print(
        f"warm query ({args.preset})   median {statistics.median(times):.3f} s end to end "
        f"(min {min(times):.3f}, max {max(times):.3f}, {args.runs} runs)"
    )
    print(f"long-lived query        {served or 'skipped (no python next to atlas)'}")
    print(f"index on disk           {size / 1e6:.1f} MB")
    return {
        "files": files,
        "cold": cold,
        "memory": cold_mem,
        "nochange": nochange,
        "onechange": onechange,
        "query": statistics.median(times),
        "served": median if served else float("nan"),
        "served95": p95 if served else float("nan"),
        "disk": size / 1e6,
    }


SIZES = {"3k": 3_000, "10k": 10_000, "28k": 0, "100k": -4}


def _count(path: Path) -> int:
    return sum(len(files) for _, _, files in os.walk(path))


def make_tree(source: Path, size: str, work: Path) -> Path:
    """A copy of ``source`` (or of its first folders, or four copies) for one size."""
    target = work / f"atlas-scale-{size}"
    shutil.rmtree(target, ignore_errors=True)
    want = SIZES[size]
    if want == 0:
        shutil.copytree(source, target, symlinks=True)
    elif want < 0:
        target.mkdir()
        for k in range(-want):
            shutil.copytree(source, target / f"copy{k + 1}", symlinks=True)
    else:
        target.mkdir()
        total = 0
        for entry in sorted(source.iterdir()):
            if total >= want:
                break
            if entry.is_dir() and not entry.is_symlink() and entry.name not in {".git", ".atlas"}:
                shutil.copytree(entry, target / entry.name, symlinks=True)
                total += _count(entry)
    shutil.rmtree(target / ".atlas", ignore_errors=True)
    return target


def scale(args: argparse.Namespace) -> None:
    rows = []
    for size in args.sizes.split(","):
        if size not in SIZES:
            sys.exit(f"unknown size {size!r} (one of {', '.join(SIZES)})")
        tree = make_tree(args.scale.resolve(), size, args.work)
        try:
            rows.append((size, bench(tree, args)))
        finally:
            shutil.rmtree(tree, ignore_errors=True)  # the 100k tree is gigabytes
        print()
    print(
        "| tree | files | cold index | files/s | peak memory | no-change | one-file "
        "| warm query | long-lived median / p95 | on disk |"
    )
    print("|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|")
    for size, r in rows:
        print(
            f"| {size} | {r['files']:,.0f} | {r['cold']:.1f} s | {r['files'] / r['cold']:,.0f} "
            f"| {r['memory']:.0f} MB | {r['nochange']:.2f} s | {r['onechange']:.2f} s "
            f"| {r['query']:.3f} s | {r['served']:.1f} / {r['served95']:.1f} ms "
            f"| {r['disk']:.1f} MB |"
        )


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("repos", type=Path, nargs="*")
    ap.add_argument("--scale", type=Path, help="make and benchmark trees of several sizes")
    ap.add_argument("--sizes", default="3k,10k,28k,100k")
    ap.add_argument("--work", type=Path, default=Path(tempfile.gettempdir()))
    ap.add_argument("--atlas", default=shutil.which("atlas") or "atlas")
    ap.add_argument("--runs", type=int, default=7)
    ap.add_argument("--calls", type=int, default=50)
    ap.add_argument("--query", default="add retry logic to the http client")
    ap.add_argument("--preset", default="balanced")
    args = ap.parse_args()
    if args.scale:
        scale(args)
        return
    if not args.repos:
        ap.error("give a repository, or --scale SOURCE")
    for n, repo in enumerate(args.repos):
        if n:
            print()
        bench(repo.resolve(), args)


if __name__ == "__main__":
    main()
