"""``atlas graph FILE``: what a file imports and what imports it."""

from __future__ import annotations

import os
from pathlib import Path
from typing import TYPE_CHECKING, Any

import click

from atlas_core.api import AppState, common_options

if TYPE_CHECKING:
    from atlas_core.api import IndexView

__all__ = ["graph_command"]


def _relative(state: AppState, raw: str) -> str:
    """FILE as a path relative to the root (given relative to the root or to the cwd)."""
    if not raw:  # Path("") is the current directory
        from atlas_core.api import UsageError

        raise UsageError("FILE is empty: name a file of the repository")
    path = Path(raw)
    root = state.root
    if path.is_absolute() or (Path.cwd() / path).exists():
        try:
            return (Path.cwd() / path).resolve().relative_to(root).as_posix()
        except ValueError:
            if path.is_absolute():
                from atlas_core.api import UsageError

                raise UsageError(f"{raw} is outside the repository root {root}") from None
    return Path(os.path.normpath(raw)).as_posix().removeprefix("./")


def _describe_file(reader: IndexView, rel: str) -> dict[str, Any]:
    """``rel`` (the file's own name, or as Atlas shows it) and its place in the graph."""
    from atlas_core.api import AtlasError, UsageError, display_path, path_candidates
    from atlas_graph.build import EXCLUDED_ROLES
    from atlas_graph.store import load_graph

    i = next((reader.ids[n] for n in path_candidates(rel) if n in reader.ids), None)
    if i is None:
        import difflib

        close = difflib.get_close_matches(rel, reader.paths, n=1, cutoff=0.6)
        hint = f" (did you mean {display_path(close[0])}?)" if close else ""
        raise UsageError(f"{display_path(rel)} is not in the index{hint}")
    graph = load_graph(reader)
    if graph is None:
        raise AtlasError(
            "no import graph in the index: run 'atlas index' with atlas-graph installed"
        )
    data: dict[str, Any] = {
        "Path": display_path(reader.paths[i]),
        "Language": reader.languages[i],
        "Role": reader.roles[i],
        "Imports": [display_path(reader.paths[j]) for j in graph.imports_of(i).tolist()],
        "ImportedBy": [display_path(reader.paths[j]) for j in graph.importers_of(i).tolist()],
    }
    if reader.statuses[i] != "ok" or reader.roles[i] in EXCLUDED_ROLES:
        why = reader.statuses[i] if reader.statuses[i] != "ok" else f"role {reader.roles[i]}"
        data["Note"] = f"not part of the import graph ({why})"
    if graph.rank[i] > 0:
        data["PageRank"] = float(f"{graph.rank[i]:.4g}")
        data["CentralityRank"] = int((graph.rank > graph.rank[i]).sum()) + 1
    return data


@click.command("graph")
@click.argument("file")
@click.option("--json", "as_json", is_flag=True, help="Machine-readable output.")
@click.option("--refresh/--no-refresh", default=True, help="Update the index first.")
@common_options
def graph_command(file: str, as_json: bool, refresh: bool) -> None:
    """Show what FILE imports and which files import it (atlas-graph)."""
    state = click.get_current_context().find_object(AppState)
    assert state is not None
    from atlas_core.api import json_wanted, print_json

    wants_json = json_wanted(state, as_json)  # a format it cannot print fails before indexing
    rel = _relative(state, file)
    atlas = state.atlas
    if refresh:
        report = atlas.index(on_message=state.warn)
        for error in report.errors:
            state.info(error)
    data = _describe_file(atlas.reader(on_message=state.warn), rel)
    if wants_json:
        print_json(state, data)
        return
    central = ""
    if "CentralityRank" in data:
        central = f", centrality #{data['CentralityRank']} (PageRank {data['PageRank']})"
    print(f"{data['Path']}  ({data['Language']}, {data['Role']}{central})")
    if "Note" in data:
        print(f"  {data['Note']}")
    for title, key in (("imports", "Imports"), ("imported by", "ImportedBy")):
        print(f"{title} ({len(data[key])}):")
        for path in data[key]:
            print(f"  {path}")
