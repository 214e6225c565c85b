"""Kill ``atlas index`` at a random instant, then check that Atlas recovers and converges."""

from __future__ import annotations

import random
import re
import shutil
import signal
import time
from pathlib import Path

from . import jsonl, proc, repo
from .common import Config, Workspace
from .report import Tally, trial_rng

__all__ = ["run_kill"]

SIGNALS = {
    "SIGKILL": (signal.SIGKILL, False),
    "SIGTERM": (signal.SIGTERM, False),
    "SIGINT": (signal.SIGINT, False),
    "SIGINT-to-group": (signal.SIGINT, True),  # what Ctrl-C in a terminal does
}
#: how long a process may take to go after SIGTERM or SIGINT
EXIT_DEADLINE = 20.0


def run_kill(cfg: Config) -> Tally:
    """Cold and incremental indexing killed by SIGKILL, SIGTERM or SIGINT at a random delay."""
    tally = Tally("kill", cfg.seed)
    ws = Workspace(cfg, "kill")
    tasks = repo.TASKS[:2]
    baseline = {"cold": ws.timed("index")}
    repo.mutate(ws.root, trial_rng(cfg.seed, "kill", -1), 5)
    baseline["incremental"] = ws.timed("index")
    ws.run("query", tasks[0], "--format", "jsonl")
    warm = ws.timed("query", tasks[0], "--format", "jsonl")
    at_once = 3 * warm + 3.0  # generous: the machine may be busy; a rebuild or lock wait is not
    cfg.say(f"kill: cold {baseline['cold']:.2f}s, incremental {baseline['incremental']:.2f}s, "
            f"query {warm:.2f}s")  # fmt: skip
    trials = cfg.trial_ids(short=4, long=100)
    for earlier in range(trials[0] if cfg.only is not None else 0):
        # a replay starts from the tree the earlier trials left, not from the first one
        _draw(ws, trial_rng(cfg.seed, "kill", earlier), replaying=True)
    for trial in trials:
        rng = trial_rng(cfg.seed, "kill", trial)
        ws.commands = []
        had_index = (ws.root / ".atlas").exists()
        mode, signame, changes = _draw(ws, rng)
        had_index = had_index and mode == "incremental"
        sig, to_group = SIGNALS[signame]
        delay = rng.uniform(0.0, 1.3 * baseline[mode])
        case = f"{mode} index ({len(changes)} files changed), {signame} after {delay:.3f}s"
        problems = kill_once(ws, sig, to_group, delay, tally)
        q = ws.run("query", tasks[0], "--format", "jsonl")
        bad = q.problems(allow_error=False)
        problems += [f"first query after the kill: {p}" for p in bad]
        if not bad:
            _, why = jsonl.parse(q.stdout)
            if why:
                problems.append(f"first query after the kill: invalid output: {why}")
        if had_index and q.seconds > at_once:
            problems.append(
                f"first query after the kill took {q.seconds:.1f}s (an index existed; warm query "
                f"takes {warm:.2f}s)"
            )
        problems += converge(ws, tasks)
        tally.record(trial, case, problems, ws.commands)
        cfg.say(f"kill #{trial}: {case}: {'ok' if not problems else 'BROKEN'}")
    return tally


def _draw(ws: Workspace, rng: random.Random, replaying: bool = False) -> tuple[str, str, list[str]]:
    """A trial's mode and signal, and its edits to the tree (made here); the cache is removed
    for a cold trial unless only replaying the edits."""
    mode = rng.choice(("cold", "incremental"))
    signame = rng.choice(sorted(SIGNALS))
    changes: list[str] = []
    if mode == "cold":
        if not replaying:
            ws.remove_cache()
    else:
        changes = repo.mutate(ws.root, rng, rng.choice((1, 3, 10, 80)))
    return mode, signame, changes


def kill_once(ws: Workspace, sig: int, to_group: bool, delay: float, tally: Tally) -> list[str]:
    """Start ``atlas index``, signal it after ``delay`` s, and check how it ended."""
    running = proc.spawn(ws.args("index"), env=ws.env, cwd=ws.base)
    ws.note(running.argv)
    time.sleep(delay)  # the random instant is the point of the test
    watch = {**proc.group_members(running.pid), **proc.children_of(running.pid)}
    running.send(sig, group=to_group)
    result = running.finish(EXIT_DEADLINE, extra_watch=watch)
    problems = []
    if result.timed_out:
        problems.append(f"killed index did not exit within {EXIT_DEADLINE:.0f}s of the signal")
    if _before_atlas_ran(result.err):
        tally.notes["interrupted while Python itself was starting, before Atlas ran"] += 1
    elif "Traceback (most recent call last)" in result.err:
        problems.append("killed index printed a traceback: " + result.err.strip()[-400:])
    if result.survivors:
        problems.append(f"processes of the killed index survived it: {result.survivors}")
    return problems


def converge(ws: Workspace, tasks: tuple[str, ...]) -> list[str]:
    """``atlas index`` then the tasks' rankings, compared with ``index --force``'s."""
    problems: list[str] = []
    built = ws.run("index")
    problems += [f"index after the fault: {p}" for p in built.problems(allow_error=False)]
    got = {t: ws.query(t, problems, "query after re-index") for t in tasks}
    refs = ws.reference(tasks, problems)
    for task in tasks:
        mine, want = got.get(task), refs.get(task)
        if mine is None or want is None:
            continue
        diff = jsonl.compare(mine, want)
        if diff:
            problems.append(f"index did not converge to index --force for {task!r}: {diff}")
    if problems:
        problems.append(f"both caches and the tree kept for diagnosis in {_keep_evidence(ws)}")
    return problems


def _keep_evidence(ws: Workspace) -> Path:
    """Copy the cache, the reference cache and the tree aside (the next trial changes them)."""
    evidence = ws.base / "evidence"
    evidence.mkdir(exist_ok=True)
    dest = evidence / f"{len(list(evidence.iterdir())):03d}"
    dest.mkdir()
    for name, src in (("cache", ws.root / ".atlas"), ("refcache", ws.base / "refcache")):
        if src.is_dir():
            shutil.copytree(src, dest / name, symlinks=True)
    shutil.copytree(ws.root, dest / "tree", symlinks=True, ignore=shutil.ignore_patterns(".atlas"))
    return dest


#: a frame of Atlas's own code (core or a plugin package) in a traceback
_ATLAS_FRAME = re.compile(r'File "[^"]*/atlas_[a-z_]+/[^"]*\.py"')


def _before_atlas_ran(err: str) -> bool:
    """A Ctrl-C that reached the interpreter while it was still starting up (``site`` and the
    ``.pth`` files of an editable install, or the console script's first import) shows a
    traceback or a fatal error that no program can catch; told apart, not hidden. Inside the
    import machinery's own callback it is "Exception ignored in ...", ending
    ``KeyboardInterrupt:``."""
    if "init_import_site" in err:
        return True
    at = err.rfind("Traceback (most recent call last)")
    if at < 0:
        return False
    tail = err[at:].rstrip()
    return _INTERRUPTED.search(tail) is not None and _ATLAS_FRAME.search(tail) is None


#: the last line of a traceback a Ctrl-C ends: ``KeyboardInterrupt`` (``KeyboardInterrupt:``
#: when the interpreter reports an exception it ignored)
_INTERRUPTED = re.compile(r"KeyboardInterrupt:?\Z")
