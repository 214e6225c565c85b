#!/usr/bin/env python3
"""Choose the seed-mode defaults (``--seed``) by cross-validation with folds by repository.

Seed mode is "given one file the change touches, find the others" (``run_eval.py
--seed-mode``): a case whose commit changed two or more source files gives its first answer
(sorted) as the seed and is scored on the rest, the seed left out of the ranking. The
defaults chosen here are the ``seeds`` signal's weight (``[signals.seeds] weight``), how much
each kind of tie to a seed counts (``atlas_core.rank.related.KIND_FACTORS``) and, for a seed
given without a task, how far the signals that read nothing of the seed are damped
(``atlas_core.engine.BARE_DAMP``).

``dump``  as ``tune.py dump``, for those cases: every column ``tune.py dump`` stores, plus the
          signals of the seeded query with the task (``sig_<name>_seeded``) and without it
          (``sig_<name>_bare``), and each file's strongest tie of each kind to the seed
          (``tie_<kind>``), under ``<bench>/.cache/dumps/<prefix><set>/``.
``fit``   ranks those cases offline (the shipped fusion on the seeded signals, plus the seeds
          signal made of the ties) and fits the seed parameters by coordinate ascent with
          leave-one-repository-out folds, with the task and without it; ``--check`` fails
          unless the shipped values are the fit's.

Usage::

    scripts/seed_tune.py dump [--bench DIR] [--set NAME=CASES ...] [--prefix seed-]
    scripts/seed_tune.py fit --sets seed-shared seed-wide ... [--check] [--md FILE]
"""

from __future__ import annotations

import argparse
import os
import sys
from pathlib import Path
from typing import Any

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parent))
import tune

#: the kinds of tie the core and the plugins report (``Tie.kind``), as dumped column names
KINDS = {
    "import of": "import_of",
    "importer of": "importer_of",
    "co-changed": "cochanged",
    "test of": "test_of",
    "implementation of": "implementation_of",
    "same package": "same_package",
}
#: the seed parameters and their grids: the seeds signal's weight, each kind's factor on its
#: tie strength, and the damping of the signals that ignore the seed when there is no task
SEED_GRID: dict[str, tuple[float, ...]] = {
    "seeds": (0.0, 0.05, 0.1, 0.25, 0.5, 0.75, 1.0, 1.5, 2.0),
    **{f"k_{col}": (0.0, 0.25, 0.5, 1.0, 1.5, 2.0, 3.0, 4.0) for col in KINDS.values()},
    "bare_damp": (0.03, 0.1, 0.2, 0.3, 0.5, 0.75, 1.0, 1.5, 2.0),
}
#: what the fit moves by default: test pairs are left out, as the benchmark never counts a
#: test as an answer (a seed is never a test, and its tests can only cost there)
FIT_KEYS = ("seeds", "k_import_of", "k_importer_of", "k_cochanged", "k_same_package", "bare_damp")


def seed_cases(cases: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """The cases with two or more answers, the first (sorted) as the seed (as run_eval.py)."""
    out = []
    for c in cases:
        gold = sorted(c["gold"])
        if len(gold) >= 2:
            out.append(dict(c, seed=gold[0], gold=gold[1:]))
    return out


def seeded_arrays(root: Path, query: str, seed: str) -> dict[str, np.ndarray]:
    """The signals of the query seeded with ``seed``, with the task and without, and the
    seed's ties by kind (the index is up to date: ``tune.atlas_arrays`` built it)."""
    from atlas_core.components import QueryContext
    from atlas_core.config import Preset, load_settings
    from atlas_core.engine import Atlas, QueryOptions
    from atlas_core.plugin.manager import get_plugin_manager
    from atlas_core.rank.related import gather_ties

    settings = load_settings(root)
    settings.presets["dump"] = Preset("dump", dict.fromkeys(tune.SIGNALS, 1.0), "weighted", None)
    atlas = Atlas(root, get_plugin_manager(), settings)
    atlas.index()
    reader = atlas.reader()
    n = len(reader)
    out: dict[str, np.ndarray] = {}
    for mode, task in (("seeded", query), ("bare", "")):
        options = QueryOptions(preset="dump", symbols=False, seeds=[seed])
        result = atlas.query(task, options, reader)
        for name in tune.SIGNALS:
            values = result.signal_scores.get(name)
            out[f"sig_{name}_{mode}"] = (
                np.zeros(n, np.float32) if values is None else values.astype(np.float32)
            )
    seed_id = reader.ids[seed]
    ctx = QueryContext(query, [], reader, settings.components, seeds=[seed_id])
    best = {col: np.zeros(n, np.float32) for col in KINDS.values()}
    for tie in gather_ties(ctx, atlas.manager.registry("signals"), [seed_id]):
        col = KINDS.get(tie.kind)
        if col is not None and tie.id != seed_id:
            best[col][tie.id] = max(best[col][tie.id], tie.strength)
    out.update({f"tie_{col}": values for col, values in best.items()})
    reader.close()
    return out


def dump_seed_case(
    case: dict[str, Any],
    root: Path,
    out: Path,
    bench: Path,
    cache: Any,
    set_name: str = "",
    reuse: Path | None = None,
) -> None:
    """One seed-mode case: ``tune.py dump``'s columns plus :func:`seeded_arrays`."""
    base = tune.case_baselines(case, root, bench, cache, reuse)
    arrays, meta = seed_case_arrays(root, case)
    meta["baselines"] = {k: [p for p in v if p != case["seed"]] for k, v in base.items()}
    meta["set"] = set_name
    tune.save_case(out, arrays, meta)


def seed_case_arrays(
    root: Path, case: dict[str, Any]
) -> tuple[dict[str, np.ndarray], dict[str, Any]]:
    """A seed-mode case's columns and meta (without the baselines)."""
    arrays, meta = tune.atlas_arrays(root, case["query"])
    if case["seed"] not in set(arrays["paths"].tolist()):
        raise ValueError(f"seed {case['seed']} is not indexed")
    arrays.update(seeded_arrays(root, case["query"], case["seed"]))
    meta.update(id=case["id"], repo=case["repo"], gold=case["gold"], seed=case["seed"])
    return arrays, meta


# ---------------------------------------------------------------------------------------------
# fit
# ---------------------------------------------------------------------------------------------


def shipped_seed_params() -> dict[str, float]:
    """The seed parameters the code ships."""
    from atlas_core.engine import BARE_DAMP, SeedConfig
    from atlas_core.rank.related import KIND_FACTORS

    out = {"seeds": SeedConfig().weight, "bare_damp": BARE_DAMP}
    out.update({f"k_{col}": KIND_FACTORS.get(kind, 1.0) for kind, col in KINDS.items()})
    return out


class SeedData(tune.Data):
    """Seed-mode dumps, ranked as the engine ranks a seeded query in ``mode``."""

    def __init__(self, dumps: list[Path], mode: str) -> None:
        super().__init__(dumps)
        self.mode = mode
        suffix = "_seeded" if mode == "task" else "_bare"
        for name in tune.SIGNALS:
            self.cols[f"sig_{name}"] = self.cols[f"sig_{name}{suffix}"]
        if mode == "bare":  # no task: no text, no query words in paths
            for key in list(self.cols):
                if key.startswith(("bm25f_", "ment_")):
                    self.cols[key] = np.zeros_like(self.cols[key])
            self.cols["frac"] = np.zeros_like(self.cols["frac"])
            self.cols["frac_name"] = np.zeros_like(self.cols["frac_name"])
        self.seed_file = np.array(
            [
                self.starts[c] + int(np.flatnonzero(self._paths[c] == m["seed"])[0])
                for c, m in enumerate(self.meta)
            ],
            np.int64,
        )
        self._path_cache.clear()

    def fused(self, p: dict[str, Any], *args: Any, **kwargs: Any) -> np.ndarray:
        if self.mode == "bare":  # as the engine: the seed-blind signals damped
            p = dict(p)
            for key in tune.WEIGHT_KEYS:
                if key not in ("git_cochange", "graph"):
                    p[key] = p[key] * p["bare_damp"]
        out = super().fused(p, *args, **kwargs)
        ties = np.zeros(len(out))
        for col in KINDS.values():
            factor = p[f"k_{col}"]
            if factor:
                ties += factor * self.cols[f"tie_{col}"]
        top = np.maximum.reduceat(ties, self.starts[:-1])
        top = np.where(top > 0, top, 1.0)
        weight = p["seeds"] if self.mode == "task" else max(p["seeds"], 1.0)
        out = out + weight * ties / top[self.case_of_file]
        out[self.seed_file] = -1.0  # the seed is never ranked among the others
        return out


class BothModes:
    """Every case twice, with the task and without it, as one data set for ``tune.fit``: the
    kind factors are one setting for both, so they are chosen on both."""

    def __init__(self, task: SeedData, bare: SeedData) -> None:
        self.task, self.bare = task, bare
        self.split = len(task.role)
        self.n_cases = task.n_cases + bare.n_cases
        self.repos = [*task.repos, *bare.repos]

    def fused(self, p: dict[str, Any]) -> np.ndarray:
        return np.concatenate([self.task.fused(p), self.bare.fused(p)])

    def metrics(self, scores: np.ndarray) -> dict[str, np.ndarray]:
        a = self.task.metrics(scores[: self.split])
        b = self.bare.metrics(scores[self.split :])
        return {k: np.concatenate([a[k], b[k]]) for k in a}


def cmd_fit(args: argparse.Namespace) -> int:
    root = Path(args.bench) / ".cache" / "dumps"
    dumps = [p for s in args.sets for p in sorted((root / s).glob("*.npz"))]
    if not dumps:
        print(f"no dumps under {root} for {args.sets}", file=sys.stderr)
        return 2
    tune.GRID.update(SEED_GRID)
    start = {**tune.shipped_params(), **shipped_seed_params()}
    keys = FIT_KEYS if not args.keys else tuple(args.keys.split(","))
    data = BothModes(SeedData(dumps, "task"), SeedData(dumps, "bare"))
    repos = sorted(set(data.repos))
    mask = np.ones(data.n_cases, bool)
    cache: dict[tuple[Any, ...], dict[str, np.ndarray]] = {}
    chosen, held, folds = tune.cross_validate(data, mask, repos, start, keys, cache, args.min_gain)
    rows = {
        "shipped": data.metrics(data.fused(start)),
        "fitted, in-sample": data.metrics(data.fused(chosen)),
        "fitted, held-out": held,
    }
    n = data.task.n_cases
    lines = [f"{n} cases from {len(repos)} repositories, each with its task and without.\n"]
    for mode, part in (("with the task", slice(0, n)), ("no task", slice(n, 2 * n))):
        half = np.zeros(data.n_cases, bool)
        half[part] = True
        lines += [f"\n## Seed mode, {mode}\n", tune.HEADER]
        if mode == "with the task":
            alone = data.metrics(data.fused(dict(start, seeds=0.0)))
            lines.append(tune._row("no seeds signal (the task alone)", alone, half))
        lines += [tune._row(name, m, half) for name, m in rows.items()]
        shipped, fitted = rows["shipped"], rows["fitted, held-out"]
        lines.append(
            f"\nobjective: shipped {tune.objective(shipped, half):.4f}, held-out "
            f"{tune.objective(fitted, half):.4f}"
        )
    lines += [
        "\n## Parameters\n",
        f"objective over both: shipped {tune.objective(rows['shipped'], mask):.4f}, held-out "
        f"{tune.objective(held, mask):.4f}, in-sample "
        f"{tune.objective(rows['fitted, in-sample'], mask):.4f}\n",
        "| parameter | shipped | chosen | folds choosing it | range over folds |",
        "|---|---:|---:|---:|---|",
    ]
    for key in keys:
        same = sum(1 for f in folds.values() if f[key] == chosen[key])
        spread = sorted({f[key] for f in folds.values()})
        lines.append(
            f"| {key} | {start[key]} | {chosen[key]} | {same}/{len(folds)} | "
            f"{', '.join(map(str, spread))} |"
        )
    report = "\n".join(lines)
    print(report)
    if args.md:
        Path(args.md).write_text(report + "\n")
    if args.check and any(chosen[k] != start[k] for k in keys):
        print("the shipped seed parameters are not the fit's", file=sys.stderr)
        return 1
    return 0


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    ap.add_argument("--bench", default=os.environ.get("BENCH", str(tune.DEFAULT_BENCH)))
    sub = ap.add_subparsers(dest="cmd", required=True)
    d = sub.add_parser("dump", help="index every seed-mode case once and store its columns")
    d.add_argument("--set", action="append", metavar="NAME=CASES")
    d.add_argument("--every", type=int, default=1, help="sympy: every Nth case (default all)")
    d.add_argument("--limit", type=int)
    d.add_argument("--repo", action="append")
    d.add_argument("--shards", type=int, default=1)
    d.add_argument("--shard", type=int, default=0)
    d.add_argument("--reverse", action="store_true")
    d.add_argument("--tag", default="seed")
    d.add_argument("--prefix", default="seed-")
    f = sub.add_parser("fit", help="choose the seed parameters by folds and report")
    f.add_argument("--sets", nargs="+", required=True)
    f.add_argument("--keys", help="comma-separated parameters to fit (default FIT_KEYS)")
    f.add_argument("--md")
    f.add_argument("--check", action="store_true")
    f.add_argument("--min-gain", type=float, default=tune.MIN_GAIN)
    args = ap.parse_args(argv)
    if args.cmd == "dump":
        tune.cmd_dump(args, select=seed_cases, dump=dump_seed_case)
        return 0
    return cmd_fit(args)


if __name__ == "__main__":
    raise SystemExit(main())
