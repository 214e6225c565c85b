"""Import resolvers per language family, and how the graph picks one per language."""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from atlas_graph.resolvers.cfamily import CFamilyResolver
from atlas_graph.resolvers.golang import GoResolver
from atlas_graph.resolvers.javascript import JavaScriptResolver
from atlas_graph.resolvers.jvm import JvmResolver
from atlas_graph.resolvers.php import PhpResolver
from atlas_graph.resolvers.python import PythonResolver
from atlas_graph.resolvers.ruby import RubyResolver
from atlas_graph.resolvers.rust import RustResolver

__all__ = ["RESOLVERS", "pick_resolvers"]

#: the resolvers this plugin registers
RESOLVERS = (
    PythonResolver,
    JavaScriptResolver,
    GoResolver,
    RustResolver,
    JvmResolver,
    RubyResolver,
    CFamilyResolver,
    PhpResolver,
)


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
