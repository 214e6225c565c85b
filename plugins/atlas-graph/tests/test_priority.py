"""For each language the graph uses the resolver with the highest priority, from any plugin."""

from __future__ import annotations

import json
from collections.abc import Callable
from pathlib import Path
from types import SimpleNamespace
from typing import Any, ClassVar

import pytest

from atlas_core.api import Resolver, hookimpl
from atlas_core.testing import CliResult, write_repo

Build = Callable[..., set[tuple[str, str]]]

GO_REPO = {
    "go.mod": "module example.com/app\n",
    "main.go": 'package main\n\nimport "example.com/app/server"\n',
    "server/server.go": "package server\n",
    "server/routes.go": "package server\n",
    "special.go": "package main\n",
}


class PinpointGoResolver(Resolver):
    """What a language plugin might do: resolve every Go import to one chosen file."""

    name: ClassVar[str] = "pinpoint_go"
    languages: ClassVar[tuple[str, ...]] = ("go",)
    priority: ClassVar[int] = 20

    def resolve(self, reader: Any, file_id: int, imports: list[str]) -> list[str]:
        return ["special.go"] if imports else []


@hookimpl
def atlas_register_resolvers(registry: Any) -> None:
    registry.add(PinpointGoResolver())


LANGUAGE_PLUGIN = SimpleNamespace(atlas_register_resolvers=atlas_register_resolvers)


def test_a_higher_priority_resolver_of_another_plugin_wins(graph_edges: Build) -> None:
    assert graph_edges(GO_REPO) == {
        ("main.go", "server/server.go"),
        ("main.go", "server/routes.go"),
    }
    assert graph_edges(GO_REPO, ("lang", LANGUAGE_PLUGIN)) == {("main.go", "special.go")}


def test_installing_a_resolver_recomputes_the_graph(
    tmp_path: Path, graph_atlas: Callable[..., Any]
) -> None:
    root = write_repo(tmp_path / "r", GO_REPO)
    assert graph_atlas(root).index().contributors["graph"] == "updated"
    assert graph_atlas(root).index().contributors["graph"] == "fresh"
    report = graph_atlas(root, ("lang", LANGUAGE_PLUGIN)).index()
    assert report.contributors["graph"] == "updated"  # same files, better resolver


def test_with_atlas_lang_go_installed_its_resolver_is_used(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, atlas_cli: Callable[..., CliResult]
) -> None:
    pytest.importorskip("atlas_lang_go")
    monkeypatch.setenv("ATLAS_LOAD_PLUGINS", "graph,lang-go")
    root = write_repo(tmp_path / "r", GO_REPO)
    assert atlas_cli("--root", str(root), "index").code == 0
    data = json.loads(atlas_cli("--root", str(root), "inspect", "--json").stdout)
    assert data["ExtraDetails"]["graph"]["Resolvers"] == {"go": "go"}
    result = atlas_cli("--root", str(root), "graph", "main.go", "--json")
    assert json.loads(result.stdout)["Imports"] == ["server/routes.go", "server/server.go"]
