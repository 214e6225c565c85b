"""Attribution: an exception escaping a plugin's code becomes one line naming the plugin.

Every place the pipeline calls a component (a signal's ``score``, a contributor's
``contribute``, a chunker on one file ...) or a dispatch hook goes through :func:`guarded`
or :func:`call_hook`. Whatever escapes is turned into a :class:`PluginFailure` whose message
names the distribution, the component and the stage::

    plugin acme-signal: signal team_dirs failed while scoring: ValueError: kaboom

Any exception counts, ``SystemExit``, ``GeneratorExit`` and other ``BaseException`` s too: a
plugin's ``sys.exit(0)`` must not end a query quietly, nor leave an MCP call unanswered.
Only an interruption of the process itself passes through (see :func:`plugins_own`).

``ATLAS_RAISE_ERRORS=1`` re-raises the original exception instead (with its traceback);
``ATLAS_TRACE_PLUGINS=1`` prints every guarded call on stderr.
"""

from __future__ import annotations

import os
import sys
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from types import TracebackType
from typing import Any

import attrs

from atlas_core.errors import AtlasError, PluginFailure, UsageError

__all__ = [
    "Origin",
    "call_hook",
    "component_call",
    "failure",
    "guarded",
    "origin_of",
    "output_failure",
    "plugins_own",
    "raise_errors",
    "record_origin",
    "record_plugin",
    "trace",
    "tracing",
]


@attrs.frozen
class Origin:
    """Who provided a component: the distribution and the component's label."""

    plugin: str  # distribution name (``atlas-core`` for built-ins)
    component: str  # ``signal bm25f``


#: id(component) -> where it came from; filled when components are registered
_ORIGINS: dict[int, Origin] = {}
#: pluggy plugin name -> distribution, for dispatch hooks
_PLUGINS: dict[str, str] = {}


def raise_errors() -> bool:
    """Whether plugin errors are re-raised as they are (``ATLAS_RAISE_ERRORS=1``)."""
    return bool(os.environ.get("ATLAS_RAISE_ERRORS"))


def tracing() -> bool:
    """Whether plugin calls are traced on stderr (``ATLAS_TRACE_PLUGINS=1``)."""
    return bool(os.environ.get("ATLAS_TRACE_PLUGINS"))


def trace(message: str) -> None:
    """One trace line on stderr when tracing is on."""
    if tracing():
        sys.stderr.write(f"atlas: trace: {message}\n")


def record_origin(component: object, plugin: str, label: str) -> None:
    """Remember that ``component`` (called ``label``, e.g. ``signal bm25f``) is ``plugin``'s."""
    _ORIGINS[id(component)] = Origin(plugin, label)


def record_plugin(name: str, dist: str) -> None:
    """Remember the distribution of a pluggy plugin registered as ``name``."""
    _PLUGINS[name] = dist


def origin_of(component: object) -> Origin:
    """Where ``component`` came from (an unregistered one is named by its class)."""
    found = _ORIGINS.get(id(component))
    if found is not None:
        return found
    module = type(component).__module__.split(".")[0]
    return Origin(_PLUGINS.get(module, module), str(getattr(component, "name", module)))


def failure(origin: Origin, stage: str, exc: BaseException) -> PluginFailure:
    """The one-line failure for ``exc`` escaping ``origin`` while doing ``stage``."""
    if isinstance(exc, PluginFailure):
        return exc
    if isinstance(exc, AtlasError):  # the plugin's own line for the user: shown as it is
        return PluginFailure(origin.plugin, origin.component, stage, str(exc), own=True)
    error = f"{type(exc).__name__}: {exc}"
    return PluginFailure(origin.plugin, origin.component, stage, error)


def plugins_own(exc: BaseException) -> bool:
    """Whether ``exc``, escaping plugin code, is the plugin's failure: anything but Ctrl-C
    (or SIGTERM while the index lock is held) raised in the main thread, where the signal
    handlers raise them. In another thread (the MCP server's tool calls) a
    ``KeyboardInterrupt`` can only be the plugin's own."""
    if isinstance(exc, Exception):
        return True
    if threading.current_thread() is not threading.main_thread():
        return True
    if isinstance(exc, KeyboardInterrupt):
        return False
    from atlas_core.index.lock import Terminated

    return not isinstance(exc, Terminated)


def output_failure(component: object, stage: str, problem: str) -> PluginFailure:
    """The failure of ``component`` whose result is unusable (``problem``: what is wrong
    with it, e.g. ``returned (3,) scores for 2 files``)."""
    origin = origin_of(component)
    return PluginFailure(origin.plugin, origin.component, stage, problem)


#: per thread, how many component calls (:func:`guarded`) are running
_CALLS = threading.local()


def in_component_call() -> bool:
    """Whether this thread is inside a component's call: what it prints to stdout is not
    Atlas's output (the command line sends it to stderr)."""
    return bool(getattr(_CALLS, "depth", 0))


class component_call:
    """The block is a component's call for :func:`in_component_call`, without what
    :func:`guarded` does with an exception (the indexer handles a chunker's failure itself,
    per file). A context manager."""

    __slots__ = ()

    def __enter__(self) -> None:
        _CALLS.depth = getattr(_CALLS, "depth", 0) + 1

    def __exit__(self, *exc_info: object) -> None:
        _CALLS.depth -= 1


@contextmanager
def guarded(component: object, stage: str) -> Iterator[None]:
    """Run the body as a call of ``component``; what escapes names the plugin.

    Configuration errors (:class:`UsageError`) pass through unchanged: they already name
    the component and are the user's to fix.
    """
    origin = origin_of(component)
    if tracing():
        trace(f"plugin {origin.plugin}: {origin.component} {stage}")
    _CALLS.depth = getattr(_CALLS, "depth", 0) + 1
    try:
        yield
    except (UsageError, PluginFailure):
        raise
    except BaseException as exc:
        if raise_errors() or not plugins_own(exc):
            raise
        raise failure(origin, stage, exc) from exc
    finally:
        _CALLS.depth -= 1


def call_hook(hook: Any, name: str, stage: str, **kwargs: Any) -> Any:
    """Call the dispatch hook ``name``; an exception names the implementation that raised.

    Pluggy runs the implementations itself, so the one that raised is found in the
    traceback (the innermost frame running one of the hook's implementations).
    """
    caller = getattr(hook, name)
    try:
        return caller(**kwargs)
    except (UsageError, PluginFailure):
        raise
    except BaseException as exc:
        if raise_errors() or not plugins_own(exc):
            raise
        plugin = _raising_plugin(caller, exc.__traceback__)
        raise failure(Origin(plugin, f"hook {name}"), stage, exc) from exc


def _raising_plugin(caller: Any, tb: TracebackType | None) -> str:
    codes: dict[Any, tuple[str, Any]] = {}
    for impl in caller.get_hookimpls():
        function = getattr(impl.function, "__func__", impl.function)
        code = getattr(function, "__code__", None)
        if code is not None:
            codes.setdefault(code, (impl.plugin_name, impl.plugin))
    found = "?"
    while tb is not None:
        hit = codes.get(tb.tb_frame.f_code)
        if hit is not None:
            name, plugin = hit
            owner = tb.tb_frame.f_locals.get("self")
            # a method shared by several plugin objects (a base class): match the instance
            if owner is None or owner is plugin or not isinstance(plugin, type(owner)):
                found = name
            else:
                found = _plugin_of_instance(caller, owner) or name
        tb = tb.tb_next
    return _PLUGINS.get(found, found.removeprefix("builtin."))


def _plugin_of_instance(caller: Any, owner: object) -> str | None:
    for impl in caller.get_hookimpls():
        if impl.plugin is owner:
            return str(impl.plugin_name)
    return None
