"""Several ``atlas index`` and ``atlas query`` processes at once while files change."""

from __future__ import annotations

import random
import threading
import time

from . import jsonl, proc, repo
from .common import Config, Workspace
from .kill import converge
from .report import Tally, trial_rng

__all__ = ["run_concurrent"]

#: nothing may take longer than this, however many processes share the machine
DEADLINE = 90.0


def run_concurrent(cfg: Config) -> Tally:
    """Rounds of concurrent indexers and readers over a tree edited by a thread."""
    tally = Tally("concurrent", cfg.seed)
    ws = Workspace(cfg, "concurrent")
    ws.run("index")
    for rnd in cfg.trial_ids(short=1, long=12):
        rng = trial_rng(cfg.seed, "concurrent", rnd)
        ws.commands = []
        indexers, readers = rng.randint(2, 3), rng.randint(3, 5)
        case = f"round {rnd}: {indexers} indexers and {readers} readers while files change"
        stop = threading.Event()
        edits: list[str] = []
        mutator = threading.Thread(
            target=_mutate_until, args=(ws, random.Random(rng.random()), stop, edits), daemon=True
        )
        mutator.start()
        jobs: list[tuple[str, proc.Running]] = []
        kinds = ["index"] * indexers + ["query"] * readers
        rng.shuffle(kinds)
        for kind in kinds:
            if kind == "index":
                args = ws.args("index", *(("--force",) if rng.random() < 0.25 else ()))
            else:
                args = ws.args("query", rng.choice(repo.TASKS), *jsonl.QUERY_ARGS)
            jobs.append((kind, proc.spawn(args, env=ws.env, cwd=ws.base)))
            ws.note(jobs[-1][1].argv)
            time.sleep(rng.uniform(0.0, 0.15))  # random staggering, like real users
        deadline = time.monotonic() + DEADLINE
        for n, (kind, running) in enumerate(jobs):
            result = running.finish(max(0.1, deadline - time.monotonic()))
            problems = [f"{kind}: {p}" for p in result.problems(allow_error=False)]
            if kind == "query" and not problems:
                _, why = jsonl.parse(result.stdout)
                if why:
                    problems.append(f"query: invalid output: {why}")
            tally.record(rnd, f"{case}, process {n} ({kind})", problems, [result.shell()])
        stop.set()
        mutator.join(timeout=30)
        if not edits:
            tally.record(rnd, case, ["the mutator made no edit while processes ran"], [])
        problems = converge(ws, repo.TASKS[:2])
        tally.record(rnd, f"{case}: convergence after {len(edits)} edits", problems, ws.commands)
        cfg.say(f"concurrent #{rnd}: {case}, {len(edits)} edits")
    return tally


def _mutate_until(
    ws: Workspace, rng: random.Random, stop: threading.Event, edits: list[str]
) -> None:
    while not stop.is_set():
        edits += repo.mutate(ws.root, rng, 1)
        stop.wait(rng.uniform(0.005, 0.03))
