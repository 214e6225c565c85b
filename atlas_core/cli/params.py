"""Click parameter types shared by the commands."""

from __future__ import annotations

import math
from typing import Any

import click

__all__ = ["COUNT", "SCORE", "FiniteFloat"]


class FiniteFloat(click.ParamType[float]):
    """A float that JSON can hold: ``nan`` and ``inf`` are usage errors (exit 2), and so is
    one outside ``[low, high]`` when they are given."""

    name = "number"

    def __init__(self, low: float | None = None, high: float | None = None) -> None:
        self.low = low
        self.high = high

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
        if (low is not None and number < low) or (high is not None and number > high):
            wanted = " ".join(
                [
                    *([f"from {low:g}"] if low is not None else []),
                    *([f"to {high:g}"] if high is not None else []),
                ]
            )
            self.fail(f"{value!r} is not a number {wanted}", param, ctx)
        return number


#: a score: normalised, the best file scores 1
SCORE = FiniteFloat(0.0, 1.0)
#: a budget or a cap (tokens, bytes, files, symbols): what 0 means is the option's
COUNT = click.IntRange(min=0)
