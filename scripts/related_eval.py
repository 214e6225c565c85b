#!/usr/bin/env python3
"""How well ``atlas related --tests`` names the tests a change touches, on real history.

For a git repository (a mirror or a clone), the tree is checked out N commits back
(first parent) and indexed once; the history Atlas sees ends there, so no later commit
leaks into co-change. Every later non-merge commit that changes both code and tests that
already exist in that tree is a case: given its changed code files, are its changed test
files in the top K of ``related --tests``? Reported: Hit@K (at least one changed test in
the top K), Recall@K, and the same with the core's name pairing alone.

    scripts/related_eval.py /work/.mirror/encode+httpx/repo --back 300 --top 5
"""

from __future__ import annotations

import argparse
import json
import subprocess
import sys
import tempfile
from pathlib import Path


def git(repo: Path, *args: str) -> str:
    done = subprocess.run(
        ["git", "-C", str(repo), *args], capture_output=True, text=True, check=True
    )
    return done.stdout


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("repo", type=Path, help="a git repository (bare mirrors work)")
    ap.add_argument("--back", type=int, default=300, help="check out this many commits back")
    ap.add_argument("--top", type=int, default=5)
    ap.add_argument("--json", help="also write per-case results here")
    args = ap.parse_args()

    from atlas_core.components import QueryContext
    from atlas_core.engine import Atlas
    from atlas_core.plugin.manager import get_plugin_manager
    from atlas_core.rank.related import core_ties, gather_ties, pairing_key, related_files

    with tempfile.TemporaryDirectory(prefix="related-eval-") as tmp:
        tree = Path(tmp) / "tree"
        subprocess.run(
            ["git", "clone", "-q", "--no-checkout", str(args.repo), str(tree)], check=True
        )
        commits = git(tree, "rev-list", "--first-parent", "--no-merges", "HEAD").split()
        if len(commits) <= args.back:
            print(f"only {len(commits)} commits", file=sys.stderr)
            return 1
        start = commits[args.back]
        later = list(reversed(commits[: args.back]))
        git(tree, "checkout", "-q", start)

        manager = get_plugin_manager()
        atlas = Atlas(tree.resolve(), manager)
        atlas.index()
        reader = atlas.reader()
        signals = list(manager.registry("signals"))

        def is_test(i: int) -> bool:
            return reader.roles[i] == "test" or pairing_key(reader.paths[i])[1]

        rows = []
        new_tests_only = 0
        for commit in later:
            changed = git(
                tree,
                "diff-tree",
                "--no-commit-id",
                "--name-only",
                "-r",
                "--no-renames",
                f"{commit}^",
                commit,
            ).split("\n")
            ids = [reader.ids[p] for p in changed if p in reader.ids]
            code = [i for i in ids if not is_test(i) and reader.roles[i] == "impl"]
            tests = {i for i in ids if is_test(i)}
            touched_tests = [p for p in changed if p and pairing_key(p)[1]]
            if not code:
                continue
            if not tests:
                new_tests_only += bool(touched_tests)
                continue
            ctx = QueryContext("", [], reader, atlas.settings.components)
            ctx.seeds = code
            full = related_files(reader, gather_ties(ctx, signals, code), code, tests_only=True)
            names = related_files(reader, core_ties(reader, code), code, tests_only=True)
            row = {"commit": commit[:12], "code": len(code), "tests": len(tests)}
            for label, found in (("atlas", full), ("names", names)):
                top = {r.id for r in found[: args.top]}
                row[f"{label}_hit"] = bool(top & tests)
                row[f"{label}_recall"] = len(top & tests) / min(len(tests), args.top)
            rows.append(row)

    n = len(rows)
    print(
        f"{args.repo}: {n} commits changing code and existing tests "
        f"(of the last {args.back}; {new_tests_only} more touched only new tests)"
    )
    if n:
        for label in ("atlas", "names"):
            hit = sum(r[f"{label}_hit"] for r in rows) / n
            recall = sum(r[f"{label}_recall"] for r in rows) / n
            print(f"  {label:6} Hit@{args.top} {hit:.3f}  Recall@{args.top} {recall:.3f}")
    if args.json:
        Path(args.json).write_text(json.dumps(rows, indent=1))
    return 0


if __name__ == "__main__":
    sys.exit(main())
