"""The mentions signal: files and symbols a task names outright.

A bug report often says where to look: a path (``requests/sessions.py``), a module
(``sphinx.ext.autodoc``), the frames of a stack trace, identifiers that a file defines, or an
error message that a file raises word for word. Each is strong evidence for few files, so
this signal is sparse: most files score 0.
"""

from __future__ import annotations

import math
import re
from collections import defaultdict
from typing import ClassVar

import attrs
import numpy as np

from atlas_core.components import QueryContext
from atlas_core.ranking.task import ParsedTask, parse_task
from atlas_core.terms import identifier_terms, stem, tokenize

__all__ = ["Mentions", "mention_scores"]

_EXACT_BUDGET = 600  # files whose symbol names one query may read
_MAX_DEFINING = 150  # a name more files than this define says nothing
_PACKAGE_FILES = ("__init__", "index", "mod", "lib", "main")
_CODE_SHAPED = re.compile(r".*(_|[a-z][A-Z]|\d)")
_FRAGMENT_SPLIT = re.compile(r"""[`'"0-9\[\]{}()<>%]+""")


@attrs.define
class _Paths:
    """Lookups over the index's paths, built once per query that names something."""

    by_stem: dict[str, list[int]]
    noext: list[str]

    @classmethod
    def build(cls, paths: list[str]) -> _Paths:
        by_stem: dict[str, list[int]] = defaultdict(list)
        noext = []
        for i, rel in enumerate(paths):
            base = rel.rsplit("/", 1)[-1]
            stem_ = base.split(".", 1)[0] if not base.startswith(".") else base
            by_stem[stem_.lower()].append(i)
            noext.append(rel[: len(rel) - len(base)] + stem_)
        return cls(dict(by_stem), noext)

    def suffix_matches(self, parts: list[str], paths: list[str]) -> tuple[list[int], int]:
        """Files whose path ends with the longest tail of ``parts``; and that tail's length."""
        if not parts:
            return [], 0
        candidates = self.by_stem.get(parts[-1].split(".", 1)[0].lower(), [])
        best: list[int] = []
        best_len = 0
        for i in candidates:
            segs = paths[i].split("/")
            n = 0
            while n < min(len(segs), len(parts)):
                a, b = segs[-1 - n], parts[-1 - n]
                if n == 0:
                    a, b = a.split(".", 1)[0], b.split(".", 1)[0]
                if a.lower() != b.lower():
                    break
                n += 1
            if n > best_len:
                best, best_len = [i], n
            elif n == best_len and n:
                best.append(i)
        return best, best_len


def _file_hits(parsed: ParsedTask, paths: list[str], out: np.ndarray) -> None:
    lookup = _Paths.build(paths)

    def credit(parts: list[str], weight: float, exact_ext: bool = True) -> None:
        ids, n = lookup.suffix_matches(parts, paths)
        if not ids:
            return
        # a bare file name shared by many files says little; a longer tail says more
        share = weight * min(1.0, 0.5 + 0.25 * n) / len(ids)
        for i in ids:
            if exact_ext and "." in parts[-1] and not paths[i].endswith(parts[-1]):
                continue
            out[i] = max(out[i], share)

    for path in parsed.paths:
        credit([p for p in path.split("/") if p], 1.0)
    frames = parsed.frames
    for k, path in enumerate(frames):
        # the innermost frame raised; outer ones are callers
        credit([p for p in path.split("/") if p], 0.8 if k == len(frames) - 1 else 0.5)
    for module in parsed.modules:
        _credit_module(lookup, paths, module.split("."), 0.8, out)
    for module in parsed.imported:
        _credit_module(lookup, paths, module.split("."), 0.35, out)


def _credit_module(
    lookup: _Paths, paths: list[str], parts: list[str], weight: float, out: np.ndarray
) -> None:
    """``a.b.c``: the file ``a/b/c.*`` or the package file ``a/b/c/__init__.*``; else ``a/b``."""
    for cut in range(len(parts), 1, -1):
        head = parts[:cut]
        ids, n = lookup.suffix_matches(head, paths)
        if n >= 2:
            for i in ids:
                out[i] = max(out[i], weight / len(ids))
            return
        for name in _PACKAGE_FILES:
            ids, n = lookup.suffix_matches([*head, name], paths)
            if n >= 3:
                for i in ids:
                    out[i] = max(out[i], 0.75 * weight / len(ids))
                return


def _whole_term(ident: str) -> str | None:
    terms = identifier_terms(ident)
    if not terms:
        return None
    parts = tokenize(ident)
    whole = stem("".join(p.lower() for p in re.findall(r"[A-Za-z0-9]+", ident)))
    return whole if whole in terms or len(parts) == 1 else None


def _defining(ctx: QueryContext, ident: str) -> np.ndarray | None:
    """Files whose symbol names contain the identifier's whole term (None: unknown term)."""
    term = _whole_term(ident)
    tid = ctx.index.term_id(term) if term else None
    if tid is None:
        return None
    docs, tf = ctx.index.postings(tid)
    return docs[tf[:, 1] > 0]


class _ExactNames:
    """Which files define a name exactly: the term index also counts parts of longer names
    (``product`` in ``tensor_product``), so candidates are checked against their symbols,
    within a budget of files read per query."""

    def __init__(self, ctx: QueryContext, budget: int = _EXACT_BUDGET) -> None:
        self.ctx = ctx
        self.budget = budget
        self.names: dict[int, set[str]] = {}

    def _names(self, i: int) -> set[str]:
        import msgpack

        try:  # rows as Chunk.to_row writes them: [kind, name, qualified, ...]; no objects
            rows = msgpack.unpackb(self.ctx.index.symbol_record(i), raw=False)
            return {str(r[1]).rsplit(".", 1)[-1] for r in rows if r[0] != "import"}
        except Exception:
            return set()

    def filter(self, docs: np.ndarray, ident: str) -> np.ndarray:
        unread = sum(1 for i in docs.tolist() if i not in self.names)
        if unread > self.budget:
            return docs  # no budget left: trust the term index
        self.budget -= unread
        keep = []
        for i in docs.tolist():
            names = self.names.get(i)
            if names is None:
                names = self.names[i] = self._names(i)
            if ident in names:
                keep.append(i)
        return np.asarray(keep, dtype=docs.dtype)


def _symbol_hits(parsed: ParsedTask, ctx: QueryContext, out: np.ndarray) -> None:
    limit = max(_MAX_DEFINING, len(ctx.index) // 10)
    candidates: dict[str, np.ndarray] = {}
    for ident in parsed.identifiers[:200]:
        if ident in candidates:
            continue
        defining = _defining(ctx, ident)
        if defining is not None and 0 < len(defining) <= limit:
            candidates[ident] = defining
    exact = _ExactNames(ctx)
    # rare names first, so the reading budget goes where a match says most
    for ident, docs in sorted(candidates.items(), key=lambda kv: len(kv[1])):
        found = candidates[ident] = exact.filter(docs, ident)
        if len(found):
            # a plain lower-case word (`views`) says less than code-shaped names
            shaped = ident[:1].isupper() or _CODE_SHAPED.match(ident) is not None
            out[found] += (0.5 if shaped else 0.25) / (1.0 + math.log2(len(found)))
    for owner, member in parsed.qualified[:50]:
        # ``Function._eval_evalf``: a file that defines both names
        a, b = candidates.get(owner), candidates.get(member)
        if a is None or b is None:
            continue
        both = np.intersect1d(a, b)
        if 0 < len(both) <= 5:
            out[both] += 0.6 / len(both)


def _message_hits(parsed: ParsedTask, ctx: QueryContext, out: np.ndarray) -> None:
    index = ctx.index
    for message in parsed.messages[:3]:
        fragments = [
            f.strip(" :,.;")
            for f in _FRAGMENT_SPLIT.split(message)
            if len(f.strip(" :,.;")) >= 12 and len(f.split()) >= 2
        ]
        if not fragments:
            continue
        fragment = max(fragments, key=len)
        term_ids = [t for t in (index.term_id(w) for w in set(tokenize(fragment))) if t is not None]
        if not term_ids:
            continue
        postings = sorted((index.postings(t)[0] for t in term_ids), key=len)
        docs = postings[0]
        for other in postings[1:3]:
            docs = np.intersect1d(docs, other, assume_unique=True)
        if not len(docs) or len(docs) > 100:
            continue
        found = [int(i) for i in docs if fragment in index.read_text(int(i))]
        for i in found:
            out[i] = max(out[i], 0.8 / len(found))


def mention_scores(ctx: QueryContext) -> np.ndarray:
    """Evidence per file from the paths, modules, frames, symbols and messages in the task."""
    out = np.zeros(len(ctx.index), dtype=np.float64)
    if not len(out):
        return out
    parsed = parse_task(ctx.query)
    if parsed.paths or parsed.frames or parsed.modules:
        _file_hits(parsed, ctx.index.paths, out)
    if parsed.identifiers:
        _symbol_hits(parsed, ctx, out)
    if parsed.messages:
        _message_hits(parsed, ctx, out)
    return out


class Mentions:
    """Files the task names: paths, modules, stack frames, defined symbols, error messages."""

    name: ClassVar[str] = "mentions"
    stage: ClassVar[int] = 0

    def unavailable(self, ctx: QueryContext) -> str | None:
        return None

    def score(self, ctx: QueryContext) -> np.ndarray:
        return mention_scores(ctx)
