"""atlas-lang-go: a Go language package for Atlas.

Hook implementations only; the work is in :mod:`atlas_lang_go.chunker` and
:mod:`atlas_lang_go.resolver`, imported when the hooks run.
"""

from __future__ import annotations

from typing import Any

from atlas_core.api import hookimpl

__all__ = [
    "ATLAS_PLUGIN_API",
    "atlas_classify_role",
    "atlas_register_chunkers",
    "atlas_register_resolvers",
]

#: the plugin API this package is written for (see ``atlas plugins``)
ATLAS_PLUGIN_API = "1.1"


@hookimpl
def atlas_register_chunkers(registry: Any) -> None:
    from atlas_lang_go.chunker import GoChunker

    registry.add(GoChunker())


@hookimpl
def atlas_register_resolvers(registry: Any) -> None:
    from atlas_lang_go.resolver import GoResolver

    registry.add(GoResolver())


@hookimpl
def atlas_classify_role(rel: str, language: str, head: str) -> str | None:
    """Go files: ``generated`` exactly when Go's generated-code header says so.

    The core guesses from any "DO NOT EDIT" in the first lines; Go has a precise rule (a
    ``// Code generated ... DO NOT EDIT.`` line before the package clause), so Go files get
    the core's path-based role with that rule instead of the guess.
    """
    if language != "go":
        return None
    from atlas_core.api import detect_role
    from atlas_lang_go.header import is_generated

    return "generated" if is_generated(head) else detect_role(rel, language, "")
