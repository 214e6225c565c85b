"""The pagerank and graph signals: what they raise, and how they behave without data."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import Any

import numpy as np
import pytest
from atlas_graph.signals import GraphSignal, PageRankSignal
from atlas_graph.store import load_graph

from atlas_core.components import QueryContext
from atlas_core.engine import Atlas, QueryOptions
from atlas_core.errors import UsageError
from atlas_core.plugin.manager import get_plugin_manager
from atlas_core.terms import tokenize
from atlas_core.testing import write_repo

REPO = {
    "auth/middleware.py": "from auth.crypto import sign\n\n"
    "class SessionMiddleware:\n    '''Authenticate the session token of each request.'''\n"
    "    def authenticate(self, session_token):\n        return sign(session_token)\n",
    "auth/crypto.py": "import hmac\n\ndef sign(data):\n    return hmac.new(b'k', data).digest()\n",
    "app/wiring.py": "from auth.middleware import SessionMiddleware\n\n"
    "STACK = [SessionMiddleware]\n",
    "billing/invoice.py": "from billing.tax import rate\n\ndef total(amount):\n"
    "    return amount * rate()\n",
    "billing/tax.py": "def rate():\n    return 1.2\n",
    "util/log.py": "def log(message):\n    print(message)\n",
}
ALL = QueryOptions(top=0, max_tokens=0, max_bytes=0, min_score=0)
Make = Callable[..., Atlas]


@pytest.fixture
def repo(tmp_path: Path) -> Path:
    return write_repo(tmp_path / "repo", REPO)


def _ranked(atlas: Atlas, task: str, preset: str) -> list[str]:
    selection = atlas.query(task, QueryOptions(preset, 0, 0, 0, 0), atlas.reader()).selection
    return [f.path for f in selection.files]


def test_deep_raises_the_dependency_and_the_wiring_of_the_best_match(
    repo: Path, graph_atlas: Make
) -> None:
    atlas = graph_atlas(repo)
    atlas.index()
    task = "authenticate the session token middleware"
    result = atlas.query(task, QueryOptions("deep", 0, 0, 0, 0), atlas.reader())
    order = [f.path for f in result.selection.files]
    assert order[0] == "auth/middleware.py"
    graph = result.raw_scores["graph"]
    ids = atlas.reader().ids
    assert graph[ids["auth/crypto.py"]] > 0 and graph[ids["app/wiring.py"]] > 0
    assert graph[ids["billing/tax.py"]] == 0 and graph[ids["util/log.py"]] == 0
    # the dependency and the dependent now beat every unrelated file
    for neighbour in ("auth/crypto.py", "app/wiring.py"):
        assert order.index(neighbour) < order.index("billing/tax.py")
        assert order.index(neighbour) < order.index("util/log.py")
    # without the graph, crypto.py has no evidence beyond its path: it ties with billing
    balanced = atlas.query(task, QueryOptions("balanced", 0, 0, 0, 0), atlas.reader())
    assert "auth/crypto.py" not in [f.path for f in balanced.selection.files[:2]]


def test_pagerank_scores_imported_files_and_zero_for_the_rest(
    repo: Path, graph_atlas: Make
) -> None:
    atlas = graph_atlas(repo)
    atlas.index()
    reader = atlas.reader()
    ctx = QueryContext("anything", ["anything"], reader)
    scores = PageRankSignal().score(ctx)
    ids = reader.ids
    assert scores[ids["auth/crypto.py"]] > scores[ids["auth/middleware.py"]] > 0
    assert scores[ids["billing/tax.py"]] > 0
    for nobody_imports in ("app/wiring.py", "billing/invoice.py", "util/log.py"):
        assert scores[ids[nobody_imports]] == 0
    ctx.settings = {"pagerank": {"scale": "linear"}}
    linear = PageRankSignal().score(ctx)
    assert linear[ids["util/log.py"]] > 0  # the raw PageRank: every file has some


def test_without_graph_data_both_signals_say_why_and_score_nothing(repo: Path) -> None:
    import atlas_graph

    bare = Atlas(repo, get_plugin_manager(load_entrypoints=False))
    bare.index()  # indexed before the plugin was installed
    atlas = Atlas(
        repo, get_plugin_manager(load_entrypoints=False, extra_plugins=[("graph", atlas_graph)])
    )
    reader = atlas.reader()
    result = atlas.query("session token", QueryOptions("deep"), reader)
    assert {"pagerank", "graph"} <= set(result.selection.missing_signals)
    assert not {"bm25f", "path"} & set(result.selection.missing_signals)
    assert any("graph is unavailable: no import graph" in note.message for note in result.notes)
    ctx = QueryContext("session token", tokenize("session token"), reader)
    ctx.results["bm25f"] = np.ones(len(reader))
    for signal in (PageRankSignal(), GraphSignal()):
        assert signal.unavailable(ctx) is not None
        assert not signal.score(ctx).any() and len(signal.score(ctx)) == len(reader)


def test_graph_signal_without_text_matches_scores_nothing(repo: Path, graph_atlas: Make) -> None:
    atlas = graph_atlas(repo)
    atlas.index()
    reader = atlas.reader()
    ctx = QueryContext("zzz", ["zzz"], reader)
    ctx.results["bm25f"] = np.zeros(len(reader))
    assert not GraphSignal().score(ctx).any()
    assert [n.message for n in ctx.notes] == ["signal graph: no text matches to start from"]


def test_bad_signal_config_is_a_usage_error(repo: Path, graph_atlas: Make) -> None:
    atlas = graph_atlas(repo)
    atlas.index()
    reader = atlas.reader()
    ctx = QueryContext("token", ["token"], reader, {"graph": {"damping": 1.5}})
    ctx.results["bm25f"] = np.ones(len(reader))
    with pytest.raises(UsageError, match="bad config for graph"):
        GraphSignal().score(ctx)
    ctx.settings = {"graph": {"seedz": 3}}
    with pytest.raises(UsageError, match="unknown config key 'seedz' for graph"):
        GraphSignal().score(ctx)


def test_the_graph_follows_edits_and_is_reused_when_nothing_changed(
    repo: Path, graph_atlas: Make
) -> None:
    atlas = graph_atlas(repo)
    atlas.index()
    assert atlas.index().contributors["graph"] == "fresh"
    (repo / "util" / "log.py").write_text("from billing.tax import rate\n")
    report = atlas.index()
    assert report.contributors["graph"] == "updated"
    reader = atlas.reader()
    graph = load_graph(reader)
    assert graph is not None
    importers = {reader.paths[i] for i in graph.importers_of(reader.ids["billing/tax.py"])}
    assert importers == {"billing/invoice.py", "util/log.py"}


def test_graph_data_from_an_older_generation_is_mapped_by_path(
    repo: Path, graph_atlas: Make
) -> None:
    atlas = graph_atlas(repo)
    atlas.index()
    # a new file that sorts first shifts every id; index it without the plugin so the
    # stored graph still describes the previous generation
    (repo / "aaa.py").write_text("x = 1\n")
    Atlas(repo, get_plugin_manager(load_entrypoints=False)).index()
    reader = atlas.reader()
    assert reader.extra("graph")["generation"] != reader.generation
    graph = load_graph(reader)
    assert graph is not None
    edges: set[tuple[str, Any]] = {
        (reader.paths[a], reader.paths[b])
        for a, b in zip(graph.src.tolist(), graph.dst.tolist(), strict=True)
    }
    assert ("auth/middleware.py", "auth/crypto.py") in edges
    assert ("billing/invoice.py", "billing/tax.py") in edges
    assert len(edges) == 3


def test_reindexing_resolves_only_the_files_that_changed(
    repo: Path, graph_atlas: Make, monkeypatch: pytest.MonkeyPatch
) -> None:
    from atlas_graph.resolvers.python import PythonResolver

    resolved: list[str] = []
    original = PythonResolver.resolve

    def spy(self: PythonResolver, reader: Any, file_id: int, imports: list[str]) -> list[str]:
        resolved.append(reader.paths[file_id])
        return original(self, reader, file_id, imports)

    monkeypatch.setattr(PythonResolver, "resolve", spy)
    atlas = graph_atlas(repo)
    atlas.index()
    assert len(resolved) == 4  # every file with imports
    resolved.clear()
    (repo / "util" / "log.py").write_text("from auth.crypto import sign\n")
    atlas.index()
    assert resolved == ["util/log.py"]
    reader = atlas.reader()
    graph = load_graph(reader)
    assert graph is not None
    importers = {reader.paths[i] for i in graph.importers_of(reader.ids["auth/crypto.py"])}
    assert importers == {"auth/middleware.py", "util/log.py"}
    resolved.clear()
    (repo / "auth" / "tokens.py").write_text("from auth import crypto\n")
    atlas.index()  # a new file may change how others resolve: everything again
    assert len(resolved) == 6


def test_a_seed_starts_the_walk_and_ties_its_imports_and_importers(
    repo: Path, graph_atlas: Make
) -> None:
    atlas = graph_atlas(repo)
    atlas.index()
    reader = atlas.reader()
    ids = reader.ids
    # no task: the seed alone starts the personalised walk
    ctx = QueryContext("", [], reader, atlas.settings.components)
    ctx.results["bm25f"] = np.zeros(len(reader))
    ctx.seeds = [ids["auth/middleware.py"]]
    walk = GraphSignal().score(ctx)
    assert walk[ids["auth/crypto.py"]] > 0 and walk[ids["app/wiring.py"]] > 0
    assert walk[ids["billing/tax.py"]] == 0
    ties = {(reader.paths[t.id], t.kind) for t in GraphSignal().related(ctx, ctx.seeds)}
    assert ties == {("auth/crypto.py", "import of"), ("app/wiring.py", "importer of")}
    # through the engine: the seed first, then its neighbours above everything else
    result = atlas.query("", QueryOptions(seeds=["auth/middleware.py"], top=0), reader)
    order = [f.path for f in result.selection.files]
    assert order[0] == "auth/middleware.py" and result.selection.files[0].seed
    assert set(order[1:3]) == {"auth/crypto.py", "app/wiring.py"}
