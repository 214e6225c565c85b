"""Values derived from one index generation, computed once per reader."""

from __future__ import annotations

import weakref
from collections.abc import Callable
from typing import Any, TypeVar

__all__ = ["per_reader"]

T = TypeVar("T")
R = TypeVar("R")  # an index reader or view
_CACHES: dict[str, weakref.WeakKeyDictionary[Any, Any]] = {}


def per_reader(key: str, reader: R, build: Callable[[R], T]) -> T:
    """``build(reader)``, computed once per reader (one index generation) and ``key``;
    dropped with the reader. Plugins use it through :mod:`atlas_core.api`."""
    cache = _CACHES.get(key)
    if cache is None:  # not setdefault: that would make a dictionary on every call
        cache = _CACHES[key] = weakref.WeakKeyDictionary()
    try:
        return cache[reader]  # type: ignore[no-any-return]
    except KeyError:
        value = cache[reader] = build(reader)
        return value
