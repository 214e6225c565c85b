#!/usr/bin/env python3
"""Choose Atlas's ranking defaults by cross-validation with folds by repository.

Two steps, so that the expensive part runs once:

``dump``  checks out every benchmark case, indexes it with Atlas and stores, for every file,
          each signal's normalised score, the features the path prior is made of (role, depth,
          size, well-known directories, query words in the path), the token count, and the
          rankings of two baselines (plain BM25 over whole files, and BM25 over code files
          only). One ``.npz`` per case under ``<bench>/.cache/dumps/<set>/``.
``fit``   ranks every case offline from the dumps under candidate settings (signal weights,
          path-prior parameters, fuser), chooses them by coordinate ascent on a coarse grid
          with leave-one-repository-out folds, and prints held-out and in-sample figures
          beside the baselines, per repository and per language group, the sympy bug reports,
          and an ablation (each signal removed, held-out). ``fit --check`` verifies that the
          shipped defaults in ``atlas_core/config.py`` and ``ranking/path.py`` are what the
          fit chooses on the whole set (every weight of ``balanced``). ``fit --explore``
          measures candidate changes to the fusion and the path prior that the code does not
          ship (``EXPLORE_KEYS``), fitted inside the same folds.

Usage::

    scripts/tune.py dump [--bench DIR] [--set NAME=CASES ...] [--limit N] [--every N]
    scripts/tune.py fit  [--bench DIR] [--md FILE] [--check] [--explore] [--quick]

The ranking is scored with an unlimited budget (the order Atlas ranks files in); the
token budget only cuts that order.
"""

from __future__ import annotations

import argparse
import hashlib
import itertools
import json
import math
import os
import re
import shutil
import subprocess
import sys
import time
from collections import Counter
from collections.abc import Callable
from pathlib import Path
from typing import Any

import numpy as np

HERE = Path(__file__).resolve().parent
REPO = HERE.parent
DEFAULT_BENCH = REPO.parent / "shared" / "bench"

#: every signal the dump records (normalised, as the fuser sees them)
SIGNALS = (
    "bm25f", "path", "mentions", "pagerank", "git_recency", "git_cochange", "git_messages",
    "graph",
)  # fmt: skip
#: BM25F settings dumped beside the default: filename, symbols, body, k1, b
BM25F_VARIANTS = {
    "f531": (5.0, 3.0, 1.0, 1.2, 0.75),
    "f321": (3.0, 2.0, 1.0, 1.2, 0.75),
    "f831": (8.0, 3.0, 1.0, 1.2, 0.75),
    "b05": (5.0, 3.0, 1.0, 1.2, 0.5),
    "k2": (5.0, 3.0, 1.0, 2.0, 0.75),
}
#: stage-1 signals dumped a second time seeded from the first stage's fused ranking
#: (``[pipeline] seed_signal = "fused"``, the shipped ``balanced`` weights) as ``sig_<name>_fused``;
#: co-change also from the fused ranking's top 5 files only (``sig_git_cochange_fused5``)
FUSED_SEEDED = ("git_cochange", "graph")
#: the fit's ``seed`` values: which dumped column each stage-1 signal reads
SEED_COLUMNS: dict[str, dict[str, str]] = {
    "bm25f": {},
    "fused": {"git_cochange": "_fused", "graph": "_fused"},
    "fused5": {"git_cochange": "_fused5", "graph": "_fused"},
}
#: mentions-signal settings dumped beside the default (``atlas_core.rank.mentions.Tuning``
#: overrides) as ``ment_<key>``, normalised as the fuser sees them
MENTIONS_VARIANTS: dict[str, dict[str, Any]] = {
    # before round 8: names past the limit, stop-word names and namesake files not credited
    "off": {"beyond_limit": False, "stem_names": False, "namesake": 0.0},
    "ns0": {"namesake": 0.0},
    "ns2": {"namesake": 2.0},
    "quoted": {"quoted": 0.8},
    # special names (``__init__``): no namesake file (``__init__.py``) for ``__init__`` or for
    # any, or no credit at all
    "duinit": {"dunders": "init"},
    "dudef": {"dunders": "defined"},
    "dunone": {"dunders": "none"},
}
#: query-term repetition variants dumped for the default BM25F setting: each distinct task word
#: counted once (``q1``), or 1 + floor(log2(count)) times (``qlog``), instead of every time
QTF_VARIANTS = ("q1", "qlog")
#: BM25F (default fields) plus pseudo-relevance feedback words at these weights (``feedback``)
FEEDBACK_VARIANTS = {"prf2": 0.2, "prf4": 0.4}
#: BM25F (default fields) plus the joined terms of adjacent task words at these weights
#: (``phrases``)
PHRASE_VARIANTS = {"phr03": 0.3, "phr05": 0.5, "phr07": 0.7}
#: other forms of the task's words in BM25F (``[signals.bm25f] forms``) at these weights
#: (weight, derived forms too, only for the task words the index lacks)
FORM_VARIANTS = {
    "frm02": (0.2, True, False), "frm04": (0.4, True, False), "frm07": (0.7, True, False),
    "inf02": (0.2, False, False), "inf04": (0.4, False, False),
    "mis05": (0.5, False, True), "mis10": (1.0, False, True), "mid10": (1.0, True, True),
}  # fmt: skip
#: settings of atlas-git's history signals dumped beside the default (``[signals.<name>]``
#: overrides, one setting moved at a time) as ``sig_<name>_<key>``, normalised; the fit's
#: ``<name>_variant`` picks one ("": the shipped settings)
HISTORY_VARIANTS: dict[str, dict[str, dict[str, Any]]] = {
    "git_cochange": {
        "s5": {"seeds": 5}, "s10": {"seeds": 10}, "s40": {"seeds": 40},
        "n0": {"seed_norm": 0.0}, "n1": {"seed_norm": 1.0},
        "m03": {"min_seed_score": 0.3}, "m05": {"min_seed_score": 0.5},
        "h180": {"half_life_days": 180.0}, "h365": {"half_life_days": 365.0},
        "c20": {"max_commit_files": 20}, "c100": {"max_commit_files": 100},
    },
    "git_messages": {
        "t5": {"top": 5}, "t20": {"top": 20}, "t40": {"top": 40},
        "w500": {"window": 500}, "w5000": {"window": 5000},
        "c20": {"max_commit_files": 20}, "c100": {"max_commit_files": 100},
        "b03": {"b": 0.3}, "k2": {"k1": 2.0},
    },
}  # fmt: skip
#: BM25F (default fields) with the title's words counted this many times more (``title_text``)
TITLE_VARIANTS = {"tt1": 1, "tt2": 2}
ROLES = ("impl", "test", "config", "docs", "build", "generated", "vendor", "other")
DEFAULT_SETS = {
    "shared": ".cache/cases.jsonl",
    "wide": ".cache/wide.jsonl",
    "sympy": "issues-sympy.jsonl",
    # SWE-bench's reports of 8 more repositories (scripts/swe_cases.py builds it)
    "swe": ".cache/swe.jsonl",
}


# ---------------------------------------------------------------------------------------------
# dump
# ---------------------------------------------------------------------------------------------


class _Bm25Cache:
    """Token counts of file contents, by content hash, shared by the cases of one repository."""

    def __init__(self) -> None:
        self.docs: dict[bytes, Counter[str]] = {}

    def counts(self, text: str, tokenize: Any) -> Counter[str]:
        key = hashlib.blake2b(text.encode("utf-8", "replace"), digest_size=16).digest()
        got = self.docs.get(key)
        if got is None:
            got = self.docs[key] = Counter(tokenize(text))
        return got


def _bm25_rank(
    docs: list[tuple[str, Counter[str]]],
    query: list[str],
    top: int,
    k1: float = 1.5,
    b: float = 0.75,
) -> list[str]:
    """Okapi BM25 (Lucene idf), the bench's bm25_files baseline; ties by path."""
    if not docs:
        return []
    n = len(docs)
    lengths = np.array([sum(c.values()) for _, c in docs], dtype=np.float64)
    avgdl = max(float(lengths.mean()), 1e-9)
    scores = np.zeros(n)
    for term, qtf in Counter(query).items():  # a repeated query word counts again (bm25s)
        tf = np.array([c.get(term, 0) for _, c in docs], dtype=np.float64)
        df = int((tf > 0).sum())
        if not df:
            continue
        idf = math.log(1.0 + (n - df + 0.5) / (df + 0.5))
        scores += qtf * idf * tf / (tf + k1 * (1.0 - b + b * lengths / avgdl))
    order = sorted(range(n), key=lambda i: (-scores[i], docs[i][0]))[:top]
    return [docs[i][0] for i in order]


def _baselines(root: Path, query: str, bench: Path, cache: _Bm25Cache) -> dict[str, list[str]]:
    """Plain BM25 over whole files and BM25 over code files only (the benchmark's answer
    set: no tests, docs, config or examples), both with the bench's tokenizer."""
    sys.path.insert(0, str(bench / "peers"))
    sys.path.insert(0, str(bench))
    from common import list_text_files, tokenize  # type: ignore[import-not-found]
    from make_cases import is_source_path  # type: ignore[import-not-found]

    docs = []
    for rel, text in list_text_files(root):
        counts = cache.counts(text, tokenize)
        path_counts = Counter(tokenize(rel.replace("/", " ")))
        docs.append((rel, counts + path_counts if path_counts else counts))
    q = tokenize(query)
    return {
        "bm25": _bm25_rank(docs, q, 100),
        "bm25_code": _bm25_rank([d for d in docs if is_source_path(d[0])], q, 100),
    }


def cmd_baseline(args: argparse.Namespace) -> None:
    """Print a baseline's ranking for one tree (a run_eval system; see scripts/quality.sh)."""
    query = Path(args.query_file).read_text(errors="replace") if args.query_file else args.query
    ranked = _baselines(Path(args.root), query, Path(args.bench).resolve(), _Bm25Cache())
    print("\n".join(ranked["bm25_code" if args.code else "bm25"][: args.top]))


def _path_features(
    reader: Any, terms: list[str], title_terms: list[str] | None = None, atlas: Any = None
) -> dict[str, np.ndarray]:
    """What the path prior is made of, per file (mirrors ranking/path.py); ``frac_title`` and
    ``frac_name_title`` are ``frac`` and ``frac_name`` over the title's words alone (a
    candidate: a long bug report's words dilute the share its path words make);
    ``vendored``: the files whose prior a contributor scales (atlas-git: a library copied
    into the source tree; the factor is the ``vendored`` parameter)."""
    from atlas_core.rank.path import AUX_DIRS, SOURCE_DIRS
    from atlas_core.terms import tokenize

    n = len(reader)
    vendored = _contributed(atlas, reader) if atlas is not None else np.zeros(n, bool)
    query = set(terms)
    depth = np.zeros(n, np.int16)
    aux = np.zeros(n, bool)
    src = np.zeros(n, bool)
    frac = np.zeros(n, np.float32)
    frac_name = np.zeros(n, np.float32)  # the part of ``frac`` from the file name alone
    title = set(title_terms or ())
    frac_title = np.zeros(n, np.float32)
    frac_name_title = np.zeros(n, np.float32)
    dir_terms: dict[str, set[str]] = {}
    for i, rel in enumerate(reader.paths):
        parts = rel.split("/")
        dirs = parts[:-1]
        depth[i] = len(dirs)
        aux[i] = any(d in AUX_DIRS for d in dirs)
        src[i] = bool(dirs) and dirs[0] in SOURCE_DIRS
        directory, _, name = rel.rpartition("/")
        t = dir_terms.get(directory)
        if t is None:
            t = dir_terms[directory] = set(tokenize(directory))
        if query:
            stem = set(tokenize(name.split(".")[0]))
            frac[i] = len(query & (t | stem)) / len(query)
            frac_name[i] = len(query & stem) / len(query)
            if title:
                frac_title[i] = len(title & (t | stem)) / len(title)
                frac_name_title[i] = len(title & stem) / len(title)
    return {
        "depth": depth, "aux": aux, "src": src, "frac": frac, "frac_name": frac_name,
        "vendored": vendored, "frac_title": frac_title, "frac_name_title": frac_name_title,
    }  # fmt: skip


def atlas_arrays(root: Path, query: str) -> tuple[dict[str, np.ndarray], dict[str, Any]]:
    """Index ``root`` with Atlas (incrementally) and return, per file, every signal's
    normalised score and the path prior's features, plus timings and missing signals."""
    from atlas_core.components import QueryContext
    from atlas_core.config import Preset, load_settings
    from atlas_core.engine import Atlas, QueryOptions
    from atlas_core.plugin.manager import get_plugin_manager
    from atlas_core.rank.bm25f import bm25f_scores, feedback_scores, form_weights, phrase_weights
    from atlas_core.rank.task import parse_task
    from atlas_core.terms import tokenize

    settings = load_settings(root)
    settings.presets["dump"] = Preset("dump", dict.fromkeys(SIGNALS, 1.0), "weighted", None)
    atlas = Atlas(root, get_plugin_manager(), settings)
    t0 = time.perf_counter()
    atlas.index()
    t_index = time.perf_counter() - t0
    reader = atlas.reader()
    t0 = time.perf_counter()
    result = atlas.query(query, QueryOptions(preset="dump", symbols=False), reader)
    t_query = time.perf_counter() - t0
    n = len(reader)
    arrays: dict[str, np.ndarray] = {}
    for name in SIGNALS:
        values = result.signal_scores.get(name)
        arrays[f"sig_{name}"] = (
            np.zeros(n, np.float32) if values is None else values.astype(np.float32)
        )
    ctx = QueryContext(query, tokenize(parse_task(query).text), reader, {})
    for key, (fw, sw, bw, k1, b) in BM25F_VARIANTS.items():
        raw = bm25f_scores(ctx, (fw, sw, bw), k1, b)
        top = float(raw.max()) if n else 0.0
        arrays[f"bm25f_{key}"] = (raw / top if top > 0 else raw).astype(np.float32)
    fw, sw, bw, k1, b = BM25F_VARIANTS["f531"]
    for key in QTF_VARIANTS:
        counts = Counter(ctx.terms)
        reps = {t: 1 if key == "q1" else 1 + int(math.log2(c)) for t, c in counts.items()}
        qctx = QueryContext(query, [t for t in counts for _ in range(reps[t])], reader, {})
        raw = bm25f_scores(qctx, (fw, sw, bw), k1, b)
        top = float(raw.max()) if n else 0.0
        arrays[f"bm25f_{key}"] = (raw / top if top > 0 else raw).astype(np.float32)
    for key, weight in PHRASE_VARIANTS.items():
        raw = bm25f_scores(ctx, (fw, sw, bw), k1, b, phrase_weights(ctx, weight))
        top = float(raw.max()) if n else 0.0
        arrays[f"bm25f_{key}"] = (raw / top if top > 0 else raw).astype(np.float32)
    for key, (weight, derived, missing) in FORM_VARIANTS.items():
        extra = form_weights(ctx, weight, derived, missing)
        raw = bm25f_scores(ctx, (fw, sw, bw), k1, b, extra)
        top = float(raw.max()) if n else 0.0
        arrays[f"bm25f_{key}"] = (raw / top if top > 0 else raw).astype(np.float32)
    plain = bm25f_scores(ctx, (fw, sw, bw), k1, b)
    for key, weight in FEEDBACK_VARIANTS.items():
        raw = plain + feedback_scores(ctx, plain, (fw, sw, bw), k1, b, weight=weight)
        top = float(raw.max()) if n else 0.0
        arrays[f"bm25f_{key}"] = (raw / top if top > 0 else raw).astype(np.float32)
    arrays.update(_mentions_arrays(ctx))
    arrays.update(_fused_seed_arrays(atlas, reader, query, result.signal_scores))
    arrays.update(_history_variant_arrays(atlas, reader, query, result.signal_scores))
    from atlas_core.rank.task import task_title

    title_terms = tokenize(parse_task(task_title(query)).text)
    for key, times in TITLE_VARIANTS.items():
        tctx = QueryContext(query, [*ctx.terms, *title_terms * times], reader, {})
        raw = bm25f_scores(tctx, (fw, sw, bw), k1, b)
        top = float(raw.max()) if n else 0.0
        arrays[f"bm25f_{key}"] = (raw / top if top > 0 else raw).astype(np.float32)
    arrays.update(_path_features(reader, ctx.terms, title_terms, atlas))
    langs = sorted(set(reader.languages))
    arrays["lang"] = np.array([langs.index(x) for x in reader.languages], np.int16)
    arrays["role"] = np.array(
        [ROLES.index(r) if r in ROLES else ROLES.index("other") for r in reader.roles], np.int8
    )
    arrays["ok"] = np.array([s == "ok" for s in reader.statuses], bool)
    arrays["size"] = np.asarray(reader.sizes, np.int64)
    arrays["tokens"] = np.asarray(reader.tokens, np.int64)
    arrays["paths"] = np.array(reader.paths, dtype=str)
    reader.close()
    from atlas_core.classify.rules import CLASSIFY_VERSION
    from atlas_core.rank.intent import named_roles

    meta = {
        "task_terms": len(set(ctx.terms)),
        "classify": CLASSIFY_VERSION,
        "named_roles": sorted(named_roles(query)),
        "langs": langs,
        "missing": result.selection.missing_signals,
        "time": {"index": t_index, "query": t_query},
    }
    return arrays, meta


def _contributed(atlas: Any, reader: Any) -> np.ndarray:
    """Per file: whether a contributor scales its path prior (``Contributor.prior_factors``)."""
    from atlas_core.rank.priors import contributed_factor

    factor = contributed_factor(reader, atlas.manager.loaded_dists(), lambda _: None)
    return np.zeros(len(reader), bool) if factor is None else factor < 1.0


def _mentions_arrays(ctx: Any) -> dict[str, np.ndarray]:
    """The mentions signal under each of ``MENTIONS_VARIANTS``, normalised."""
    from atlas_core.rank import mentions
    from atlas_core.rank.fusion import normalize

    out = {}
    for key, options in MENTIONS_VARIANTS.items():
        raw = mentions.mention_scores(ctx, mentions.Tuning(**options))
        out[f"ment_{key}"] = normalize(raw).astype(np.float32)
    return out


def _stage0_context(
    atlas: Any, reader: Any, query: str, scores: dict[str, np.ndarray], **options: Any
) -> Any:
    """A query context holding the query's stage-0 results, to score a stage-1 signal again."""
    from atlas_core.components import QueryContext
    from atlas_core.rank.task import parse_task
    from atlas_core.terms import tokenize

    registry = atlas.manager.registry("signals")
    terms = tokenize(parse_task(query).text)
    ctx = QueryContext(query, terms, reader, atlas.settings.components, **options)
    for name, values in scores.items():
        signal = registry.get(name)
        if signal is not None and getattr(signal, "stage", 0) == 0:
            ctx.results[name] = values
    return ctx


def _rescored(
    atlas: Any, ctx: Any, name: str, scores: dict[str, np.ndarray], override: dict[str, Any]
) -> np.ndarray:
    """Signal ``name`` scored again on ``ctx`` with its settings ``override``, normalised
    (zeros when it did not run in the query)."""
    from atlas_core.rank.fusion import normalize

    signal = atlas.manager.registry("signals").get(name)
    if signal is None or name not in scores:
        return np.zeros(len(ctx.index), np.float32)
    components = atlas.settings.components
    ctx.settings = {**components, name: {**components.get(name, {}), **override}}
    raw = np.asarray(signal.score(ctx), dtype=np.float64)
    return normalize(np.where(np.isfinite(raw), raw, 0.0)).astype(np.float32)


def _fused_seed_arrays(
    atlas: Any, reader: Any, query: str, scores: dict[str, np.ndarray]
) -> dict[str, np.ndarray]:
    """The ``FUSED_SEEDED`` signals seeded from the shipped ``balanced`` weights' sum of the
    stage-0 signals (as the engine does with ``seed_signal = "fused"``), normalised."""
    from atlas_core.components import FUSED_SEEDS
    from atlas_core.config import BUILTIN_PRESETS, DEFAULT_PRESET

    weights = BUILTIN_PRESETS[DEFAULT_PRESET].signals
    stage0 = {k: v for k, v in scores.items() if k in weights}
    ctx = _stage0_context(atlas, reader, query, stage0, seed_signal=FUSED_SEEDS)
    ctx.fuse_seeds(weights)
    out = {f"sig_{name}_fused": _rescored(atlas, ctx, name, scores, {}) for name in FUSED_SEEDED}
    out["sig_git_cochange_fused5"] = _rescored(atlas, ctx, "git_cochange", scores, {"seeds": 5})
    return out


def _history_variant_arrays(
    atlas: Any, reader: Any, query: str, scores: dict[str, np.ndarray]
) -> dict[str, np.ndarray]:
    """Each of ``HISTORY_VARIANTS``, scored as the query scored its signal (the same stage-0
    results seed co-change), normalised."""
    ctx = _stage0_context(atlas, reader, query, scores)
    return {
        f"sig_{name}_{key}": _rescored(atlas, ctx, name, scores, override)
        for name, variants in HISTORY_VARIANTS.items()
        for key, override in variants.items()
    }


def save_case(out: Path, arrays: dict[str, np.ndarray], meta: dict[str, Any]) -> None:
    """One case's dump, written aside and renamed into place."""
    tmp = out.with_suffix(".tmp.npz")
    np.savez_compressed(tmp, meta=np.array(json.dumps(meta)), **arrays)
    tmp.rename(out)


def case_baselines(
    case: dict[str, Any], root: Path, bench: Path, cache: _Bm25Cache, reuse: Path | None
) -> dict[str, list[str]]:
    """Both baselines' rankings for ``case``: copied from ``reuse`` (an earlier dump of the
    case) when it exists, as they depend only on the tree and the task; else computed."""
    if reuse is not None and reuse.exists():
        earlier = json.loads(str(np.load(reuse)["meta"]))
        if earlier.get("id") == case["id"] and earlier.get("baselines"):
            return dict(earlier["baselines"])
    return _baselines(root, case["query"], bench, cache)


def dump_case(
    case: dict[str, Any],
    root: Path,
    out: Path,
    bench: Path,
    cache: _Bm25Cache,
    set_name: str = "",
    reuse: Path | None = None,
) -> None:
    """Index one case's tree with Atlas and store every signal and feature per file (the
    baselines' rankings copied from ``reuse``, an earlier dump of the case, when it exists:
    they depend only on the tree and the task)."""
    t0 = time.perf_counter()
    base = case_baselines(case, root, bench, cache, reuse)
    t_base = time.perf_counter() - t0
    arrays, meta = atlas_arrays(root, case["query"])
    meta.update(id=case["id"], repo=case["repo"], gold=case["gold"], baselines=base)
    meta["set"] = set_name
    meta["time"]["baselines"] = t_base
    save_case(out, arrays, meta)


class _Worktrees:
    """One work tree per repository (a small git repository whose objects are the mirror's),
    moved to each case's commit in place."""

    def __init__(self, base: Path) -> None:
        self.base = base
        self.current: Path | None = None

    def get(self, repo: str, mirror: str, commit: str) -> Path:
        from make_cases import checkout  # type: ignore[import-not-found]

        dest = self.base / repo.replace("/", "+")
        if self.current is not None and self.current != dest:
            shutil.rmtree(self.current, ignore_errors=True)
        self.current = dest
        if (dest / ".git").is_dir():
            moved = subprocess.run(
                ["git", "-C", str(dest), "checkout", "-q", "-f", "--detach", commit],
                capture_output=True,
            )
            if moved.returncode == 0:
                subprocess.run(["git", "-C", str(dest), "clean", "-fdq"], check=True)
                return dest.resolve()
        shutil.rmtree(dest, ignore_errors=True)
        try:
            checkout(mirror, commit, dest)
        except subprocess.CalledProcessError:
            shutil.rmtree(dest, ignore_errors=True)
            _lenient_checkout(mirror, commit, dest)
        return dest.resolve()

    def clear(self) -> None:
        if self.current is not None:
            shutil.rmtree(self.current, ignore_errors=True)


def _lenient_checkout(mirror: str, commit: str, dest: Path) -> None:
    """Check out without the blobs the mirror lacks (a snapshot leaves out its largest
    files, e.g. a test fixture of Newtonsoft.Json)."""
    git = ["git", "-C", str(dest)]
    dest.mkdir(parents=True, exist_ok=True)
    subprocess.run([*git, "init", "-q"], check=True)
    (dest / ".git/objects/info").mkdir(parents=True, exist_ok=True)
    (dest / ".git/objects/info/alternates").write_text(
        str(Path(mirror).resolve() / "objects") + "\n"
    )
    subprocess.run([*git, "update-ref", "--no-deref", "HEAD", commit], check=True)
    subprocess.run([*git, "read-tree", commit], check=True)
    listing = subprocess.run(
        ["git", "-C", mirror, "ls-tree", "-r", "-z", commit], capture_output=True, check=True
    ).stdout.split(b"\0")
    entries = [e.split(b"\t", 1) for e in listing if e]
    shas = b"\n".join(meta.split()[2] for meta, _ in entries) + b"\n"
    check = subprocess.run(
        ["git", "-C", mirror, "cat-file", "--batch-check"], input=shas, capture_output=True
    ).stdout.splitlines()
    present = [
        path
        for (_, path), line in zip(entries, check, strict=True)
        if not line.endswith(b"missing")
    ]
    subprocess.run(
        [*git, "checkout-index", "-f", "-z", "--stdin"],
        input=b"\0".join(present),
        check=True,
        capture_output=True,
    )


def cmd_dump(
    args: argparse.Namespace,
    select: Callable[[list[dict[str, Any]]], list[dict[str, Any]]] | None = None,
    dump: Callable[..., None] | None = None,
) -> None:
    """Dump every case of ``args``'s sets (``select`` picks and reshapes them; ``dump``
    stores one, :func:`dump_case` by default)."""
    dump = dump or dump_case
    bench = Path(args.bench).resolve()
    sys.path.insert(0, str(bench))
    from make_cases import load_cases  # type: ignore[import-not-found]

    sets = dict(s.split("=", 1) for s in args.set) if args.set else DEFAULT_SETS
    trees = _Worktrees(bench / ".cache" / f"tune-trees-{args.tag or args.shard}")
    for set_name, rel in sets.items():
        if not (bench / rel).is_file():
            print(f"{set_name}: no {bench / rel}, skipped (scripts/swe_cases.py builds swe)")
            continue
        cases = load_cases(str(bench / rel))
        if set_name == "sympy" and args.every:
            cases = cases[:: args.every]
        if args.limit:
            seen: Counter[str] = Counter()
            cases = [c for c in cases if seen.update([c["repo"]]) or seen[c["repo"]] <= args.limit]
        if args.repo:
            cases = [c for c in cases if c["repo"] in args.repo]
        if select is not None:
            cases = select(cases)
        repos = sorted({c["repo"] for c in cases})
        mine = {r for i, r in enumerate(repos) if i % args.shards == args.shard}
        # a new prefix never touches the dumps the fit reads by default
        outdir = bench / ".cache" / "dumps" / f"{args.prefix}{set_name}"
        reuse_dir = bench / ".cache" / "dumps" / set_name
        outdir.mkdir(parents=True, exist_ok=True)
        cache, cache_repo = _Bm25Cache(), ""
        # one work tree per repository, moved from case to case in date order, so that
        # Atlas's incremental index re-reads only the files that changed
        cases = sorted(cases, key=lambda c: (c["repo"], c.get("date") or "", c["id"]))
        if args.reverse:  # a second process can work from the other end
            cases.reverse()
        for c in cases:
            if c["repo"] not in mine:
                continue
            out = outdir / f"{c['id']}.npz"
            if out.exists():
                continue
            if c["repo"] != cache_repo:
                cache, cache_repo = _Bm25Cache(), c["repo"]
            t0 = time.perf_counter()
            try:
                root = trees.get(c["repo"], c["mirror"], c["commit"])
            except Exception as exc:  # a broken checkout is recorded, not fatal
                (outdir / f"{c['id']}.skipped").write_text(str(exc)[:2000])
                print(f"{set_name} {c['id']}: checkout failed: {str(exc)[:200]}", flush=True)
                continue
            try:
                reuse = reuse_dir / out.name if args.prefix else None
                dump(c, root, out, bench, cache, set_name, reuse)
            except Exception as exc:
                (outdir / f"{c['id']}.failed").write_text(repr(exc)[:2000])
                print(f"{set_name} {c['id']}: FAILED {exc!r}"[:300], flush=True)
                continue
            print(f"{set_name} {c['id']}: {time.perf_counter() - t0:.1f}s", flush=True)
    trees.clear()


# ---------------------------------------------------------------------------------------------
# fit: offline ranking from the dumps
# ---------------------------------------------------------------------------------------------

KS = (1, 5, 10)
TOP = 50  # results the benchmark asks for; MRR counts a first answer within them
#: the path prior's parameters (ranking/path.py) and the signal weights (config.py)
PRIOR_KEYS: tuple[str, ...] = (
    "match_weight",
    "test",
    "docs",
    "config",
    "build",
    "other",
    "aux",
    "src",
    "depth",
    "small",
    "vendored",
    "prior_power",
)
#: the fitted signal weights (bm25f's is the unit)
WEIGHT_KEYS = (
    "path", "mentions", "pagerank", "git_recency", "git_cochange", "git_messages", "graph",
)  # fmt: skip
#: fusion and path-prior candidates measured by ``fit --explore`` (held-out): none is in the
#: code but ``named_role_lift``, which the commit tasks cannot measure (scripts/role_tasks.py)
EXPLORE_KEYS: tuple[str, ...] = (
    "gate", "gate_floor", "dir_share", "text_power", "qtf",
    "s2_k", "s2_companion", "s2_dir", "s2_dir_form", "s2_kin", "s2_coupled", "seed",
    "s2_coupled_seed", "mentions_variant", "named_role_lift", "feedback", "phrases", "forms",
    "git_cochange_variant", "git_messages_variant", "path_words", "title_text", "title_gate",
)  # fmt: skip
#: keys whose grid values are not numbers
_STR_KEYS = (
    "bm25f_variant", "qtf", "s2_dir_form", "seed", "s2_coupled_seed", "mentions_variant",
    "feedback", "phrases", "forms", "git_cochange_variant", "git_messages_variant",
    "path_words", "title_text",
)  # fmt: skip
#: the structural signals ``gate`` scales by the file's text score
GATED = ("pagerank", "git_cochange")
#: a move must gain this much of the objective (about one case in a thousand): the fit keeps a
#: value rather than chase noise
MIN_GAIN = 0.001
ALL_KEYS = (*WEIGHT_KEYS, "bm25f_variant", *PRIOR_KEYS)
#: coarse grids searched by coordinate ascent (bm25f's weight is the unit)
GRID: dict[str, tuple[Any, ...]] = {
    "path": (0.5, 0.75, 1.0, 1.25, 1.5, 2.0, 2.5, 3.0),
    "mentions": (0.0, 0.25, 0.5, 0.75, 1.0, 1.5),
    "pagerank": (0.0, 0.1, 0.2, 0.3, 0.5, 0.75),
    "git_recency": (0.0, 0.05, 0.1, 0.2, 0.3),
    "git_cochange": (0.0, 0.1, 0.25, 0.4, 0.6),
    "git_messages": (0.0, 0.1, 0.2, 0.3, 0.5),
    "graph": (0.0, 0.05, 0.1, 0.2, 0.3),
    "bm25f_variant": tuple(BM25F_VARIANTS),
    # a task word repeated in the task counts every time (as shipped), once, or 1 + log2 times
    "qtf": ("all", *QTF_VARIANTS),
    # structural signals (pagerank, co-change) scaled by the file's text score t:
    # gate_floor + (1 - gate_floor) * t ** gate (gate 0: not scaled)
    "gate": (0.0, 0.5, 1.0, 2.0, 3.0, 4.0, 6.0),
    "gate_floor": (0.0, 0.1, 0.25, 0.5),
    # a query word naming a directory counts dir_share of one naming the file
    "dir_share": (1.0, 0.75, 0.5, 0.25, 0.0),
    # the text score raised to this power before it is weighted (sharper: its best match
    # stands further above the rest)
    "text_power": (0.75, 1.0, 1.5, 2.0, 3.0),
    # second stage (neighbourhood of the first stage's top files, the "anchors"): how many
    # anchors (the top s2_k files of the fused ranking) lend their score to their neighbours
    "s2_k": (1, 2, 3, 5),
    # companion files: the same file name up to its first dot or "+" (foo.c / foo.h,
    # Foo.swift / Foo+Ext.swift): bonus s2_companion x the anchor's fused score
    "s2_companion": (0.0, 0.1, 0.2, 0.3, 0.5),
    # directory cohesion: a file in an anchor's directory gets s2_dir x (form "text": its own
    # text score; "anchor": the anchor's fused score x its own text score)
    "s2_dir": (0.0, 0.05, 0.1, 0.2, 0.3, 0.5),
    "s2_dir_form": ("text", "anchor"),
    # name kinship: bonus s2_kin x the anchor's fused score x the Jaccard overlap of the two
    # file names' words (flag_generic.go / flag_bool.go: 1/3)
    "s2_kin": (0.0, 0.1, 0.2, 0.3, 0.5),
    # coupling below the anchors: a non-anchor gains s2_coupled x (co-change + graph score),
    # capped just below the last anchor (the first stage's top s2_k keep their order)
    "s2_coupled": (0.0, 0.05, 0.1, 0.2, 0.3, 0.5),
    # what seeds the stage-1 signals (co-change, graph): the best BM25F files, or the best
    # files of the fused stage-0 ranking ([pipeline] seed_signal; dumped as sig_<name>_fused)
    # ("fused5": co-change from the fused ranking's top 5 files, not 20)
    "seed": tuple(SEED_COLUMNS),
    # the coupling bonus below the anchors (s2_coupled) seeded otherwise than the fusion's
    # stage-1 signals ("": as ``seed``)
    "s2_coupled_seed": ("", *SEED_COLUMNS),
    # the mentions signal as shipped ("") or under another setting (MENTIONS_VARIANTS)
    "mentions_variant": ("", *MENTIONS_VARIANTS),
    # how far a role the task's title names ("add tests for ...") moves toward 1.0; the
    # commit tasks count only source files, so this can only cost here (docs/quality.md,
    # "Tasks that name a role", measures what it buys: scripts/role_tasks.py)
    "named_role_lift": (0.0, 1 / 3, 0.5),
    # pseudo-relevance feedback in BM25F ("": off; FEEDBACK_VARIANTS: its weight)
    "feedback": ("", *FEEDBACK_VARIANTS),
    # joined terms of adjacent task words in BM25F ("": off; PHRASE_VARIANTS: their weight)
    "phrases": ("", *PHRASE_VARIANTS),
    # other forms of the task's words in BM25F ("": off; FORM_VARIANTS: their weight)
    "forms": ("", *FORM_VARIANTS),
    # which task words the path prior's share of matched words is over: all of them
    # (shipped), the title's only, or the better of the two
    "path_words": ("task", "title", "max"),
    # the two title candidates apply only to tasks of at least this many distinct words
    # (0: every task): a bug report's body dilutes its title, a commit title is the task
    "title_gate": (0, 20, 30, 40, 60),
    # BM25F with the title's words counted again ("": no; TITLE_VARIANTS: how many times)
    "title_text": ("", *TITLE_VARIANTS),
    # atlas-git's history signals under other settings ("": shipped; HISTORY_VARIANTS)
    "git_cochange_variant": ("", *HISTORY_VARIANTS["git_cochange"]),
    "git_messages_variant": ("", *HISTORY_VARIANTS["git_messages"]),
    "match_weight": (1.0, 2.0, 3.0, 4.0, 6.0),
    "test": (0.1, 0.15, 0.2, 0.3, 0.45, 0.6),
    "docs": (0.05, 0.1, 0.15, 0.2, 0.3, 0.45),
    "config": (0.1, 0.2, 0.3, 0.4, 0.6),
    "build": (0.1, 0.2, 0.35, 0.5, 0.7),
    "other": (0.1, 0.2, 0.3, 0.45, 0.6),
    "aux": (0.2, 0.3, 0.4, 0.6, 0.8, 1.0),
    "src": (1.0, 1.1, 1.25),
    "depth": (0.0, 0.025, 0.05, 0.1),
    "small": (0.4, 0.6, 0.8, 1.0),
    "vendored": (0.05, 0.1, 0.3, 0.6, 1.0),
    # the prior (the path signal's, without its words) scales every other signal's scores
    # by (prior / best prior) ** prior_power before they are fused (0: not at all)
    "prior_power": (0.0, 0.1, 0.25, 0.5, 1.0),
}


def shipped_params() -> dict[str, Any]:
    """The defaults as they are in the code now (balanced preset, path prior)."""
    from atlas_core.config import BUILTIN_PRESETS, DEFAULT_PRESET
    from atlas_core.rank import path as path_mod

    weights = BUILTIN_PRESETS[DEFAULT_PRESET].signals
    params: dict[str, Any] = {k: float(weights.get(k, 0.0)) for k in WEIGHT_KEYS}
    params["bm25f_variant"] = "f531"
    params["match_weight"] = path_mod.PathHeuristic.Config().match_weight
    params["named_role_lift"] = path_mod.PathHeuristic.Config().named_role_lift
    for role in ("test", "docs", "config", "build", "other"):
        params[role] = path_mod.ROLE_PRIOR[role]
    params.update(_prior_constants(path_mod))
    params.update(_fusion_constants(path_mod))
    params["seed"] = _shipped_seed()
    params["prior_power"] = _shipped_prior_power()
    params["s2_coupled_seed"] = ""
    params.update(_title_constants())
    return params


def _title_constants() -> dict[str, Any]:
    """The long-task title settings the code ships (``rank/task.py``, path and BM25F)."""
    from atlas_core.rank import bm25f, task
    from atlas_core.rank import path as path_mod

    title = path_mod.PathHeuristic.Config().long_task_title
    weight = bm25f.BM25F.Config().title_weight
    keys = {times: key for key, times in TITLE_VARIANTS.items()}
    if weight and weight not in keys:
        raise ValueError(f"title_weight {weight} is not among the dumped TITLE_VARIANTS")
    return {
        "path_words": "title" if title else "task",
        "title_text": keys.get(weight, ""),
        "title_gate": task.LONG_TASK_WORDS if (title or weight) else 0,
    }


def _shipped_seed() -> str:
    """What seeds co-change and graph by default: "fused" or "bm25f" (the text signal)."""
    from atlas_core.components import FUSED_SEEDS
    from atlas_core.config import PipelineSettings

    return "fused" if PipelineSettings().seed_signal == FUSED_SEEDS else "bm25f"


def _shipped_prior_power() -> float:
    """How much the prior scales the other signals' evidence (``[pipeline] prior_power``)."""
    from atlas_core.config import PipelineSettings

    return float(PipelineSettings().prior_power)


def _fusion_constants(path_mod: Any) -> dict[str, Any]:
    """The candidates of ``fit --explore`` at the values that leave the ranking as shipped
    (none is in the code: none won held-out; docs/quality.md)."""
    return {
        "gate": 0.0, "gate_floor": 0.0, "dir_share": 1.0, "text_power": 1.0, "qtf": "all",
        "s2_k": 3, "s2_companion": 0.0, "s2_dir": 0.0, "s2_dir_form": "text", "s2_kin": 0.0,
        "s2_coupled": 0.0, "mentions_variant": "", "feedback": "", "phrases": "",
        "forms": "", "git_cochange_variant": "", "git_messages_variant": "",
    }  # fmt: skip


def _prior_constants(path_mod: Any) -> dict[str, float]:
    return {
        "aux": float(getattr(path_mod, "AUX_FACTOR", 0.6)),
        "src": float(getattr(path_mod, "SOURCE_FACTOR", 1.1)),
        "depth": float(getattr(path_mod, "DEPTH_PENALTY", 0.05)),
        "small": float(getattr(path_mod, "SMALL_FACTOR", 0.6)),
        "vendored": _vendored_factor(),
    }


def _vendored_factor() -> float:
    """atlas-git's factor on the prior of a library copied into the source tree."""
    from atlas_git.contributor import GitHistory

    return float(GitHistory.Config().vendored_factor)


class Data:
    """Every dumped case in flat arrays: files of all cases end to end, with offsets."""

    def __init__(self, dumps: list[Path]) -> None:
        cols: dict[str, list[np.ndarray]] = {}
        self.meta: list[dict[str, Any]] = []
        self._paths: list[np.ndarray] = []
        self.sets: list[str] = []
        gold_file, gold_case, n_gold, starts = [], [], [], []
        offset = 0
        for path in dumps:
            z = np.load(path)
            meta = json.loads(str(z["meta"]))
            paths = z["paths"]
            self._paths.append(paths)
            n = len(paths)
            for key in z.files:
                if key in ("meta", "paths", "lang"):
                    continue
                cols.setdefault(key, []).append(z[key])
            if "vendored" not in z.files:  # dumps made before the feature: none scaled
                cols.setdefault("vendored", []).append(np.zeros(n, bool))
            for name in SIGNALS:  # dumps made before a signal: it scores nothing
                if f"sig_{name}" not in z.files:
                    cols.setdefault(f"sig_{name}", []).append(np.zeros(n, np.float32))
            for key in ("frac_title", "frac_name_title"):  # dumps without: the whole task's
                if key not in z.files:
                    cols.setdefault(key, []).append(z[key.replace("_title", "")])
            for key in [*FEEDBACK_VARIANTS, *PHRASE_VARIANTS, *FORM_VARIANTS, *TITLE_VARIANTS]:
                if f"bm25f_{key}" not in z.files:
                    cols.setdefault(f"bm25f_{key}", []).append(z["bm25f_f531"])
            for name, variants in HISTORY_VARIANTS.items():  # dumps without: the shipped one
                for key in variants:
                    if f"sig_{name}_{key}" not in z.files:
                        cols.setdefault(f"sig_{name}_{key}", []).append(z[f"sig_{name}"])
            for key in MENTIONS_VARIANTS:  # dumps without them: the dumped mentions signal
                if f"ment_{key}" not in z.files:
                    cols.setdefault(f"ment_{key}", []).append(z["sig_mentions"])
            for name, suffix in {(n, x) for c in SEED_COLUMNS.values() for n, x in c.items()}:
                if f"sig_{name}{suffix}" not in z.files:  # dumps without it: seeded by bm25f
                    got = z[f"sig_{name}"] if f"sig_{name}" in z.files else np.zeros(n, np.float32)
                    cols.setdefault(f"sig_{name}{suffix}", []).append(got)
            index = {str(p): i for i, p in enumerate(paths)}
            gold_here = [index[g] for g in meta["gold"] if g in index]
            meta["gold_lang"] = [meta["langs"][int(z["lang"][i])] for i in gold_here]
            meta["n_files"] = n
            c = len(self.meta)
            gold_file += [offset + i for i in gold_here]
            gold_case += [c] * len(gold_here)
            n_gold.append(len(meta["gold"]))
            starts.append(offset)
            self.meta.append(meta)
            self.sets.append(meta.get("set") or path.parent.name)
            offset += n
        self.cols = {k: np.concatenate(v) for k, v in cols.items()}
        self.n_cases = len(self.meta)
        #: distinct words of each case's task (dumps without it: none, so no gate applies)
        self.task_terms = np.array([m.get("task_terms", 0) for m in self.meta], np.int64)
        self.starts = np.array([*starts, offset], np.int64)
        self.case_of_file = np.repeat(np.arange(self.n_cases), np.diff(self.starts))
        self.gold_file = np.array(gold_file, np.int64)
        self.gold_case = np.array(gold_case, np.int64)
        self.n_gold = np.array(n_gold, np.int64)
        self.repos = [m["repo"] for m in self.meta]
        # every (gold, file of the same case) pair, for exact ranks with Atlas's tie-break
        # (equal scores: the lower index first)
        pair_gold, pair_file = [], []
        for g, (_f, c) in enumerate(zip(self.gold_file, self.gold_case, strict=True)):
            lo, hi = self.starts[c], self.starts[c + 1]
            pair_file.append(np.arange(lo, hi))
            pair_gold.append(np.full(hi - lo, g))
        self.pair_file = np.concatenate(pair_file) if pair_file else np.zeros(0, np.int64)
        self.pair_gold = np.concatenate(pair_gold) if pair_gold else np.zeros(0, np.int64)
        self.pair_lower = self.pair_file < self.gold_file[self.pair_gold]
        self.pair_starts = np.r_[
            0, np.cumsum([self.starts[c + 1] - self.starts[c] for c in self.gold_case])
        ][:-1]
        role = self.cols["role"]
        self.role = role
        # per file: its role is one the case's task names in its title
        named = np.zeros((self.n_cases, len(ROLES)), bool)
        for c, m in enumerate(self.meta):
            for name in m.get("named_roles", ()):
                named[c, ROLES.index(name)] = True
        self.named_role = named[self.case_of_file, role]
        self.feat_small = self.cols["size"] < 200
        self.feat_depth = np.maximum(self.cols["depth"].astype(np.float64) - 2, 0)
        self.case_max_idx = self.starts[:-1]
        self._path_cache: dict[tuple[Any, ...], np.ndarray] = {}

    def paths(self, case: int) -> list[str]:
        return [str(p) for p in self._paths[case]]

    def long_task(self, p: dict[str, Any]) -> np.ndarray:
        """Per file: its case's task has at least ``p["title_gate"]`` distinct words."""
        return (self.task_terms >= p.get("title_gate", 0))[self.case_of_file]

    def path_scores(self, p: dict[str, Any]) -> np.ndarray:
        """The path signal under prior parameters ``p``, normalised per case."""
        keys = (*PRIOR_KEYS, "dir_share", "named_role_lift", "path_words", "title_gate")
        key = tuple(p.get(k) for k in keys)
        got = self._path_cache.get(key)
        if got is not None:
            return got
        table = np.array(
            [1.0, p["test"], p["config"], p["docs"], p["build"], 0.1, 0.05, p["other"]]
        )
        value = table[self.role]
        lift = p.get("named_role_lift", 0.0)
        if lift:  # a role the task's title names: moved ``lift`` of the way to 1.0
            value = np.where(self.named_role, value + lift * (1.0 - value), value)
        value = value * np.where(self.cols["vendored"], p["vendored"], 1.0)
        value = value * np.where(
            self.cols["aux"], p["aux"], np.where(self.cols["src"], p["src"], 1.0)
        )
        value = value / (1.0 + p["depth"] * self.feat_depth)
        value = value * np.where(self.feat_small, p["small"], 1.0)
        value = np.where(self.cols["ok"], value, 0.05)
        words = p.get("path_words", "task")
        frac = self.cols["frac"].astype(np.float64)
        name = self.cols["frac_name"].astype(np.float64)
        if words != "task":  # a long task's title: alone, or the better of it and the task
            title, title_name = self.cols["frac_title"], self.cols["frac_name_title"]
            if words == "max":
                title, title_name = np.maximum(frac, title), np.maximum(name, title_name)
            long_task = self.long_task(p)
            frac = np.where(long_task, title, frac)
            name = np.where(long_task, title_name, name)
        share = p.get("dir_share", 1.0)
        if share != 1.0:
            frac = name + share * (frac - name)
        raw = value * (1.0 + p["match_weight"] * frac)
        top = np.maximum.reduceat(raw, self.starts[:-1])
        top = np.where(top > 0, top, 1.0)
        out = raw / top[self.case_of_file]
        if len(self._path_cache) > 64:
            self._path_cache.clear()
        self._path_cache[key] = out
        return out

    def fused(
        self, p: dict[str, Any], drop: str = "", fuser: str = "weighted", rrf_k: float = 60.0
    ) -> np.ndarray:
        qtf = p.get("qtf", "all")
        variant = p["bm25f_variant"] if qtf == "all" else qtf
        for candidate in ("forms", "phrases", "feedback"):  # the first one set wins
            variant = p.get(candidate) or variant
        text = self.cols[f"bm25f_{variant}"].astype(np.float64)
        if p.get("title_text"):  # a long task's title counted again (the default fields)
            titled = self.cols[f"bm25f_{p['title_text']}"].astype(np.float64)
            text = np.where(self.long_task(p), titled, text)
        power = p.get("text_power", 1.0)
        signals = {"bm25f": text**power if power != 1.0 else text, "path": self.path_scores(p)}
        for key in WEIGHT_KEYS[1:]:
            signals[key] = self.stage1(p, key).astype(np.float64)
        if p.get("mentions_variant"):
            signals["mentions"] = self.cols[f"ment_{p['mentions_variant']}"].astype(np.float64)
        power = p.get("prior_power", 0.0) if drop != "path" else 0.0  # no path, no prior
        if power:  # as the engine does: the evidence of every signal but the path's
            # the prior without its words and its small-file factor (``ctx.file_prior``:
            # divided by it for every file under 200 bytes, read or not)
            trust = self.path_scores({**p, "match_weight": 0.0}) / np.where(
                self.feat_small, p["small"], 1.0
            )
            top = np.maximum.reduceat(trust, self.starts[:-1])
            scale = (trust / np.where(top > 0, top, 1.0)[self.case_of_file]) ** power
            signals = {k: v if k == "path" else v * scale for k, v in signals.items()}
        weights = {"bm25f": 1.0, **{k: p[k] for k in WEIGHT_KEYS}}
        if fuser == "rrf":
            return self._rrf(signals, weights, drop, rrf_k)
        gate, floor = p.get("gate", 0.0), p.get("gate_floor", 0.0)
        scale = floor + (1.0 - floor) * text**gate if gate else None
        out = np.zeros(len(self.role))
        for name, values in signals.items():
            if name != drop and weights[name]:
                if scale is not None and name in GATED:
                    values = values * scale
                out += weights[name] * values
        if any(p.get(k, 0.0) for k in ("s2_companion", "s2_dir", "s2_kin", "s2_coupled")):
            out = self.second_stage(out, signals["bm25f"], p)
        return out

    def stage1(self, p: dict[str, Any], name: str) -> np.ndarray:
        """Signal ``name``'s column, seeded as ``p["seed"]`` says when it is a stage-1 one, or
        under the settings ``p["<name>_variant"]`` names."""
        variant = p.get(f"{name}_variant", "") if name in HISTORY_VARIANTS else ""
        if variant:
            return self.cols[f"sig_{name}_{variant}"]
        return self.cols[f"sig_{name}{SEED_COLUMNS[p.get('seed', 'bm25f')].get(name, '')}"]

    def _neighbours(self) -> dict[str, np.ndarray]:
        """Per file: ids of its directory and its companion stem (unique across cases), and its
        file name's words as a flat (case, word) key array with an owner per word."""
        if hasattr(self, "_nb"):
            return self._nb
        dirs: dict[tuple[int, str], int] = {}
        stems: dict[tuple[int, str], int] = {}
        words: dict[str, int] = {}
        dir_id, stem_id, n_words, word_key, word_file = [], [], [], [], []
        for c in range(self.n_cases):
            base = int(self.starts[c])
            for i, rel in enumerate(self.paths(c)):
                directory, _, name = rel.rpartition("/")
                dir_id.append(dirs.setdefault((c, directory), len(dirs)))
                stem = re.split(r"[.+]", name, maxsplit=1)[0].lower()
                stem_id.append(stems.setdefault((c, stem), len(stems)))
                toks = set(_name_words(name))
                n_words.append(len(toks))
                for tok in toks:
                    word_key.append(c * 1_000_000 + words.setdefault(tok, len(words)))
                    word_file.append(base + i)
        self._nb = {
            "dir": np.array(dir_id, np.int64),
            "stem": np.array(stem_id, np.int64),
            "n_words": np.array(n_words, np.float64),
            "word_key": np.array(word_key, np.int64),
            "word_file": np.array(word_file, np.int64),
        }
        return self._nb

    def second_stage(self, first: np.ndarray, text: np.ndarray, p: dict[str, Any]) -> np.ndarray:
        """Neighbourhood bonuses from the first stage's top ``s2_k`` files (the anchors), to
        implementation files that are not anchors: companions (same stem), files in an
        anchor's directory, files whose names share words with an anchor's."""
        nb = self._neighbours()
        k = int(p.get("s2_k", 3))
        order = np.lexsort((-first, self.case_of_file))  # per case, best first, ties by index
        sizes = np.diff(self.starts)
        anchors = []
        for j in range(k):
            pos = np.minimum(self.starts[:-1] + j, self.starts[1:] - 1)
            a = order[pos]
            anchors.append(np.where(j < sizes, a, -1))
        is_anchor = np.zeros(len(first), bool)
        for a in anchors:
            is_anchor[a[a >= 0]] = True
        target = (self.role == 0) & ~is_anchor
        out = first.copy()
        w_comp, w_dir = p.get("s2_companion", 0.0), p.get("s2_dir", 0.0)
        w_kin = p.get("s2_kin", 0.0)
        form = p.get("s2_dir_form", "text")
        for a in anchors:
            af = a[self.case_of_file]  # each file's anchor of this depth
            valid = af >= 0
            af = np.where(valid, af, 0)
            s_anchor = np.where(valid, first[af], 0.0)
            bonus = np.zeros(len(first))
            if w_comp:
                same = valid & (nb["stem"] == nb["stem"][af])
                bonus = np.maximum(bonus, np.where(same, w_comp * s_anchor, 0.0))
            if w_dir:
                same = valid & (nb["dir"] == nb["dir"][af])
                value = w_dir * text * (s_anchor if form == "anchor" else 1.0)
                bonus = np.maximum(bonus, np.where(same, value, 0.0))
            if w_kin:
                # the anchors' (case, word) keys; a file's overlap counts its words among them
                keys_a = nb["word_key"][np.isin(nb["word_file"], a[a >= 0])]
                hit = np.isin(nb["word_key"], keys_a)
                overlap = np.bincount(nb["word_file"][hit], minlength=len(first)).astype(float)
                union = nb["n_words"] + nb["n_words"][af] - overlap
                jac = np.where(valid & (union > 0), overlap / np.maximum(union, 1.0), 0.0)
                bonus = np.maximum(bonus, w_kin * s_anchor * jac)
            # a neighbour may climb to just below the anchor that lends it, never past it: the
            # second stage orders what follows the first stage's top files
            lifted = np.minimum(first + bonus, np.nextafter(s_anchor, -np.inf))
            out = np.where(target & (bonus > 0), np.maximum(out, lifted), out)
        w_coupled = p.get("s2_coupled", 0.0)
        if w_coupled:
            last = anchors[-1][self.case_of_file]
            cap = np.where(last >= 0, np.nextafter(first[np.maximum(last, 0)], -np.inf), np.inf)
            q = dict(p, seed=p.get("s2_coupled_seed") or p.get("seed", "bm25f"))
            coupled = self.stage1(q, "git_cochange") + self.stage1(q, "graph")
            lifted = np.minimum(first + w_coupled * coupled, cap)
            out = np.where(target, np.maximum(out, lifted), out)
        return out

    def _rrf(
        self, signals: dict[str, np.ndarray], weights: dict[str, float], drop: str, k: float
    ) -> np.ndarray:
        out = np.zeros(len(self.role))
        key = self.case_of_file
        for name, values in signals.items():
            if name == drop or not weights[name]:
                continue
            order = np.lexsort((-values, key))
            rank = np.empty(len(values))
            pos = np.arange(len(values)) - self.starts[key[order]]
            rank[order] = pos + 1
            out += np.where(values > 0, weights[name] / (k + rank), 0.0)
        return out

    def gold_ranks(self, scores: np.ndarray) -> np.ndarray:
        """1-based rank of every gold file in its case (Atlas's order)."""
        if not len(self.gold_file):
            return np.zeros(0)
        s = scores[self.gold_file][self.pair_gold]
        f = scores[self.pair_file]
        ahead = (f > s) | ((f == s) & self.pair_lower)
        return np.add.reduceat(ahead, self.pair_starts) + 1

    def metrics(self, scores: np.ndarray) -> dict[str, np.ndarray]:
        """Per-case Acc@k, All@k, reciprocal rank (within the top 50)."""
        return self.metrics_from_ranks(self.gold_ranks(scores))

    def metrics_from_ranks(self, ranks: np.ndarray) -> dict[str, np.ndarray]:
        n = self.n_cases
        first = np.full(n, np.inf)
        np.minimum.at(first, self.gold_case, ranks)
        out: dict[str, np.ndarray] = {}
        for k in KS:
            out[f"acc@{k}"] = (first <= k).astype(float)
            hits = np.bincount(self.gold_case, weights=(ranks <= k), minlength=n)
            out[f"all@{k}"] = ((hits >= np.minimum(k, self.n_gold)) & (self.n_gold > 0)).astype(
                float
            )
        out["mrr"] = np.where(first <= TOP, 1.0 / first, 0.0)
        return out

    def baseline_metrics(self, name: str) -> dict[str, np.ndarray]:
        """A baseline's per-case metrics, from the ranking it printed."""
        per_case = [_score_list(m["baselines"][name][:TOP], m["gold"]) for m in self.meta]
        return {k: np.array([m[k] for m in per_case]) for k in per_case[0]}


def _name_words(name: str) -> list[str]:
    """A file name's words, without its last extension: ``JsonTextWriter.Async.cs`` gives
    json, text, writer, async."""
    stem = name.rsplit(".", 1)[0] if "." in name.lstrip(".") else name
    parts = re.findall(r"[A-Z]+(?=[A-Z][a-z])|[A-Z]?[a-z]+|[A-Z]+|[0-9]+", stem)
    return [w.lower() for w in parts]


def _score_list(ranked: list[str], gold: list[str]) -> dict[str, float]:
    gold_set = set(gold)
    hits = [i + 1 for i, p in enumerate(ranked) if p in gold_set]
    out: dict[str, float] = {}
    for k in KS:
        h = sum(1 for r in hits if r <= k)
        out[f"acc@{k}"] = float(h > 0)
        out[f"all@{k}"] = float(h >= min(k, len(gold_set)))
    out["mrr"] = 1.0 / hits[0] if hits else 0.0
    return out


def objective(m: dict[str, np.ndarray], mask: np.ndarray) -> float:
    """What the fit maximises over the cases in ``mask``: the mean of Acc@1, Acc@5, Acc@10,
    All@5 and MRR (each case counts once)."""
    keys = ("acc@1", "acc@5", "acc@10", "all@5", "mrr")
    return float(np.mean([m[k][mask].mean() for k in keys]))


def fit(
    data: Data,
    mask: np.ndarray,
    start: dict[str, Any],
    keys: tuple[str, ...],
    rounds: int = 3,
    cache: dict[tuple[Any, ...], dict[str, np.ndarray]] | None = None,
    min_gain: float = MIN_GAIN,
    exhaustive: bool = False,
) -> dict[str, Any]:
    """Coordinate ascent over the grids of ``keys`` on the cases in ``mask`` (``exhaustive``:
    every combination of their grids, the best kept if it gains ``min_gain`` on the start:
    for candidates that only work together)."""
    cache = {} if cache is None else cache

    def evaluate(p: dict[str, Any]) -> dict[str, np.ndarray]:
        key = _key(p)
        got = cache.get(key)
        if got is None:
            got = cache[key] = data.metrics(data.fused(p))
        return got

    best = dict(start)
    best_score = objective(evaluate(best), mask)
    if exhaustive:
        floor = best_score + min_gain
        for values in itertools.product(*(GRID[k] for k in keys)):
            trial = dict(start, **dict(zip(keys, values, strict=True)))
            score = objective(evaluate(trial), mask)
            if score >= floor and score > best_score:
                best, best_score = trial, score
        return best
    for _ in range(rounds):
        improved = False
        for key in keys:
            for value in GRID[key]:
                if value == best[key]:
                    continue
                if (
                    key in ("qtf", "feedback")
                    and value not in ("all", "")
                    and (f"bm25f_{value}" not in data.cols)
                ):
                    continue  # dumps made before the variant
                trial = dict(best, **{key: value})
                score = objective(evaluate(trial), mask)
                if score > best_score + min_gain:
                    best, best_score, improved = trial, score, True
        if not improved:
            break
    return best


#: fitting procedures compared by their held-out figures: which parameters the fit may move
PROCEDURES: dict[str, tuple[str, ...]] = {
    "keep the start (no fitting)": (),
    "signal weights": WEIGHT_KEYS,
    "signal weights and BM25F variant": (*WEIGHT_KEYS, "bm25f_variant"),
    "vendored directories (one factor)": ("vendored",),
    "the prior scales the evidence (one factor)": ("prior_power",),
    "everything (weights, BM25F, path prior)": ALL_KEYS,
}
#: candidates ``fit --explore`` adds (each beside "everything")
EXPLORE_PROCEDURES: dict[str, tuple[str, ...]] = {
    "everything + structural signals scaled by text score": (*ALL_KEYS, "gate", "gate_floor"),
    "everything + directory words at a share": (*ALL_KEYS, "dir_share"),
    "everything + repeated task words saturated": (*ALL_KEYS, "qtf"),
    "everything + a power of the text score": (*ALL_KEYS, "text_power"),
    "the mentions signal's setting": ("mentions_variant",),
    "other forms of the task's words": ("forms",),
    "everything + other forms of the task's words": (*ALL_KEYS, "forms"),
    "the history signals' settings": ("git_cochange_variant", "git_messages_variant"),
    "the title's words in the path prior and the text": ("path_words", "title_text", "title_gate"),
    "everything + the history signals' settings": (
        *ALL_KEYS,
        "git_cochange_variant",
        "git_messages_variant",
    ),
    "everything + every candidate": (*ALL_KEYS, *EXPLORE_KEYS),
}
STAGE2_KEYS = ("s2_k", "s2_companion", "s2_dir", "s2_dir_form", "s2_kin", "s2_coupled")
#: the second-stage (neighbourhood) candidates, each also fitted alone from the shipped start
STAGE2_PROCEDURES: dict[str, tuple[str, ...]] = {
    "stage 2: companion files": ("s2_k", "s2_companion"),
    "stage 2: directory cohesion": ("s2_k", "s2_dir", "s2_dir_form"),
    "stage 2: name kinship": ("s2_k", "s2_kin"),
    "stage 2: coupling below the anchors": ("s2_k", "s2_coupled"),
    "stage 2: coupling below the anchors, from the fused seeds": (
        "s2_k",
        "s2_coupled",
        "s2_coupled_seed",
    ),
    "stage 2: all four": STAGE2_KEYS,
    "everything + stage 2": (*ALL_KEYS, *STAGE2_KEYS),
}


#: co-change and graph seeded from the fused first stage (``fit --seed-only``), each beside
#: "everything"; a procedure in SEED_STARTS starts (and stays) at the value given
SEED_PROCEDURES: dict[str, tuple[str, ...]] = {
    "no fitting, stage 1 seeded from the fused ranking": (),
    "signal weights, stage 1 seeded from the fused ranking": WEIGHT_KEYS,
    "everything, stage 1 seeded from the fused ranking": ALL_KEYS,
    "everything, co-change from the fused ranking's top 5": ALL_KEYS,
    "everything + the seed chosen in the folds": (*ALL_KEYS, "seed"),
}
SEED_STARTS: dict[str, dict[str, Any]] = {
    "no fitting, stage 1 seeded from the fused ranking": {"seed": "fused"},
    "signal weights, stage 1 seeded from the fused ranking": {"seed": "fused"},
    "everything, stage 1 seeded from the fused ranking": {"seed": "fused"},
    "everything, co-change from the fused ranking's top 5": {"seed": "fused5"},
}


def cross_validate(
    data: Data,
    fit_mask: np.ndarray,
    repos: list[str],
    start: dict[str, Any],
    keys: tuple[str, ...],
    cache: dict[tuple[Any, ...], dict[str, np.ndarray]],
    min_gain: float,
    exhaustive: bool = False,
) -> tuple[dict[str, Any], dict[str, np.ndarray], dict[str, dict[str, Any]]]:
    """Fit on every fold (the defaults), and once per repository without it (held out)."""
    repo_arr = np.array(data.repos)
    chosen = fit(data, fit_mask, start, keys, cache=cache, min_gain=min_gain, exhaustive=exhaustive)
    held: dict[str, np.ndarray] = {}
    fold_params: dict[str, dict[str, Any]] = {}
    for repo in repos:
        test = repo_arr == repo
        p = fit(
            data, fit_mask & ~test, start, keys,
            cache=cache, min_gain=min_gain, exhaustive=exhaustive,
        )  # fmt: skip
        fold_params[repo] = p
        m = cache.get(_key(p)) or data.metrics(data.fused(p))
        for k, v in m.items():
            held.setdefault(k, np.zeros(data.n_cases))[test] = v[test]
    return chosen, held, fold_params


def language_groups(data: Data) -> dict[str, str]:
    """Each repository's language: the commonest language of its answer files."""
    counts: dict[str, Counter[str]] = {}
    for meta in data.meta:
        counts.setdefault(meta["repo"], Counter()).update(meta["gold_lang"])
    return {repo: (c.most_common(1)[0][0] if c else "?") for repo, c in counts.items()}


def _row(name: str, m: dict[str, np.ndarray], mask: np.ndarray) -> str:
    keys = ("acc@1", "acc@5", "acc@10", "all@5", "all@10", "mrr")
    return (
        f"| {name} | {int(mask.sum())} | "
        + " | ".join(f"{m[k][mask].mean():.3f}" for k in keys)
        + " |"
    )


HEADER = (
    "| system | n | Acc@1 | Acc@5 | Acc@10 | All@5 | All@10 | MRR |\n"
    "|---|---:|---:|---:|---:|---:|---:|---:|"
)


def budget_metrics(data: Data, scores: np.ndarray, preset: Any) -> dict[str, np.ndarray]:
    """Metrics of what the preset's budget keeps (atlas_core.select.budget: files by descending
    score, one that does not fit what is left is skipped, at most ``top``, none below
    ``min_score`` of the best)."""
    from atlas_core.select.budget import select_within_budget

    per_case = []
    tokens = data.cols["tokens"]
    sizes = data.cols["size"]
    for c, meta in enumerate(data.meta):
        lo, hi = data.starts[c], data.starts[c + 1]
        s = scores[lo:hi]
        top = float(s.max()) if hi > lo else 0.0
        norm = s / top if top > 0 else np.zeros_like(s)
        order = np.lexsort((np.arange(hi - lo), -norm))
        chosen = select_within_budget(
            order, norm, list(tokens[lo:hi]), list(sizes[lo:hi]),
            max_tokens=preset.max_tokens, max_bytes=preset.max_bytes,
            min_score=preset.min_score, top=preset.top,
        )  # fmt: skip
        paths = data.paths(c)
        per_case.append(_score_list([paths[i] for i in chosen][:TOP], meta["gold"]))
    return {k: np.array([m[k] for m in per_case]) for k in per_case[0]}


def cmd_fit(args: argparse.Namespace) -> int:
    bench = Path(args.bench).resolve()
    root = bench / ".cache" / "dumps"
    dumps = [p for s in args.sets for p in sorted((root / s).glob("*.npz"))]
    dumps = [p for p in dumps if not p.name.endswith((".tmp.npz", ".patch.npz"))]
    if args.case_list:
        listed = json.loads(Path(args.case_list).read_text())
        wanted = set(listed["cases"] if isinstance(listed, dict) else listed)
        dumps = [p for p in dumps if p.stem in wanted]
    t0 = time.perf_counter()
    data = Data(dumps)
    n_files = len(data.role)
    print(f"loaded {data.n_cases} cases, {n_files} files in {time.perf_counter() - t0:.0f}s",
          file=sys.stderr)  # fmt: skip
    keys = tuple(args.keys.split(",")) if args.keys else ALL_KEYS
    shipped = shipped_params()
    start = dict(shipped)
    for item in args.start or []:  # e.g. vendored=1.0: fit from a value other than the code's
        key, _, value = item.partition("=")
        start[key] = value if key in _STR_KEYS else int(value) if key == "s2_k" else float(value)
    # sympy: every Nth bug report takes part in the folds (as one repository, like the
    # others); the rest is never fitted on and scores the shipped defaults
    in_folds = set(_sympy_ids(bench)[:: args.sympy_every])
    fit_mask = np.array(
        [s != "sympy" or m["id"] in in_folds for s, m in zip(data.sets, data.meta, strict=True)]
    )
    repo_arr = np.array(data.repos)
    repos = sorted(set(repo_arr[fit_mask]), key=data.repos.index)
    lines: list[str] = []
    out = lines.append

    cache: dict[tuple[Any, ...], dict[str, np.ndarray]] = {}
    procedures = {"given": keys} if args.keys else dict(PROCEDURES)
    if args.seed_only:
        args.explore = True
    if args.explore and not args.keys:
        procedures = {
            "keep the start (no fitting)": (),
            "everything (weights, BM25F, path prior)": ALL_KEYS,
            **EXPLORE_PROCEDURES,
            **STAGE2_PROCEDURES,
        }
        if args.stage2_only:
            procedures = {"keep the start (no fitting)": (), **STAGE2_PROCEDURES}
        elif args.seed_only:
            procedures = {
                "keep the start (no fitting)": (),
                "signal weights": WEIGHT_KEYS,
                "everything (weights, BM25F, path prior)": ALL_KEYS,
                **SEED_PROCEDURES,
            }
        else:
            procedures.update(SEED_PROCEDURES)
    results = {}
    for name, proc_keys in procedures.items():
        t0 = time.perf_counter()
        here = dict(start, **SEED_STARTS.get(name, {})) if args.explore else start
        results[name] = cross_validate(
            data, fit_mask, repos, here, proc_keys, cache, args.min_gain, args.exhaustive
        )
        held_obj = objective(results[name][1], fit_mask)
        print(f"procedure {name}: held-out objective {held_obj:.4f} "
              f"({time.perf_counter() - t0:.0f}s)", file=sys.stderr)  # fmt: skip
    # the procedure whose held-out figures are best gives the defaults (fitted on every fold);
    # one fitting more parameters must beat a simpler one by the fit's own ``min_gain``, as a
    # single parameter's move must: a held-out tie goes to the simpler procedure
    best = _simplest_best(
        {n: (objective(r[1], fit_mask), len(procedures[n])) for n, r in results.items()},
        args.min_gain,
    )
    chosen, held, fold_params = results[best]
    keys = procedures[best]
    insample = data.metrics(data.fused(chosen))
    if args.explore:
        _explore_report(data, fit_mask, results)
    if args.quick:
        for name, m in (("held-out", held), ("in-sample", insample)):
            print(f"{name}: objective {objective(m, fit_mask):.4f} "
                  + " ".join(f"{k} {v[fit_mask].mean():.3f}" for k, v in m.items()))  # fmt: skip
        return 0
    before = data.metrics(data.fused(start))
    bm25 = data.baseline_metrics("bm25")
    bm25c = data.baseline_metrics("bm25_code")
    systems = [
        ("plain BM25 (whole files)", bm25),
        ("BM25 over code files only", bm25c),
        ("Atlas, defaults before this fit", before),
        ("**Atlas, held-out** (fitted without the repository)", held),
        ("Atlas, in-sample (fitted on every repository)", insample),
    ]
    sets = np.array(data.sets)
    groups = {"every repository (the folds)": fit_mask}
    groups["shared (8 repositories)"] = fit_mask & (sets == "shared")
    groups["wide (22 repositories)"] = fit_mask & (sets == "wide")
    groups[f"sympy bug reports, every {args.sympy_every}th (one fold)"] = fit_mask & (
        sets == "sympy"
    )
    groups["sympy bug reports never fitted on (shipped defaults = in-sample row)"] = ~fit_mask & (
        sets == "sympy"
    )
    if (sets == "swe").any():
        groups["SWE-bench bug reports, 8 more repositories (8 folds)"] = fit_mask & (sets == "swe")
    out("## Which parameters to fit (leave-one-repository-out, the same folds)\n")
    out("| procedure | parameters | held-out objective | in-sample objective | held-out Acc@5 | "
        "held-out All@5 | held-out MRR |")  # fmt: skip
    out("|---|---:|---:|---:|---:|---:|---:|")
    for name, (c_params, c_held, _) in results.items():
        c_in = cache.get(_key(c_params)) or data.metrics(data.fused(c_params))
        mark = " (chosen)" if name == best else ""
        out(f"| {name}{mark} | {len(procedures[name])} | {objective(c_held, fit_mask):.4f} | "
            f"{objective(c_in, fit_mask):.4f} | {c_held['acc@5'][fit_mask].mean():.3f} | "
            f"{c_held['all@5'][fit_mask].mean():.3f} | "
            f"{c_held['mrr'][fit_mask].mean():.3f} |")  # fmt: skip
    out("")
    out(f"Cases: {int(fit_mask.sum())} in {len(repos)} repository folds "
        f"(+{int((~fit_mask).sum())} sympy reports outside the folds); ranking with an "
        "unlimited budget; parameters the chosen procedure fits: "
        + (", ".join(keys) or "none (the starting values are kept)") + ".\n")  # fmt: skip
    for gname, gmask in groups.items():
        if not gmask.any():
            continue
        out(f"\n{gname}:\n\n{HEADER}")
        for name, m in systems:
            out(_row(name, m, gmask))
    # the default preset's budget, with the held-out parameters of each fold
    import attrs

    from atlas_core.config import BUILTIN_PRESETS, DEFAULT_PRESET

    preset = BUILTIN_PRESETS[DEFAULT_PRESET]
    held_scores = np.zeros(n_files)
    for repo in repos:
        files = np.isin(data.case_of_file, np.flatnonzero(repo_arr == repo))
        held_scores[files] = data.fused(fold_params[repo])[files]
    out(f"\nBudgets (held-out ranking cut by the selector: top {preset.top}, min score "
        f"{preset.min_score}, a file that does not fit what is left is skipped):\n\n"
        + HEADER)  # fmt: skip
    for budget in (8_000, 16_000, preset.max_tokens, 64_000):
        cut = attrs.evolve(preset, max_tokens=budget)
        label = f"{budget:,} tokens" + (" (default)" if budget == preset.max_tokens else "")
        out(_row(label, budget_metrics(data, held_scores, cut), fit_mask))
    out(_row("unlimited (the ranking)", held, fit_mask))

    langs = language_groups(data)
    out("\n## By language group (held-out Atlas against code-only BM25)\n")
    out("| language | repositories | n | Acc@1 BM25 code | Acc@1 Atlas | Acc@5 BM25 code | "
        "Acc@5 Atlas | Acc@10 BM25 code | Acc@10 Atlas | All@5 BM25 code | All@5 Atlas | "
        "MRR BM25 code | MRR Atlas |")  # fmt: skip
    out("|---|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|")
    for lang in sorted(set(langs.values())):
        mask = fit_mask & np.array([langs[r] == lang for r in data.repos])
        names = ", ".join(r.split("/")[1] for r in repos if langs[r] == lang)
        cells = []
        for k in ("acc@1", "acc@5", "acc@10", "all@5", "mrr"):
            b, a = bm25c[k][mask].mean(), held[k][mask].mean()
            cells += [f"{b:.3f}", f"**{a:.3f}**" if a > b else f"{a:.3f}"]
        out(f"| {lang} | {names} | {int(mask.sum())} | " + " | ".join(cells) + " |")
    out("\n## By repository\n")
    out("| repository | language | n | Acc@5 BM25 | Acc@5 BM25 code | Acc@5 held-out | "
        "Acc@5 in-sample | MRR BM25 code | MRR held-out | MRR in-sample |")  # fmt: skip
    out("|---|---|---:|---:|---:|---:|---:|---:|---:|---:|")
    for repo in repos:
        mask = fit_mask & (repo_arr == repo)
        cells = [bm25["acc@5"], bm25c["acc@5"], held["acc@5"], insample["acc@5"],
                 bm25c["mrr"], held["mrr"], insample["mrr"]]  # fmt: skip
        out(f"| {repo} | {langs[repo]} | {int(mask.sum())} | "
            + " | ".join(f"{c[mask].mean():.3f}" for c in cells) + " |")  # fmt: skip

    out("\n## Ablation (held-out: each fold's parameters with one signal's weight set to 0)\n")
    out(HEADER)
    out(_row("every signal", held, fit_mask))
    for signal in ("bm25f", "path", *WEIGHT_KEYS[1:]):
        m_held: dict[str, np.ndarray] = {}
        for repo in repos:
            test = repo_arr == repo
            m = data.metrics(data.fused(fold_params[repo], drop=signal))
            for k, v in m.items():
                m_held.setdefault(k, np.zeros(data.n_cases))[test] = v[test]
        out(_row(f"without {signal}", m_held, fit_mask))
    out("\nFuser (held-out parameters, the same weights):\n")
    out(HEADER)
    for name, kw in (("weighted (default)", {}), ("rrf k=60", {"fuser": "rrf"}),
                     ("rrf k=10", {"fuser": "rrf", "rrf_k": 10.0})):  # fmt: skip
        m_held = {}
        for repo in repos:
            test = repo_arr == repo
            m = data.metrics(data.fused(fold_params[repo], **kw))
            for k, v in m.items():
                m_held.setdefault(k, np.zeros(data.n_cases))[test] = v[test]
        out(_row(name, m_held, fit_mask))
    out("\n## Chosen defaults\n")
    out("| parameter | before | chosen (all folds) | folds choosing the same | range over folds |")
    out("|---|---:|---:|---:|---|")
    for key in ALL_KEYS:
        values = [p[key] for p in fold_params.values()]
        same = sum(1 for v in values if v == chosen[key])
        spread = sorted(set(values), key=str)
        out(f"| {key} | {start[key]} | {chosen[key]} | {same}/{len(values)} | "
            + ", ".join(map(str, spread)) + " |")  # fmt: skip
    report = "\n".join(lines)
    print(report)
    if args.md:
        Path(args.md).write_text(report + "\n")
    Path(args.chosen or bench / ".cache" / "tune-chosen.json").write_text(
        json.dumps(
            {
                "procedure": best,
                "chosen": chosen,
                "folds": fold_params,
                "cases": [m["id"] for m in data.meta],
            },
            indent=1,
        )
    )
    if args.check and chosen != shipped:
        diff = {k: (shipped[k], chosen[k]) for k in chosen if chosen[k] != shipped[k]}
        print(f"the shipped defaults are not what the fit chooses: {diff}", file=sys.stderr)
        return 1
    return 0


def _simplest_best(scores: dict[str, tuple[float, int]], min_gain: float) -> str:
    """The name with the fewest parameters among those whose held-out objective is within
    ``min_gain`` of the best (``scores``: name -> (objective, parameters); ties: the first)."""
    top = max(objective for objective, _ in scores.values())
    near = [name for name, (objective, _) in scores.items() if objective >= top - min_gain]
    return min(near, key=lambda name: scores[name][1])


def _explore_report(data: Data, fit_mask: np.ndarray, results: dict[str, tuple[Any, ...]]) -> None:
    """Each procedure's held-out figures, overall and per language group (Atlas minus
    code-only BM25 at Acc@1/5/10, and minus the start, fitting nothing), the sympy
    bug reports, and what the whole-set fit chose beyond "everything"."""
    langs = language_groups(data)
    bm25c = data.baseline_metrics("bm25_code")
    keys = ("acc@1", "acc@5", "acc@10", "all@5", "mrr")
    depths = ("acc@1", "acc@5", "acc@10")
    ref = results.get("keep the start (no fitting)")
    sympy = np.array(data.sets) == "sympy"
    for name, (chosen, held, _folds) in results.items():
        print(f"\n{name}: objective {objective(held, fit_mask):.4f} "
              + " ".join(f"{k} {held[k][fit_mask].mean():.3f}" for k in keys)
              + "  chose " + " ".join(f"{k}={chosen[k]}" for k in EXPLORE_KEYS)
              )  # fmt: skip
        for lang in sorted(set(langs.values())):
            mask = fit_mask & np.array([langs[r] == lang for r in data.repos])
            d = [held[k][mask].mean() - bm25c[k][mask].mean() for k in depths]
            vs_ref = ""
            if ref is not None:
                r = [held[k][mask].mean() - ref[1][k][mask].mean() for k in depths]
                vs_ref = "  vs the start " + " ".join(f"{x:+.3f}" for x in r)
            print(f"   {lang:12s} n={int(mask.sum()):3d} vs code-BM25 "
                  + " ".join(f"{x:+.3f}" for x in d)
                  + f"  acc@5 {held['acc@5'][mask].mean():.3f}"
                  + f" mrr {held['mrr'][mask].mean():.3f}" + vs_ref)  # fmt: skip
        for label, mask in (("in the folds", fit_mask & sympy), ("outside", ~fit_mask & sympy)):
            if not mask.any():
                continue
            m = held if label == "in the folds" else data.metrics(data.fused(chosen))
            print(f"   sympy bug reports {label} (n={int(mask.sum())}): objective "
                  f"{objective(m, mask):.4f} "
                  + " ".join(f"{k} {m[k][mask].mean():.3f}" for k in keys))  # fmt: skip


def _key(p: dict[str, Any]) -> tuple[Any, ...]:
    return tuple(sorted(p.items()))


def _diff(a: dict[str, Any], b: dict[str, Any]) -> str:
    return " ".join(f"{k}={b[k]}" for k in a if a[k] != b[k])


def _sympy_ids(bench: Path) -> list[str]:
    with open(bench / "issues-sympy.jsonl") as fh:
        return [json.loads(line)["id"] for line in fh if line.strip()]


# ---------------------------------------------------------------------------------------------
# main
# ---------------------------------------------------------------------------------------------


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    ap.add_argument("--bench", default=os.environ.get("BENCH", str(DEFAULT_BENCH)))
    sub = ap.add_subparsers(dest="cmd", required=True)
    d = sub.add_parser("dump", help="index every case once and store signals and features")
    d.add_argument(
        "--set", action="append", metavar="NAME=CASES", help="case files (relative to the bench)"
    )
    d.add_argument("--every", type=int, default=4, help="sympy: every Nth case (default 4)")
    d.add_argument("--limit", type=int, help="at most N cases per repository")
    d.add_argument("--repo", action="append", help="only this repository (repeatable)")
    d.add_argument("--shards", type=int, default=1, help="split repositories over N processes")
    d.add_argument("--shard", type=int, default=0)
    d.add_argument("--reverse", action="store_true", help="work through the cases backwards")
    d.add_argument("--tag", default="", help="name of this process's work-tree directory")
    d.add_argument(
        "--prefix",
        default="",
        help="write to dumps/<PREFIX><set> (fit --sets <PREFIX><set>); baselines are reused "
        "from dumps/<set>",
    )
    b = sub.add_parser("baseline", help="print plain or code-only BM25's ranking for one tree")
    b.add_argument("--root", required=True)
    b.add_argument("--query-file")
    b.add_argument("--query", default="")
    b.add_argument("--top", type=int, default=50)
    b.add_argument("--code", action="store_true", help="code files only (no tests, docs, config)")
    f = sub.add_parser("fit", help="choose the defaults by cross-validation and report")
    f.add_argument("--md", help="write the markdown report here")
    f.add_argument(
        "--check", action="store_true", help="fail unless the shipped defaults are the fit's"
    )
    f.add_argument(
        "--sets", nargs="*", default=["shared", "wide", "sympy", "swe"], help="dump sets"
    )
    f.add_argument("--sympy-every", type=int, default=4, help="sympy cases in the fit: every Nth")
    f.add_argument("--keys", help="comma-separated parameters to fit (default all)")
    f.add_argument("--case-list", help="only these cases (a JSON list, or a tune-chosen.json)")
    f.add_argument("--quick", action="store_true", help="print the held-out summary only")
    f.add_argument(
        "--explore", action="store_true", help="compare the candidate fusion and prior changes"
    )
    f.add_argument(
        "--stage2-only", action="store_true", help="with --explore: only the second-stage ones"
    )
    f.add_argument(
        "--seed-only",
        action="store_true",
        help="with --explore: only stage 1 seeded from the fused ranking against the shipped seeds",
    )
    f.add_argument(
        "--start", action="append", metavar="KEY=VALUE", help="start the fit from this value"
    )
    f.add_argument("--chosen", help="write the chosen parameters here (default: the bench cache)")
    f.add_argument("--min-gain", type=float, default=MIN_GAIN, help="smallest gain a move needs")
    f.add_argument(
        "--exhaustive",
        action="store_true",
        help="search every combination of the keys' grids (with --keys: a few keys only)",
    )
    args = ap.parse_args(argv)
    if args.cmd == "dump":
        cmd_dump(args)
        return 0
    if args.cmd == "baseline":
        cmd_baseline(args)
        return 0
    return cmd_fit(args)


if __name__ == "__main__":
    raise SystemExit(main())
