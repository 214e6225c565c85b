"""Skims: a file as a developer skims it, for when the whole file does not fit a budget.

One implementation serves selection (which counts a skim's tokens against the budget),
``atlas render`` and ``--format context`` (which print it), so all three agree.

When even the skim does not fit, a *short* skim may: the outline alone, cut to its ``lines``
most relevant lines (see :func:`short_skim`); the number of lines is all it takes to give
the same text again.
"""

from __future__ import annotations

import bisect
from collections.abc import Callable, Mapping, Sequence
from typing import Any

from atlas_core.tokens import estimate_tokens
from atlas_core.types import text_lines

__all__ = [
    "SKIM_HEAD_LINES",
    "SKIM_MAX_OUTLINE",
    "short_skim",
    "skim_is_head",
    "skim_text",
    "skim_tokens",
]

#: a matched symbol longer than this many lines is outlined, not shown whole
_SKIM_MAX_LINES = 150
#: an outline shows at most this many symbols (those nearest the matches): a file of
#: thousands of functions, selectors or targets still skims to a few thousand tokens
SKIM_MAX_OUTLINE = 200
#: a file with no symbol at all is skimmed as its first lines
SKIM_HEAD_LINES = 40
#: ... and at most this many bytes of them (a minified file has few, very long lines)
_HEAD_BYTES = 4000


def skim_text(
    text: str,
    matched: Sequence[Mapping[str, Any]],
    chunks: Sequence[Any],
    lines: int | None = None,
) -> str:
    """The file as a developer skims it: matched symbols in full, the rest as an outline.

    ``matched`` are selection symbols (``Start``/``End``); ``chunks`` are the file's chunks
    from the index (their ``signature`` lines make the outline). A file with neither is
    skimmed as its first :data:`SKIM_HEAD_LINES` lines and a count of the rest.

    ``lines`` (at least 1) asks for the short skim of that many lines instead (see
    :func:`short_skim`).
    """
    if lines is not None:
        return _Short(text, matched, chunks).text(lines)
    rows = text_lines(text)  # numbered as the chunks' lines are
    keep, outline = _shown(rows, matched, chunks)
    if not keep and not outline:
        return _head(rows)
    return _skim(rows, keep, outline)


def _skim(lines: list[str], keep: set[int], outline: dict[int, str]) -> str:
    hidden = max(0, len(outline) - SKIM_MAX_OUTLINE)
    if hidden:
        outline = _nearest(outline, keep)
    out: list[str] = []
    previous = 0
    shown = sorted({n for n in keep if n <= len(lines)} | outline.keys())  # the rest: nothing
    for number in shown:
        if number in keep:
            if out and previous != number - 1:
                out.append("...")
            out.append(lines[number - 1])
            previous = number
        elif number in outline:
            out.append(f"... L{number}: {outline[number]}")
            previous = 0
    if hidden:
        out.append(f"... ({hidden:,} more symbols not shown)")
    return "\n".join(out) + "\n" if out else ""


def _shown(
    lines: list[str], matched: Sequence[Mapping[str, Any]], chunks: Sequence[Any]
) -> tuple[set[int], dict[int, str]]:
    """The lines of matched symbols shown whole, and the outline: {line: signature}."""
    keep: set[int] = set()
    for sym in matched:
        start, end = int(sym.get("Start", 0)), int(sym.get("End", 0))
        if 0 < start <= end and end - start < _SKIM_MAX_LINES:
            keep.update(range(start, end + 1))
    outline = {
        c.start: c.signature
        for c in chunks
        if c.kind != "import" and c.start not in keep and 0 < c.start <= len(lines)
    }
    return keep, outline


def skim_is_head(text: str, matched: Sequence[Mapping[str, Any]], chunks: Sequence[Any]) -> bool:
    """Whether :func:`skim_text` shows ``text``'s first lines (nothing matched, no symbol)
    rather than matched symbols and an outline."""
    keep, outline = _shown(text_lines(text), matched, chunks)
    return not keep and not outline


def _nearest(
    outline: dict[int, str], keep: set[int], most: int = SKIM_MAX_OUTLINE
) -> dict[int, str]:
    """The ``most`` outline lines nearest the matched lines (the first ones when nothing
    matched), in that order; ties go to the earlier line."""
    if not keep:
        starts = sorted(outline)[:most]
    else:
        shown = sorted(keep)

        def distance(line: int) -> int:
            at = bisect.bisect_left(shown, line)
            near = shown[max(0, at - 1) : at + 1]
            return min(abs(line - n) for n in near)

        starts = sorted(outline, key=lambda line: (distance(line), line))[:most]
    return {line: outline[line] for line in starts}


def _head(lines: list[str], most: int = SKIM_HEAD_LINES) -> str:
    head = _head_lines(lines)[:most]
    rest = len(lines) - len(head)
    if not head or not rest:
        return ""  # nothing to show, or nothing to cut: a skim would be the file itself
    return "\n".join([*head, f"... ({rest:,} more lines)"]) + "\n"


def _head_lines(lines: list[str]) -> list[str]:
    """The first lines a skim of a file without symbols shows."""
    head: list[str] = []
    size = 0
    for line in lines[:SKIM_HEAD_LINES]:
        size += len(line) + 1
        if size > _HEAD_BYTES:
            break
        head.append(line)
    return head


class _Short:
    """The short skims of one file: its outline (or, without one, its first lines) cut to
    the ``n`` most relevant lines, for every ``n``.

    The matched symbols come first, as their declaration lines marked ``(matched)``, in the
    selection's order; then the other outline lines, nearest the matches first (ties to
    the earlier line; inside a matched symbol counts as nearest, and then the lines nearest
    a matched declaration). The lines kept are shown in file order.
    """

    def __init__(
        self, text: str, matched: Sequence[Mapping[str, Any]], chunks: Sequence[Any]
    ) -> None:
        self.rows = text_lines(text)
        keep, outline = _shown(self.rows, matched, chunks)
        self.head = not keep and not outline
        signatures = {
            c.start: c.signature
            for c in chunks
            if c.kind != "import" and 0 < c.start <= len(self.rows)
        }
        marked: dict[int, str] = {}
        for sym in matched:
            start = int(sym.get("Start", 0))
            if 0 < start <= len(self.rows) and start not in marked:
                marked[start] = signatures.get(start) or self.rows[start - 1].strip()
        self.marked = marked
        others = {n: sig for n, sig in signatures.items() if n not in marked}
        spans = [
            (int(sym.get("Start", 0)), int(sym.get("End", 0)))
            for sym in matched
            if 0 < int(sym.get("Start", 0)) <= int(sym.get("End", 0))
        ]
        starts = sorted(marked)

        def nearness(line: int) -> tuple[int, int, int]:
            # inside a matched symbol first, then the nearest to one; among those inside,
            # the nearest to a matched declaration (each matched class's first members)
            outside = min((max(a - line, line - b, 0) for a, b in spans), default=0)
            at = bisect.bisect_left(starts, line)
            near = starts[max(0, at - 1) : at + 1]
            return outside, min((abs(line - n) for n in near), default=0), line

        near = sorted(others, key=nearness)
        #: the outline's lines, most relevant first
        self.order = [*marked, *near]
        self.signatures = {**others, **marked}
        #: most lines a short skim has (one less than the skim of the first lines)
        self.most = len(_head_lines(self.rows)) - 1 if self.head else len(self.order)

    def text(self, n: int) -> str:
        """The short skim of ``n`` lines (no more than there are)."""
        n = max(0, min(n, self.most))
        if self.head:
            return _head(self.rows, n) if n else ""
        if not n:
            return ""
        out = []
        for number in sorted(self.order[:n]):
            mark = " (matched)" if number in self.marked else ""
            out.append(f"... L{number}{mark}: {self.signatures[number]}")
        hidden = len(self.order) - n
        if hidden:
            out.append(f"... ({hidden:,} more symbols not shown)")
        return "\n".join(out) + "\n"


def short_skim(
    text: str,
    matched: Sequence[Mapping[str, Any]],
    chunks: Sequence[Any],
    fits: Callable[[str], bool],
) -> tuple[str, int] | None:
    """The longest short skim that ``fits``, and its number of lines, or None.

    A short skim is the outline alone: the matched symbols' declaration lines, marked,
    then the outline lines nearest them, ``n`` lines in all and a count of the rest (a file
    without symbols: its first ``n`` lines). :func:`skim_text` with ``lines=n`` gives it
    again. Deterministic: each longer form costs more, so ``n`` is found by halving.
    """
    short = _Short(text, matched, chunks)
    if short.most < 1:
        return None
    # every line costs more than the count of hidden ones it shrinks, except the last,
    # which also drops that count: try it first, halve over the rest
    if fits(short.text(short.most)):
        return short.text(short.most), short.most
    low, high = 0, short.most - 1  # fits(low) holds (or low is 0), high is unknown
    while low < high:
        mid = (low + high + 1) // 2
        if fits(short.text(mid)):
            low = mid
        else:
            high = mid - 1
    return (short.text(low), low) if low else None


def skim_tokens(skim: str) -> int:
    """What a skim costs against a selection's budget (bytes / 4, rounded up)."""
    return estimate_tokens(len(skim.encode()))
