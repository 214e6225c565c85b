#!/usr/bin/env python3
"""Speed benchmark: prints index and query figures for one repository.

usage: scripts/bench.py REPO [--atlas PATH] [--runs N] [--query TEXT] [--preset NAME]

Measures, with the real ``atlas`` command in fresh processes: cold index time, no-change
re-index time, one-file-changed re-index time, warm ``atlas query`` wall time (median of
--runs), index size on disk and peak memory (max RSS). The index goes to a temporary
ATLAS_CACHE_DIR; the repository is left as it was (the touched file is restored).
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


def run(cmd: list[str], env: dict[str, str]) -> tuple[float, float]:
    """Wall seconds and peak RSS (MB) of one command."""
    start = time.perf_counter()
    proc = subprocess.Popen(cmd, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    _, status, usage = os.wait4(proc.pid, 0)
    elapsed = time.perf_counter() - start
    proc.returncode = os.waitstatus_to_exitcode(status)
    if proc.returncode != 0:
        err = proc.stderr.read().decode() if proc.stderr else ""
        sys.exit(f"command failed ({proc.returncode}): {' '.join(cmd)}\n{err}")
    return elapsed, usage.ru_maxrss / 1024


def pick_file(root: Path, atlas: str, env: dict[str, str]) -> Path:
    out = subprocess.run(
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
        env=env,
        capture_output=True,
        text=True,
        check=True,
    ).stdout.split()
    return root / out[0]


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("repo", type=Path)
    ap.add_argument("--atlas", default=shutil.which("atlas") or "atlas")
    ap.add_argument("--runs", type=int, default=7)
    ap.add_argument("--query", default="add retry logic to the http client")
    ap.add_argument("--preset", default="balanced")
    args = ap.parse_args()
    root = args.repo.resolve()
    cache = Path(tempfile.mkdtemp(prefix="atlas-bench-"))
    env = {**os.environ, "ATLAS_CACHE_DIR": str(cache)}
    base = [args.atlas, "--root", str(root), "-q"]
    try:
        cold, cold_rss = run([*base, "index", "--force"], env)
        nochange, _ = run([*base, "index"], env)
        target = pick_file(root, args.atlas, env)
        original = target.read_bytes()
        stat = target.stat()
        try:
            target.write_bytes(original + b"\n# atlas bench edit\n")
            onechange, _ = run([*base, "index"], env)
        finally:
            target.write_bytes(original)
            os.utime(target, ns=(stat.st_atime_ns, stat.st_mtime_ns))
        run([*base, "index"], env)
        times, rss = [], 0.0
        for _ in range(args.runs):
            t, r = run([*base, "query", args.query, "-p", args.preset, "--format", "jsonl"], env)
            times.append(t)
            rss = max(rss, r)
        files = sum(1 for _ in root.rglob("*") if _.is_file() and ".git" not in _.parts)
        size = sum(p.stat().st_size for p in cache.rglob("*") if p.is_file())
    finally:
        shutil.rmtree(cache, ignore_errors=True)
    print(f"repository            {root} ({files:,} files on disk)")
    print(f"cold index            {cold:.2f} s   (peak RSS {cold_rss:.0f} MB)")
    print(f"no-change re-index    {nochange:.2f} s")
    print(f"one-file re-index     {onechange:.2f} s   ({target.relative_to(root)})")
    print(
        f"warm query ({args.preset}) median {statistics.median(times):.3f} s  "
        f"(min {min(times):.3f}, max {max(times):.3f}, {args.runs} runs; peak RSS {rss:.0f} MB)"
    )
    print(f"index size            {size / 1e6:.1f} MB")


if __name__ == "__main__":
    main()
