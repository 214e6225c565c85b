"""atlas-graph: the import graph of a repository, its PageRank, and neighbours of the best
matches (signals ``pagerank`` and ``graph``, contributor ``graph``, ``atlas graph FILE``)."""

from __future__ import annotations

from typing import Any

from atlas_core.api import hookimpl

__all__ = [
    "ATLAS_PLUGIN_API",
    "atlas_add_commands",
    "atlas_register_contributors",
    "atlas_register_resolvers",
    "atlas_register_signals",
]

#: the plugin API this package is written for (see ``atlas plugins``)
ATLAS_PLUGIN_API = "1.1"


@hookimpl
def atlas_register_resolvers(registry: Any) -> None:
    from atlas_graph.resolvers import RESOLVERS

    for resolver in RESOLVERS:
        registry.add(resolver())


@hookimpl
def atlas_register_contributors(registry: Any) -> None:
    from atlas_graph.contributor import GraphContributor

    registry.add(GraphContributor())


@hookimpl
def atlas_register_signals(registry: Any) -> None:
    from atlas_graph.signals import GraphSignal, PageRankSignal

    registry.add(PageRankSignal())
    registry.add(GraphSignal())


@hookimpl
def atlas_add_commands(cli: Any) -> None:
    from atlas_core.api import lazy_command  # click: not for library users

    cli.add_command(lazy_command("graph", "atlas_graph.command:graph_command"))
