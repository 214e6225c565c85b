"""Click parameter types shared by the commands."""

from __future__ import annotations

import math
from typing import Any

import click

__all__ = ["COUNT", "SCORE", "FiniteFloat"]


class FiniteFloat(click.ParamType[float]):
    """A float that JSON can hold: ``nan`` and ``inf`` are usage errors (exit 2), and so is
    one outside ``[low, high]`` when they are given (``(low, high]`` with ``above``)."""

    name = "number"

    def __init__(
        self, low: float | None = None, high: float | None = None, *, above: bool = False
    ) -> None:
        self.low = low
        self.high = high
        self.above = above

    def convert(
        self, value: Any, param: click.Parameter | None, ctx: click.Context | None
    ) -> float:
        try:
            number = float(value)
        except (TypeError, ValueError):
            self.fail(f"{value!r} is not a number", param, ctx)
        if not math.isfinite(number):
            self.fail(f"{value!r} is not a finite number", param, ctx)
        low, high = self.low, self.high
        too_low = low is not None and (number <= low if self.above else number < low)
        if too_low or (high is not None and number > high):
            bounds = []
            if low is not None:
                bounds.append(f"{'above' if self.above else 'from'} {low:g}")
            if high is not None:
                bounds.append(f"{'and at most' if self.above else 'to'} {high:g}")
            wanted = " ".join(bounds)
            self.fail(f"{value!r} is not a number {wanted}", param, ctx)
        return number


#: a score: normalised, the best file scores 1
SCORE = FiniteFloat(0.0, 1.0)
#: a budget or a cap (tokens, bytes, files, symbols): what 0 means is the option's
COUNT = click.IntRange(min=0)
