"""Skims: the outline-and-matches view of a file that does not fit whole."""

from __future__ import annotations

import random
from typing import Any

from atlas_core.output.skim import skim_text
from atlas_core.types import Chunk


def _line_by_line(text: str, matched: list[dict[str, Any]], chunks: list[Chunk]) -> str:
    """The skim as first defined: every line of the file looked at in turn (the oracle)."""
    lines = text.splitlines()
    keep: set[int] = set()
    for sym in matched:
        start, end = int(sym.get("Start", 0)), int(sym.get("End", 0))
        if 0 < start <= end and end - start < 150:
            keep.update(range(start, end + 1))
    outline = {
        c.start: c.signature
        for c in chunks
        if c.kind != "import" and c.start not in keep and 0 < c.start <= len(lines)
    }
    if not keep and not outline:
        return skim_text(text, [], [])  # the head of the file: not what changed
    out: list[str] = []
    previous = 0
    for number in range(1, len(lines) + 1):
        if number in keep:
            if out and previous != number - 1:
                out.append("...")
            out.append(lines[number - 1])
            previous = number
        elif number in outline:
            out.append(f"... L{number}: {outline[number]}")
            previous = 0
    return "\n".join(out) + "\n" if out else ""


def test_a_skim_shows_matches_whole_and_the_rest_as_an_outline() -> None:
    text = "".join(f"line {n}\n" for n in range(1, 21))
    chunks = [
        Chunk("function", "a", "a", 2, 4, "def a():"),
        Chunk("function", "b", "b", 8, 12, "def b():"),
        Chunk("import", "os", "os", 1, 1, "import os"),
    ]
    skim = skim_text(text, [{"Start": 8, "End": 12}], chunks)
    assert skim == "... L2: def a():\n...\nline 8\nline 9\nline 10\nline 11\nline 12\n"


KINDS = ("function", "class", "import")


def test_skims_match_the_line_by_line_definition() -> None:
    rng = random.Random(7)
    for _ in range(300):
        n = rng.randint(0, 60)
        text = "".join(f"l{k}\n" for k in range(1, n + 1))
        chunks = [
            Chunk(rng.choice(KINDS), f"c{k}", f"c{k}", s, s + rng.randint(0, 9), f"sig {k}")
            for k, s in enumerate(rng.sample(range(0, n + 10), min(n + 10, rng.randint(0, 8))))
        ]
        matched = [
            {"Start": s, "End": s + rng.randint(-2, 200)}
            for s in rng.sample(range(-1, n + 10), min(n + 11, rng.randint(0, 4)))
        ]
        assert skim_text(text, matched, chunks) == _line_by_line(text, matched, chunks)


def test_a_skim_of_thousands_of_symbols_shows_those_nearest_the_match() -> None:
    n = 5000
    text = "".join(f".btn-{k} {{ color: red; }}\n" for k in range(1, n + 1))
    chunks = [
        Chunk("selector", f"btn-{k}", f"btn-{k}", k, k, f".btn-{k} {{") for k in range(1, n + 1)
    ]
    skim = skim_text(text, [{"Start": 2500, "End": 2500}], chunks)
    lines = skim.splitlines()
    assert ".btn-2500 { color: red; }" in lines
    # the matched line, the 200 outline lines nearest it, and how many were left out
    assert len(lines) == 1 + 200 + 2  # and one "..." between the outline and the match
    assert "... L2400: .btn-2400 {" in lines and "... L2600: .btn-2600 {" in lines
    assert "... L1: .btn-1 {" not in lines
    assert lines[-1] == "... (4,799 more symbols not shown)"
    # nothing matched: the first 200
    head = skim_text(text, [], chunks).splitlines()
    assert head[0] == "... L1: .btn-1 {" and head[199] == "... L200: .btn-200 {"
    assert head[-1] == "... (4,800 more symbols not shown)"
