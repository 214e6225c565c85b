"""Index small repositories with atlas-graph registered in-process, and read their graph."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import Any

import atlas_graph
import pytest
from atlas_graph.store import load_graph

from atlas_core.engine import Atlas
from atlas_core.plugin.manager import get_plugin_manager
from atlas_core.testing import write_repo

Edges = set[tuple[str, str]]


# py-tree-sitter 0.26 can segfault when a compiled query using #set! is freed after
# another was made in the same process; keeping every engine's chunkers alive for the
# session sidesteps that (one CLI run builds one chunker, so it does not crash there).
_KEEP_ALIVE: list[Any] = []


def make_atlas(root: Path, *extra: tuple[str, Any]) -> Atlas:
    """An engine over ``root`` with the built-ins, atlas-graph and ``extra`` plugins."""
    manager = get_plugin_manager(
        load_entrypoints=False, extra_plugins=[("graph", atlas_graph), *extra]
    )
    _KEEP_ALIVE.append(manager.registry("chunkers"))
    return Atlas(root, manager)


def edges_of(atlas: Atlas, problems: tuple[str, ...] = ()) -> Edges:
    """Index, then the import edges as (importer, imported) paths. The run reports no
    problem but those ``problems`` end (in order)."""
    report = atlas.index()
    assert len(report.errors) == len(problems), report.errors
    assert all(map(str.endswith, report.errors, problems)), report.errors
    assert report.contributors.get("graph") == "updated"
    reader = atlas.reader()
    graph = load_graph(reader)
    assert graph is not None
    return {
        (reader.paths[a], reader.paths[b])
        for a, b in zip(graph.src.tolist(), graph.dst.tolist(), strict=True)
    }


@pytest.fixture
def index_edges() -> Callable[[Atlas], Edges]:
    """:func:`edges_of`, for a test that indexes one engine again after changing its tree."""
    return edges_of


@pytest.fixture
def graph_atlas() -> Callable[..., Atlas]:
    """``graph_atlas(root, *extra_plugins)``: an engine with atlas-graph registered."""
    return make_atlas


@pytest.fixture(params=["treesitter", "regex"])
def graph_edges(request: pytest.FixtureRequest, tmp_path: Path) -> Callable[..., Edges]:
    """``graph_edges({path: text}, problems=())``: the import edges of a repository of
    those files (see :func:`edges_of` for ``problems``).

    Runs twice: with the best chunker (tree-sitter) and with the regex chunker alone,
    since resolvers must understand the import names and signatures of both.
    """
    counter = iter(range(1000))

    def build(
        files: dict[str, str], *extra: tuple[str, Any], problems: tuple[str, ...] = ()
    ) -> Edges:
        root = write_repo(tmp_path / f"repo{next(counter)}", files)
        atlas = make_atlas(root, *extra)
        if request.param == "regex":
            from atlas_core.chunk.regex import RegexChunker

            regex = RegexChunker()
            atlas.chunker_map = lambda: dict.fromkeys(regex.languages, regex)  # type: ignore[method-assign]
        return edges_of(atlas, problems)

    return build
