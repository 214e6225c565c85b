#!/usr/bin/env python3
"""Measure a candidate signal offline: earlier commit messages like the task.

For every dumped case (``scripts/tune.py dump``), the commits before the case's tree are read
from the repository's mirror (``git log --no-merges --no-renames``, the newest ``--window``,
as atlas-git's contributor reads them), each commit message is scored against the task with
BM25 (Atlas's tokenizer), and a file scores the summed BM25 of the ``--top`` best commits that
touched it, each divided by the square root of the commit's file count (commits touching more
than 50 files do not vote, as ``git_cochange`` ignores them). The scoring is atlas-git's own
(``History`` and ``atlas_git.messages``, what the ``git_messages`` signal runs), so the figures
are the shipped signal's. The score is normalised per case and added to Atlas's fused ranking
with a weight chosen by leave-one-repository-out folds, exactly as ``tune.py fit`` chooses
weights; the shipped weight of ``git_messages`` (0.2) is this script's choice. Usage::

    scripts/history_eval.py [--bench DIR] [--window 2000] [--top 10] [--md FILE]
"""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
from collections import Counter
from pathlib import Path
from typing import Any

import numpy as np

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))
import tune  # noqa: E402

WEIGHTS = (0.0, 0.1, 0.2, 0.3, 0.5, 0.75, 1.0)
MAX_FILES = 50
#: atlas-git's contributor keeps the files of commits touching at most this many
STORED_FILES = 100
METRICS = ("acc@1", "acc@5", "acc@10", "all@5", "mrr")


def _mirror(bench: Path, case: dict[str, Any]) -> str:
    sys.path.insert(0, str(bench))
    from make_cases import resolve_mirror  # type: ignore[import-not-found]

    return str(resolve_mirror(case["mirror"]))


def _log(mirror: str, commit: str, window: int) -> list[tuple[str, list[str]]]:
    """(message, files) of the ``window`` newest non-merge commits up to ``commit``."""
    out = subprocess.run(
        ["git", "-C", mirror, "log", "--no-merges", "--no-renames", "-n", str(window),
         "--format=%x1e%B%x1f", "--name-only", commit],
        capture_output=True, text=True, errors="replace",
    ).stdout  # fmt: skip
    commits = []
    for record in out.split("\x1e")[1:]:
        message, _, files = record.partition("\x1f")
        commits.append((message.strip(), [f for f in files.split("\n") if f.strip()]))
    return commits


def history_scores(
    query: str, commits: list[tuple[str, list[str]]], paths: list[str], top: int
) -> np.ndarray:
    """Per file of ``paths``: summed BM25 of the best ``top`` commit messages touching it,
    computed by the shipped code (atlas-git's stored history and ``git_messages``)."""
    from atlas_git.gitcmd import LogCommit
    from atlas_git.history import History
    from atlas_git.messages import MessageIndex, commit_votes

    from atlas_core.rank.task import parse_task
    from atlas_core.terms import tokenize

    log = (LogCommit("", 0, files, message) for message, files in commits)
    history = History.from_commits("", log, max_files=STORED_FILES)
    index = {p: i for i, p in enumerate(paths)}
    record = history.to_record(index)
    scores = MessageIndex.from_record(record).bm25(
        tokenize(parse_task(query).text), window=len(history)
    )
    votes = commit_votes(scores, history.counts, top=top, max_commit_files=MAX_FILES)
    ids = np.frombuffer(record["ids"], dtype="<i4")[history.files]
    commit = np.repeat(np.arange(len(history)), history.counts)
    keep = ids >= 0
    return np.bincount(ids[keep], votes[commit[keep]], minlength=len(paths))


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__)
    ap.add_argument("--bench", default=os.environ.get("BENCH", str(tune.DEFAULT_BENCH)))
    ap.add_argument("--window", type=int, default=2000, help="commits read per case")
    ap.add_argument("--top", type=int, default=10, help="best-matching commits that vote")
    ap.add_argument("--md", help="write the markdown tables here")
    args = ap.parse_args(argv)
    bench = Path(args.bench).resolve()
    cases: dict[str, dict[str, Any]] = {}
    for rel in tune.DEFAULT_SETS.values():
        with open(bench / rel) as fh:
            for line in fh:
                if line.strip():
                    c = json.loads(line)
                    cases[c["id"]] = c
    root = bench / ".cache" / "dumps"
    dumps = [
        p
        for s in tune.DEFAULT_SETS
        for p in sorted((root / s).glob("*.npz"))
        if not p.name.endswith((".tmp.npz", ".patch.npz"))
    ]
    data = tune.Data(dumps)
    raw = np.zeros(len(data.role))
    for c, meta in enumerate(data.meta):
        case = cases[meta["id"]]
        commits = _log(_mirror(bench, case), case["commit"], args.window)
        lo, hi = data.starts[c], data.starts[c + 1]
        raw[lo:hi] = history_scores(case["query"], commits, data.paths(c), args.top)
    top = np.maximum.reduceat(raw, data.starts[:-1])
    signal = raw / np.where(top > 0, top, 1.0)[data.case_of_file]

    in_folds = set(tune._sympy_ids(bench)[::4])
    fit = np.array(
        [s != "sympy" or m["id"] in in_folds for s, m in zip(data.sets, data.meta, strict=True)]
    )
    repo_arr = np.array(data.repos)
    base = data.fused(tune.shipped_params())
    by_weight = {w: data.metrics(base + w * signal) for w in WEIGHTS}
    held = {k: np.zeros(data.n_cases) for k in by_weight[0.0]}
    chosen: list[float] = []
    for repo in sorted(set(repo_arr[fit])):
        test = repo_arr == repo
        w = max(WEIGHTS, key=lambda w: tune.objective(by_weight[w], fit & ~test))
        chosen.append(w)
        for k in held:
            held[k][test] = by_weight[w][k][test]
    before, code = by_weight[0.0], data.baseline_metrics("bm25_code")
    lines = [f"history signal: window {args.window} commits, top {args.top} vote; weight per "
             f"fold: {dict(Counter(chosen))}", "",
             "| system | n | " + " | ".join(METRICS) + " | objective |",
             "|---|---:|" + "---:|" * (len(METRICS) + 1)]  # fmt: skip
    for name, m in (
        ("code-only BM25", code),
        ("Atlas", before),
        ("Atlas + history, held-out", held),
    ):
        cells = " | ".join(f"{m[k][fit].mean():.3f}" for k in METRICS)
        lines.append(f"| {name} | {int(fit.sum())} | {cells} | {tune.objective(m, fit):.4f} |")
    langs = tune.language_groups(data)
    heads = " | ".join(f"{k} code / before / after" for k in METRICS[:3])
    lines += ["", f"| language | n | {heads} |", "|---|---:|---|---|---|"]
    for lang in sorted(set(langs.values())):
        mask = fit & np.array([langs[r] == lang for r in data.repos])
        cells = [
            " / ".join(f"{m[k][mask].mean():.3f}" for m in (code, before, held))
            for k in METRICS[:3]
        ]
        lines.append(f"| {lang} | {int(mask.sum())} | " + " | ".join(cells) + " |")
    report = "\n".join(lines)
    print(report)
    if args.md:
        Path(args.md).write_text(report + "\n")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
