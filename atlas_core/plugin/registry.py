"""Typed registries of components, with provenance and conflict detection."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any, Generic, TypeVar

import attrs

from atlas_core.errors import PluginConflictError

__all__ = ["Registry", "RegistryEntry"]

T = TypeVar("T")


@attrs.frozen
class RegistryEntry(Generic[T]):
    """A registered component and the plugin that provided it."""

    component: T
    provider: str
    overridden: str | None = None


class Registry(Generic[T]):
    """Components of one kind (walkers, signals ...), keyed by their ``name``.

    A plugin may replace a built-in component only with ``override=True``; any other
    name clash raises :class:`PluginConflictError` naming both providers.
    """

    def __init__(self, kind: str) -> None:
        self.kind = kind
        self._entries: dict[str, RegistryEntry[T]] = {}
        self._builtin: set[str] = set()
        #: set by the manager while a plugin's hook runs
        self.current_provider = "?"
        self.current_is_builtin = False

    def add(self, component: T, *, override: bool = False) -> None:
        """Register ``component`` under its ``name`` attribute."""
        name = str(getattr(component, "name", "") or "")
        if not name:
            raise TypeError(f"{self.kind[:-1]} {component!r} has no name")
        previous = self._entries.get(name)
        replaced = None
        if previous is not None:
            if not (override and name in self._builtin):
                raise PluginConflictError(
                    f"{self.kind[:-1]} {name!r} is registered by both {previous.provider} and "
                    f"{self.current_provider}: disable one (--disable-plugin) or pass "
                    "override=True to replace a built-in"
                )
            replaced = previous.provider
        self._entries[name] = RegistryEntry(component, self.current_provider, replaced)
        if self.current_is_builtin:
            self._builtin.add(name)
        else:
            self._builtin.discard(name)

    def get(self, name: str) -> T | None:
        entry = self._entries.get(name)
        return entry.component if entry else None

    def entry(self, name: str) -> RegistryEntry[T] | None:
        return self._entries.get(name)

    def names(self) -> list[str]:
        return sorted(self._entries)

    def entries(self) -> list[RegistryEntry[T]]:
        return [self._entries[n] for n in self.names()]

    def __iter__(self) -> Iterator[T]:
        return (e.component for e in self.entries())

    def __contains__(self, name: object) -> bool:
        return name in self._entries

    def __len__(self) -> int:
        return len(self._entries)

    def providers(self) -> dict[str, list[str]]:
        """Map each provider to the component names it registered."""
        out: dict[str, list[str]] = {}
        for name, entry in sorted(self._entries.items()):
            out.setdefault(entry.provider, []).append(name)
        return out

    def describe(self) -> list[dict[str, Any]]:
        return [
            {
                "name": name,
                "provider": e.provider,
                "builtin": name in self._builtin,
                "overrides": e.overridden,
                "description": (type(e.component).__doc__ or "").strip().split("\n")[0],
            }
            for name, e in sorted(self._entries.items())
        ]
