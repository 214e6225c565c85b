"""Symbol-level results: which functions and classes of a selected file match the task."""

from __future__ import annotations

import re
from bisect import bisect_left, bisect_right
from collections.abc import Callable
from itertools import accumulate
from typing import Any

from atlas_core.index.reader import IndexReader
from atlas_core.terms import identifier_terms, tokenize
from atlas_core.types import text_lines

__all__ = ["matching_symbols"]

_BODY_SCAN_FILES = 10  # files whose symbol bodies are scanned too (the rest: names only)
_IDENT = re.compile(r"[A-Za-z_][A-Za-z0-9_]*")


def _keys(wanted: set[str]) -> list[str]:
    """What a text must hold, lowercased and without "_" and "-", to yield a wanted term.

    Every term of an identifier is a piece of it so normalized, or (a plural folded to
    "y": "retries" -> "retry") is one without its final "y".
    """
    return sorted({t[:-1] if t.endswith("y") and len(t) > 1 else t for t in wanted})


def _term_lines(text: str, wanted: set[str], keys: list[str] | None = None) -> dict[str, list[int]]:
    """For each wanted term, the (sorted, 1-based) lines that use it."""
    if keys is None:
        keys = _keys(wanted)
    candidates = _candidate_lines(text, keys)
    found: dict[str, list[int]] = {}
    for number, line in candidates:
        terms = {term for ident in set(_IDENT.findall(line)) for term in identifier_terms(ident)}
        if not line.isascii():  # and its words of other scripts, or with accents
            terms.update(term for term in tokenize(line) if not term.isascii())
        for term in terms & wanted:
            lines = found.setdefault(term, [])
            if not lines or lines[-1] != number:
                lines.append(number)
    return found


def _candidate_lines(text: str, keys: list[str]) -> list[tuple[int, str]]:
    """The (1-based number, line) of each line of ``text`` that, lowercased and without
    "_" and "-", holds one of ``keys``: the only lines that can yield a wanted term."""
    lines = text_lines(text)  # numbered as the chunks' lines are
    if "\u03a3" in text:
        # lowercasing a capital sigma depends on what follows it: line by line, as the
        # test is defined
        return _candidate_lines_one_by_one(lines, keys)
    # the whole text normalized at once, and each key found by str.find, once per line
    # that holds it (a regex alternation scans a text several times slower)
    norm = text.lower().replace("_", "").replace("-", "")
    # where each line ends in ``norm``, its "\n" included (normalizing keeps every "\n")
    bounds = list(accumulate(len(line) + 1 for line in norm.split("\n")))[: len(lines)]
    if len(bounds) != len(lines):  # cannot happen (see above), but if it did
        return _candidate_lines_one_by_one(lines, keys)
    hits: set[int] = set()
    for key in keys:
        at = norm.find(key)
        while at >= 0:
            k = bisect_right(bounds, at)
            if k == len(bounds):  # after the last line break: no line there
                break
            hits.add(k)
            at = norm.find(key, bounds[k])  # on with the next line
    return [(k + 1, lines[k]) for k in sorted(hits)]


def _candidate_lines_one_by_one(lines: list[str], keys: list[str]) -> list[tuple[int, str]]:
    maybe = re.compile("|".join(re.escape(k) for k in keys)).search
    return [
        (number, line)
        for number, line in enumerate(lines, 1)
        if maybe(line.lower().replace("_", "").replace("-", ""))
    ]


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
    read_text: Callable[[int], str] | None = None,
) -> dict[int, list[dict[str, Any]]]:
    """For each file, its best symbols: ``{Name, Kind, Start, End, Matched}``.

    A symbol scores 3 per query term in its own name, 2 per term in its container's name
    (``Client`` of ``Client.send``), 1 per term in its signature and, for the top files, 1 per
    term used in its body. Imports are not symbols. ``read_text`` reads a file's text
    (default: :meth:`IndexReader.read_text`).
    """
    wanted = set(terms)
    out: dict[int, list[dict[str, Any]]] = {}
    if not wanted:
        return out
    read = read_text or reader.read_text
    keys = _keys(wanted)
    # a qualified name or signature yields no wanted term unless it holds a key
    maybe = re.compile("|".join(re.escape(k) for k in keys)).search
    for rank, i in enumerate(file_ids):
        chunks = [c for c in reader.chunks(i) if c.kind != "import"]
        if not chunks:
            continue
        lines_of = _term_lines(read(i), wanted, keys) if rank < scan_bodies else {}
        scored = []
        for c in chunks:
            in_name = wanted & set(identifier_terms(c.name))
            in_container: set[str] = set()
            in_sig: set[str] = set()
            if maybe(c.qualified.lower().replace("_", "").replace("-", "")):
                in_container = (wanted & set(tokenize(c.qualified))) - in_name
            if maybe(c.signature.lower().replace("_", "").replace("-", "")):
                in_sig = (wanted & set(tokenize(c.signature))) - in_name - in_container
            in_body = (
                _used_between(lines_of, c.start, c.end) - in_name - in_container - in_sig
                if lines_of
                else set()
            )
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
