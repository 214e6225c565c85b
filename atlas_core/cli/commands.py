"""``atlas index``, ``query``, ``quick`` and ``explain``."""

from __future__ import annotations

import contextlib
import sys
from collections.abc import Callable
from typing import Any

import click

from atlas_core.cli.info import json_wanted, print_json
from atlas_core.cli.params import COUNT, SCORE
from atlas_core.cli.state import AppState, common_options

__all__ = ["COMMANDS"]

pass_state = click.make_pass_decorator(AppState)


def _report_build(state: AppState, report: Any) -> None:
    if report.rebuilt_reason:
        state.info(f"rebuilt from scratch: {report.rebuilt_reason}")
    state.info(
        f"indexed {report.files} files in {report.seconds:.2f}s: {report.added} added, "
        f"{report.changed} changed, {report.deleted} deleted, {report.unchanged} unchanged"
    )
    for name, status in sorted(report.contributors.items()):
        state.info(f"contributor {name}: {status}")
    for note in report.notes:
        (state.warn if note.level == "warning" else state.info)(note.message)
    if report.errors:
        state.warn(f"{len(report.errors)} problems while indexing; first: {report.errors[0]}")
        for error in report.errors[1:]:
            state.info(error)


def query_options(func: Callable[..., Any]) -> Callable[..., Any]:
    """Options shared by query, quick and explain."""
    options = [
        click.option(
            "--preset",
            "-p",
            default=None,
            help="fast | balanced (default) | deep | thorough | a preset from config.",
        ),
        click.option("--max-tokens", type=COUNT, default=None, help="Token budget (0: none)."),
        click.option("--max-bytes", type=COUNT, default=None, help="Byte budget (0: none)."),
        click.option(
            "--min-score",
            type=SCORE,
            default=None,
            help="Drop files scoring below (0 to 1; the best scores 1).",
        ),
        click.option(
            "--top", type=COUNT, default=None, help="At most this many files (0: no cap)."
        ),
        click.option(
            "--rerank",
            "rerank",
            default=None,
            is_flag=False,
            flag_value="on",
            metavar="[on|off|require|NAME]",
            help="Rerank the top candidates (e.g. atlas-ollama).",
        ),
        click.option(
            "--semantic",
            is_flag=True,
            default=False,
            help="Also retrieve by embedding similarity (needs 'atlas index --embed').",
        ),
        *seed_options(),
        *scope_options(),
    ]
    for option in reversed(options):
        func = option(func)
    return func


def seed_options() -> list[Callable[..., Any]]:
    """``--seed``, ``--diff [REF]`` and ``--no-seed-files``."""
    return [
        click.option(
            "--seed",
            "seeds",
            multiple=True,
            metavar="PATH[:LINE]",
            help="A file you already know matters (repeatable); its neighbours rise.",
        ),
        click.option(
            "--diff",
            default=None,
            is_flag=False,
            flag_value="HEAD",
            metavar="[REF]",
            help="Seed with the files changed in the working tree and index against HEAD "
            "(or REF), untracked files included.",
        ),
        click.option(
            "--no-seed-files",
            "no_seed_files",
            is_flag=True,
            help="Leave the seed files themselves out of the answer.",
        ),
    ]


def scope_options() -> list[Callable[..., Any]]:
    """``--scope`` and ``--exclude``."""
    return [
        click.option(
            "--scope",
            multiple=True,
            metavar="GLOB",
            help="Only files under this path or matching this glob (repeatable; '.' is the "
            "current directory).",
        ),
        click.option(
            "--exclude",
            multiple=True,
            metavar="GLOB",
            help="Never files under this path or matching this glob (repeatable).",
        ),
    ]


def _options(
    state: AppState,
    preset: str | None,
    max_tokens: int | None,
    max_bytes: int | None,
    min_score: float | None,
    top: int | None,
    rerank: str | None,
    semantic: bool = False,
    seeds: tuple[str, ...] = (),
    diff: str | None = None,
    no_seed_files: bool = False,
    scope: tuple[str, ...] = (),
    exclude: tuple[str, ...] = (),
    document: str | None = None,
) -> dict[str, Any]:
    """The command line's query options as :meth:`Repository.query` keywords."""
    return {
        "preset": preset,
        "max_tokens": max_tokens,
        "max_bytes": max_bytes,
        "min_score": min_score,
        "top": top,
        "rerank": rerank,
        "semantic": semantic,
        "seeds": seeds,
        "diff": diff,
        "seed_files": not no_seed_files,
        "scope": scope,
        "exclude": exclude,
        "base": state.base,
        "document": document,
    }


def _run_query(state: AppState, task: str, options: dict[str, Any], *, refresh: bool) -> Any:
    from atlas_core.errors import UsageError

    if not task.strip() and not options["seeds"] and options["diff"] is None:
        raise UsageError(
            "the task is empty: say what you want to do, e.g. 'add retry logic' "
            "(or give --seed/--diff)"
        )
    repo = state.repo
    query_options = repo.options(**options)  # fails on a bad preset before indexing
    if refresh:
        from atlas_core.errors import AtlasError
        from atlas_core.index.lock import IndexBusyError, lock_wait

        try:
            with lock_wait(0):  # never wait for another writer when its index will do
                report = repo.index(progress=state.progress(), keep_existing=True)
        except IndexBusyError as exc:
            with contextlib.suppress(AtlasError):  # no usable index yet: wait below
                repo.reader(build_if_missing=False)
                state.warn(f"{exc}; answering from the current index")
        else:
            _report_build(state, report)
    result = repo.run(task, query_options)
    for note in result.notes:
        if note.level == "warning":  # a plugin failed, or what was asked for was not done
            state.warn(note.message)
        else:
            state.info(note.message)
    if result.selection.missing_signals:
        state.info(
            f"preset {result.selection.preset} runs without: "
            + ", ".join(result.selection.missing_signals)
        )
    state.info("timings: " + ", ".join(f"{k} {v * 1000:.1f}ms" for k, v in result.timings.items()))
    return result


def context_options(func: Callable[..., Any]) -> Callable[..., Any]:
    """``--style`` and ``--allow-secrets``, passed to the format (``--format context``)."""
    func = click.option(
        "--allow-secrets",
        is_flag=True,
        help="--format context: include credential files and do not redact secrets.",
    )(func)
    return click.option(
        "--style",
        type=click.Choice(["markdown", "xml"]),
        default=None,
        help="--format context: Markdown (default) or XML tags.",
    )(func)


def _document(state: AppState, style: str | None) -> str | None:
    """The style of the context document the output is (None: it is no document), so the
    selection leaves room for the document's own lines."""
    fmt = state.output_format(sys.stdout)
    return (style or "markdown") if fmt.name == "context" else None


def _write(state: AppState, selection: Any, **extra: Any) -> None:
    from atlas_core.components import FormatOptions

    out = sys.stdout
    fmt = state.output_format(out)
    fmt.write(
        selection,
        out,
        FormatOptions(
            color=state.color(out), verbose=state.verbose > 0, root=state.root, extra=extra
        ),
    )


@click.command()
@click.option("--force", is_flag=True, help="Rebuild from scratch.")
@click.option(
    "--embed",
    is_flag=True,
    help="Also precompute embeddings (needs an embedding plugin such as atlas-ollama).",
)
@common_options
@pass_state
def index(state: AppState, force: bool, embed: bool) -> None:
    """Build or update the index (incremental: only changed files are re-read)."""
    enable = ("embed",) if embed else ()
    contributors = state.manager.registry("contributors")
    if embed and not any(getattr(c, "on_demand", None) == "embed" for c in contributors):
        from atlas_core.errors import AtlasError

        raise AtlasError("--embed needs an embedding plugin: pip install atlas-ollama")
    report = state.repo.index(force, progress=state.progress(), enable=enable)
    embed_error = _embed_failure(state, report) if embed else ""
    _report_build(state, report)
    if json_wanted(state, auto=False):  # the build report on stdout (schema: index)
        from atlas_core.output.jsonout import index_report

        print_json(state, index_report(report, forced=force))
    if embed_error:
        from atlas_core.errors import AtlasError

        raise AtlasError(f"index --embed: {embed_error}")
    if not state.quiet and sys.stderr.isatty():
        print(
            f"atlas: {report.files} files indexed in {report.seconds:.2f}s "
            f"({report.added} added, {report.changed} changed, {report.deleted} deleted)",
            file=sys.stderr,
        )


def _embed_failure(state: AppState, report: Any) -> str:
    """The error of an on-demand contributor that failed, taken out of the report."""
    failed = [
        report.failures[c.name]
        for c in state.manager.registry("contributors")
        if getattr(c, "on_demand", None) == "embed" and c.name in report.failures
    ]
    if not failed:
        return ""
    lines = {str(f) for f in failed}
    report.errors = [e for e in report.errors if e not in lines]
    return str(failed[0].error)


@click.command()
@click.argument("task", nargs=-1, required=False)
@query_options
@context_options
@common_options
@pass_state
def query(
    state: AppState, /, task: tuple[str, ...], style: str | None, allow_secrets: bool, **kw: Any
) -> None:
    """Rank files for TASK using the existing index (built first if there is none).

    TASK may be empty when --seed or --diff says where you stand.
    """
    document = _document(state, style)  # a bad format fails before the query runs
    options = _options(state, **kw, document=document)
    result = _run_query(state, " ".join(task), options, refresh=False)
    _write(state, result.selection, style=style, allow_secrets=allow_secrets)


@click.command()
@click.argument("task", nargs=-1, required=False)
@query_options
@context_options
@common_options
@pass_state
def quick(
    state: AppState, /, task: tuple[str, ...], style: str | None, allow_secrets: bool, **kw: Any
) -> None:
    """Bring the index up to date, then rank files for TASK."""
    document = _document(state, style)  # a bad format fails before the query runs
    options = _options(state, **kw, document=document)
    result = _run_query(state, " ".join(task), options, refresh=True)
    _write(state, result.selection, style=style, allow_secrets=allow_secrets)


@click.command()
@click.argument("task", nargs=-1, required=False)
@query_options
@click.option("--refresh/--no-refresh", default=True, help="Update the index first.")
@common_options
@pass_state
def explain(state: AppState, /, task: tuple[str, ...], refresh: bool, **kw: Any) -> None:
    """Show each signal's score for the top files of TASK."""
    from atlas_core.paths import display_path
    from atlas_core.results import explanation_document

    wants_json = json_wanted(state)  # a bad format fails before the query runs
    result = _run_query(state, " ".join(task), _options(state, **kw), refresh=refresh)
    doc = explanation_document(result)
    if wants_json:
        print_json(state, doc)
        return
    names = doc["Signals"]
    print(f"query terms: {' '.join(doc['Terms'])}")
    missing = doc["MissingSignals"]
    print(
        f"preset {doc['Preset']}, fuser {doc['Fuser']}"
        + (f", missing: {', '.join(missing)}" if missing else "")
    )
    explanations = result.explanations
    shown = [display_path(e.path) for e in explanations[:25]]
    width = min(max([len(p) for p in shown] + [4]), 60)
    print(f"{'SCORE':>6}  {'PATH':<{width}}  " + "  ".join(f"{n:>10}" for n in names))
    for e, full in zip(explanations, shown, strict=False):
        path = full if len(full) <= width else "…" + full[-(width - 1) :]
        cells = "  ".join(f"{s.normalized:>10.3f}" for s in e.signals)
        print(f"{e.score:6.3f}  {path:<{width}}  {cells}")
        for sym in e.symbols[:2]:
            matched = ", ".join(sym["Matched"])
            print(f"{'':8}↳ {sym['Name']} L{sym['Start']}-{sym['End']} ({matched})")


COMMANDS = (index, query, quick, explain)
