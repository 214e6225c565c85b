"""Every command over a hostile tree: exit 0 or one line, no traceback, no hang, no harm."""

from __future__ import annotations

import time
from pathlib import Path

from . import jsonl, proc, repo
from .common import Config, remove_tree
from .hostile_tree import FEATURES, build, diff, snapshot
from .report import Tally, trial_rng

__all__ = ["run_hostile"]

TIMEOUT = 45.0
#: paths that may only be listed if Atlas read something outside the root or followed a
#: directory symlink (which the README rules out)
FORBIDDEN = ("link_out_file.py", "link_out_abs.py", "src/up_and_out.py")
FORBIDDEN_DIRS = ("link_out_dir/", "loop/", "link_in_dir/", "src/parent/")
RARE = {"deep": 0.3, "bad-config": 0.15, "dotatlas-outside": 0.3, "large": 0.3, "git": 0.4}


def run_hostile(cfg: Config) -> Tally:
    """Generate hostile trees and run index, query, quick, inspect, render, explain over them."""
    tally = Tally("hostile", cfg.seed)
    for trial in cfg.trial_ids(short=2, long=40):
        rng = trial_rng(cfg.seed, "hostile", trial)
        features = {f for f in FEATURES if rng.random() < RARE.get(f, 0.5)}
        base = cfg.work / "hostile" / str(trial)
        remove_tree(base)
        base.mkdir(parents=True)
        canary = f"zqxcanary{rng.randrange(16**8):08x}"
        t0 = time.monotonic()
        where = build(base, rng, features, canary)
        home = base / "home"
        home.mkdir()
        env = proc.base_env(home)
        if "git" in features:
            repo.git_commit_all(where["root"], env)
        cfg.say(f"hostile #{trial}: tree built in {time.monotonic() - t0:.1f}s")
        case = f"features {sorted(features)}; root {where['root'].name!r}; tree kept at {base}"
        problems, commands = check_tree(where, home, env, canary, base, cfg.verbose)
        tally.record(trial, case, problems, commands)
        cfg.say(f"hostile #{trial}: {sorted(features)}: {'ok' if not problems else 'BROKEN'}")
        if not problems and cfg.only is None:  # a replayed trial keeps its tree to look at
            remove_tree(base)
    return tally


def check_tree(
    where: dict[str, Path],
    home: Path,
    env: dict[str, str],
    canary: str,
    cwd: Path,
    verbose: bool = False,
) -> tuple[list[str], list[str]]:
    """Run the commands over ``where['root']``; return what went wrong and the commands."""
    root = where["root"]
    watched = {"outside": where["outside"], "sibling": where["sibling"], "home": home}
    before = {name: snapshot(path) for name, path in watched.items()}
    before_root = snapshot(root, skip=(".atlas",))
    task = f"add retry logic to the http client {canary}"
    problems: list[str] = []
    commands: list[str] = []
    failing: list[str] = []

    def atlas(*args: str, stdin: bytes | None = None, shown: str = "") -> proc.Result:
        result = proc.run(
            ["--root", str(root), *args], env=env, timeout=TIMEOUT, cwd=cwd, stdin=stdin
        )
        line = result.shell() + (f" <<< {shown or stdin.decode()!r}" if stdin is not None else "")
        commands.append(line)
        if verbose:
            print(f"    {result.seconds:5.2f}s rc {result.rc} {line[:150]}", flush=True)
        label = " ".join(args[:1])
        bad = [f"{label}: {p}" for p in result.problems(allow_error=True)]
        if f"{canary}-secret-body".encode() in result.stdout:
            bad.append(f"{label}: printed the contents of a file outside the root")
        if bad:
            problems.extend(bad)
            failing.append(line)
        return result

    atlas("index")
    query = atlas("query", task, "--format", "jsonl")
    listed: list[str] = []
    if query.rc == 0:
        records, why = jsonl.parse(query.stdout)
        if why:
            problems.append(f"query: invalid output: {why}")
            failing.append(commands[-1])
        listed = [r["Path"] for r in (records or [])[1:-1]]
        for path in listed:
            if path in FORBIDDEN or path.startswith(FORBIDDEN_DIRS):
                problems.append(f"query: lists {path!r}, reached through a symlink out or to a dir")
    atlas("quick", task, "--format", "compact")
    atlas("inspect")
    atlas("explain", task)
    if query.rc == 0:
        atlas("render", "-", stdin=query.stdout, shown="(the query's output)")
    selection = "\n".join(
        [
            "../outside/canary.py",
            str(where["outside"] / "canary.py"),
            *FORBIDDEN,
            "link_out_dir/canary.py",
            "loop/loop/src/app.py",
            "-rf.py",
            "pipe.py",
            "sock.py",
            "src/app.py",
        ]
    ).encode()
    atlas("render", "-", stdin=selection)  # must refuse what leaves the root
    atlas("index", "--force")
    for name, top in watched.items():
        changed = diff(before[name], snapshot(top))
        if changed:
            problems.append(f"{name} directory (outside the root) was modified: {changed}")
    changed = diff(before_root, snapshot(root, skip=(".atlas",)))
    if changed:
        problems.append(f"files in the root (not the cache) were modified: {changed}")
    return problems, failing or commands
