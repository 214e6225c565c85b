"""Atlas plugin: semantic reranking and hybrid retrieval through Ollama embeddings.

Registers the ``ollama`` reranker (``--rerank``, ``--semantic``, the ``thorough``
preset), the on-demand ``embeddings`` contributor (``atlas index --embed``) and the
``atlas ollama`` command. Everything heavy is imported when first used.
"""

from __future__ import annotations

from typing import Any

from atlas_core.api import hookimpl

__all__ = [
    "ATLAS_PLUGIN_API",
    "atlas_add_commands",
    "atlas_register_contributors",
    "atlas_register_rerankers",
]

#: the plugin API this package is written for (see ``atlas plugins``)
ATLAS_PLUGIN_API = "1.1"


@hookimpl
def atlas_register_rerankers(registry: Any) -> None:
    from atlas_ollama.reranker import OllamaReranker

    registry.add(OllamaReranker())


@hookimpl
def atlas_register_contributors(registry: Any) -> None:
    from atlas_ollama.contributor import EmbeddingsContributor

    registry.add(EmbeddingsContributor())


@hookimpl
def atlas_add_commands(cli: Any) -> None:
    from atlas_core.api import lazy_command  # click: not for library users

    cli.add_command(lazy_command("ollama", "atlas_ollama.cli:ollama"))
