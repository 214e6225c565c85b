"""Values derived from one index generation, computed once per reader."""

from __future__ import annotations

import weakref
from collections.abc import Callable
from typing import TYPE_CHECKING, Any, TypeVar

if TYPE_CHECKING:
    from atlas_core.index.reader import IndexReader

__all__ = ["per_reader"]

T = TypeVar("T")
_CACHES: dict[str, weakref.WeakKeyDictionary[Any, Any]] = {}


def per_reader(key: str, reader: IndexReader, build: Callable[[IndexReader], T]) -> T:
    """``build(reader)``, computed once per reader and ``key``; dropped with the reader."""
    cache = _CACHES.setdefault(key, weakref.WeakKeyDictionary())
    try:
        return cache[reader]  # type: ignore[no-any-return]
    except KeyError:
        value = cache[reader] = build(reader)
        return value
