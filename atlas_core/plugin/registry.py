"""Typed registries of components, with provenance and conflict detection."""

from __future__ import annotations

import re
from collections.abc import Iterator
from typing import Any, Generic, TypeVar

import attrs

from atlas_core.errors import PluginConflictError

__all__ = ["Registrar", "Registry", "RegistryEntry"]

T = TypeVar("T")


#: a contributor's name is also its files' name: no dot (``<name>.priors`` is the core's)
_CONTRIBUTOR_NAME = re.compile(r"[A-Za-z0-9][\w-]*", re.ASCII)


@attrs.frozen
class RegistryEntry(Generic[T]):
    """A registered component and the plugin that provided it."""

    component: T
    provider: str  # ``dist[entry]``
    overridden: str | None = None
    dist: str = ""


class Registry(Generic[T]):
    """Components of one kind (walkers, signals ...), keyed by their ``name``.

    A plugin may replace a built-in component only with ``override=True``; any other
    name clash raises :class:`PluginConflictError` naming both providers.
    """

    def __init__(self, kind: str, protocol: type | None = None) -> None:
        self.kind = kind
        #: what every component of this kind must satisfy (a runtime-checkable protocol)
        self.protocol = protocol
        self._entries: dict[str, RegistryEntry[T]] = {}
        self._builtin: set[str] = set()

    @property
    def label(self) -> str:
        """The singular kind: ``signal`` for ``signals``."""
        return self.kind[:-1]

    def add(
        self,
        component: T,
        *,
        provider: str,
        dist: str = "",
        builtin: bool = False,
        override: bool = False,
    ) -> None:
        """Register ``component`` under its ``name`` attribute, as ``provider``'s."""
        from atlas_core.plugin.guard import record_origin

        name = str(getattr(component, "name", "") or "")
        if not name:
            raise TypeError(f"{self.label} {component!r} has no name")
        if self.kind == "contributors" and not _CONTRIBUTOR_NAME.fullmatch(name):
            # it names the contributor's files in the cache (``extras/<name>.msgpack``)
            raise TypeError(f"contributor name {name!r} must be letters, digits, '_' and '-' only")
        previous = self._entries.get(name)
        replaced = None
        if previous is not None:
            if not (override and name in self._builtin):
                raise PluginConflictError(
                    f"{self.label} {name!r} is registered by both {previous.provider} and "
                    f"{provider}: disable one (--disable-plugin) or pass "
                    "override=True to replace a built-in"
                )
            replaced = previous.provider
        protocol = self.protocol
        missing = _missing_members(component, protocol) if protocol is not None else []
        if missing and protocol is not None:
            raise TypeError(
                f"{self.label} {name!r} is not a {protocol.__name__} (missing: "
                f"{', '.join(missing)}); subclass atlas_core.api.{protocol.__name__}"
            )
        self._entries[name] = RegistryEntry(component, provider, replaced, dist or provider)
        record_origin(component, dist or provider, f"{self.label} {name}")
        if builtin:
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


class Registrar(Generic[T]):
    """What a registration hook receives: ``registrar.add(component)`` registers the
    component in the registry as this plugin's (so no registry state changes per plugin)."""

    def __init__(self, registry: Registry[T], provider: str, dist: str, builtin: bool) -> None:
        self._registry = registry
        self._provider = provider
        self._dist = dist
        self._builtin = builtin

    @property
    def kind(self) -> str:
        return self._registry.kind

    def add(self, component: T, *, override: bool = False) -> None:
        """Register ``component``; ``override=True`` replaces a built-in of the same name."""
        self._registry.add(
            component,
            provider=self._provider,
            dist=self._dist,
            builtin=self._builtin,
            override=override,
        )


#: the members a component may lack: the pipeline reads them with ``getattr`` and uses the
#: protocol's default (docs/plugins/api.md lists them as optional; ``prior_factors`` was
#: added in API 1.1, so a component written for 1.0 lacks it)
OPTIONAL_MEMBERS = frozenset(
    {"describe", "on_demand", "prior_factors", "stage", "unavailable", "version"}
)


def _missing_members(component: object, protocol: type) -> list[str]:
    """The required members of ``protocol`` that ``component`` lacks (none if it is an
    instance)."""
    if isinstance(component, protocol):
        return []
    members: set[str] = set()
    for base in protocol.__mro__:
        if base is object or base.__name__ in {"Protocol", "Generic"}:
            continue
        members.update(getattr(base, "__annotations__", {}))
        members.update(n for n, v in vars(base).items() if callable(v) and not n.startswith("_"))
    missing = (m for m in members - OPTIONAL_MEMBERS if not m.startswith("_"))
    return sorted(m for m in missing if not hasattr(component, m))
