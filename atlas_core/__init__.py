"""Atlas: the right files of a repository for a task, inside a token budget, offline.

Plugin authors import everything they need from here.
"""

from __future__ import annotations

from atlas_core.components import (
    Chunker,
    Contributor,
    FormatOptions,
    Fuser,
    OutputFormat,
    QueryContext,
    Reranker,
    Signal,
    Walker,
    WalkSettings,
)
from atlas_core.errors import AtlasError, AtlasPluginError, UsageError
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
    "Contributor",
    "FormatOptions",
    "Fuser",
    "OutputFormat",
    "QueryContext",
    "RepoFile",
    "Reranker",
    "SelectedFile",
    "Selection",
    "Signal",
    "UsageError",
    "WalkSettings",
    "Walker",
    "__version__",
    "hookimpl",
]
