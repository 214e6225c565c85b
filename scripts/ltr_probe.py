#!/usr/bin/env python3
"""Would a learned, non-linear fuser beat Atlas's weighted sum? A probe, not a feature.

Reranks the top ``--top`` files of the shipped ``balanced`` fusion of every dumped case
(``scripts/tune.py dump``) with LambdaMART (LightGBM) over every dumped column: each signal and
its BM25F variants, their per-case ranks, the fused score and rank, the path prior's features
(role, depth, size, well-known directories, query words in the path), the language and the
size of the repository. Folds are by repository, as in ``tune.py fit``: each repository is
reranked by a model trained on the other 30 (sympy: every 4th report, as one repository).
It prints the held-out figures beside the shipped ranking's on the same cases.

LightGBM is not a dependency of Atlas; install it into a scratch copy of the dev venv
(``pip install lightgbm``). Round 8 (991 cases, top 100 reranked, 200 trees of 15 leaves):
held-out objective 0.8020 against the weighted sum's 0.8074 (Acc@1 0.653 against 0.663, Acc@5
0.888 against 0.892, All@5 0.772 against 0.778); a first version of the probe with shallower
trees (3 leaves, 300 trees) reached 0.8056. A model that sees every feature the weighted sum
sees, and their interactions, does not beat it held out: what is missing is evidence, not
a better way to combine the evidence there is.

    python scripts/ltr_probe.py [--bench DIR] [--top 100] [--trees 200] [--leaves 15]
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parent))
import tune

RANKED = ("sig_bm25f", "sig_path", "sig_mentions", "sig_pagerank", "sig_git_recency",
          "sig_git_cochange", "sig_git_messages", "sig_graph")  # fmt: skip
PLAIN = ("depth", "aux", "src", "frac", "frac_name", "vendored", "role", "ok")
CATEGORICAL = ("role", "lang")


def case_ranks(data: tune.Data, values: np.ndarray) -> np.ndarray:
    """1-based rank of every file in its case by ``values`` (ties by index)."""
    order = np.lexsort((-values, data.case_of_file))
    rank = np.empty(len(values))
    rank[order] = np.arange(len(values)) - data.starts[data.case_of_file[order]] + 1
    return rank


def features(data: tune.Data, fused: np.ndarray, dumps: list[Path]) -> dict[str, np.ndarray]:
    """Every per-file column the probe learns from."""
    cof = data.case_of_file
    top = np.maximum.reduceat(fused, data.starts[:-1])
    out = {
        "fused": fused,
        "fused_rank": case_ranks(data, fused),
        "fused_rel": fused / np.maximum(top[cof], 1e-9),
    }
    for key, values in data.cols.items():
        if key.startswith(("sig_", "bm25f_")):
            out[key] = values.astype(np.float64)
    for key in RANKED:
        values = data.cols[key].astype(np.float64)
        out[f"{key}_rank"] = np.where(values > 0, np.minimum(case_ranks(data, values), 1000), 1000)
    for key in PLAIN:
        out[key] = data.cols[key].astype(np.float64)
    out["log_size"] = np.log1p(data.cols["size"].astype(np.float64))
    out["log_tokens"] = np.log1p(data.cols["tokens"].astype(np.float64))
    out["log_files"] = np.log(np.diff(data.starts)[cof].astype(np.float64))
    names: dict[str, int] = {}
    lang = np.zeros(len(fused))
    for c, meta in enumerate(data.meta):
        local = np.array([names.setdefault(x, len(names)) for x in meta["langs"]] or [0])
        lang[data.starts[c] : data.starts[c + 1]] = local[np.load(dumps[c])["lang"]]
    out["lang"] = lang
    return out


def main(argv: list[str] | None = None) -> int:
    import lightgbm as lgb  # type: ignore[import-not-found,import-untyped,unused-ignore]

    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--bench", default=str(tune.DEFAULT_BENCH))
    ap.add_argument("--sets", nargs="*", default=["shared", "wide", "sympy"])
    ap.add_argument("--top", type=int, default=100, help="files reranked per case")
    ap.add_argument("--trees", type=int, default=200)
    ap.add_argument("--leaves", type=int, default=15)
    args = ap.parse_args(argv)
    bench = Path(args.bench).resolve()
    root = bench / ".cache" / "dumps"
    in_folds = set(tune._sympy_ids(bench)[::4])
    dumps = [p for s in args.sets for p in sorted((root / s).glob("*.npz"))]
    dumps = [p for p in dumps if not p.name.endswith((".tmp.npz", ".patch.npz"))]
    dumps = [p for p in dumps if "sympy" not in p.parent.name or p.stem in in_folds]
    data = tune.Data(dumps)
    fused = data.fused(tune.shipped_params())
    cols = features(data, fused, dumps)
    names = list(cols)
    cand = np.flatnonzero(cols["fused_rank"] <= args.top)
    x = np.stack([cols[n][cand] for n in names], 1).astype(np.float32)
    gold = np.zeros(len(fused), bool)
    gold[data.gold_file] = True
    y = gold[cand].astype(np.int32)
    case = data.case_of_file[cand]
    repo = np.array(data.repos)[case]
    params = {
        "objective": "lambdarank", "learning_rate": 0.05, "num_leaves": args.leaves,
        "min_data_in_leaf": 50, "feature_fraction": 0.8, "bagging_fraction": 0.8,
        "bagging_freq": 1, "lambdarank_truncation_level": 20, "verbose": -1, "num_threads": 2,
    }  # fmt: skip
    categorical = [names.index(n) for n in CATEGORICAL]
    reranked = np.zeros(len(cand))
    for held in sorted(set(repo)):
        train = repo != held
        groups = np.bincount(case[train])
        dataset = lgb.Dataset(
            x[train], y[train], group=groups[groups > 0], categorical_feature=categorical
        )
        model = lgb.train(params, dataset, args.trees)
        reranked[~train] = model.predict(x[~train])
    # the candidates above every other file, in the model's order
    scores = fused.copy()
    scores[cand] = reranked - reranked.min() + fused.max() + 1.0
    mask = np.ones(data.n_cases, bool)
    print(tune.HEADER)
    for label, values in (
        ("Atlas balanced (weighted sum)", fused),
        ("LambdaMART held-out", scores),
    ):
        print(tune._row(label, data.metrics(values), mask))
    for label, values in (("weighted sum", fused), ("LambdaMART", scores)):
        print(f"objective, {label}: {tune.objective(data.metrics(values), mask):.4f}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
