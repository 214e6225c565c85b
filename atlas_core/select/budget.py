"""Choosing files within a budget: whole when they fit, skimmed when only a skim does,
and the first files as a short skim when not even their skim does."""

from __future__ import annotations

from collections.abc import Callable, Sequence

import attrs
import numpy as np

__all__ = ["Budgeted", "Pick", "select_ranked", "select_within_budget"]

#: for a file that does not fit whole, given the tokens left (None: no token budget):
#: the (tokens, bytes) of its skim, or None (no skim, or one that surely cannot fit)
SkimCost = Callable[[int, "int | None"], "tuple[int, int] | None"]
#: for one of the first files whose skim does not fit, given the tokens and bytes left (None:
#: no such budget): the (tokens, bytes, lines) of the longest short skim within both, or None
ShortCost = Callable[[int, "int | None", "int | None"], "tuple[int, int, int] | None"]
#: the tokens a document spends on a file besides its content (its line in the document's
#: header, its heading and fence), given whether it is skimmed
FrameCost = Callable[[int, bool], int]


#: the first files of the walk keep room for at least their skim (Acc@10 is never lost)
COVER = 10
#: a file this small (tokens) is not worth skimming to make room
_SMALL = 200
#: no skim is tried in less room than this (tokens)
_MIN_SKIM = 32
#: a short skim takes at most this share of the budget (1/4): it is a short outline
_SHORT_SHARE = 4


@attrs.frozen
class Pick:
    """A chosen file; ``skim_tokens`` is set when only its skim was taken, ``skim_lines``
    too when only a short skim of that many lines was."""

    index: int
    skim_tokens: int | None = None
    skim_lines: int | None = None


@attrs.frozen
class Budgeted:
    """What selection chose, in order, and how many ranked files did not fit at all."""

    picks: list[Pick]
    left_out: int


def select_ranked(
    order: np.ndarray,
    scores: np.ndarray,
    tokens: Sequence[int],
    sizes: Sequence[int],
    *,
    max_tokens: int | None,
    max_bytes: int | None,
    min_score: float,
    top: int | None,
    skim: SkimCost | None = None,
    first: Sequence[int] = (),
    cover: int = COVER,
    frame: FrameCost | None = None,
    short: ShortCost | None = None,
) -> Budgeted:
    """Walk the ranking in order and take each file whole, skimmed, or not at all.

    ``first`` (seed files) are walked before the ranking whatever their score. A file too
    large for what is left is taken as its skim when ``skim`` gives one that fits; only
    otherwise is it left out (and counted when it ranks within ``top``), and the walk goes
    on: smaller files further down may still fit. Stops at ``top`` files or at the first
    score below ``min_score``. The budget is never exceeded.

    The first ``cover`` files are never crowded out by the ones before them: each keeps
    room for its cheapest form (its skim when whole files would overflow the budget), so
    a large best file is skimmed rather than leaving no room for the second or the tenth.
    One of them whose skim does not fit either is given as a short skim (``short``) when one
    fits, so a small budget still shows the best files' outlines: the longest that fits
    within a quarter of the budget, and each keeps room for one.

    ``frame`` (for a selection a context document will show within ``max_tokens``): each
    file taken costs its content plus what the document spends on it. ``Pick.skim_tokens``
    stays the skim's own size.
    """
    picks: list[Pick] = []
    left_out = 0
    used_tokens = used_bytes = 0
    ranked = _ranked(order, scores, min_score, first)

    def extra(i: int, skimmed: bool) -> int:
        return frame(i, skimmed) if frame is not None else 0

    # the walk: each of the first ``top`` places is weighed in Python (skims, rooms);
    # beyond them only whole files that fit are taken, found with numpy
    near = ranked[:top].tolist() if top is not None else ranked.tolist()
    head = near[: min(cover, top) if top is not None else cover]
    known: dict[int, tuple[int, int] | None] = {}
    reserve = _reserve(head, tokens, sizes, max_tokens, max_bytes, skim, known, extra, short)
    pending_t = sum(t for t, _ in reserve)
    pending_b = sum(b for _, b in reserve)

    def fits(t: int, b: int) -> bool:
        return (max_tokens is None or used_tokens + t + pending_t <= max_tokens) and (
            max_bytes is None or used_bytes + b + pending_b <= max_bytes
        )

    for position, i in enumerate(near):
        if top is not None and len(picks) >= top:
            break
        if position < len(reserve):  # its own room is now spent on it, in one form or other
            pending_t -= reserve[position][0]
            pending_b -= reserve[position][1]
        whole = tokens[i] + extra(i, False)
        if fits(whole, sizes[i]):
            picks.append(Pick(i))
            used_tokens += whole
            used_bytes += sizes[i]
            continue
        around = extra(i, True)
        room = None if max_tokens is None else max_tokens - used_tokens - pending_t - around
        if i in known:
            cost = known[i]
        elif skim is None or (room is not None and room < _MIN_SKIM):
            cost = None
        else:
            cost = skim(i, room)
        if cost is not None and fits(cost[0] + around, cost[1]):
            picks.append(Pick(i, cost[0]))
            used_tokens += cost[0] + around
            used_bytes += cost[1]
            continue
        if short is not None and position < len(reserve):
            room_b = None if max_bytes is None else max_bytes - used_bytes - pending_b
            cut = _short(i, short, _share(room, max_tokens), _share(room_b, max_bytes))
            if cut is not None and fits(cut[0] + around, cut[1]):
                picks.append(Pick(i, cut[0], cut[2]))
                used_tokens += cut[0] + around
                used_bytes += cut[1]
                continue
        left_out += 1
    if top is not None and len(picks) < top and len(ranked) > top:
        # beyond Top a file was never going to be shown: only whole files fill what is left
        rest = ranked[top:]
        need_t = np.asarray(tokens)[rest] if max_tokens is not None else None
        need_b = np.asarray(sizes)[rest] if max_bytes is not None else None
        at = 0
        while len(picks) < top and at < len(rest):
            ok = np.ones(len(rest) - at, dtype=bool)
            if need_t is not None and max_tokens is not None:
                ok &= need_t[at:] <= max_tokens - used_tokens
            if need_b is not None and max_bytes is not None:
                ok &= need_b[at:] <= max_bytes - used_bytes
            hits = np.flatnonzero(ok)
            if not len(hits):
                break
            at += int(hits[0])
            i = int(rest[at])
            at += 1
            whole = tokens[i] + extra(i, False)
            if max_tokens is not None and used_tokens + whole > max_tokens:
                break  # its content fits, not with what the document spends on it
            picks.append(Pick(i))
            used_tokens += whole
            used_bytes += sizes[i]
    return Budgeted(picks, left_out)


def _ranked(
    order: np.ndarray, scores: np.ndarray, min_score: float, first: Sequence[int]
) -> np.ndarray:
    """``first``, then the files of ``order`` down to the first score below ``min_score``
    (or not above 0), without repeating ``first``."""
    order = np.asarray(order, dtype=np.int64)
    ranked = np.asarray(scores)[order]
    below = np.flatnonzero((ranked < min_score) | (ranked <= 0))
    kept = order[: int(below[0])] if len(below) else order
    firsts = np.asarray([int(i) for i in first], dtype=np.int64)
    if len(firsts):
        kept = np.concatenate([firsts, kept[~np.isin(kept, firsts)]])
    return kept


def _reserve(
    head: list[int],
    tokens: Sequence[int],
    sizes: Sequence[int],
    max_tokens: int | None,
    max_bytes: int | None,
    skim: SkimCost | None,
    known: dict[int, tuple[int, int] | None],
    extra: FrameCost,
    short: ShortCost | None = None,
) -> list[tuple[int, int]]:
    """The room each of the first files keeps: whole when they all fit whole, else the
    cheaper of whole and skim; a file whose room does not fit beside the rooms before it
    keeps room for a short skim within a share of the budget, or none. ``extra`` is what a
    document spends on a file besides its content."""

    def over(t: int, b: int) -> bool:
        return (max_tokens is not None and t > max_tokens) or (
            max_bytes is not None and b > max_bytes
        )

    whole = [(tokens[i] + extra(i, False), sizes[i]) for i in head]
    if not over(sum(t for t, _ in whole), sum(b for _, b in whole)):
        return whole
    out: list[tuple[int, int]] = []
    used_t = used_b = 0
    for i, (t, b) in zip(head, whole, strict=True):
        if skim is not None and tokens[i] > _SMALL:
            known[i] = skim(i, None)
            cheap = known[i]
            if cheap is not None and cheap[0] + extra(i, True) < t:
                t, b = cheap[0] + extra(i, True), cheap[1]
        if over(used_t + t, used_b + b):
            around = extra(i, True)
            room_t = None if max_tokens is None else max_tokens - used_t - around
            room_b = None if max_bytes is None else max_bytes - used_b
            room_t, room_b = _share(room_t, max_tokens), _share(room_b, max_bytes)
            cut = _short(i, short, room_t, room_b)
            if cut is None:
                out.append((0, 0))  # cannot fit beside the ones before it: keeps no room
                continue
            t, b = cut[0] + around, cut[1]
        out.append((t, b))
        used_t += t
        used_b += b
    return out


def _share(room: int | None, limit: int | None) -> int | None:
    """``room`` cut to the share of the budget ``limit`` a short skim's text may take."""
    if room is None or limit is None:
        return room
    return min(room, limit // _SHORT_SHARE)


def _short(
    i: int, short: ShortCost | None, room_t: int | None, room_b: int | None
) -> tuple[int, int, int] | None:
    """File ``i``'s longest short skim within the room, or None (none, or too little room)."""
    if short is None or (room_t is not None and room_t < _MIN_SKIM):
        return None
    if room_b is not None and room_b < 4 * _MIN_SKIM:
        return None
    return short(i, room_t, room_b)


def select_within_budget(
    order: np.ndarray,
    scores: np.ndarray,
    tokens: Sequence[int],
    sizes: Sequence[int],
    *,
    max_tokens: int | None,
    max_bytes: int | None,
    min_score: float,
    top: int | None,
) -> list[int]:
    """The files :func:`select_ranked` takes whole, when no skim is offered."""
    chosen = select_ranked(
        order,
        scores,
        tokens,
        sizes,
        max_tokens=max_tokens,
        max_bytes=max_bytes,
        min_score=min_score,
        top=top,
    )
    return [p.index for p in chosen.picks]
