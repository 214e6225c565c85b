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


#: a bzlmod repository of rules, loading its own files by its module's name
BZLMOD = {
    "MODULE.bazel": 'module(\n    name = "rules_foo",\n    version = "0.1.0",\n)\n'
    'bazel_dep(name = "rules_cc", version = "0.0.9")\n'
    'foo = use_extension("@rules_foo//foo:extensions.bzl", "foo")\n',
    "foo/BUILD.bazel": 'load("@rules_foo//foo:defs.bzl", "foo_library")\n',
    "foo/defs.bzl": 'load("@rules_foo//foo/private:impl.bzl", "foo_impl")\n'
    'load("@@rules_foo//foo/private:toolchain.bzl", "TOOLCHAIN")\n'  # the canonical form
    'load(":common.bzl", "COMMON")\n'
    "def foo_library(name):\n    foo_impl(name)\n",
    "foo/common.bzl": "COMMON = 1\n",
    "foo/extensions.bzl": 'load("@rules_foo//foo/private:impl.bzl", "foo_impl")\nfoo = 1\n',
    "foo/private/impl.bzl": "def foo_impl(name):\n    pass\n",
    "foo/private/toolchain.bzl": "TOOLCHAIN = 1\n",
}
#: the edges of BZLMOD's labels naming the repository by its module's name
BY_MODULE_NAME = {
    ("MODULE.bazel", "foo/extensions.bzl"),
    ("foo/BUILD.bazel", "foo/defs.bzl"),
    ("foo/defs.bzl", "foo/private/impl.bzl"),
    ("foo/defs.bzl", "foo/private/toolchain.bzl"),
    ("foo/extensions.bzl", "foo/private/impl.bzl"),
}


def test_a_module_loads_its_own_files_by_its_name(graph_edges: Build, treesitter: bool) -> None:
    edges = graph_edges(BZLMOD)
    expected = BY_MODULE_NAME | {("foo/defs.bzl", "foo/common.bzl")}
    assert edges == (expected if treesitter else set())


def test_a_module_loads_its_own_files_by_its_repo_name(
    graph_edges: Build, treesitter: bool
) -> None:
    edges = graph_edges(
        {
            "MODULE.bazel": 'module(name = "rules_go", repo_name = "io_bazel_rules_go")\n',
            "go/BUILD.bazel": "",
            "go/def.bzl": 'load("@io_bazel_rules_go//go/private:context.bzl", "go_context")\n'
            'load("@rules_go//go/private:rules.bzl", "go_binary")\n',
            "go/private/context.bzl": "def go_context(ctx):\n    pass\n",
            "go/private/rules.bzl": "go_binary = 1\n",
        }
    )
    expected = {
        ("go/def.bzl", "go/private/context.bzl"),
        ("go/def.bzl", "go/private/rules.bzl"),
    }
    assert edges == (expected if treesitter else set())


@pytest.mark.parametrize("workspace", ["WORKSPACE", "WORKSPACE.bazel"])
def test_a_workspace_loads_its_own_files_by_its_name(
    graph_edges: Build, treesitter: bool, workspace: str
) -> None:
    edges = graph_edges(
        {
            workspace: "# the rules of foo\n"
            'workspace(name = "io_bazel_rules_foo")\n'
            'load("@io_bazel_rules_foo//foo:deps.bzl", "foo_dependencies")\n'
            "foo_dependencies()\n",
            "foo/BUILD": "",
            "foo/deps.bzl": 'load("@io_bazel_rules_foo//foo/private:context.bzl", "ctx")\n'
            "def foo_dependencies():\n    pass\n",
            "foo/private/context.bzl": "def ctx():\n    pass\n",
        }
    )
    expected = {
        (workspace, "foo/deps.bzl"),
        ("foo/deps.bzl", "foo/private/context.bzl"),
    }
    assert edges == (expected if treesitter else set())


def test_labels_of_other_repositories_name_nothing_though_the_path_exists(
    graph_edges: Build, treesitter: bool
) -> None:
    edges = graph_edges(
        {
            "MODULE.bazel": 'module(name = "rules_foo")\n'
            'bazel_dep(name = "rules_cc", version = "0.0.9")\n',
            "foo/defs.bzl": 'load("@rules_foo//foo:common.bzl", "COMMON")\n'
            'load("@rules_cc//cc:defs.bzl", "cc_library")\n'  # a dependency's name
            'load("@rules_foo_extra//foo:other.bzl", "A")\n'
            'load("@nested//foo:other.bzl", "B")\n'
            'load("@@rules_cc+//foo:other.bzl", "C")\n',
            "foo/common.bzl": "COMMON = 1\n",
            "foo/other.bzl": "A = B = C = 1\n",
            "cc/defs.bzl": "def cc_library(name):\n    pass\n",
            # a module of its own inside the repository: only the root MODULE.bazel counts
            "nested/MODULE.bazel": 'module(name = "nested")\n',
        }
    )
    expected = {("foo/defs.bzl", "foo/common.bzl")}
    assert edges == (expected if treesitter else set())


def test_renaming_the_module_re_resolves_the_unchanged_loaders(
    tmp_path: Path,
    graph_atlas: Callable[..., Atlas],
    index_edges: Callable[[Atlas], set[tuple[str, str]]],
) -> None:
    root = write_repo(tmp_path / "r", BZLMOD)
    atlas = graph_atlas(root)
    before = index_edges(atlas)
    assert before >= BY_MODULE_NAME
    # only MODULE.bazel changes: @rules_foo// now names another repository
    module = BZLMOD["MODULE.bazel"].replace('name = "rules_foo"', 'name = "rules_bar"')
    (root / "MODULE.bazel").write_text(module)
    after = index_edges(atlas)
    assert before - after == BY_MODULE_NAME
    assert after == {("foo/defs.bzl", "foo/common.bzl")}
