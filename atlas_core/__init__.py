"""Atlas: the right files of a repository for a task, inside a token budget, offline.

Plugin authors import what they need from :mod:`atlas_core.api` (the documented plugin
API); the most common names are also here.
"""

from __future__ import annotations

# no imports at all here (typing is slow to import): nothing runs before the command line
# can catch a Ctrl-C
TYPE_CHECKING = False
if TYPE_CHECKING:
    from typing import Any

    from atlas_core.components import (
        Chunker,
        Classifier,
        Contributor,
        FormatOptions,
        Fuser,
        IndexContext,
        IndexView,
        OutputFormat,
        QueryContext,
        Reranker,
        Resolver,
        Retriever,
        Signal,
        Walker,
        WalkSettings,
    )
    from atlas_core.errors import AtlasError, AtlasPluginError, PluginFailure, UsageError
    from atlas_core.plugin import PLUGIN_API, hookimpl
    from atlas_core.types import Chunk, Classification, RepoFile, SelectedFile, Selection

__version__ = "0.3.0"

__all__ = [
    "PLUGIN_API",
    "AtlasError",
    "AtlasPluginError",
    "Chunk",
    "Chunker",
    "Classification",
    "Classifier",
    "Contributor",
    "FormatOptions",
    "Fuser",
    "IndexContext",
    "IndexView",
    "OutputFormat",
    "PluginFailure",
    "QueryContext",
    "RepoFile",
    "Reranker",
    "Resolver",
    "Retriever",
    "SelectedFile",
    "Selection",
    "Signal",
    "UsageError",
    "WalkSettings",
    "Walker",
    "__version__",
    "hookimpl",
]

#: where each public name lives; imported on first use, so ``import atlas_core`` (and the
#: start of every ``atlas`` command, which a Ctrl-C may interrupt) costs almost nothing
_LAZY = {
    **dict.fromkeys(
        ("Chunker", "Classifier", "Contributor", "FormatOptions", "Fuser", "IndexContext",
         "IndexView", "OutputFormat", "QueryContext", "Reranker", "Resolver", "Retriever",
         "Signal", "Walker", "WalkSettings"),
        "atlas_core.components",
    ),
    **dict.fromkeys(("AtlasError", "AtlasPluginError", "PluginFailure", "UsageError"),
                    "atlas_core.errors"),
    **dict.fromkeys(("PLUGIN_API", "hookimpl"), "atlas_core.plugin"),
    **dict.fromkeys(("Chunk", "Classification", "RepoFile", "SelectedFile", "Selection"),
                    "atlas_core.types"),
}  # fmt: skip


def __getattr__(name: str) -> Any:
    if name not in _LAZY:
        raise AttributeError(f"module 'atlas_core' has no attribute {name!r}")
    import importlib

    value = getattr(importlib.import_module(_LAZY[name]), name)
    globals()[name] = value
    return value


def __dir__() -> list[str]:
    return sorted(__all__)
