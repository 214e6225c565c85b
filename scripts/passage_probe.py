#!/usr/bin/env python3
"""Would passage evidence help: files whose task words meet within a few lines? A probe.

BM25F scores a file by its words wherever they are; a function that uses three of the task's
words says more than a hub that uses them in three places. For every dumped case
(``scripts/tune.py dump``) this reads the shipped ``balanced`` fusion's best ``--pool`` files
at the case's commit from its mirror (``git cat-file``), finds the lines that hold each task
term as Atlas finds them for symbol results (``select.symbols``), and scores each of the best
``--top`` files by the idf-weighted share of the task's terms that one window of ``W`` lines
holds (windows overlapping by half; idf over the pool). It prints the in-sample objective of
the fusion plus ``weight`` x that share, against the fusion alone, for several windows and
weights, and variants (the share squared; how concentrated the file's matches are).

Round 14 (shared and wide sets, 991 cases, pool 100, top 50): every window (10-80 lines) and
weight loses or ties (0.8085-0.8164 against 0.8161); the best, the share squared at 0.05 with
20-line windows, is +0.0003 in-sample. BM25F and the symbol-name field already carry it.

    python scripts/passage_probe.py [--bench DIR] [--sets i3shared i3wide] [--top 50]
"""

from __future__ import annotations

import argparse
import json
import math
import os
import subprocess
import sys
from pathlib import Path

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parent))
import tune

from atlas_core.select.symbols import _term_lines
from atlas_core.terms import tokenize

CASE_FILES = (".cache/cases.jsonl", ".cache/wide.jsonl", ".cache/swe.jsonl", "issues-sympy.jsonl")


def texts_at(mirror: str, commit: str, paths: list[str]) -> list[str]:
    """The files' texts at ``commit`` ("" where missing), in one ``git cat-file`` call."""
    batch = "".join(f"{commit}:{p}\n" for p in paths).encode()
    out = subprocess.run(
        ["git", "--git-dir", mirror, "cat-file", "--batch"], input=batch, capture_output=True
    ).stdout
    texts, pos = [], 0
    for _ in paths:
        end = out.index(b"\n", pos)
        head = out[pos:end].split()
        if head[-1] == b"missing":
            texts.append("")
            pos = end + 1
            continue
        size = int(head[2])
        texts.append(out[end + 1 : end + 1 + size].decode("utf-8", "replace"))
        pos = end + 2 + size
    return texts


def window_share(lines_of: dict[str, list[int]], weights: dict[str, float], window: int) -> float:
    """The largest weighted share of the task's terms that one window of lines holds."""
    total = sum(weights.values()) or 1.0
    step = max(1, window // 2)
    held: dict[int, float] = {}
    for term, lines in lines_of.items():
        for w in {j for line in lines for j in ((line - 1) // step, (line - 1) // step - 1)}:
            held[w] = held.get(w, 0.0) + weights[term]
    return max(held.values()) / total if held else 0.0


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--bench", default=os.environ.get("BENCH", str(tune.DEFAULT_BENCH)))
    ap.add_argument("--sets", nargs="*", default=["shared", "wide"], help="dump directories")
    ap.add_argument("--pool", type=int, default=100, help="files read per case (idf over them)")
    ap.add_argument("--top", type=int, default=50, help="files scored per case")
    args = ap.parse_args(argv)
    bench = Path(args.bench).resolve()
    root = bench / ".cache" / "dumps"
    data = tune.Data([p for s in args.sets for p in sorted((root / s).glob("*.npz"))])
    cases = {}
    for name in CASE_FILES:
        if (bench / name).exists():
            for line in (bench / name).read_text().splitlines():
                case = json.loads(line)
                cases[case["id"]] = case
    fused = data.fused(tune.shipped_params())
    windows = (10, 20, 40, 80)
    shares = {w: np.zeros_like(fused) for w in windows}
    for c, meta in enumerate(data.meta):
        case = cases[meta["id"]]
        mirror = case.get("mirror") or str(
            Path(tune.REPO.parent, ".mirror", case["repo"].replace("/", "+"), "repo")
        )
        start, end = data.starts[c], data.starts[c + 1]
        order = np.lexsort((np.arange(end - start), -fused[start:end]))[: args.pool]
        texts = texts_at(mirror, case["commit"], [str(data._paths[c][i]) for i in order])
        wanted = set(tokenize(case["query"]))
        if len(wanted) < 2:
            continue
        lines_of = [_term_lines(t, wanted) if t else {} for t in texts]
        df = {t: sum(t in found for found in lines_of) for t in wanted}
        n = len(texts)
        weights = {t: math.log(1 + (n - df[t] + 0.5) / (df[t] + 0.5)) for t in wanted}
        for i, found in zip(order[: args.top], lines_of[: args.top], strict=False):
            for w in windows:
                shares[w][start + i] = window_share(found, weights, w)
    mask = np.ones(data.n_cases, bool)
    print(f"fusion alone: {tune.objective(data.metrics(fused), mask):.4f}")
    for w in windows:
        for label, values in (("share", shares[w]), ("share^2", shares[w] ** 2)):
            row = [
                f"{tune.objective(data.metrics(fused + k * values), mask):.4f}"
                for k in (0.05, 0.1, 0.2, 0.4, 0.8)
            ]
            print(f"{w:3d} lines, {label:8s} at 0.05 / 0.1 / 0.2 / 0.4 / 0.8: " + " / ".join(row))
    return 0


if __name__ == "__main__":
    sys.exit(main())
