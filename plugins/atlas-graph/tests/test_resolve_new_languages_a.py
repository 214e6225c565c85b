"""Dart, Zig, Julia, Nim and Erlang: the imports their tree-sitter queries record, resolved."""

from __future__ import annotations

import json
from collections.abc import Callable
from pathlib import Path

import pytest

from atlas_core.chunk.regex import RegexChunker
from atlas_core.engine import Atlas
from atlas_core.testing import CliResult, write_repo

Build = Callable[..., set[tuple[str, str]]]


@pytest.fixture
def edges_for(request: pytest.FixtureRequest, graph_edges: Build) -> Callable[[str], Build]:
    """``edges_for(language)``: ``graph_edges``, skipped in its regex run when the regex
    chunker has no rules for the language (no import is recorded there, so an empty
    edge set would say nothing about the resolver)."""

    def for_language(language: str) -> Build:
        chunker = request.node.callspec.params["graph_edges"]
        if chunker == "regex" and language not in RegexChunker().languages:
            pytest.skip(f"the regex chunker records no {language} imports")
        return graph_edges

    return for_language


DART = {
    "pkgs/http/pubspec.yaml": "description: An HTTP client.\nname: http\n"
    "dependencies:\n  meta: ^1.0.0\n",
    "pkgs/http/lib/http.dart": "library http;\nimport 'dart:async';\n"
    "import 'package:meta/meta.dart';\nexport 'src/client.dart';\npart 'src/request.dart';\n",
    "pkgs/http/lib/src/request.dart": "part of '../http.dart';\nclass Request {}\n",
    "pkgs/http/lib/src/client.dart": "import 'package:http/src/base.dart';\n"
    "import 'io_client.dart' if (dart.library.js_interop) 'browser_client.dart';\n"
    "abstract class Client {}\n",
    "pkgs/http/lib/src/base.dart": "class Base {}\n",
    "pkgs/http/lib/src/io_client.dart": "import '../http.dart';\nclass IOClient {}\n",
    "pkgs/http/lib/src/browser_client.dart": "class BrowserClient {}\n",
    "pkgs/http/test/client_test.dart": "import 'package:http/http.dart';\n"
    "import 'package:test/test.dart';\nimport 'utils.dart';\nvoid main() {}\n",
    "pkgs/http/test/utils.dart": "void check() {}\n",
    "pkgs/retry/pubspec.yaml": 'name: "http_retry" # a comment\nenvironment:\n  sdk: ^3.0.0\n',
    "pkgs/retry/lib/retry.dart": "import 'package:http/http.dart' as http;\n"
    "import 'package:http_retry/src/backoff.dart';\nimport 'package:nope/x.dart';\n",
    "pkgs/retry/lib/src/backoff.dart": "class Backoff {}\n",
}


def test_dart_package_imports_through_each_pubspec_and_relative_uris(
    edges_for: Callable[[str], Build],
) -> None:
    edges = edges_for("dart")(DART)
    http, retry = "pkgs/http", "pkgs/retry"
    assert edges == {
        (f"{http}/lib/http.dart", f"{http}/lib/src/client.dart"),  # export
        (f"{http}/lib/http.dart", f"{http}/lib/src/request.dart"),  # part
        (f"{http}/lib/src/request.dart", f"{http}/lib/http.dart"),  # part of
        (f"{http}/lib/src/client.dart", f"{http}/lib/src/base.dart"),
        # both sides of a conditional import
        (f"{http}/lib/src/client.dart", f"{http}/lib/src/io_client.dart"),
        (f"{http}/lib/src/client.dart", f"{http}/lib/src/browser_client.dart"),
        (f"{http}/lib/src/io_client.dart", f"{http}/lib/http.dart"),
        (f"{http}/test/client_test.dart", f"{http}/lib/http.dart"),
        (f"{http}/test/client_test.dart", f"{http}/test/utils.dart"),
        # another package of the repository, by the name its pubspec gives
        (f"{retry}/lib/retry.dart", f"{http}/lib/http.dart"),
        (f"{retry}/lib/retry.dart", f"{retry}/lib/src/backoff.dart"),
    }


def test_dart_package_of_a_single_package_repository(edges_for: Callable[[str], Build]) -> None:
    edges = edges_for("dart")(
        {
            "pubspec.yaml": "name: shelf\n",
            "lib/shelf.dart": "export 'package:shelf/src/handler.dart';\n",
            "lib/src/handler.dart": "import 'dart:io';\nimport 'package:shelf2/x.dart';\n",
            "example/main.dart": "import 'package:shelf/shelf.dart';\n",
        }
    )
    assert edges == {
        ("lib/shelf.dart", "lib/src/handler.dart"),
        ("example/main.dart", "lib/shelf.dart"),
    }


def test_zig_file_imports_relative_to_the_file(edges_for: Callable[[str], Build]) -> None:
    edges = edges_for("zig")(
        {
            "build.zig": 'const std = @import("std");\npub fn build(b: *std.Build) void {}\n',
            "src/main.zig": 'const std = @import("std");\nconst builtin = @import("builtin");\n'
            'const Lexer = @import("Lexer.zig");\nconst mem = @import("util/mem.zig");\n'
            'const options = @import("build_options");\n'
            'const missing = @import("missing.zig");\n'
            'const c = @cImport({\n    @cInclude("shim.h");\n    @cInclude("stdio.h");\n});\n'
            "pub fn main() void {}\n",
            "src/Lexer.zig": 'const mem = @import("util/mem.zig");\npub fn next() void {}\n',
            "src/util/mem.zig": 'const Lexer = @import("../Lexer.zig");\n'
            'const root = @import("root");\n',
            "src/shim.h": "int shim(void);\n",
            "test/all.zig": 'test {\n    _ = @import("../src/main.zig");\n}\n',
        }
    )
    assert edges == {
        ("src/main.zig", "src/Lexer.zig"),
        ("src/main.zig", "src/util/mem.zig"),
        ("src/main.zig", "src/shim.h"),  # @cInclude of a header of the repository
        ("src/Lexer.zig", "src/util/mem.zig"),
        ("src/util/mem.zig", "src/Lexer.zig"),
        ("test/all.zig", "src/main.zig"),
    }


def test_julia_includes_and_packages_of_the_repository(
    edges_for: Callable[[str], Build],
) -> None:
    edges = edges_for("julia")(
        {
            "Project.toml": 'name = "Flux"\n',
            "src/Flux.jl": "module Flux\nusing LinearAlgebra\nusing Zygote: gradient\n"
            'import FluxCore\ninclude("layers/basic.jl")\ninclude("optimise/Optimise.jl")\n'
            "using .Optimise\nend\n",
            "src/layers/basic.jl": "using ..Flux: params\nstruct Dense end\n",
            "src/optimise/Optimise.jl": 'module Optimise\ninclude("train.jl")\nend\n',
            "src/optimise/train.jl": "function train!() end\n",
            "lib/FluxCore/Project.toml": 'name = "FluxCore"\n',
            "lib/FluxCore/src/FluxCore.jl": "module FluxCore\nend\n",
            "test/runtests.jl": 'using Flux, Test\ninclude("layers.jl")\n',
            "test/layers.jl": "using Flux.Optimise: train!\nimport FluxCore.Utils\n",
        }
    )
    assert edges == {
        ("src/Flux.jl", "lib/FluxCore/src/FluxCore.jl"),
        ("src/Flux.jl", "src/layers/basic.jl"),
        ("src/Flux.jl", "src/optimise/Optimise.jl"),
        ("src/optimise/Optimise.jl", "src/optimise/train.jl"),
        ("test/runtests.jl", "src/Flux.jl"),
        ("test/runtests.jl", "test/layers.jl"),
        ("test/layers.jl", "src/Flux.jl"),
        ("test/layers.jl", "lib/FluxCore/src/FluxCore.jl"),
    }


def test_julia_package_file_at_the_repository_root(edges_for: Callable[[str], Build]) -> None:
    edges = edges_for("julia")(
        {"Tiny.jl": "module Tiny\nend\n", "bench/run.jl": "using Tiny\nusing BenchmarkTools\n"}
    )
    assert edges == {("bench/run.jl", "Tiny.jl")}


def test_nim_imports_and_includes(edges_for: Callable[[str], Build]) -> None:
    edges = edges_for("nim")(
        {
            "src/app.nim": "import std/[tables, sets]\nimport os, strutils\nimport std/strformat\n"
            "import app/config\nimport pkg/jester\ninclude app/inc\n"
            "from app/util import joinAll\n",
            "src/app/config.nim": 'import util\nimport "../../lib/paths.nim"\n',
            "src/app/util.nim": "import strutils\nproc joinAll*() = discard\n",
            "src/app/inc.nim": "proc included() = discard\n",
            "lib/paths.nim": "proc home*(): string = discard\n",
            "tests/test_config.nim": "import unittest\nimport app/config\n",
        }
    )
    assert edges == {
        ("src/app.nim", "src/app/config.nim"),
        ("src/app.nim", "src/app/inc.nim"),
        ("src/app.nim", "src/app/util.nim"),
        ("src/app/config.nim", "src/app/util.nim"),  # beside the importing file
        ("src/app/config.nim", "lib/paths.nim"),  # a quoted relative path
        ("tests/test_config.nim", "src/app/config.nim"),  # the nearest module of that path
    }


def test_erlang_includes_and_include_libs(edges_for: Callable[[str], Build]) -> None:
    edges = edges_for("erlang")(
        {
            "src/cowboy.app.src": "{application, cowboy, []}.\n",
            "src/cowboy.erl": '-module(cowboy).\n-include("cowboy.hrl").\n'
            '-include_lib("cowboy/include/cowboy_http.hrl").\n'
            '-include_lib("kernel/include/file.hrl").\n',
            "src/cowboy_req.erl": '-module(cowboy_req).\n-include("../include/cowboy.hrl").\n'
            '-include("local.hrl").\n-include_lib("other/include/cowboy.hrl").\n',
            "src/local.hrl": "-define(LOCAL, 1).\n",
            "include/cowboy.hrl": "-record(req, {}).\n",
            "include/cowboy_http.hrl": "-define(HTTP, 1).\n",
            "apps/ranch/src/ranch.erl": "-module(ranch).\n"
            '-include_lib("ranch/include/ranch.hrl").\n'
            '-include_lib("cowboy/include/cowboy.hrl").\n',
            "apps/ranch/include/ranch.hrl": "-define(RANCH, 1).\n",
        }
    )
    assert edges == {
        ("src/cowboy.erl", "include/cowboy.hrl"),  # the nearest include/ directory
        ("src/cowboy.erl", "include/cowboy_http.hrl"),  # this repository's application
        ("src/cowboy_req.erl", "include/cowboy.hrl"),
        ("src/cowboy_req.erl", "src/local.hrl"),
        ("apps/ranch/src/ranch.erl", "apps/ranch/include/ranch.hrl"),  # by its path
        ("apps/ranch/src/ranch.erl", "include/cowboy.hrl"),
    }


def test_graph_command_shows_a_dart_package_import(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, atlas_cli: Callable[..., CliResult]
) -> None:
    monkeypatch.setenv("ATLAS_LOAD_PLUGINS", "graph")  # the real entry point
    root = write_repo(tmp_path / "repo", DART)
    result = atlas_cli("--root", str(root), "graph", "pkgs/http/lib/http.dart", "--json")
    assert result.code == 0, result.stderr
    data = json.loads(result.stdout)
    assert data["Imports"] == ["pkgs/http/lib/src/client.dart", "pkgs/http/lib/src/request.dart"]
    # imported by ``package:http/http.dart`` from the test and from the other package
    assert data["ImportedBy"] == [
        "pkgs/http/lib/src/io_client.dart",
        "pkgs/http/lib/src/request.dart",
        "pkgs/http/test/client_test.dart",
        "pkgs/retry/lib/retry.dart",
    ]
    assert data["CentralityRank"] == 1 and data["PageRank"] > 0


def test_renaming_a_dart_package_re_resolves_the_unchanged_importers(
    tmp_path: Path,
    graph_atlas: Callable[..., Atlas],
    index_edges: Callable[[Atlas], set[tuple[str, str]]],
) -> None:
    root = write_repo(tmp_path / "r", DART)
    atlas = graph_atlas(root)
    before = index_edges(atlas)
    assert ("pkgs/retry/lib/retry.dart", "pkgs/http/lib/http.dart") in before
    (root / "pkgs/http/pubspec.yaml").write_text("name: http_client\n")
    after = index_edges(atlas)  # only the pubspec changed: package:http/ names nothing now
    assert before - after == {
        ("pkgs/retry/lib/retry.dart", "pkgs/http/lib/http.dart"),
        ("pkgs/http/test/client_test.dart", "pkgs/http/lib/http.dart"),
        ("pkgs/http/lib/src/client.dart", "pkgs/http/lib/src/base.dart"),
    }
    assert after <= before
