"""Import resolvers per language family, and how the graph picks one per language."""

from __future__ import annotations

import importlib
from collections.abc import Iterable
from typing import TYPE_CHECKING, Any

__all__ = ["RESOLVERS", "pick_resolvers"]

#: the resolvers this plugin registers, as (module, class): imported when ``RESOLVERS`` is
#: first read (a query reads the stored graph through ``common`` and needs none of them)
_RESOLVERS = (
    ("python", "PythonResolver"),
    ("javascript", "JavaScriptResolver"),
    ("golang", "GoResolver"),
    ("rust", "RustResolver"),
    ("jvm", "JvmResolver"),
    ("ruby", "RubyResolver"),
    ("cfamily", "CFamilyResolver"),
    ("php", "PhpResolver"),
    ("dart", "DartResolver"),
    ("zig", "ZigResolver"),
    ("julia", "JuliaResolver"),
    ("nim", "NimResolver"),
    ("erlang", "ErlangResolver"),
    ("ocaml", "OCamlResolver"),
    ("fsharp", "FSharpResolver"),
    ("elisp", "ElispResolver"),
    ("clojure", "ClojureResolver"),
    ("tcl", "TclResolver"),
    ("protobuf", "ProtobufResolver"),
    ("starlark", "StarlarkResolver"),
    ("stylesheet", "StylesheetResolver"),
    ("html", "HtmlResolver"),
)

if TYPE_CHECKING:
    RESOLVERS: tuple[type, ...]


def __getattr__(name: str) -> Any:
    if name != "RESOLVERS":
        raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
    value = tuple(
        getattr(importlib.import_module(f"{__name__}.{module}"), cls) for module, cls in _RESOLVERS
    )
    globals()["RESOLVERS"] = value
    return value


def pick_resolvers(resolvers: Iterable[Any]) -> dict[str, Any]:
    """For each language, the resolver with the highest priority (ties: the larger name)."""
    best: dict[str, Any] = {}
    for resolver in resolvers:
        for language in resolver.languages:
            current = best.get(language)
            if current is None or (resolver.priority, resolver.name) > (
                current.priority,
                current.name,
            ):
                best[language] = resolver
    return best
