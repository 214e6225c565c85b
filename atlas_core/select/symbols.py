"""Symbol-level results: which functions and classes of a selected file match the task."""

from __future__ import annotations

import re
from bisect import bisect_left
from typing import Any

from atlas_core.index.reader import IndexReader
from atlas_core.terms import identifier_terms, tokenize

__all__ = ["matching_symbols"]

_BODY_SCAN_FILES = 10  # files whose symbol bodies are scanned too (the rest: names only)
_IDENT = re.compile(r"[A-Za-z_][A-Za-z0-9_]*")


def _term_lines(text: str, wanted: set[str]) -> dict[str, list[int]]:
    """For each wanted term, the (sorted, 1-based) lines that use it: one pass over the file."""
    found: dict[str, list[int]] = {}
    # A line can yield a wanted term only if, lowercased and without "_" and "-", it holds
    # the term (or, for a term ending in "y", the term without it: "retries" -> "retry"):
    # a cheap test that skips most lines before splitting their identifiers.
    keys = sorted({t[:-1] if t.endswith("y") and len(t) > 1 else t for t in wanted})
    maybe = re.compile("|".join(re.escape(k) for k in keys)).search
    for number, line in enumerate(text.splitlines(), 1):
        if not maybe(line.lower().replace("_", "").replace("-", "")):
            continue
        for ident in set(_IDENT.findall(line)):
            for term in identifier_terms(ident):
                if term in wanted:
                    lines = found.setdefault(term, [])
                    if not lines or lines[-1] != number:
                        lines.append(number)
    return found


def _used_between(lines_of: dict[str, list[int]], start: int, end: int) -> set[str]:
    used = set()
    for term, lines in lines_of.items():
        k = bisect_left(lines, start)
        if k < len(lines) and lines[k] <= end:
            used.add(term)
    return used


def matching_symbols(
    reader: IndexReader,
    file_ids: list[int],
    terms: list[str],
    limit: int = 5,
    scan_bodies: int = _BODY_SCAN_FILES,
) -> dict[int, list[dict[str, Any]]]:
    """For each file, its best symbols: ``{Name, Kind, Start, End, Matched}``.

    A symbol scores 3 per query term in its own name, 2 per term in its container's name
    (``Client`` of ``Client.send``), 1 per term in its signature and, for the top files, 1 per
    term used in its body. Imports are not symbols.
    """
    wanted = set(terms)
    out: dict[int, list[dict[str, Any]]] = {}
    if not wanted:
        return out
    for rank, i in enumerate(file_ids):
        chunks = [c for c in reader.chunks(i) if c.kind != "import"]
        if not chunks:
            continue
        lines_of = _term_lines(reader.read_text(i), wanted) if rank < scan_bodies else {}
        scored = []
        for c in chunks:
            in_name = wanted & set(identifier_terms(c.name))
            in_container = (wanted & set(tokenize(c.qualified))) - in_name
            in_sig = (wanted & set(tokenize(c.signature))) - in_name - in_container
            in_body = _used_between(lines_of, c.start, c.end) - in_name - in_container - in_sig
            score = 3 * len(in_name) + 2 * len(in_container) + len(in_sig) + len(in_body)
            if score:
                matched = sorted(in_name | in_container | in_sig | in_body)
                scored.append((-score, c.start, c, matched))
        scored.sort(key=lambda item: (item[0], item[1]))
        picked = [
            {
                "Name": c.qualified or c.name,
                "Kind": c.kind,
                "Start": c.start,
                "End": c.end,
                "Matched": matched,
            }
            for _, _, c, matched in scored[:limit]
        ]
        if picked:
            out[i] = picked
    return out
