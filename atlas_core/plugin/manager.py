"""Loading plugins (built-ins, then entry points in sorted order) and their registries."""

from __future__ import annotations

import importlib
import os
import sys
import threading
from collections.abc import Callable, Collection, Iterable, Iterator
from contextlib import contextmanager
from types import ModuleType
from typing import TYPE_CHECKING, Any, Literal, overload

import attrs
import pluggy

from atlas_core.errors import AtlasError, PluginLoadError
from atlas_core.plugin import ENTRY_POINT_GROUP, PLUGIN_API, PROJECT, hookspecs
from atlas_core.plugin.guard import record_plugin, trace, tracing
from atlas_core.plugin.registry import Registrar, Registry

if TYPE_CHECKING:
    from atlas_core.components import (
        Chunker,
        Contributor,
        Fuser,
        OutputFormat,
        Reranker,
        Resolver,
        Signal,
        Walker,
    )

__all__ = [
    "REGISTRY_KINDS",
    "AtlasPluginManager",
    "HookImplementation",
    "PluginRecord",
    "declared_api",
    "get_plugin_manager",
]

#: registration hook suffix -> registry kind
REGISTRY_KINDS = (
    "walkers",
    "chunkers",
    "resolvers",
    "contributors",
    "signals",
    "fusers",
    "rerankers",
    "formats",
)


@attrs.frozen
class HookImplementation:
    """One implementation of a hook, for ``atlas plugins --hook NAME``."""

    hook: str
    plugin: str  # ``dist[entry]``
    function: str  # ``module.qualname``
    options: list[str]  # tryfirst, trylast, wrapper ...


@attrs.define
class PluginRecord:
    """What ``atlas plugins`` shows for one plugin."""

    name: str
    dist: str
    version: str
    status: str  # builtin, ok, failed, disabled
    hooks: list[str] = attrs.field(factory=list)
    components: dict[str, list[str]] = attrs.field(factory=dict)
    error: str = ""
    #: the plugin API version the plugin declares (``ATLAS_PLUGIN_API``), "" if none
    api: str = ""

    @property
    def display(self) -> str:
        return f"{self.dist}[{self.name}]"


class AtlasPluginManager:
    """Atlas's pluggy manager, its plugin records and the component registries."""

    def __init__(self) -> None:
        self.pm = pluggy.PluginManager(PROJECT)
        self.pm.add_hookspecs(hookspecs)
        self.records: list[PluginRecord] = []
        self.warnings: list[str] = []
        #: called with each warning raised after the CLI started (lazy registration)
        self.on_warning: Callable[[str], None] | None = None
        self._registries: dict[str, Registry[Any]] | None = None
        self._tracing = False

    # -- loading -----------------------------------------------------------------

    def register_builtins(self, block: Collection[str] = ()) -> None:
        """Register the built-in plugins; those in ``block`` are skipped unless essential."""
        from atlas_core.plugin.builtin import BUILTIN_PLUGINS, ESSENTIAL

        for modname in BUILTIN_PLUGINS:
            short = modname.rsplit(".", 1)[1]
            if short in block and short not in ESSENTIAL:
                self.records.append(PluginRecord(short, "atlas-core", _core_version(), "disabled"))
                continue
            module = importlib.import_module(modname)
            self.pm.register(module, name=f"builtin.{short}")
            record_plugin(f"builtin.{short}", "atlas-core")
            self.records.append(
                PluginRecord(short, "atlas-core", _core_version(), "builtin", _hooks_of(module))
            )

    def load_entrypoints(self, *, allow: set[str] | None, block: set[str]) -> None:
        """Load every entry point of the ``atlas`` group, sorted by distribution and name.

        A plugin that fails to import or register is recorded as failed with a one-line
        warning; the others carry on.
        """
        with _plugin_prints_to_stderr():
            self._load_entrypoints(allow, block)

    def _load_entrypoints(self, allow: set[str] | None, block: set[str]) -> None:
        for dist_name, version, ep in _entry_points():
            key = ep.name
            if key in block or dist_name in block:
                self.records.append(PluginRecord(key, dist_name, version, "disabled"))
                continue
            if allow is not None and key not in allow and dist_name not in allow:
                continue
            if self.pm.has_plugin(key):
                continue
            try:
                plugin = ep.load()
                refusal = _api_refusal(plugin)
                if refusal:
                    self._refuse(key, dist_name, version, refusal, declared_api(plugin))
                    continue
                self.pm.register(plugin, name=key)
                record_plugin(key, dist_name)
            except Exception as exc:
                if os.environ.get("ATLAS_RAISE_ERRORS"):
                    raise
                err = PluginLoadError(f"{dist_name}[{key}]", version, exc)
                self.records.append(PluginRecord(key, dist_name, version, "failed", error=str(err)))
                self.warnings.append(
                    f"{err} (see 'atlas plugins'; disable with ATLAS_DISABLE_PLUGINS={key})"
                )
                continue
            self.records.append(
                PluginRecord(
                    key, dist_name, version, "ok", _hooks_of(plugin), api=declared_api(plugin)
                )
            )

    def _refuse(self, key: str, dist: str, version: str, why: str, api: str) -> None:
        message = f"plugin {dist}[{key}] {version} refused: {why}"
        self.records.append(PluginRecord(key, dist, version, "failed", error=message, api=api))
        self.warnings.append(f"{message} (disable with ATLAS_DISABLE_PLUGINS={key})")

    def register_plugin(self, plugin: object, name: str, *, dist: str = "local") -> None:
        """Register an in-process plugin object (tests, local plugin files).

        A plugin declaring another major plugin API version is refused like an entry point.
        """
        refusal = _api_refusal(plugin)
        if refusal:
            self._refuse(name, dist, "", refusal, declared_api(plugin))
            return
        with _plugin_prints_to_stderr():  # historic hooks run as it registers
            self.pm.register(plugin, name=name)
        record_plugin(name, dist)
        self.records.append(
            PluginRecord(name, dist, "", "ok", _hooks_of(plugin), api=declared_api(plugin))
        )
        self._registries = None

    # -- registries --------------------------------------------------------------

    @property
    def registries(self) -> dict[str, Registry[Any]]:
        """Every registry (collects the kinds not collected yet)."""
        return {kind: self.registry(kind) for kind in REGISTRY_KINDS}

    @overload
    def registry(self, kind: Literal["walkers"]) -> Registry[Walker]: ...
    @overload
    def registry(self, kind: Literal["chunkers"]) -> Registry[Chunker]: ...
    @overload
    def registry(self, kind: Literal["resolvers"]) -> Registry[Resolver]: ...
    @overload
    def registry(self, kind: Literal["contributors"]) -> Registry[Contributor]: ...
    @overload
    def registry(self, kind: Literal["signals"]) -> Registry[Signal]: ...
    @overload
    def registry(self, kind: Literal["fusers"]) -> Registry[Fuser]: ...
    @overload
    def registry(self, kind: Literal["rerankers"]) -> Registry[Reranker]: ...
    @overload
    def registry(self, kind: Literal["formats"]) -> Registry[OutputFormat]: ...
    @overload
    def registry(self, kind: str) -> Registry[Any]: ...

    def registry(self, kind: str) -> Registry[Any]:
        """The registry of one kind, collected on first use: a query never pays for
        registering walkers or chunkers it does not need."""
        if self._registries is None:
            self._registries = {}
        found = self._registries.get(kind)
        if found is None:
            found = self._registries[kind] = self._collect(kind)
        return found

    def _collect(self, kind: str) -> Registry[Any]:
        """Run one registration hook, one implementation at a time, builtins first."""
        by_name = {r.name: r for r in self.records}
        registry: Registry[Any] = Registry(kind, _protocol(kind))
        hook_name = f"atlas_register_{kind}"
        caller = getattr(self.pm.hook, hook_name)
        impls = sorted(
            caller.get_hookimpls(),
            key=lambda i: (not i.plugin_name.startswith("builtin."), i.plugin_name),
        )
        for impl in impls:
            short = impl.plugin_name.removeprefix("builtin.")
            record = by_name.get(short)
            provider = record.display if record else impl.plugin_name
            registrar = Registrar(
                registry,
                provider,
                record.dist if record else impl.plugin_name,
                impl.plugin_name.startswith("builtin."),
            )
            if self._tracing:  # called directly, not through pluggy: trace it here
                trace(f"hook {hook_name} of {provider}")
            try:
                with _plugin_prints_to_stderr():
                    impl.function(registry=registrar)
            except AtlasError as exc:
                self._fail(record, impl.plugin_name, kind, exc)
            except Exception as exc:
                if os.environ.get("ATLAS_RAISE_ERRORS"):
                    raise
                self._fail(record, impl.plugin_name, kind, exc)
        for provider, names in registry.providers().items():
            for record in self.records:
                if record.display == provider:
                    record.components[kind] = names
        return registry

    def hook_implementations(self, name: str) -> list[HookImplementation]:
        """The implementations of hook ``name``, in the order Atlas calls them.

        :raises KeyError: when there is no such hook.
        """
        caller = getattr(self.pm.hook, name, None)
        if caller is None or not name.startswith("atlas_"):
            raise KeyError(name)
        by_name = {r.name: r for r in self.records}
        impls = list(caller.get_hookimpls())
        if name.startswith("atlas_register_"):
            impls.sort(key=lambda i: (not i.plugin_name.startswith("builtin."), i.plugin_name))
        else:
            impls.reverse()  # pluggy calls the last registered (and tryfirst) first
        out = []
        for impl in impls:
            record = by_name.get(impl.plugin_name.removeprefix("builtin."))
            function = impl.function
            options = [
                opt
                for opt in ("tryfirst", "trylast", "wrapper", "hookwrapper")
                if getattr(impl, opt, False)
            ]
            out.append(
                HookImplementation(
                    name,
                    record.display if record else impl.plugin_name,
                    f"{function.__module__}.{function.__qualname__}",
                    options,
                )
            )
        return out

    def _fail(self, record: PluginRecord | None, name: str, kind: str, exc: Exception) -> None:
        label = record.display if record else name
        message = f"plugin {label} failed registering {kind}: {type(exc).__name__}: {exc}"
        self.warn(message)
        if record is not None:
            record.status = "failed"
            record.error = message

    def warn(self, message: str) -> None:
        """Record a plugin problem; shown at once when the CLI has set ``on_warning``."""
        self.warnings.append(message)
        if self.on_warning is not None:
            self.on_warning(message)

    # -- dispatch hooks ----------------------------------------------------------

    @property
    def hook(self) -> Any:
        return self.pm.hook

    def loaded_dists(self) -> set[str]:
        """The distributions of the plugins in use (built-in ones: ``atlas-core``)."""
        return {r.dist for r in self.records if r.status in ("ok", "builtin")}

    def versions_line(self) -> str:
        plugins = [f"{r.name}-{r.version}" for r in self.records if r.status == "ok" and r.version]
        return ", ".join(sorted(plugins))


#: one plugin load at a time swaps ``sys.stdout`` (it is the whole process's)
_STDOUT_SWAP = threading.RLock()


@contextmanager
def _plugin_prints_to_stderr() -> Iterator[None]:
    """What plugin code prints while it loads or registers goes to stderr: stdout carries
    Atlas's output (a JSON document, the MCP server's messages)."""
    with _STDOUT_SWAP:
        saved = sys.stdout
        sys.stdout = sys.stderr
        try:
            yield
        finally:
            sys.stdout = saved


def _core_version() -> str:
    from atlas_core import __version__

    return __version__


def declared_api(plugin: object) -> str:
    """The plugin API version ``plugin`` declares (``ATLAS_PLUGIN_API = "1.0"``), or ""."""
    value = getattr(plugin, "ATLAS_PLUGIN_API", None)
    if value is None:
        return ""
    if isinstance(value, tuple | list):
        return ".".join(str(v) for v in value)
    return str(value)


def _api_refusal(plugin: object) -> str:
    """Why ``plugin`` cannot be used with this Atlas's plugin API, or ""."""
    declared = declared_api(plugin)
    if not declared:
        return ""
    major = declared.split(".", 1)[0].strip()
    ours = f"{PLUGIN_API[0]}.{PLUGIN_API[1]}"
    if not major.isdigit():
        return f"it declares an unreadable plugin API version {declared!r} (this Atlas has {ours})"
    if int(major) != PLUGIN_API[0]:
        return (
            f"it is built for plugin API {declared} and this Atlas has {ours} "
            "(install a version of the plugin made for this Atlas)"
        )
    return ""


def _protocol(kind: str) -> type | None:
    from atlas_core import components

    return {
        "walkers": components.Walker,
        "chunkers": components.Chunker,
        "resolvers": components.Resolver,
        "contributors": components.Contributor,
        "signals": components.Signal,
        "fusers": components.Fuser,
        "rerankers": components.Reranker,
        "formats": components.OutputFormat,
    }.get(kind)


def _hooks_of(plugin: object) -> list[str]:
    return sorted(
        n for n in dir(plugin) if n.startswith("atlas_") and callable(getattr(plugin, n, None))
    )


@attrs.frozen
class EntryPoint:
    """An ``atlas`` entry point: ``name = module[:attr]`` of one distribution."""

    name: str
    value: str

    def load(self) -> Any:
        module_name, _, attr = self.value.partition(":")
        obj: Any = importlib.import_module(module_name.strip())
        for part in filter(None, attr.strip().split(".")):
            obj = getattr(obj, part)
        return obj


def _entry_points() -> Iterable[tuple[str, str, EntryPoint]]:
    """Entry points of the ``atlas`` group, sorted by distribution then entry name.

    Reads ``entry_points.txt`` of each installed distribution directly: importing
    ``importlib.metadata`` costs more start-up time than a query does.
    """
    found: dict[tuple[str, str], tuple[str, str, EntryPoint]] = {}
    seen_dirs: set[str] = set()
    for base in sys.path:
        base = base or "."
        if base in seen_dirs or not os.path.isdir(base):
            continue
        seen_dirs.add(base)
        try:
            names = os.listdir(base)
        except OSError:
            continue
        for name in names:
            if not name.endswith((".dist-info", ".egg-info")):
                continue
            info = os.path.join(base, name)
            entries = _atlas_entries(os.path.join(info, "entry_points.txt"))
            if not entries:
                continue
            dist_name, version = _name_and_version(info, name)
            for entry, value in entries:
                found.setdefault(
                    (dist_name.lower(), entry), (dist_name, version, EntryPoint(entry, value))
                )
    return [found[k] for k in sorted(found)]


def _atlas_entries(path: str) -> list[tuple[str, str]]:
    try:
        with open(path, encoding="utf-8") as fh:
            text = fh.read()
    except OSError:
        return []
    out: list[tuple[str, str]] = []
    section = ""
    for raw in text.splitlines():
        line = raw.strip()
        if not line or line.startswith(("#", ";")):
            continue
        if line.startswith("["):
            section = line.strip("[]").strip()
        elif section == ENTRY_POINT_GROUP and "=" in line:
            key, _, value = line.partition("=")
            out.append((key.strip(), value.strip()))
    return out


def _name_and_version(info: str, dirname: str) -> tuple[str, str]:
    name = version = ""
    for meta in ("METADATA", "PKG-INFO"):
        try:
            with open(os.path.join(info, meta), encoding="utf-8") as fh:
                for line in fh:
                    if line.startswith("Name:"):
                        name = line[5:].strip()
                    elif line.startswith("Version:"):
                        version = line[8:].strip()
                    elif not line.strip():
                        break
        except OSError:
            continue
        break
    if not name:
        name = dirname.rsplit(".", 1)[0].split("-")[0]
    return name, version


def _env_set(name: str) -> set[str] | None:
    value = os.environ.get(name)
    if value is None:
        return None
    return {part.strip() for part in value.split(",") if part.strip()}


def _unknown_names(named: dict[str, set[str]]) -> list[str]:
    """A warning for each setting that names no built-in or installed plugin (a typo would
    otherwise go unnoticed)."""
    if not any(named.values()):
        return []  # the usual case: no installed distribution is listed
    from atlas_core.plugin.builtin import BUILTIN_PLUGINS

    known = {modname.rsplit(".", 1)[1] for modname in BUILTIN_PLUGINS}
    for dist_name, _, ep in _entry_points():
        known.update((dist_name, ep.name))
    out = []
    for where, names in named.items():
        unknown = sorted(names - known)
        if unknown:
            out.append(
                f"{where} names no installed plugin: {', '.join(unknown)} "
                "(see 'atlas plugins' for the names)"
            )
    return out


def get_plugin_manager(
    *,
    load_entrypoints: bool = True,
    disable: Iterable[str] = (),
    extra_plugins: Iterable[tuple[str, ModuleType | object]] = (),
) -> AtlasPluginManager:
    """Build a fresh manager: built-ins, then entry points, then ``extra_plugins``.

    ``ATLAS_LOAD_PLUGINS`` is an allowlist of entry-point or distribution names (empty:
    load none); ``ATLAS_DISABLE_PLUGINS`` and ``disable`` block names.
    """
    manager = AtlasPluginManager()
    allow = _env_set("ATLAS_LOAD_PLUGINS")
    env_block = _env_set("ATLAS_DISABLE_PLUGINS") or set()
    block = env_block | set(disable)
    manager.register_builtins(block)
    if load_entrypoints and allow != set():
        manager.load_entrypoints(allow=allow, block=block)
    if load_entrypoints:
        named = {
            "ATLAS_LOAD_PLUGINS": allow or set(),
            "ATLAS_DISABLE_PLUGINS": env_block,
            "--disable-plugin": set(disable),
        }
        manager.warnings.extend(_unknown_names(named))
    for name, plugin in extra_plugins:
        manager.register_plugin(plugin, name)
    if tracing():
        manager.pm.trace.root.setwriter(sys.stderr.write)
        manager.pm.enable_tracing()
        manager._tracing = True
    return manager
