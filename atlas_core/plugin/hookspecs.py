"""Every hook Atlas calls, in pipeline order.

Hooks *register components* (walkers, chunkers, signals, ...) or answer a *dispatch*
question; the pipeline then calls the registered objects directly, so no hook is fired
once per file on the hot path except the two classification hooks, which are cheap.

Registration hooks receive a registrar (:class:`atlas_core.api.Registrar`) and call
``registry.add(component)``; the component must satisfy its kind's protocol
(:class:`atlas_core.api.Signal` ...). Atlas runs each implementation separately so it can record
which plugin provided what and keep a failure inside its plugin: registration hooks do
not support wrappers.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from atlas_core.plugin import hookspec

if TYPE_CHECKING:
    import click

    from atlas_core.components import (
        Chunker,
        Contributor,
        Fuser,
        OutputFormat,
        Reranker,
        Resolver,
        Signal,
        Walker,
    )
    from atlas_core.plugin.registry import Registrar

__all__ = [
    "atlas_add_commands",
    "atlas_classify_language",
    "atlas_classify_role",
    "atlas_register_chunkers",
    "atlas_register_contributors",
    "atlas_register_formats",
    "atlas_register_fusers",
    "atlas_register_rerankers",
    "atlas_register_resolvers",
    "atlas_register_signals",
    "atlas_register_walkers",
]

# ---------------------------------------------------------------------------
# Walking
# ---------------------------------------------------------------------------


@hookspec
def atlas_register_walkers(registry: Registrar[Walker]) -> None:
    """Register walkers: objects that list a repository's files.

    Called once per run, when the plugin manager is loaded. The pipeline uses the walker
    named by the ``[pipeline] walker`` config key (default ``fs``).

    :param registry: call ``registry.add(walker)``; a walker has ``name`` and
        ``walk(root, settings) -> Iterator[RepoFile]``.

    .. versionadded:: 0.3
    """


# ---------------------------------------------------------------------------
# Classifying (dispatch hooks: first non-None result wins)
# ---------------------------------------------------------------------------


@hookspec(firstresult=True)
def atlas_classify_language(rel: str, head: str) -> str | None:
    """Name the language of one file.

    Called once per new or changed file while indexing, in the indexing worker.
    The built-in answer (extension, file name, shebang) is registered ``trylast``, so any
    plugin that returns a value overrides it. **Stops at the first non-None result.**

    :param rel: path relative to the root, ``/`` separated.
    :param head: the first 1,024 characters of the file, decoded.
    :return: a lowercase language id (``python``, ``go``, ``typescript`` ...) or None
        to let the next plugin decide.

    .. versionadded:: 0.3
    """


@hookspec(firstresult=True)
def atlas_classify_role(rel: str, language: str, head: str) -> str | None:
    """Name the role of one file: one of :data:`atlas_core.types.ROLES`.

    Called once per new or changed file while indexing, after the language is known.
    The built-in answer is registered ``trylast``. **Stops at the first non-None result.**

    :param rel: path relative to the root.
    :param language: the language chosen by :func:`atlas_classify_language`.
    :param head: the first 1,024 characters of the file, decoded.
    :return: ``impl``, ``test``, ``config``, ``docs``, ``build``, ``generated``,
        ``vendor`` or ``other``; None to let the next plugin decide.

    .. versionadded:: 0.3
    """


# ---------------------------------------------------------------------------
# Chunking
# ---------------------------------------------------------------------------


@hookspec
def atlas_register_chunkers(registry: Registrar[Chunker]) -> None:
    """Register chunkers: objects that find symbols and imports in a file.

    Called once per run. For each language the chunker with the highest ``priority``
    that lists the language (or ``"*"``) is used; ties are broken by name. The built-in
    regex chunker has priority 0, the tree-sitter chunker 10; a language package that
    knows its language better uses a higher number.

    :param registry: call ``registry.add(chunker)``; a chunker has ``name``,
        ``languages``, ``priority`` and ``chunk(rel, text, language) -> list[Chunk]``.

    .. versionadded:: 0.3
    """


# ---------------------------------------------------------------------------
# Indexing
# ---------------------------------------------------------------------------


@hookspec
def atlas_register_contributors(registry: Registrar[Contributor]) -> None:
    """Register index contributors: per-repository data computed once at index time.

    Called once per run. After the main index is written, each contributor whose
    ``fingerprint(ctx)`` changed since the last run is asked to ``contribute(ctx)`` with an
    :class:`~atlas_core.api.IndexContext` (its settings, the root, the new and previous
    index views, what changed, the import resolvers); the msgpack-able result is stored in
    the index and handed back at query time through ``QueryContext.extra(name)``.

    :param registry: call ``registry.add(contributor)``.

    .. versionadded:: 0.3
    """


@hookspec
def atlas_register_resolvers(registry: Registrar[Resolver]) -> None:
    """Register import resolvers: objects that map a file's imports to files of the repository.

    Called once per run. Import-graph plugins ask, per language, the resolver with the
    highest ``priority`` (ties broken by name). A resolver has ``name``, ``languages``,
    ``priority`` and ``resolve(reader, file_id, imports) -> list[str]`` (repository-relative
    paths; imports that are not files of the repository are dropped). A language package
    (atlas-lang-go) registers a resolver that outranks the generic ones.

    :param registry: call ``registry.add(resolver)``.

    .. versionadded:: 0.3
    """


# ---------------------------------------------------------------------------
# Ranking
# ---------------------------------------------------------------------------


@hookspec
def atlas_register_signals(registry: Registrar[Signal]) -> None:
    """Register signals: objects that score every indexed file for a query.

    Called once per run. Presets and config choose which signals run, by name.

    :param registry: call ``registry.add(signal)``; a signal has ``name``, ``stage``
        and ``score(ctx) -> numpy.ndarray`` (one raw score per indexed file).

    .. versionadded:: 0.3
    """


@hookspec
def atlas_register_fusers(registry: Registrar[Fuser]) -> None:
    """Register fusers: objects that combine several signals' scores into one ranking.

    Called once per run. One fuser is used per query, chosen by name in the preset.

    :param registry: call ``registry.add(fuser)``; a fuser has ``name`` and
        ``fuse(scores, weights) -> numpy.ndarray``.

    .. versionadded:: 0.3
    """


@hookspec
def atlas_register_rerankers(registry: Registrar[Reranker]) -> None:
    """Register rerankers: objects that reorder the top candidates after fusion.

    Called once per run. A reranker runs only when asked (``--rerank``, a preset, config).

    :param registry: call ``registry.add(reranker)``; a reranker has ``name`` and
        ``rerank(ctx, candidates, scores) -> numpy.ndarray``.

    .. versionadded:: 0.3
    """


# ---------------------------------------------------------------------------
# Output and CLI
# ---------------------------------------------------------------------------


@hookspec
def atlas_register_formats(registry: Registrar[OutputFormat]) -> None:
    """Register output formats for ``--format``.

    Called once per run.

    :param registry: call ``registry.add(fmt)``; a format has ``name`` and
        ``write(selection, out, options)``.

    .. versionadded:: 0.3
    """


@hookspec
def atlas_add_commands(cli: click.Group) -> None:
    """Add commands to the ``atlas`` command line.

    Called once, when the CLI starts, with the top-level click group.

    :param cli: call ``cli.add_command(command)``.

    .. versionadded:: 0.3
    """
