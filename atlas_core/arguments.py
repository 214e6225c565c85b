"""Checks of the library API's arguments (``atlas_core.open``, :class:`Repository` methods,
:class:`~atlas_core.engine.QueryOptions`).

A wrong type or value is a one-line :class:`UsageError` naming the argument, raised where
the argument comes in, never a ``TypeError`` from deep inside the pipeline. Each check
returns the value (a path list as a new list).
"""

from __future__ import annotations

import math
import operator
import os
from collections.abc import Callable, Iterable
from typing import Any

from atlas_core.errors import UsageError

__all__ = ["callback", "count", "flag", "fraction", "paths", "root_path", "text"]


def _shown(value: Any) -> str:
    """The offending value for a message: its repr, cut short, and its type when unclear."""
    shown = repr(value)
    if len(shown) > 40:
        shown = shown[:37] + "..."
    if isinstance(value, str | int | float | bool) or value is None:
        return shown
    return f"{shown} ({type(value).__name__})"


def text(name: str, value: Any, *, optional: bool = False, what: str = "a string") -> Any:
    """A string (or None when ``optional``)."""
    if (value is None and optional) or isinstance(value, str):
        return value
    raise UsageError(f"{name} must be {what}{' or None' if optional else ''}, not {_shown(value)}")


def flag(name: str, value: Any) -> bool:
    """True or False (``"no"`` is not False: it would silently mean True)."""
    if isinstance(value, bool):
        return value
    raise UsageError(f"{name} must be True or False, not {_shown(value)}")


def count(name: str, value: Any, zero: str = "") -> int | None:
    """None, or a whole number >= 0; ``zero`` says what 0 means, for the message."""
    if value is None:
        return None
    meaning = f" ({zero})" if zero else ""
    try:
        number = operator.index(value) if not isinstance(value, bool) else None
    except TypeError:
        number = None
    if number is None or number < 0:
        raise UsageError(f"{name} must be a whole number >= 0{meaning}, not {_shown(value)}")
    return number


def fraction(name: str, value: Any) -> float | None:
    """None, or a finite number >= 0 (a score)."""
    if value is None:
        return None
    try:
        number = float(value) if not isinstance(value, bool | str | bytes) else math.nan
    except (TypeError, ValueError):
        number = math.nan
    if not math.isfinite(number) or number < 0:
        raise UsageError(f"{name} must be a finite number >= 0, not {_shown(value)}")
    return number


def paths(name: str, value: Any, what: str = "paths") -> list[str]:
    """A list of strings (paths or globs; ``what`` names them for the message). One string
    alone is refused: it would be taken as a list of one-letter paths."""
    if isinstance(value, str | bytes | os.PathLike):
        raise UsageError(
            f"{name} must be a list of {what}, not one string (give {name}=[{value!r}])"
        )
    if not isinstance(value, Iterable):
        raise UsageError(f"{name} must be a list of {what}, not {_shown(value)}")
    items = list(value)
    for item in items:
        if not isinstance(item, str):
            raise UsageError(f"{name} must be a list of {what} as strings, not {_shown(item)}")
    return items


def callback(name: str, value: Any) -> Callable[..., Any] | None:
    """None, or something callable."""
    if value is None or callable(value):
        return value  # type: ignore[no-any-return]
    raise UsageError(f"{name} must be a function or None, not {_shown(value)}")


def root_path(value: Any) -> Any:
    """None, a string or an ``os.PathLike`` naming a directory."""
    if value is None or isinstance(value, str):
        return value
    if isinstance(value, os.PathLike) and isinstance(os.fspath(value), str):
        return value
    raise UsageError(f"path must be a directory's path (a str or Path), not {_shown(value)}")
