"""The plugin API: everything a plugin (or another front end) may import from Atlas.

This module is the one documented surface for plugin authors (see ``docs/plugins/``); every
other module of ``atlas_core`` is private and may change in any release. The names below are
re-exported from wherever they live, so moving code inside the core never breaks a plugin.

A plugin declares the API version it was built for on its entry-point module; a new plugin
declares the current one (:data:`PLUGIN_API`)::

    ATLAS_PLUGIN_API = "1.1"

A plugin declaring another major version is refused with one line naming it; one that
declares none is loaded unchecked.

Sections:

- **Version and hooks**: :data:`PLUGIN_API`, :data:`hookimpl`.
- **Components** (protocols that are also base classes with defaults for their optional
  members): :class:`Walker`, :class:`Classifier`, :class:`Chunker`, :class:`Resolver`,
  :class:`Contributor`, :class:`Signal`, :class:`Fuser`, :class:`Reranker`,
  :class:`Retriever`, :class:`OutputFormat`, :class:`RelatedFiles` (with :class:`Tie`),
  and the :class:`Registrar` registration hooks receive.
- **Contexts and views**: :class:`QueryContext`, :class:`IndexContext`,
  :class:`IndexView`, :class:`Changes`, :class:`Note`, :class:`WalkSettings`,
  :class:`FormatOptions`, :class:`PriorFactor` (what a contributor's ``prior_factors``
  returns).
- **Data**: :class:`RepoFile`, :class:`Chunk`, :class:`Classification`, :class:`FileEntry`,
  :class:`SelectedFile`, :class:`Selection`, :data:`ROLES`.
- **Errors**: :class:`AtlasError`, :class:`AtlasPluginError`, :class:`UsageError`,
  :class:`PluginFailure`.
- **Helpers for components**: :func:`component_config`, :func:`tokenize`,
  :func:`normalize`, :class:`WeightedFusion`, :class:`ReciprocalRankFusion`,
  :func:`detect_role`, :func:`licensed_subtrees`, :func:`progress_bar`,
  :func:`estimate_tokens`, :func:`per_reader`, :func:`dump_json`
  and ``OUTPUT_VERSION`` (a command's JSON: strict, with the output ``Version``);
  :func:`display_path`, :func:`parse_display_path` and :func:`path_candidates` (a path
  shown to people, and read back).
- **Language packages**: :class:`TreeSitterChunker`, :func:`check_query`,
  :func:`syntax_tree`.
- **CLI commands**: :class:`AppState`, ``pass_state`` (``@pass_state`` hands a command the
  :class:`AppState`), :func:`common_options`, :func:`lazy_command` (a command imported
  only when used), :func:`json_wanted` (whether to print JSON; a format the command cannot
  print is a usage error) and :func:`print_json` (the document, ``Version`` first).
- **Front ends** (embedding Atlas, as ``atlas-mcp`` does): :class:`Atlas`,
  :class:`QueryOptions`, :class:`QueryResult`, :class:`BuildReport`,
  :class:`Explanation`, :class:`SignalScore`, :func:`explanation_document`,
  :func:`selection_to_dict`, :func:`render_context`, :func:`resolve_root`,
  :func:`load_settings`, :func:`normalise_rel`, :func:`confined_path`, :func:`redact`,
  :func:`secret_file_reason`, :func:`ensure_cache_dir`, :func:`foreign_git_dir`,
  :func:`git_environment`; for exploring
  without a task:
  :func:`build_map`, :func:`centrality`, :func:`render_map`, :func:`outline_of`, :func:`scope_mask`,
  :func:`gather_ties`, :func:`related_files`, :func:`diff_paths`, :func:`resolve_seeds`;
  the documents the commands print: :func:`related_document`, :func:`index_report`.
"""

from __future__ import annotations

import importlib
from typing import TYPE_CHECKING, Any, TypeVar

# cheap, and needed by every plugin's entry-point module: imported now
from atlas_core.components import (
    FUSED_SEEDS,
    Changes,
    Chunker,
    Classifier,
    Contributor,
    FormatOptions,
    Fuser,
    IndexContext,
    IndexView,
    Note,
    OutputFormat,
    PriorFactor,
    QueryContext,
    RelatedFiles,
    Reranker,
    Resolver,
    Retriever,
    Signal,
    Walker,
    WalkSettings,
)
from atlas_core.errors import AtlasError, AtlasPluginError, PluginFailure, UsageError
from atlas_core.plugin import PLUGIN_API, hookimpl
from atlas_core.plugin.registry import Registrar
from atlas_core.types import (
    ROLES,
    Chunk,
    Classification,
    FileEntry,
    RepoFile,
    SelectedFile,
    Selection,
)

if TYPE_CHECKING:
    from collections.abc import Callable, Mapping

    from atlas_core.chunk.treesitter import TreeSitterChunker
    from atlas_core.classify.rules import detect_role
    from atlas_core.classify.vendored import licensed_subtrees
    from atlas_core.cli.info import json_wanted, print_json
    from atlas_core.cli.lazy import lazy_command
    from atlas_core.cli.state import AppState, common_options
    from atlas_core.config import load_settings
    from atlas_core.engine import Atlas, QueryOptions, QueryResult, resolve_root
    from atlas_core.fsread import confined_path, normalise_rel
    from atlas_core.gitlink import foreign_git_dir, git_environment
    from atlas_core.index.builder import BuildReport
    from atlas_core.index.layout import ensure_cache_dir
    from atlas_core.index.readercache import per_reader
    from atlas_core.output.codemap import build_map, centrality, render_map
    from atlas_core.output.context import render_context
    from atlas_core.output.formats import selection_to_dict
    from atlas_core.output.jsonout import OUTPUT_VERSION, dump_json, index_report
    from atlas_core.output.outline import outline_of
    from atlas_core.output.secrets import redact, secret_file_reason
    from atlas_core.paths import display_path, parse_display_path, path_candidates
    from atlas_core.progress import progress_bar
    from atlas_core.rank.fusion import ReciprocalRankFusion, WeightedFusion, normalize
    from atlas_core.rank.related import Tie, gather_ties, related_document, related_files
    from atlas_core.rank.seeds import diff_paths, resolve_seeds
    from atlas_core.results import Explanation, SignalScore, explanation_document
    from atlas_core.select.scope import scope_mask
    from atlas_core.terms import tokenize
    from atlas_core.tokens import estimate_tokens

    pass_state: Callable[..., Any]

#: names imported on first use (most of them pull in numpy, click or the index code, which
#: a plugin's entry-point module must not pay for)
_LAZY = {
    "detect_role": "atlas_core.classify.rules",
    "licensed_subtrees": "atlas_core.classify.vendored",
    "AppState": "atlas_core.cli.state",
    "json_wanted": "atlas_core.cli.info",
    "print_json": "atlas_core.cli.info",
    "common_options": "atlas_core.cli.state",
    "lazy_command": "atlas_core.cli.lazy",
    "load_settings": "atlas_core.config",
    "Atlas": "atlas_core.engine",
    "QueryOptions": "atlas_core.engine",
    "QueryResult": "atlas_core.engine",
    "resolve_root": "atlas_core.engine",
    "confined_path": "atlas_core.fsread",
    "normalise_rel": "atlas_core.fsread",
    "foreign_git_dir": "atlas_core.gitlink",
    "git_environment": "atlas_core.gitlink",
    "BuildReport": "atlas_core.index.builder",
    "ensure_cache_dir": "atlas_core.index.layout",
    "per_reader": "atlas_core.index.readercache",
    "estimate_tokens": "atlas_core.tokens",
    "render_context": "atlas_core.output.context",
    "OUTPUT_VERSION": "atlas_core.output.jsonout",
    "index_report": "atlas_core.output.jsonout",
    "dump_json": "atlas_core.output.jsonout",
    "selection_to_dict": "atlas_core.output.formats",
    "display_path": "atlas_core.paths",
    "parse_display_path": "atlas_core.paths",
    "path_candidates": "atlas_core.paths",
    "progress_bar": "atlas_core.progress",
    "ReciprocalRankFusion": "atlas_core.rank.fusion",
    "WeightedFusion": "atlas_core.rank.fusion",
    "normalize": "atlas_core.rank.fusion",
    "Tie": "atlas_core.rank.related",
    "outline_of": "atlas_core.output.outline",
    "build_map": "atlas_core.output.codemap",
    "centrality": "atlas_core.output.codemap",
    "render_map": "atlas_core.output.codemap",
    "scope_mask": "atlas_core.select.scope",
    "gather_ties": "atlas_core.rank.related",
    "related_document": "atlas_core.rank.related",
    "related_files": "atlas_core.rank.related",
    "diff_paths": "atlas_core.rank.seeds",
    "resolve_seeds": "atlas_core.rank.seeds",
    "Explanation": "atlas_core.results",
    "SignalScore": "atlas_core.results",
    "explanation_document": "atlas_core.results",
    "redact": "atlas_core.output.secrets",
    "secret_file_reason": "atlas_core.output.secrets",
    "tokenize": "atlas_core.terms",
    "TreeSitterChunker": "atlas_core.chunk.treesitter",
}


def __getattr__(name: str) -> Any:
    if name == "pass_state":
        import click

        from atlas_core.cli.state import AppState

        value: Any = click.make_pass_decorator(AppState)
    elif name in _LAZY:
        value = getattr(importlib.import_module(_LAZY[name]), name)
    else:
        raise AttributeError(f"module 'atlas_core.api' has no attribute {name!r}")
    globals()[name] = value
    return value


__all__ = [
    "FUSED_SEEDS",
    "OUTPUT_VERSION",
    "PLUGIN_API",
    "ROLES",
    "AppState",
    "Atlas",
    "AtlasError",
    "AtlasPluginError",
    "BuildReport",
    "Changes",
    "Chunk",
    "Chunker",
    "Classification",
    "Classifier",
    "Contributor",
    "Explanation",
    "FileEntry",
    "FormatOptions",
    "Fuser",
    "IndexContext",
    "IndexView",
    "Note",
    "OutputFormat",
    "PluginFailure",
    "PriorFactor",
    "QueryContext",
    "QueryOptions",
    "QueryResult",
    "ReciprocalRankFusion",
    "Registrar",
    "RelatedFiles",
    "RepoFile",
    "Reranker",
    "Resolver",
    "Retriever",
    "SelectedFile",
    "Selection",
    "Signal",
    "SignalScore",
    "Tie",
    "TreeSitterChunker",
    "UsageError",
    "WalkSettings",
    "Walker",
    "WeightedFusion",
    "build_map",
    "centrality",
    "check_query",
    "common_options",
    "component_config",
    "confined_path",
    "detect_role",
    "diff_paths",
    "display_path",
    "dump_json",
    "ensure_cache_dir",
    "estimate_tokens",
    "explanation_document",
    "foreign_git_dir",
    "gather_ties",
    "git_environment",
    "hookimpl",
    "index_report",
    "json_wanted",
    "lazy_command",
    "licensed_subtrees",
    "load_settings",
    "normalise_rel",
    "normalize",
    "outline_of",
    "parse_display_path",
    "pass_state",
    "path_candidates",
    "per_reader",
    "print_json",
    "progress_bar",
    "redact",
    "related_document",
    "related_files",
    "render_context",
    "render_map",
    "resolve_root",
    "resolve_seeds",
    "scope_mask",
    "secret_file_reason",
    "selection_to_dict",
    "syntax_tree",
    "tokenize",
]

T = TypeVar("T")


def component_config(cls: type[T], table: Mapping[str, Any], component: str) -> T:
    """Build a component's typed config (an attrs class) from its ``atlas.toml`` table.

    An unknown key or a bad value is a :class:`UsageError` naming ``component``.
    """
    from atlas_core.config import structure_component_config

    return structure_component_config(cls, dict(table), component)


def check_query(chunker: TreeSitterChunker, language: str) -> None:
    """Load ``language``'s grammar and compile the chunker's query file for it.

    :raises AtlasPluginError: naming the problem (no query file, a missing grammar, a node
        or field name the grammar does not have, a syntax error in the query).
    """
    if language not in chunker.languages:
        raise AtlasPluginError(f"chunker {chunker.name}: no query file for {language}")
    if chunker._load(language) is None:
        raise AtlasPluginError(
            f"chunker {chunker.name}: the {language} query does not load: "
            f"{chunker.failures.get(language, 'unknown error')}"
        )


def syntax_tree(language: str, text: str) -> str:
    """The parse tree of ``text`` as an S-expression: the node and field names a query file
    can capture (``(function_declaration name: (identifier) ...)``)."""
    from tree_sitter import Parser

    from atlas_core.chunk.treesitter.grammars import load_language

    tree = Parser(load_language(language)).parse(text.encode("utf-8"))
    return str(tree.root_node)
