"""Atlas: the right files of a repository for a task, inside a token budget, offline.

As a library (``docs/api.md``)::

    import atlas_core

    with atlas_core.open("path/to/repo") as repo:
        for f in repo.query("add retry logic", max_tokens=8000).selection.files:
            print(f.path, f.score)

:func:`open` returns a :class:`Repository` (``index``, ``query``, ``explain``, ``render``,
``close``); its answers are :class:`QueryResult`, :class:`Selection`,
:class:`SelectedFile` and :class:`Explanation`; bad input raises :class:`UsageError`, a
subclass of :class:`AtlasError`.

Plugin authors import what they need from :mod:`atlas_core.api` (the documented plugin
API); the most common names are also here.
"""

from __future__ import annotations

import importlib
from typing import TYPE_CHECKING, Any

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

if TYPE_CHECKING:
    from atlas_core.engine import QueryResult
    from atlas_core.repository import Repository, open
    from atlas_core.results import Explanation

__version__ = "0.3.0"

#: the library API, imported on first use: ``import atlas_core`` stays cheap
_LAZY = {
    "open": "atlas_core.repository",
    "Repository": "atlas_core.repository",
    "QueryResult": "atlas_core.engine",
    "Explanation": "atlas_core.results",
}


def __getattr__(name: str) -> Any:
    if name not in _LAZY:
        raise AttributeError(f"module 'atlas_core' has no attribute {name!r}")
    value = getattr(importlib.import_module(_LAZY[name]), name)
    globals()[name] = value
    return value


__all__ = [
    "PLUGIN_API",
    "AtlasError",
    "AtlasPluginError",
    "Chunk",
    "Chunker",
    "Classification",
    "Classifier",
    "Contributor",
    "Explanation",
    "FormatOptions",
    "Fuser",
    "IndexContext",
    "IndexView",
    "OutputFormat",
    "PluginFailure",
    "QueryContext",
    "QueryResult",
    "RepoFile",
    "Repository",
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
    "open",
]
