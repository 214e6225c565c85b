"""A language package for Gleam, a grammar the core has no query for.

The entry point is an object (``atlas_example_gleam:plugin``): a classifier that names
``.gleam`` files, which also registers the chunker.
"""

from __future__ import annotations

from atlas_core.api import Chunker, Classifier, Registrar, hookimpl

__all__ = ["ATLAS_PLUGIN_API", "GleamPlugin", "plugin"]

ATLAS_PLUGIN_API = "1.1"


class GleamPlugin(Classifier):
    """``*.gleam`` files are Gleam; their symbols come from ``queries/gleam.scm``."""

    ATLAS_PLUGIN_API = ATLAS_PLUGIN_API

    def language(self, rel: str, head: str) -> str | None:
        return "gleam" if rel.endswith(".gleam") else None

    def role(self, rel: str, language: str, head: str) -> str | None:
        if language == "gleam" and rel.startswith("test/"):
            return "test"  # gleam's convention: tests live in test/
        return None

    @hookimpl
    def atlas_register_chunkers(self, registry: Registrar[Chunker]) -> None:
        from atlas_example_gleam.chunker import GleamChunker

        registry.add(GleamChunker())


plugin = GleamPlugin()
