"""Damage each file of the cache in turn; Atlas must notice or not care, never mis-rank."""

from __future__ import annotations

import os
import random
import shutil
from collections.abc import Callable
from pathlib import Path

from . import jsonl, repo
from .common import Config, Workspace
from .report import Tally

__all__ = ["MUTATIONS", "run_corrupt"]


def _truncate(data: bytes, rng: random.Random) -> bytes | None:
    return b""


def _halve(data: bytes, rng: random.Random) -> bytes | None:
    return data[: len(data) // 2] if data else None


def _flip(where: str) -> Callable[[bytes, random.Random], bytes | None]:
    def flip(data: bytes, rng: random.Random) -> bytes | None:
        if not data:
            return None
        at = {"start": 0, "middle": len(data) // 2, "end": len(data) - 1}[where]
        out = bytearray(data)
        out[at] ^= rng.randrange(1, 256)
        return bytes(out)

    return flip


#: name -> new contents from old (None: does not apply to this file)
MUTATIONS: dict[str, Callable[[bytes, random.Random], bytes | None]] = {
    "truncate-to-0": _truncate,
    "halve": _halve,
    "flip-start": _flip("start"),
    "flip-middle": _flip("middle"),
    "flip-end": _flip("end"),
}


def cache_files(cache: Path) -> list[str]:
    """Every regular file under the cache directory, relative, sorted."""
    found = []
    for dirpath, dirnames, filenames in os.walk(cache):
        dirnames.sort()
        for name in filenames:
            path = Path(dirpath, name)
            if path.is_file() and not path.is_symlink():
                found.append(str(path.relative_to(cache)))
    return sorted(found)


def run_corrupt(cfg: Config) -> Tally:
    """For each cache file and each mutation: query, re-index, query; compare with a fresh index."""
    tally = Tally("corrupt", cfg.seed)
    ws = Workspace(cfg, "corrupt")
    task = repo.TASKS[0]
    problems: list[str] = []
    built = ws.run("index")
    problems += [f"setup index: {p}" for p in built.problems(allow_error=False)]
    want = ws.query(task, problems, "setup query")
    if problems or want is None:
        tally.record(-1, "setup: index and query a fresh repository", problems, ws.commands)
        return tally
    cache = ws.root / ".atlas"
    pristine = ws.base / "pristine-cache"
    shutil.copytree(cache, pristine, symlinks=True)
    cases = [(f, m) for f in cache_files(cache) for m in MUTATIONS]
    if cfg.only is not None or cfg.long or cfg.trials is not None:
        ids = cfg.trial_ids(short=0, long=len(cases))
    else:
        ids = sorted(random.Random(f"{cfg.seed}/corrupt/pick").sample(range(len(cases)), 5))
    for trial in ids:
        if not 0 <= trial < len(cases):
            continue
        rel, mutation = cases[trial]
        ws.commands = []
        shutil.rmtree(cache, ignore_errors=True)
        shutil.copytree(pristine, cache, symlinks=True)
        target = cache / rel
        new = MUTATIONS[mutation](target.read_bytes(), random.Random(f"{cfg.seed}/{trial}"))
        if new is None:
            continue  # nothing to flip in an empty file
        target.write_bytes(new)
        case = f"{mutation} .atlas/{rel} ({len(new)} bytes now)"
        problems = []
        first = ws.run("query", task, *jsonl.QUERY_ARGS)
        bad = first.problems(allow_error=False)
        lines = [ln for ln in first.err.splitlines() if ln.strip()]
        if len(lines) > 1:
            bad.append(f"{len(lines)} lines on stderr (one is the most): {first.err.strip()[:400]}")
        problems += [f"query on the damaged cache: {p}" for p in bad]
        if not bad:
            records, why = jsonl.parse(first.stdout)
            diff = why or (jsonl.compare(records, want) if records else None)
            if diff:
                problems.append(f"query on the damaged cache gave a different ranking: {diff}")
        again = ws.run("index")
        problems += [f"index after the damage: {p}" for p in again.problems(allow_error=False)]
        after = ws.query(task, problems, "query after re-index")
        if after is not None:
            diff = jsonl.compare(after, want)
            if diff:
                problems.append(f"re-index did not converge to the fresh ranking: {diff}")
        tally.record(trial, case, problems, ws.commands)
        cfg.say(f"corrupt #{trial}: {case}: {'ok' if not problems else 'BROKEN'}")
    return tally
