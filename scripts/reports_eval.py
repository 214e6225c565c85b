#!/usr/bin/env python3
"""Bug-report queries: measure the mentions signal on real bug reports (issue 12).

Two steps, so that the expensive part runs once:

``dump``  checks out every report's commit (``issues-sympy.jsonl`` by default), indexes it with
          Atlas and stores, per file, every signal of the ``balanced`` preset (normalised, as
          the fuser sees them), the fused score, and the plain-BM25 baseline's ranking; it also
          keeps a copy of the index (``idx/<id>``) so that new mentions variants can be scored
          later without re-indexing, and the error-message part of the mentions signal (the
          only part that reads file contents from the work tree).
``eval``  re-scores the mentions signal of every case from the kept indexes under the
          variants named (``--variant``), fuses it with the stored signals at the ``balanced``
          weights, and prints All@5, Acc@k and MRR beside plain BM25, separately for the
          reports the previous rounds tuned on (every 4th) and the ones never tuned on.

Usage::

    scripts/reports_eval.py dump [--cache DIR] [--cases FILE] [--limit N]
    scripts/reports_eval.py eval [--cache DIR] [--variant NAME ...] [--weight W ...]

A variant is a dict of keyword overrides passed to ``mention_scores`` (see ``VARIANTS``);
``--folds K`` also splits the reports never tuned on into K folds and scores each by the
variant chosen (best objective) on every other report; ``--set pagerank=0`` changes another
signal's weight (a diagnostic: the weights are config.py's).

Round 4 (130 sympy reports; every 4th, 33, is where choices are made; the other 97 are never
tuned on; All@5 of the ranking, plain BM25 from the same run):

=====================================================  ===========  ===========
system                                                  33 (tuned)   97 (never)
=====================================================  ===========  ===========
plain BM25                                              0.606        0.629
Atlas balanced (shipped mentions)                       0.818        0.732
title names x4 (``title=4``)                            0.848        0.732
rarity of the name among all files (``ref_idf=1``)      0.818        0.732
prose x4, title x2, rarity (best on the 33)             0.879        0.722
callee files of named functions (``chain=0.4``, 4)      0.848        0.742
innermost frame that resolves (``inner_resolved``)      0.818        0.732
PPR over imports from the mention hits (``spread``)     0.818        0.732
query terms counted at most 3 times (``qcap=3``)        0.848        0.732
BM25F without session output lines (``outputs=False``)  0.818        0.732
each fold of the 97 by the others' choice (4 folds)     —            0.722
diagnostic: pagerank weight 0 (config, not mentions)    0.909        0.742
... and prose x4, title x2, rarity (every fold's choice) 0.909        0.742
=====================================================  ===========  ===========

None ships: the mention knobs move the 97 by one case either way at most. With pagerank at 0
(a preset change, outside this script's scope) every fold chooses prose x4, title x2 and
rarity, and the 97 rise to Acc@1 0.639 and MRR 0.710 (shipped: 0.567 and 0.666) at the same
All@5; that pair needs the commit-task benchmark before it can ship.
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import sys
import time
from pathlib import Path
from typing import Any

import numpy as np

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))
import tune  # noqa: E402

DEFAULT_CACHE = tune.REPO.parent / "bench" / ".cache" / "reports-q"
METRICS = ("acc@1", "acc@5", "acc@10", "all@5", "mrr")
BALANCED = ("bm25f", "path", "mentions", "pagerank", "git_recency", "git_cochange", "git_messages")


def _cases(bench: Path, rel: str) -> list[dict[str, Any]]:
    sys.path.insert(0, str(bench))
    from make_cases import load_cases  # type: ignore[import-not-found]

    return list(load_cases(str(bench / rel)))


def heldout_ids(cases: list[dict[str, Any]]) -> set[str]:
    """The reports never tuned on: all but every 4th in file order (the previous rounds' split)."""
    tuned = {c["id"] for c in cases[::4]}
    return {c["id"] for c in cases if c["id"] not in tuned}


def dump_one(case: dict[str, Any], root: Path, cache: Path, bench: Path, bm: Any) -> None:
    from atlas_core.components import QueryContext
    from atlas_core.config import load_settings
    from atlas_core.engine import Atlas, QueryOptions
    from atlas_core.plugin.manager import get_plugin_manager
    from atlas_core.rank.mentions import _message_hits
    from atlas_core.rank.task import parse_task
    from atlas_core.terms import tokenize

    t0 = time.perf_counter()
    base = tune._baselines(root, case["query"], bench, bm)
    atlas = Atlas(root, get_plugin_manager(), load_settings(root))
    atlas.index()
    t_index = time.perf_counter() - t0
    reader = atlas.reader()
    result = atlas.query(case["query"], QueryOptions(preset="balanced", symbols=False), reader)
    n = len(reader)
    arrays: dict[str, np.ndarray] = {}
    for name in BALANCED:
        values = result.signal_scores.get(name)
        arrays[f"sig_{name}"] = np.zeros(n) if values is None else values.astype(np.float64)
    arrays["fused"] = np.asarray(result.fused, np.float64)
    ctx = QueryContext(case["query"], tokenize(parse_task(case["query"]).text), reader, {})
    msg = np.zeros(n)
    _message_hits(parse_task(case["query"]), ctx, msg)
    arrays["msg"] = msg
    arrays["role"] = np.array([tune.ROLES.index(r) if r in tune.ROLES else 7 for r in reader.roles])
    arrays["paths"] = np.array(reader.paths, dtype=str)
    reader.close()
    meta = {
        "id": case["id"],
        "gold": case["gold"],
        "baselines": base,
        "weights": result.weights,
        "time": {"index": t_index},
    }
    idx = cache / "idx" / case["id"]
    shutil.rmtree(idx, ignore_errors=True)
    shutil.copytree(root / ".atlas", idx, symlinks=True)
    tune.save_case(cache / "dumps" / f"{case['id']}.npz", arrays, meta)


def cmd_dump(args: argparse.Namespace) -> None:
    bench = Path(args.bench).resolve()
    cache = Path(args.cache)
    (cache / "dumps").mkdir(parents=True, exist_ok=True)
    cases = _cases(bench, args.cases)
    if args.limit:
        cases = cases[: args.limit]
    cases = sorted(cases, key=lambda c: (c["repo"], c.get("date") or "", c["id"]))
    if args.reverse:
        cases.reverse()
    trees = tune._Worktrees(cache / f"trees-{args.tag}")
    bm = tune._Bm25Cache()
    for c in cases:
        out = cache / "dumps" / f"{c['id']}.npz"
        if out.exists() or (cache / "dumps" / f"{c['id']}.lock").exists():
            continue
        (cache / "dumps" / f"{c['id']}.lock").touch()
        t0 = time.perf_counter()
        try:
            root = trees.get(c["repo"], c["mirror"], c["commit"])
            dump_one(c, root, cache, bench, bm)
        except Exception as exc:
            print(f"{c['id']}: FAILED {exc!r}"[:300], flush=True)
        finally:
            (cache / "dumps" / f"{c['id']}.lock").unlink(missing_ok=True)
        print(f"{c['id']}: {time.perf_counter() - t0:.1f}s", flush=True)
    trees.clear()


# ---------------------------------------------------------------------------------------------
# eval
# ---------------------------------------------------------------------------------------------


def _load(path: Path) -> tuple[dict[str, np.ndarray], dict[str, Any]]:
    z = np.load(path)
    meta = json.loads(str(z["meta"]))
    return {k: z[k] for k in z.files if k != "meta"}, meta


def _ranks(scores: np.ndarray, gold_ids: list[int]) -> list[int]:
    """1-based ranks of the gold files (ties: the lower index first, as Atlas orders)."""
    out = []
    for g in gold_ids:
        s = scores[g]
        out.append(int(((scores > s) | ((scores == s) & (np.arange(len(scores)) < g))).sum()) + 1)
    return out


def _metrics(ranks: list[int], n_gold: int) -> dict[str, float]:
    out: dict[str, float] = {}
    first = min(ranks) if ranks else 10**9
    for k in tune.KS:
        out[f"acc@{k}"] = float(first <= k)
        out[f"all@{k}"] = float(sum(r <= k for r in ranks) >= min(k, n_gold) and n_gold > 0)
    out["mrr"] = 1.0 / first if first <= tune.TOP else 0.0
    return out


def _text_at(case: dict[str, Any], paths: list[str]) -> Any:
    """read_text for a kept index: the file at the case's commit, from the mirror (the work
    tree has moved on to other cases)."""
    import subprocess

    def read(i: int) -> str:
        done = subprocess.run(
            ["git", "-C", case["mirror"], "show", f"{case['commit']}:{paths[i]}"],
            capture_output=True,
        )
        return done.stdout.decode("utf-8", "replace")

    return read


_PROMPT = (">>>", "...", "In [")


def drop_outputs(text: str) -> str:
    """The task without the output lines of interactive sessions: in a code block with
    prompts (``>>>``, ``In [1]:``), the lines that have none (candidate, measured only)."""
    out: list[str] = []
    block: list[str] = []
    in_code = False
    for line in text.splitlines():
        if line.lstrip().startswith(("```", "~~~")):
            if in_code:
                prompts = any(b.lstrip().startswith(_PROMPT) for b in block)
                out.extend(
                    b
                    for b in block
                    if not prompts or b.lstrip().startswith(_PROMPT) or not b.strip()
                )
                block = []
            in_code = not in_code
            out.append(line)
            continue
        (block if in_code else out).append(line)
    out.extend(block)
    return "\n".join(out)


def variant_bm25f(case: dict[str, Any], cache: Path, cap: int, outputs: bool = True) -> Any:
    """BM25F (normalised) with each query term counted at most ``cap`` times."""
    from collections import Counter

    from atlas_core.components import QueryContext
    from atlas_core.index.reader import open_index
    from atlas_core.rank.bm25f import bm25f_scores
    from atlas_core.rank.task import parse_task
    from atlas_core.terms import tokenize

    reader = open_index(cache / "idx" / case["id"])
    assert reader is not None
    try:
        query = case["query"] if outputs else drop_outputs(case["query"])
        counts = Counter(tokenize(parse_task(query).text))
        terms = [t for t, c in counts.items() for _ in range(min(c, cap))]
        raw = bm25f_scores(QueryContext(case["query"], terms, reader, {}))
        return raw / raw.max() if raw.max() > 0 else raw
    finally:
        reader.close()


def variant_mentions(case: dict[str, Any], cache: Path, n: int, options: dict[str, Any]) -> Any:
    """The mentions signal of one case under ``options``, from its kept index (raw scores)."""
    from atlas_core.components import QueryContext
    from atlas_core.index.reader import open_index
    from atlas_core.rank import mentions
    from atlas_core.rank.task import parse_task
    from atlas_core.terms import tokenize

    query = case["query"]
    reader = open_index(cache / "idx" / case["id"])
    assert reader is not None and len(reader) == n
    reader.read_text = _text_at(case, reader.paths)  # type: ignore[method-assign]
    ctx = QueryContext(query, tokenize(parse_task(query).text), reader, {})
    opts = {k: v for k, v in options.items() if k not in ("qcap", "outputs")}
    spread_w = opts.pop("spread", 0.0)
    try:
        raw = mentions.mention_scores(ctx, mentions.Tuning(**opts), messages=False)
        if spread_w and raw.max() > 0:
            from atlas_graph.signals import spread
            from atlas_graph.store import load_graph

            graph = load_graph(reader)
            if graph is not None and len(graph.src):
                walk = spread(graph.src, graph.dst, raw, seeds=10, damping=0.85, reverse=0.5)
                raw = raw / raw.max() + spread_w * walk / max(walk.max(), 1e-12)
        return raw
    finally:
        reader.close()


#: named variants: keyword overrides of ``mention_scores``
VARIANTS: dict[str, dict[str, Any]] = {
    "shipped": {},
    "idf1": {"ref_idf": 1.0},
    "idf05": {"ref_idf": 0.5},
    "idf2": {"ref_idf": 2.0},
    # round 8 (relative to the shipped defaults, which turn the first three on)
    "round7": {"beyond_limit": False, "stem_names": False, "namesake": 0.0},
    "no-limit": {"beyond_limit": False},
    "no-stem": {"stem_names": False},
    "no-namesake": {"namesake": 0.0},
    "namesake05": {"namesake": 0.5},
    "namesake2": {"namesake": 2.0},
    "quoted04": {"quoted": 0.4},
    "quoted08": {"quoted": 0.8},
    "quoted12": {"quoted": 1.2},
    "title2": {"title": 2.0},
    "title4": {"title": 4.0},
    "inner": {"inner_resolved": True},
    "spread03": {"spread": 0.3},
    "chain02": {"chain": 0.2},
    "chain04": {"chain": 0.4},
    "chain04s4": {"chain": 0.4, "chain_sources": 4},
    "qcap1": {"qcap": 1},
    "qcap2": {"qcap": 2},
    "qcap3": {"qcap": 3},
    "qcap100": {"qcap": 100},
    "no-outputs": {"outputs": False},
    "no-outputs+qcap3": {"outputs": False, "qcap": 3},
    "idf1+title2": {"ref_idf": 1.0, "title": 2.0},
    "prose2": {"prose": 2.0},
    "prose4": {"prose": 4.0},
    "prose2+title2": {"prose": 2.0, "title": 2.0},
    "prose2+title2+idf1": {"prose": 2.0, "title": 2.0, "ref_idf": 1.0},
    "prose2+title2+idf1+chain04s4": {
        "prose": 2.0,
        "title": 2.0,
        "ref_idf": 1.0,
        "chain": 0.4,
        "chain_sources": 4,
    },
    "prose4+title2+idf1": {"prose": 4.0, "title": 2.0, "ref_idf": 1.0},
    "idf05+title2+inner": {"ref_idf": 0.5, "title": 2.0, "inner_resolved": True},
}


def _objective(ms: list[dict[str, float]]) -> float:
    return float(np.mean([np.mean([m[k] for m in ms]) for k in METRICS])) if ms else 0.0


def _table(rows: dict[str, dict[str, dict[str, float]]], ids: list[str], title: str) -> None:
    print(f"\n## {title}")
    print("| system | n | " + " | ".join(METRICS) + " | objective |")
    print("|---|---:|" + "---:|" * (len(METRICS) + 1))
    for name, per_case in rows.items():
        ms = [per_case[i] for i in ids if i in per_case]
        if ms:
            vals = " | ".join(f"{np.mean([m[k] for m in ms]):.3f}" for k in METRICS)
            print(f"| {name} | {len(ms)} | {vals} | {_objective(ms):.4f} |")


def cmd_eval(args: argparse.Namespace) -> None:
    bench = Path(args.bench).resolve()
    cache = Path(args.cache)
    ordered = _cases(bench, args.cases)
    cases = {c["id"]: c for c in ordered}
    held = heldout_ids(ordered)
    dumps = {p.stem: p for p in (cache / "dumps").glob("*.npz")}
    tuned_ids = [c["id"] for c in ordered if c["id"] not in held and c["id"] in dumps]
    held_ids = [c["id"] for c in ordered if c["id"] in held and c["id"] in dumps]
    variants = args.variant or ["shipped"]
    weights = [float(w) for w in args.weight] if args.weight else [0.5]
    overrides = {k: float(v) for k, v in (o.split("=") for o in args.set or [])}
    rows: dict[str, dict[str, dict[str, float]]] = {"plain BM25": {}, "Atlas (as dumped)": {}}
    configs: list[str] = []
    for cid in tuned_ids + held_ids:
        arrays, meta = _load(dumps[cid])
        paths = [str(p) for p in arrays["paths"]]
        index = {p: i for i, p in enumerate(paths)}
        gold = [index[g] for g in meta["gold"] if g in index]
        n_gold = len(meta["gold"])
        rows["plain BM25"][cid] = tune._score_list(
            meta["baselines"]["bm25"][: tune.TOP], meta["gold"]
        )
        rows["Atlas (as dumped)"][cid] = _metrics(_ranks(arrays["fused"], gold), n_gold)
        w = {**meta["weights"], **overrides}
        rest0 = sum(w.get(k, 0.0) * arrays[f"sig_{k}"] for k in BALANCED if k != "mentions")
        for v in variants:
            rest = rest0
            if "qcap" in VARIANTS[v] or "outputs" in VARIANTS[v]:
                opt = VARIANTS[v]
                bm = variant_bm25f(
                    cases[cid], cache, int(opt.get("qcap", 1000)), bool(opt.get("outputs", True))
                )
                rest = rest0 + w.get("bm25f", 1.0) * (bm - arrays["sig_bm25f"])
            raw = variant_mentions(cases[cid], cache, len(paths), VARIANTS[v])
            raw = np.maximum(raw, arrays["msg"])
            top = raw.max()
            sig = raw / top if top > 0 else raw
            for wm in weights:
                name = f"{v} w={wm}"
                if name not in rows:
                    rows[name] = {}
                    configs.append(name)
                rows[name][cid] = _metrics(_ranks(rest + wm * sig, gold), n_gold)
    _table(rows, tuned_ids, f"every 4th report (tuned on), n={len(tuned_ids)}")
    _table(rows, held_ids, f"the others (never tuned on), n={len(held_ids)}")
    if len(configs) > 1 and args.folds:
        # each held-out fold is scored by the configuration chosen on every other case
        folds = [held_ids[k :: args.folds] for k in range(args.folds)]
        chosen_rows: dict[str, dict[str, float]] = {}
        for k, fold in enumerate(folds):
            train = tuned_ids + [i for i in held_ids if i not in set(fold)]
            best = max(configs, key=lambda c: _objective([rows[c][i] for i in train]))
            print(f"fold {k}: chose {best}")
            chosen_rows.update({i: rows[best][i] for i in fold})
        _table(
            {
                "chosen by the other folds": chosen_rows,
                **{k: rows[k] for k in ("plain BM25", "Atlas (as dumped)")},
            },
            held_ids,
            "never tuned on, each fold scored by the choice of the others",
        )


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--bench", default=str(tune.DEFAULT_BENCH))
    parser.add_argument("--cache", default=os.environ.get("REPORTS_CACHE", str(DEFAULT_CACHE)))
    parser.add_argument("--cases", default="issues-sympy.jsonl")
    sub = parser.add_subparsers(dest="cmd", required=True)
    d = sub.add_parser("dump")
    d.add_argument("--limit", type=int, default=0)
    d.add_argument("--reverse", action="store_true")
    d.add_argument("--tag", default="0")
    e = sub.add_parser("eval")
    e.add_argument("--variant", action="append")
    e.add_argument("--weight", action="append")
    e.add_argument("--set", action="append", help="another signal's weight, e.g. pagerank=0.1")
    e.add_argument("--folds", type=int, default=0)
    args = parser.parse_args(argv)
    if args.cmd == "dump":
        cmd_dump(args)
    else:
        cmd_eval(args)
    return 0


if __name__ == "__main__":
    sys.exit(main())
