"""Atlas: the right files of a repository for a task, inside a token budget, offline.

Plugin authors import what they need from :mod:`atlas_core.api` (the documented plugin
API); the most common names are also here.
"""

from __future__ import annotations

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
