"""Starlark: ``load`` labels (and MODULE.bazel's ``use_extension``) to files of the repository.

Only the tree-sitter query records Starlark loads (the regex chunker has no rules for it):
with the regex chunker alone the repository must have no edge.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from pathlib import Path

import pytest

from atlas_core.engine import Atlas
from atlas_core.testing import CliResult, write_repo

Build = Callable[..., set[tuple[str, str]]]

REPO = {
    "MODULE.bazel": 'module(name = "widgets")\n'
    'bazel_dep(name = "rules_cc", version = "0.0.9")\n'
    'ext = use_extension("//tools:extensions.bzl", "widget_ext")\n',
    "BUILD.bazel": 'load("@//tools:defs.bzl", "widget")\n'
    'load("@@//tools/lib", "lib")\n'  # //tools/lib means //tools/lib:lib
    'widget(name = "root")\n',
    "tools/BUILD": "",
    "tools/defs.bzl": 'load(":private/impl.bzl", "widget_impl")\n'
    'load("//tools:versions.bzl", "VERSIONS")\n'
    'load("@rules_cc//cc:defs.bzl", "cc_library")\n'
    'load("@bazel_skylib//lib:paths.bzl", "paths")\n'
    'load("@rules_cc", "x")\n'
    'load("prelude//:rules.bzl", "y")\n'  # a Buck cell
    "def widget(name):\n    widget_impl(name)\n",
    "tools/private/impl.bzl": 'load(":versions.bzl", "VERSIONS")\n'
    'load("//:nothing.bzl", "z")\n'
    "def widget_impl(name):\n    pass\n",
    "tools/versions.bzl": 'VERSIONS = {"1.0": "abc"}\n',
    "tools/extensions.bzl": 'load("//tools:defs.bzl", "widget")\nwidget_ext = 1\n',
    "tools/lib/lib": "",
    "tools/lib/BUILD.bazel": "",
    # a package: its relative labels name its files
    "app/BUILD": 'load(":app.bzl", "app_macro")\nload("//tools:defs.bzl", "widget")\n'
    'app_macro(name = "app")\n',
    "app/app.bzl": 'load("//tools/private:impl.bzl", "widget_impl")\n',
}


@pytest.fixture
def treesitter(request: pytest.FixtureRequest) -> bool:
    """Whether ``graph_edges`` runs with the tree-sitter chunker (else the regex one)."""
    return bool(request.node.callspec.params["graph_edges"] == "treesitter")


def test_load_labels_of_this_repository(graph_edges: Build, treesitter: bool) -> None:
    edges = graph_edges(REPO)
    expected = {
        ("MODULE.bazel", "tools/extensions.bzl"),  # use_extension
        ("BUILD.bazel", "tools/defs.bzl"),  # @// is this repository
        ("BUILD.bazel", "tools/lib/lib"),  # @@// too; //tools/lib is //tools/lib:lib
        # ":private/impl.bzl" in the package tools/ (it holds the BUILD file)
        ("tools/defs.bzl", "tools/private/impl.bzl"),
        ("tools/defs.bzl", "tools/versions.bzl"),  # from the root
        # tools/private/ holds no BUILD file: ":versions.bzl" is in the package tools/
        ("tools/private/impl.bzl", "tools/versions.bzl"),
        ("tools/extensions.bzl", "tools/defs.bzl"),
        ("app/BUILD", "app/app.bzl"),
        ("app/BUILD", "tools/defs.bzl"),
        ("app/app.bzl", "tools/private/impl.bzl"),
    }
    assert edges == (expected if treesitter else set())


def test_a_relative_label_beside_the_file_outside_any_package(
    graph_edges: Build, treesitter: bool
) -> None:
    edges = graph_edges(
        {
            "rules/defs.bzl": 'load(":common.bzl", "c")\nload("helpers.bzl", "h")\n',
            "rules/common.bzl": "C = 1\n",
            "rules/helpers.bzl": "H = 1\n",
        }
    )
    expected = {("rules/defs.bzl", "rules/common.bzl"), ("rules/defs.bzl", "rules/helpers.bzl")}
    assert edges == (expected if treesitter else set())


def test_graph_command_shows_a_bzl_file_and_its_loaders(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, atlas_cli: Callable[..., CliResult]
) -> None:
    monkeypatch.setenv("ATLAS_LOAD_PLUGINS", "graph")  # the real entry point
    root = write_repo(tmp_path / "repo", REPO)
    result = atlas_cli("--root", str(root), "graph", "tools/defs.bzl", "--json")
    assert result.code == 0, result.stderr
    data = json.loads(result.stdout)
    assert data["Imports"] == ["tools/private/impl.bzl", "tools/versions.bzl"]
    assert data["ImportedBy"] == ["BUILD.bazel", "app/BUILD", "tools/extensions.bzl"]


def test_a_new_build_file_moves_the_package_of_unchanged_loaders(
    tmp_path: Path,
    graph_atlas: Callable[..., Atlas],
    index_edges: Callable[[Atlas], set[tuple[str, str]]],
) -> None:
    root = write_repo(tmp_path / "r", REPO)
    atlas = graph_atlas(root)
    before = index_edges(atlas)
    assert ("tools/private/impl.bzl", "tools/versions.bzl") in before
    # tools/private/ becomes a package of its own, which holds no versions.bzl
    (root / "tools/private/BUILD").write_text("")
    assert before - index_edges(atlas) == {("tools/private/impl.bzl", "tools/versions.bzl")}
