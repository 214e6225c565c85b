"""``atlas map``: a task-free sketch of a repository within a token budget.

The most central files first (import-graph PageRank when atlas-graph is installed, then
role and size), each with the signatures of its principal symbols: the top-level types
and functions, public ones first. It is what a developer draws for a newcomer: where the
core lives and what it offers.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Callable, Iterable, Sequence
from typing import TYPE_CHECKING, Any

import attrs
import numpy as np

from atlas_core.components import QueryContext
from atlas_core.errors import UsageError
from atlas_core.output.secrets import redact, secret_file_reason
from atlas_core.rank.fusion import normalize
from atlas_core.tokens import estimate_tokens

if TYPE_CHECKING:
    from atlas_core.index.reader import IndexReader
    from atlas_core.types import Chunk

__all__ = ["CodeMap", "MapFile", "build_map", "centrality", "render_map"]

#: how much each role counts towards a file's place on the map
_ROLE_WEIGHT = {
    "impl": 1.0,
    "other": 0.5,
    "docs": 0.15,
    "build": 0.2,
    "config": 0.15,
    "test": 0.1,
    "generated": 0.0,
    "vendor": 0.0,
}
#: a file's types and functions: ``rule`` (Starlark), ``macro`` (Lisps, Rust, C) and ``mixin``
#: (stylesheets) are functions too
_PRINCIPAL = {
    "class",
    "struct",
    "interface",
    "trait",
    "enum",
    "type",
    "function",
    "module",
    "rule",
    "macro",
    "mixin",
}
_TYPES = {"class", "struct", "interface", "trait", "enum", "type"}


@attrs.frozen
class MapFile:
    """One file on the map."""

    path: str
    score: float
    language: str
    role: str
    tokens: int
    symbols: list[dict[str, Any]]


@attrs.define
class CodeMap:
    """The map: the files shown (most central first), totals, and the budget it keeps."""

    files: list[MapFile]
    total_files: int
    languages: dict[str, int]
    directories: list[tuple[str, int]]
    budget: int | None
    tokens: int = 0
    left_out: int = 0
    root_name: str = ""


def centrality(reader: IndexReader, signals: Iterable[Any], settings: dict[str, Any]) -> np.ndarray:
    """Per file, 0 to 1: PageRank (if a ``pagerank`` signal can run), role and size."""
    n = len(reader)
    ctx = QueryContext("", [], reader, settings)
    rank = np.zeros(n)
    for signal in signals:
        unavailable = getattr(signal, "unavailable", None)  # optional
        if signal.name == "pagerank" and not (unavailable is not None and unavailable(ctx)):
            rank = normalize(np.asarray(signal.score(ctx), dtype=np.float64))
            break
    role = np.array([_ROLE_WEIGHT.get(r, 0.3) for r in reader.roles])
    ok = np.array([s == "ok" for s in reader.statuses])
    tokens = np.asarray(reader.tokens, dtype=np.float64)
    size = normalize(np.log1p(np.minimum(tokens, 20_000.0)))
    depth = np.array([p.count("/") for p in reader.paths], dtype=np.float64)
    shallow = 1.0 / (1.0 + 0.15 * depth)
    score = role * (0.6 * rank + 0.25 * size + 0.15 * shallow)
    out: np.ndarray = np.where(ok, score, 0.0)
    return out


def _principal(chunks: Sequence[Chunk], limit: int) -> list[Chunk]:
    """Top-level types and functions, public ones first, then in file order.

    A file without any (a BUILD file, a stylesheet, a page, a schema) shows its other
    top-level symbols instead: targets, selectors, ids, tables.
    """
    ordered = [
        c
        for c in sorted(chunks, key=lambda c: (c.start, -c.end))
        if c.kind != "import" and c.kind != "module"
    ]
    tops = _top_level(ordered, lambda c: c.kind in _PRINCIPAL or c.kind in {"method", "impl"})
    if not tops:
        tops = _top_level(ordered, lambda c: True)
    public = [c for c in tops if not c.name.startswith("_")]
    # a C header's ``#define``s (its include guard first) give way to its types and functions
    picked = sorted(public, key=lambda c: (c.kind not in _TYPES, c.kind == "macro", c.start))
    picked = picked[:limit]
    if not picked:  # a module of private helpers: show them rather than nothing
        picked = tops[:limit]
    return sorted(picked, key=lambda c: c.start)


def _top_level(ordered: list[Chunk], wanted: Callable[[Chunk], bool]) -> list[Chunk]:
    """The wanted chunks (in start order) that no earlier wanted chunk contains."""
    tops: list[Chunk] = []
    end = 0
    for c in ordered:
        if c.start <= end:
            continue  # inside a symbol already listed: a method, a nested function
        if wanted(c):
            tops.append(c)
            end = c.end
    return tops


def build_map(
    reader: IndexReader,
    scores: np.ndarray,
    *,
    max_tokens: int | None,
    mask: np.ndarray | None = None,
    symbols_per_file: int = 8,
    allow_secrets: bool = False,
    root_name: str = "",
) -> CodeMap:
    """The most central files with their principal symbols, within ``max_tokens``.

    :raises UsageError: for a budget too small for even the map's header.
    """
    if mask is not None:
        scores = np.where(mask, scores, 0.0)
    candidates = np.flatnonzero(scores > 0)
    order = candidates[np.lexsort((candidates, -scores[candidates]))]
    languages = Counter(reader.languages[i] for i in candidates.tolist())
    dirs: Counter[str] = Counter()
    for i in candidates.tolist():
        top = reader.paths[i].split("/", 1)[0] + "/" if "/" in reader.paths[i] else "."
        dirs[top] += 1
    result = CodeMap(
        [],
        len(candidates),
        dict(languages.most_common()),
        dirs.most_common(8),
        max_tokens,
        root_name=root_name,
    )
    best = float(scores[order[0]]) if len(order) else 1.0
    # the header and the "did not fit" line are paid for first
    result.left_out = 999_999
    result.tokens = estimate_tokens(len(render_map(result, root_name).encode()))
    result.left_out = 0
    if max_tokens is not None and result.tokens > max_tokens:
        raise UsageError(
            f"a budget of {max_tokens:,} tokens cannot hold even the map's header "
            f"({result.tokens:,} tokens); raise the budget"
        )
    for k, i in enumerate(order.tolist()):
        rel = reader.paths[i]
        if secret_file_reason(rel) and not allow_secrets:
            continue
        chunks = _principal(reader.chunks(i), symbols_per_file)
        symbols = [
            {
                "Kind": c.kind,
                "Name": c.qualified or c.name,
                "Start": c.start,
                "End": c.end,
                "Signature": c.signature if allow_secrets else redact(c.signature, path=rel)[0],
            }
            for c in chunks
        ]
        entry = MapFile(
            rel,
            round(float(scores[i]) / best, 4),
            reader.languages[i],
            reader.roles[i],
            reader.tokens[i],
            symbols,
        )
        cost = estimate_tokens(len(_file_text(entry).encode()))
        if max_tokens is not None and result.tokens + cost > max_tokens:
            result.left_out += 1
            if result.left_out > 50:  # the budget is spent: count the rest, do not try it
                result.left_out += len(order) - k - 1
                break
            continue
        result.files.append(entry)
        result.tokens += cost
    return result


def _file_text(f: MapFile) -> str:
    from atlas_core.paths import display_path

    lines = [f"{display_path(f.path)}  ({f.language}/{f.role}, {f.tokens:,} tokens)"]
    for s in f.symbols:
        signature = s["Signature"] or f"{s['Kind']} {s['Name']}"
        if len(signature) > 120:
            signature = signature[:117] + "..."
        lines.append(f"  L{s['Start']}: {signature}")
    return "\n".join(lines) + "\n"


def render_map(result: CodeMap, root_name: str = "") -> str:
    """The map as text: a summary line, the top directories, then each file and its symbols."""
    from atlas_core.paths import display_path

    name = display_path(root_name or result.root_name or "") or "the repository"
    langs = ", ".join(f"{k} {v:,}" for k, v in list(result.languages.items())[:6])
    head = [
        f"# Map of {name}: {result.total_files:,} files ({langs})",
        "directories: " + ", ".join(f"{display_path(d)} {n:,}" for d, n in result.directories),
        "",
    ]
    body = "".join(_file_text(f) + "\n" for f in result.files)
    tail = ""
    if result.left_out:
        tail = f"... {result.left_out} more central files did not fit the budget\n"
    return "\n".join(head) + "\n" + body + tail
