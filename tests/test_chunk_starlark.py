"""Starlark (Bazel and Buck build files, ``.bzl`` rules and macros): classification, symbols
from the query file, and ranking by a symbol named in the task."""

from __future__ import annotations

import textwrap
from collections.abc import Callable
from pathlib import Path

import pytest

from atlas_core.api import check_query
from atlas_core.chunk.treesitter import TreeSitterChunker
from atlas_core.classify.rules import detect_language, explain_role
from atlas_core.engine import Atlas
from atlas_core.testing import first_ranked, symbols_and_imports, tree_sitter_chunks, write_repo

BUILD = """
    # Copyright the authors.
    load("//tools/build_defs:defs.bzl", "widget_library", lib = "cc_lib")
    load(":local.bzl", "helper")
    load("@rules_cc//cc:defs.bzl", "cc_library")

    package(default_visibility = ["//visibility:public"])

    COPTS = ["-Wall"]

    cc_library(
        name = "core",
        srcs = ["core.cc"],
        copts = COPTS,
    )

    widget_library(name = "widgets", srcs = glob(["*.w"]))

    [cc_test(name = n) for n in ["a", "b"]]

    exports_files(["LICENSE"])
    """

BZL = '''
    """Rules and macros for widgets."""

    load("//lib:paths.bzl", "paths")

    DEFAULT_COPTS = ["-O2"]
    _ATTRS = {"srcs": attr.label_list()}

    WidgetInfo = provider(fields = ["srcs"])

    def _widget_impl(ctx):
        """Builds one widget."""
        def _out(name):
            return ctx.actions.declare_file(name)
        return [WidgetInfo(srcs = ctx.files.srcs), DefaultInfo(files = depset([_out("w")]))]

    widget = rule(implementation = _widget_impl, attrs = _ATTRS)

    widget_repository = repository_rule(implementation = _repo_impl)

    widget_set = macro(implementation = _set_impl)

    def widget_library(name, **kwargs):
        widget(name = name + "_w", **kwargs)
        native.cc_library(name = name, **kwargs)

    x, y = 1, 2
    '''

MODULE = """
    module(name = "widgets", version = "1.0")
    bazel_dep(name = "rules_cc", version = "0.0.9")
    ext = use_extension("//tools:extensions.bzl", "widget_ext")
    use_repo(ext, "widget_toolchain")
    fetch = use_repo_rule("@bazel_tools//tools/build_defs/repo:http.bzl", "http_archive")
    """

SAMPLES: list[tuple[str, str, set[tuple[str, str]], list[str]]] = [
    (
        "BUILD.bazel",
        BUILD,
        {("constant", "COPTS"), ("target", "core"), ("target", "widgets")},
        ["//tools/build_defs:defs.bzl", ":local.bzl", "@rules_cc//cc:defs.bzl"],
    ),
    (
        "defs.bzl",
        BZL,
        {
            ("module", "Rules and macros for widgets."),
            ("constant", "DEFAULT_COPTS"),
            ("constant", "_ATTRS"),
            ("constant", "WidgetInfo"),
            ("function", "_widget_impl"),
            ("function", "_widget_impl._out"),
            ("rule", "widget"),
            ("rule", "widget_repository"),
            ("macro", "widget_set"),
            ("function", "widget_library"),
        },
        ["//lib:paths.bzl"],
    ),
    (
        "MODULE.bazel",
        MODULE,
        # the module and the dependencies it names, as BUILD files' targets
        {("target", "widgets"), ("target", "rules_cc")},
        ["//tools:extensions.bzl", "@bazel_tools//tools/build_defs/repo:http.bzl"],
    ),
]


def test_the_query_compiles_against_the_grammar() -> None:
    check_query(TreeSitterChunker(), "starlark")


@pytest.mark.parametrize(
    ("name", "source", "symbols", "imports"), SAMPLES, ids=[s[0] for s in SAMPLES]
)
def test_tree_sitter_chunks(
    name: str, source: str, symbols: set[tuple[str, str]], imports: list[str]
) -> None:
    assert symbols_and_imports(tree_sitter_chunks(name, source, "starlark")) == (symbols, imports)


def test_line_ranges_and_signatures() -> None:
    text = textwrap.dedent(BUILD).lstrip("\n")
    chunks = TreeSitterChunker().chunk("BUILD", text, "starlark")
    core = next(c for c in chunks if c.name == "core")
    assert (core.start, core.end, core.signature) == (10, 14, 'name = "core",')
    text = textwrap.dedent(BZL).lstrip("\n")
    chunks = TreeSitterChunker().chunk("defs.bzl", text, "starlark")
    spans = {c.name: (c.start, c.end) for c in chunks}
    assert spans["_widget_impl"] == (10, 14)
    assert spans["widget_library"] == (22, 24)


@pytest.mark.parametrize(
    ("rel", "head", "language", "role"),
    [
        ("BUILD", "", "starlark", "build"),
        ("pkg/BUILD.bazel", "", "starlark", "build"),
        ("WORKSPACE", "", "starlark", "build"),
        ("WORKSPACE.bazel", "", "starlark", "build"),
        ("WORKSPACE.bzlmod", "", "starlark", "build"),
        ("MODULE.bazel", "", "starlark", "build"),
        ("bazel/tools.MODULE.bazel", "", "starlark", "build"),
        ("bazel/BUILD.zlib.bazel", "", "starlark", "build"),
        ("app/BUCK", "", "starlark", "build"),
        ("Tiltfile", "", "starlark", "build"),
        # rules and macros are code
        ("tools/build_defs/defs.bzl", "", "starlark", "impl"),
        ("go/private/rules/binary.bzl", "", "starlark", "impl"),
        ("lib/extensions.star", "", "starlark", "impl"),
        ("lib/paths_tests.bzl", "", "starlark", "test"),
        ("tests/unittest.bzl", "", "starlark", "test"),
        ("third_party/rules/defs.bzl", "", "starlark", "vendor"),
        ("docs/example.bzl", "", "starlark", "docs"),
        # a script named build or buck is what its shebang says
        ("scripts/build", "#!/usr/bin/env bash\nset -e\n", "bash", "build"),
        ("bin/buck", "#!/usr/bin/env python3\n", "python", "build"),
    ],
)
def test_classification(rel: str, head: str, language: str, role: str) -> None:
    assert detect_language(rel, head) == language
    assert explain_role(rel, language, head)[0] == role


@pytest.mark.parametrize(
    ("path", "query"),
    [
        ("tools/build_defs/wheel.bzl", "py_wheel_bundle drops the data files"),
        ("server/BUILD.bazel", "grpc_gateway_server fails to link on macOS"),
    ],
    ids=["macro", "target"],
)
def test_a_symbol_named_in_the_task_ranks_its_file_first(
    tmp_path: Path, make_atlas: Callable[[Path], Atlas], path: str, query: str
) -> None:
    root = write_repo(
        tmp_path / "r",
        {
            "tools/build_defs/wheel.bzl": '"""Wheel macros."""\n\n'
            "def py_wheel_bundle(name, srcs, data = []):\n"
            "    native.filegroup(name = name + '_files', srcs = srcs + data)\n",
            "tools/build_defs/BUILD": "exports_files(['wheel.bzl'])\n",
            "server/BUILD.bazel": 'load("//tools/build_defs:wheel.bzl", "py_wheel_bundle")\n\n'
            'cc_binary(\n    name = "grpc_gateway_server",\n    srcs = ["main.cc"],\n)\n\n'
            'py_wheel_bundle(name = "client_wheel", srcs = ["client.py"])\n',
            "server/main.cc": "// serves the gateway\nint main() { return 0; }\n",
            "server/client.py": "def connect():\n    return None\n",
            "README.md": "# Gateway\n\nBuild the grpc gateway server and the wheel bundle.\n",
        },
    )
    reader, first = first_ranked(make_atlas(root), query)
    symbol = query.split()[0]  # each task opens with the symbol's name
    assert symbol in [c.name for c in reader.chunks(reader.ids[path])]
    assert first == path
