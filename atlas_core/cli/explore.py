"""``atlas outline``, ``map`` and ``related``: views of the repository without a task."""

from __future__ import annotations

import sys
from collections.abc import Callable
from typing import Any, TypeVar

import click

from atlas_core.cli.commands import scope_options
from atlas_core.cli.params import COUNT
from atlas_core.cli.state import AppState, common_options
from atlas_core.errors import UsageError

__all__ = ["COMMANDS"]

pass_state = click.make_pass_decorator(AppState)
F = TypeVar("F", bound=Callable[..., Any])


def _options(options: list[Any]) -> Callable[[F], F]:
    def apply(func: F) -> F:
        for option in reversed(options):
            func = option(func)
        return func

    return apply


def _wants_json(state: AppState) -> bool:
    """JSON or a table (a format the command cannot print is a usage error)."""
    from atlas_core.cli.info import json_wanted

    return json_wanted(state)


def _dump(state: AppState, data: dict[str, Any]) -> None:
    from atlas_core.cli.info import print_json

    print_json(state, data)


def _indexed(state: AppState, reader: Any, paths: tuple[str, ...]) -> list[int]:
    """The ids of ``paths`` (relative to the current directory, or to the root)."""
    from atlas_core.rank.seeds import resolve_seeds

    return [s.id for s in resolve_seeds(reader, paths, state.base, noun="file")]


def _warn_stale(state: AppState, reader: Any, ids: list[int]) -> None:
    """Warn when files changed since the index was built: what it says of them is old."""
    from atlas_core.engine import changed_since_indexed, stale_note

    stale = changed_since_indexed(state.repo.root, reader, ids)
    if stale:
        state.warn(stale_note(stale))


@click.command()
@click.argument("files", nargs=-1, required=True, metavar="FILE...")
@click.option("--allow-secrets", is_flag=True, help="Outline credential files too.")
@common_options
@pass_state
def outline(state: AppState, files: tuple[str, ...], allow_secrets: bool) -> None:
    """A file's symbols with kinds and line ranges, and what it imports."""
    from atlas_core.output.outline import outline_of

    _wants_json(state)  # a format it cannot print fails before anything runs
    reader = state.repo.reader()
    ids = _indexed(state, reader, files)
    outlines = [outline_of(reader, reader.paths[i], allow_secrets=allow_secrets) for i in ids]
    _warn_stale(state, reader, ids)
    if _wants_json(state):
        _dump(state, {"Files": outlines} if len(outlines) != 1 else outlines[0])
        return
    from atlas_core.output.terminal import for_stream

    out: list[str] = []
    for n, item in enumerate(outlines):
        if n:
            out.append("")
        out.append(
            f"{item['Path']}  ({item['Language']}/{item['Role']}, "
            f"{item['Tokens']:,} tokens, {len(item['Symbols'])} symbols)"
        )
        width = max([len(s["Kind"]) for s in item["Symbols"]] + [4])
        for sym in item["Symbols"]:
            lines = (
                f"L{sym['Start']}-{sym['End']}"
                if sym["End"] > sym["Start"]
                else (f"L{sym['Start']}")
            )
            indent = "  " * sym["Depth"]
            out.append(f"  {sym['Kind']:<{width}}  {indent}{sym['Qualified']}  {lines}")
        if item["Imports"]:
            shown = ", ".join(item["Imports"][:12])
            more = f" (+{len(item['Imports']) - 12})" if len(item["Imports"]) > 12 else ""
            out.append(f"  imports: {shown}{more}")
    # names and imports are the files' own text (a Go import path may hold any byte)
    if out:
        sys.stdout.write(for_stream("\n".join(out) + "\n", sys.stdout))


@click.command(name="map")
@click.option(
    "--max-tokens", type=COUNT, default=4000, show_default=True, help="Budget of the map (0: none)."
)
@click.option(
    "--symbols",
    "per_file",
    type=COUNT,
    default=8,
    show_default=True,
    help="Principal symbols shown per file.",
)
@click.option("--allow-secrets", is_flag=True, help="Show credential files too.")
@_options(scope_options())
@common_options
@pass_state
def map_(
    state: AppState,
    max_tokens: int,
    per_file: int,
    allow_secrets: bool,
    scope: tuple[str, ...],
    exclude: tuple[str, ...],
) -> None:
    """A task-free overview: the most central files and their principal symbols."""
    from atlas_core.output.codemap import build_map, centrality, render_map
    from atlas_core.paths import display_path
    from atlas_core.select.scope import scope_mask

    _wants_json(state)  # a format it cannot print fails before anything runs
    repo = state.repo
    reader = repo.reader()
    scores = centrality(reader, repo.manager.registry("signals"), repo.settings.components)
    mask = scope_mask(reader, scope, exclude, state.base)
    result = build_map(
        reader,
        scores,
        max_tokens=max_tokens or None,
        mask=mask,
        symbols_per_file=per_file,
        allow_secrets=allow_secrets,
        root_name=state.root.name,
    )
    if _wants_json(state):
        _dump(
            state,
            {
                "Root": display_path(str(state.root)),
                "Files": [
                    {
                        "Path": display_path(f.path),
                        "Score": f.score,
                        "Language": f.language,
                        "Role": f.role,
                        "Tokens": f.tokens,
                        "Symbols": f.symbols,
                    }
                    for f in result.files
                ],
                "TotalFiles": result.total_files,
                "Languages": result.languages,
                "Directories": {display_path(d): n for d, n in result.directories},
                "Budget": result.budget,
                "TotalTokens": result.tokens,
                "LeftOut": result.left_out,
            },
        )
        return
    from atlas_core.output.terminal import for_stream

    sys.stdout.write(for_stream(render_map(result), sys.stdout))  # signatures are file text


@click.command()
@click.argument("paths", nargs=-1, required=False, metavar="PATH...")
@click.option("--tests", "tests_only", is_flag=True, help="Only the tests most likely affected.")
@click.option(
    "--diff",
    default=None,
    is_flag=False,
    flag_value="HEAD",
    metavar="[REF]",
    help="The files changed against HEAD (or REF), untracked ones included.",
)
@click.option(
    "--top", type=COUNT, default=20, show_default=True, help="At most this many (0: all)."
)
@common_options
@pass_state
def related(
    state: AppState, paths: tuple[str, ...], tests_only: bool, diff: str | None, top: int
) -> None:
    """Files tied to PATH... (or to the current diff) and why, strongest tie first.

    Ties: imports and importers (atlas-graph), co-changes (atlas-git), test and
    implementation pairs (by name, imports and co-change) and the same package.
    """
    from atlas_core.components import QueryContext
    from atlas_core.paths import display_path
    from atlas_core.rank.related import gather_ties, related_document, related_files
    from atlas_core.rank.seeds import diff_paths, resolve_seeds

    _wants_json(state)  # a format it cannot print fails before anything runs
    if not paths and diff is None:
        raise UsageError("give one or more files, or --diff")
    repo = state.repo
    reader = repo.reader()
    given = _indexed(state, reader, paths)
    unindexed: list[str] = []
    if diff is not None:
        found_paths = diff_paths(state.root, diff)
        changed = resolve_seeds(reader, found_paths, strict=False, literal=True)
        given += [s.id for s in changed if s.id not in given]
        unindexed = [p for p in found_paths if p not in reader.ids and (state.root / p).exists()]
    if unindexed:  # new since the index was built: they have no ties yet
        from atlas_core.engine import unindexed_note

        (state.info if given else state.warn)(
            f"--diff: {unindexed_note(unindexed)}; run 'atlas index' first"
        )
    ctx = QueryContext("", [], reader, repo.settings.components)
    ctx.seeds = list(given)
    ties = gather_ties(ctx, repo.manager.registry("signals"), given)
    found = related_files(reader, ties, given, tests_only=tests_only)
    if top > 0:
        found = found[:top]
    for note in ctx.notes:
        (state.warn if note.level == "warning" else state.info)(note.message)
    names = {i: reader.paths[i] for i in given}
    if _wants_json(state):
        _dump(state, related_document(reader, given, found, tests_only=tests_only))
        return
    if not given:
        print("No changed indexed file.")
        return
    if not found:
        what = "test" if tests_only else "file"
        print(f"No {what} is tied to " + ", ".join(display_path(names[i]) for i in given) + ".")
        return
    width = min(max(len(display_path(r.path)) for r in found), 60)
    print(f"{'TIE':>5}  {'PATH':<{width}}  WHY")
    single = len(given) == 1
    for r in found:
        shown = display_path(r.path)
        path = shown if len(shown) <= width else "…" + shown[-(width - 1) :]
        why = []
        for t in r.reasons[:4]:
            label = t.detail or t.kind
            if t.kind == "co-changed" and not single:
                label += " with"
            why.append(label if single else f"{label} {display_path(names[t.via])}")
        more = f" (+{len(r.reasons) - 4})" if len(r.reasons) > 4 else ""
        print(f"{r.strength:5.2f}  {path:<{width}}  {'; '.join(why)}{more}")


COMMANDS = (outline, map_, related)
