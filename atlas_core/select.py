"""Choosing files within a budget: whole when they fit, skimmed when only a skim does."""

from __future__ import annotations

from collections.abc import Callable, Iterator, Sequence

import attrs
import numpy as np

__all__ = ["Budgeted", "Pick", "select_ranked", "select_within_budget"]

#: for a file that does not fit whole: the (tokens, bytes) of its skim, or None
SkimCost = Callable[[int], "tuple[int, int] | None"]


@attrs.frozen
class Pick:
    """A chosen file; ``skim_tokens`` is set when only its skim was taken."""

    index: int
    skim_tokens: int | None = None


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
) -> Budgeted:
    """Walk the ranking in order and take each file whole, skimmed, or not at all.

    ``first`` (seed files) are walked before the ranking whatever their score. A file too
    large for what is left is taken as its skim when ``skim`` gives one that fits; only
    otherwise is it left out (and counted when it ranks within ``top``), and the walk goes
    on: smaller files further down may still fit. Stops at ``top`` files or at the first
    score below ``min_score``. The budget is never exceeded.
    """
    picks: list[Pick] = []
    left_out = 0
    used_tokens = used_bytes = 0
    firsts = [int(i) for i in first]
    taken = set(firsts)

    def fits(t: int, b: int) -> bool:
        return (max_tokens is None or used_tokens + t <= max_tokens) and (
            max_bytes is None or used_bytes + b <= max_bytes
        )

    def walk() -> Iterator[int]:
        yield from firsts
        for i in order.tolist():
            if scores[i] < min_score or scores[i] <= 0:
                return
            if i not in taken:
                yield i

    for position, i in enumerate(walk()):
        if top is not None and len(picks) >= top:
            break
        if fits(tokens[i], sizes[i]):
            picks.append(Pick(i))
            used_tokens += tokens[i]
            used_bytes += sizes[i]
            continue
        cost = skim(i) if skim is not None else None
        if cost is not None and fits(*cost):
            picks.append(Pick(i, cost[0]))
            used_tokens += cost[0]
            used_bytes += cost[1]
            continue
        if top is None or position < top:  # beyond Top, a file was never going to be shown
            left_out += 1
    return Budgeted(picks, left_out)


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
