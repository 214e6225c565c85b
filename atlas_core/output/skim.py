"""Skims: a file as a developer skims it, for when the whole file does not fit a budget.

One implementation serves selection (which counts a skim's tokens against the budget),
``atlas render`` and ``--format context`` (which print it), so all three agree.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

from atlas_core.tokens import estimate_tokens
from atlas_core.types import text_lines

__all__ = ["SKIM_HEAD_LINES", "SKIM_MAX_OUTLINE", "skim_text", "skim_tokens"]

#: a matched symbol longer than this many lines is outlined, not shown whole
_SKIM_MAX_LINES = 150
#: an outline shows at most this many symbols (those nearest the matches): a file of
#: thousands of functions, selectors or targets still skims to a few thousand tokens
SKIM_MAX_OUTLINE = 200
#: a file with no symbol at all is skimmed as its first lines
SKIM_HEAD_LINES = 40
#: ... and at most this many bytes of them (a minified file has few, very long lines)
_HEAD_BYTES = 4000


def skim_text(text: str, matched: Sequence[Mapping[str, Any]], chunks: Sequence[Any]) -> str:
    """The file as a developer skims it: matched symbols in full, the rest as an outline.

    ``matched`` are selection symbols (``Start``/``End``); ``chunks`` are the file's chunks
    from the index (their ``signature`` lines make the outline). A file with neither is
    skimmed as its first :data:`SKIM_HEAD_LINES` lines and a count of the rest.
    """
    lines = text_lines(text)  # numbered as the chunks' lines are
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
    if not keep and not outline:
        return _head(lines)
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


def _nearest(outline: dict[int, str], keep: set[int]) -> dict[int, str]:
    """The :data:`SKIM_MAX_OUTLINE` outline lines nearest the matched lines (the first ones
    when nothing matched); ties go to the earlier line."""
    if not keep:
        starts = sorted(outline)[:SKIM_MAX_OUTLINE]
    else:
        import bisect

        shown = sorted(keep)

        def distance(line: int) -> int:
            at = bisect.bisect_left(shown, line)
            near = shown[max(0, at - 1) : at + 1]
            return min(abs(line - n) for n in near)

        starts = sorted(outline, key=lambda line: (distance(line), line))[:SKIM_MAX_OUTLINE]
    return {line: outline[line] for line in starts}


def _head(lines: list[str]) -> str:
    head: list[str] = []
    size = 0
    for line in lines[:SKIM_HEAD_LINES]:
        size += len(line) + 1
        if size > _HEAD_BYTES:
            break
        head.append(line)
    rest = len(lines) - len(head)
    if not head or not rest:
        return ""  # nothing to show, or nothing to cut: a skim would be the file itself
    return "\n".join([*head, f"... ({rest:,} more lines)"]) + "\n"


def skim_tokens(skim: str) -> int:
    """What a skim costs against a selection's budget (bytes / 4, rounded up)."""
    return estimate_tokens(len(skim.encode()))
