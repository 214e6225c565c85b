#!/usr/bin/env python3
"""Tasks whose title names a role of file ("Add tests for ...", "docs: ...", "ci: ..."):
what lifting that role's path prior buys, from the stored dumps (``tune.py dump``).

The commit benchmark counts only source files as answers. When a commit's title names tests,
docs or build files and the commit changed files of that role, an agent given the title needs
those files too: this script counts them as answers (beside the source files the benchmark
counts) and prints, for several values of ``named_role_lift``:

- on those cases, Acc@1/5/10, Fill@5 (the share of the first min(n, 5) answers in the top 5)
  and MRR over the union of source and named-role answers, and Acc@10 of the role files alone;
- on every case, the benchmark's own figures (source files only), which must not fall.

Usage::

    BENCH=../shared/bench scripts/role_tasks.py [--sets r19-shared r19-wide]

The changed files of each commit come from its mirror (``git diff --name-only``).
"""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
from pathlib import Path
from typing import Any

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parent))
import tune  # type: ignore[import-not-found]

LIFTS = (0.0, 0.25, 1 / 3, 0.5, 2 / 3, 1.0)


def changed_files(bench: Path) -> dict[str, list[str]]:
    """Per commit case, every file the commit changed (tests, docs and build files included)."""
    out: dict[str, list[str]] = {}
    for rel in tune.DEFAULT_SETS.values():
        path = bench / rel
        if not path.exists():
            continue
        for line in path.read_text().splitlines():
            case = json.loads(line)
            if not case.get("fix_commit"):
                continue
            diff = subprocess.run(
                ["git", "-C", case["mirror"], "diff", "--name-only", "--no-renames",
                 case["commit"], case["fix_commit"]],
                capture_output=True, text=True, check=True,
            )  # fmt: skip
            out[case["id"]] = diff.stdout.splitlines()
    return out


def _ranks(scores: np.ndarray) -> np.ndarray:
    order = np.argsort(-scores, kind="stable")
    rank = np.empty(len(scores), np.int64)
    rank[order] = np.arange(len(scores))
    return rank


def role_metrics(data: Any, scores: np.ndarray, changed: dict[str, list[str]]) -> dict[str, float]:
    """Union-of-answers figures on the cases whose title names a role they changed."""
    rows, role_hits = [], []
    for c, meta in enumerate(data.meta):
        named = {tune.ROLES.index(r) for r in meta.get("named_roles", ())}
        if not named or meta["id"] not in changed:
            continue
        lo, hi = data.starts[c], data.starts[c + 1]
        index = {p: k for k, p in enumerate(data.paths(c))}
        role_files = [
            index[p] for p in changed[meta["id"]]
            if p in index and int(data.role[lo + index[p]]) in named
        ]  # fmt: skip
        if not role_files:
            continue
        rank = _ranks(scores[lo:hi])
        answers = sorted({*role_files, *(index[g] for g in meta["gold"] if g in index)})
        got = np.sort(rank[answers])
        fill = float(np.mean(got[: min(len(got), 5)] < 5))
        rows.append([got[0] < 1, got[0] < 5, got[0] < 10, fill, 1.0 / (1 + got[0])])
        role_hits.append(rank[role_files].min() < 10)
    if not rows:
        return {"cases": 0}
    mean = np.asarray(rows, np.float64).mean(axis=0)
    keys = ("Acc@1", "Acc@5", "Acc@10", "Fill@5", "MRR")
    return {
        "cases": len(rows),
        **dict(zip(keys, mean, strict=True)),
        "role@10": float(np.mean(role_hits)),
    }


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--sets", nargs="+", default=["r19-shared", "r19-wide"])
    parser.add_argument(
        "--bench", type=Path, default=Path(os.environ.get("BENCH", "../shared/bench"))
    )
    args = parser.parse_args(argv)
    dumps = [p for s in args.sets for p in sorted((args.bench / ".cache/dumps" / s).glob("*.npz"))]
    if not dumps:
        print(
            f"role_tasks: no dumps under {args.bench / '.cache/dumps'} for {args.sets}",
            file=sys.stderr,
        )
        return 2
    data = tune.Data(dumps)
    changed = changed_files(args.bench)
    mask = np.ones(data.n_cases, bool)
    named = sum(bool(m.get("named_roles")) for m in data.meta)
    print(f"{data.n_cases} cases; a title names a role in {named}\n")
    union_keys = ("Acc@1", "Acc@5", "Acc@10", "Fill@5", "MRR", "role@10")
    source_keys = ("acc@1", "acc@5", "all@5", "mrr")
    print(
        "| named_role_lift | cases | Acc@1 | Acc@5 | Acc@10 | Fill@5 | MRR | role files in top 10"
        " | every case, source only: objective | Acc@1 | Acc@5 | All@5 | MRR |"
    )
    print("|---:" * 13 + "|")
    for lift in LIFTS:
        params = dict(tune.shipped_params(), named_role_lift=lift)
        scores = data.fused(params)
        got = role_metrics(data, scores, changed)
        source = data.metrics(scores)
        union = " | ".join(f"{got[k]:.3f}" for k in union_keys)
        plain = " | ".join(f"{source[k][mask].mean():.3f}" for k in source_keys)
        objective = tune.objective(source, mask)
        print(f"| {lift:.2f} | {got['cases']} | {union} | {objective:.4f} | {plain} |")
    return 0


if __name__ == "__main__":
    sys.exit(main())
