"""The tree-sitter chunker: per-language extraction, broken input, fallbacks, the index."""

from __future__ import annotations

import textwrap
from collections.abc import Callable
from pathlib import Path

import pytest

from atlas_core.chunk.regex import RegexChunker
from atlas_core.chunk.treesitter import QUERY_DIR, TreeSitterChunker
from atlas_core.engine import Atlas
from atlas_core.testing import write_repo
from atlas_core.types import Chunk

LANGUAGES = {
    "python", "go", "rust", "javascript", "typescript", "tsx", "java", "kotlin", "c", "cpp",
    "csharp", "ruby", "php", "swift", "scala", "elixir", "lua", "bash", "haskell", "r",
}  # fmt: skip


@pytest.fixture(scope="module")
def chunker() -> TreeSitterChunker:
    return TreeSitterChunker()


def chunk(chunker: TreeSitterChunker, language: str, source: str) -> list[Chunk]:
    result = chunker.chunk(f"sample.{language}", textwrap.dedent(source).lstrip("\n"), language)
    assert language not in chunker.failures, chunker.failures[language]
    return result


def symbols(chunks: list[Chunk]) -> set[tuple[str, str, int, int]]:
    """(kind, qualified name, start, end) of every non-import chunk."""
    return {(c.kind, c.qualified, c.start, c.end) for c in chunks if c.kind != "import"}


def imports(chunks: list[Chunk]) -> list[str]:
    return [c.name for c in chunks if c.kind == "import"]


# -- one snippet per language: (language, source, expected symbols, expected imports) ----------

CASES: list[tuple[str, str, set[tuple[str, str, int, int]], list[str]]] = [
    (
        "python",
        '''
        #!/usr/bin/env python
        """HTTP client helpers.

        More text.
        """
        import os, os.path as osp
        from . import util
        from .retry import Retry
        from ..pkg.sub import thing

        @decorator
        class Client(Base):
            """A client."""
            def send(self, req):
                def inner():
                    pass
                return inner

            @property
            async def closed(self) -> bool:
                return True

        def top(x: int) -> int:
            return x
        ''',
        {
            ("module", "HTTP client helpers.", 2, 5),
            ("class", "Client", 11, 21),
            ("method", "Client.send", 14, 17),
            ("function", "Client.send.inner", 15, 16),
            ("method", "Client.closed", 19, 21),
            ("function", "top", 23, 24),
        },
        ["os", "os.path", ".util", ".retry", "..pkg.sub"],
    ),
    (
        "go",
        """
        // Package client does HTTP.
        package client

        import (
        \t"net/http"
        \tstr "strings"
        )

        type Client struct {
        \tname string
        }

        type Sender interface {
        \tSend() error
        }

        type ID int

        func New() *Client { return nil }

        func (c *Client) Send(r int) error {
        \treturn nil
        }

        func (s Stack[T]) Push(v T) {}
        """,
        {
            ("module", "Package client does HTTP.", 1, 1),
            ("struct", "Client", 9, 11),
            ("interface", "Sender", 13, 15),
            ("method", "Sender.Send", 14, 14),
            ("type", "ID", 17, 17),
            ("function", "New", 19, 19),
            ("method", "Client.Send", 21, 23),
            ("method", "Stack.Push", 25, 25),
        },
        ["net/http", "strings"],
    ),
    (
        "rust",
        """
        //! Crate docs.
        use std::collections::HashMap;
        use crate::foo::{Bar, baz};
        mod util;
        pub mod inner {
            pub fn helper() {}
        }
        pub struct Client { name: String }
        pub enum Kind { A, B }
        pub trait Send {
            fn send(&self);
        }
        impl Client {
            pub fn new() -> Self {
                todo!()
            }
        }
        impl<T> Send for Wrapper<T> {
            fn send(&self) {}
        }
        pub fn top() {}
        """,
        {
            ("module", "Crate docs.", 1, 1),
            ("module", "inner", 5, 7),
            ("function", "inner.helper", 6, 6),
            ("struct", "Client", 8, 8),
            ("enum", "Kind", 9, 9),
            ("trait", "Send", 10, 12),
            ("method", "Send.send", 11, 11),
            ("method", "Client.new", 14, 16),
            ("method", "Wrapper.send", 19, 19),
            ("function", "top", 21, 21),
        },
        ["std::collections::HashMap", "crate::foo", "util"],
    ),
    (
        "javascript",
        """
        import React, { useState } from 'react';
        const util = require('./util');
        export { x } from './x';
        export default class Client extends Base {
          constructor(a) { super(); }
          async send(req) {
            return 1;
          }
        }
        function top(a, b) { return a; }
        export const arrow = async (x) => x * 2;
        Client.prototype.close = function () {};
        """,
        {
            ("class", "Client", 4, 9),
            ("method", "Client.constructor", 5, 5),
            ("method", "Client.send", 6, 8),
            ("function", "top", 10, 10),
            ("function", "arrow", 11, 11),
            ("method", "Client.close", 12, 12),
        },
        ["react", "./util", "./x"],
    ),
    (
        "typescript",
        """
        import type { Foo } from "./foo";
        export interface Options {
          retries: number;
          send(): void;
        }
        export type Handler = (x: number) => void;
        export enum Color { Red, Green }
        export abstract class Client<T> {
          public async send(req: Request): Promise<void> {}
          abstract close(): void;
        }
        export function top<T>(a: T): T { return a; }
        """,
        {
            ("interface", "Options", 2, 5),
            ("method", "Options.send", 4, 4),
            ("type", "Handler", 6, 6),
            ("enum", "Color", 7, 7),
            ("class", "Client", 8, 11),
            ("method", "Client.send", 9, 9),
            ("method", "Client.close", 10, 10),
            ("function", "top", 12, 12),
        },
        ["./foo"],
    ),
    (
        "tsx",
        """
        import React from 'react';
        export function App(props: Props) {
          return <div>{props.x}</div>;
        }
        class Widget extends React.Component<P> {
          render() { return <span/>; }
        }
        """,
        {
            ("function", "App", 2, 4),
            ("class", "Widget", 5, 7),
            ("method", "Widget.render", 6, 6),
        },
        ["react"],
    ),
    (
        "java",
        """
        package com.example;

        import java.util.List;
        import com.example.util.*;

        @Deprecated
        public class Client extends Base {
            public Client(int x) { }
            @Override
            public void send(Request r) {
            }
            static class Inner {
                void run() {}
            }
        }
        interface Sender { void send(Request r); }
        enum Color { RED; void paint() {} }
        """,
        {
            ("class", "Client", 6, 15),
            ("method", "Client.Client", 8, 8),
            ("method", "Client.send", 9, 11),
            ("class", "Client.Inner", 12, 14),
            ("method", "Client.Inner.run", 13, 13),
            ("interface", "Sender", 16, 16),
            ("method", "Sender.send", 16, 16),
            ("enum", "Color", 17, 17),
            ("method", "Color.paint", 17, 17),
        },
        ["java.util.List", "com.example.util"],
    ),
    (
        "kotlin",
        """
        import kotlinx.coroutines.launch

        class Client(val name: String) {
            fun send(req: Request): Response {
                return Response()
            }
        }
        interface Sender { fun send() }
        enum class Color { RED }
        object Registry { fun get() {} }
        fun String.shout(): String = uppercase()
        fun top() {}
        """,
        {
            ("class", "Client", 3, 7),
            ("method", "Client.send", 4, 6),
            ("interface", "Sender", 8, 8),
            ("method", "Sender.send", 8, 8),
            ("enum", "Color", 9, 9),
            ("class", "Registry", 10, 10),
            ("method", "Registry.get", 10, 10),
            ("function", "String.shout", 11, 11),
            ("function", "top", 12, 12),
        },
        ["kotlinx.coroutines.launch"],
    ),
    (
        "c",
        """
        #include <stdio.h>
        #include "util/helpers.h"

        struct point { int x; int y; };
        typedef struct node { int v; } node_t;
        enum color { RED, GREEN };

        static int add(int a, int b) {
            return a + b;
        }
        char *name_of(struct point *p);
        #define MAX(a, b) ((a) > (b) ? (a) : (b))
        """,
        {
            ("struct", "point", 4, 4),
            ("struct", "node", 5, 5),
            ("type", "node_t", 5, 5),
            ("enum", "color", 6, 6),
            ("function", "add", 8, 10),
            ("function", "name_of", 11, 11),
            ("macro", "MAX", 12, 12),
        },
        ["stdio.h", "util/helpers.h"],
    ),
    (
        "cpp",
        """
        #include <vector>
        namespace net {
        class Client : public Base {
        public:
            void send(const Request& r);
            int size() const { return 0; }
        };
        void Client::send(const Request& r) {
        }
        int top(int a) { return a; }
        }
        """,
        {
            ("class", "Client", 3, 7),
            ("method", "Client.send", 5, 5),
            ("method", "Client.size", 6, 6),
            ("method", "Client.send", 8, 9),
            ("function", "top", 10, 10),
        },
        ["vector"],
    ),
    (
        "csharp",
        """
        using System.Collections.Generic;
        namespace Example.Http {
            public class Client {
                public Client() {}
                public async Task SendAsync(Request r) {
                }
            }
            public interface ISender { void Send(); }
            public struct Point { public int X; }
            public enum Color { Red }
        }
        """,
        {
            ("class", "Client", 3, 7),
            ("method", "Client.Client", 4, 4),
            ("method", "Client.SendAsync", 5, 6),
            ("interface", "ISender", 8, 8),
            ("method", "ISender.Send", 8, 8),
            ("struct", "Point", 9, 9),
            ("enum", "Color", 10, 10),
        },
        ["System.Collections.Generic"],
    ),
    (
        "ruby",
        """
        require 'json'
        require_relative 'client/base'

        module Http
          class Client < Base
            def initialize(name)
              @name = name
            end

            def self.build
            end
          end
        end
        """,
        {
            ("module", "Http", 4, 13),
            ("class", "Http.Client", 5, 12),
            ("method", "Http.Client.initialize", 6, 8),
            ("method", "Http.Client.build", 10, 11),
        },
        ["json", "./client/base"],
    ),
    (
        "php",
        """
        <?php
        namespace App\\Http;

        use App\\Models\\User;
        use Illuminate\\Support\\{Str, Arr};
        require_once 'helpers.php';

        interface Sender { public function send(): void; }
        trait Loggable { function log() {} }
        class Client implements Sender {
            public function send(): void {}
        }
        function helper($x) { return $x; }
        """,
        {
            ("interface", "Sender", 8, 8),
            ("method", "Sender.send", 8, 8),
            ("trait", "Loggable", 9, 9),
            ("method", "Loggable.log", 9, 9),
            ("class", "Client", 10, 12),
            ("method", "Client.send", 11, 11),
            ("function", "helper", 13, 13),
        },
        [
            "App\\Models\\User",
            "Illuminate\\Support\\Str",
            "Illuminate\\Support\\Arr",
            "helpers.php",
        ],
    ),
    (
        "swift",
        """
        import Foundation

        protocol Sender {
            func send(_ r: Request) throws
        }
        class Client: Sender {
            init(name: String) {}
            func send(_ r: Request) throws {}
        }
        struct Point { func norm() -> Int { 0 } }
        extension Client {
            func close() {}
        }
        func top() {}
        """,
        {
            ("interface", "Sender", 3, 5),
            ("method", "Sender.send", 4, 4),
            ("class", "Client", 6, 9),
            ("method", "Client.init", 7, 7),
            ("method", "Client.send", 8, 8),
            ("struct", "Point", 10, 10),
            ("method", "Point.norm", 10, 10),
            ("method", "Client.close", 12, 12),
            ("function", "top", 14, 14),
        },
        ["Foundation"],
    ),
    (
        "scala",
        """
        import scala.collection.mutable
        import com.example.util.{Helper, Other => O}

        trait Sender { def send(r: Request): Unit }
        class Client(name: String) extends Sender {
          def send(r: Request): Unit = {}
        }
        object Client {
          def apply(): Client = new Client("x")
        }
        """,
        {
            ("trait", "Sender", 4, 4),
            ("method", "Sender.send", 4, 4),
            ("class", "Client", 5, 7),
            ("method", "Client.send", 6, 6),
            ("class", "Client", 8, 10),
            ("method", "Client.apply", 9, 9),
        },
        ["scala.collection.mutable", "com.example.util"],
    ),
    (
        "elixir",
        '''
        defmodule MyApp.Client do
          @moduledoc """
          HTTP client for MyApp.
          """
          alias MyApp.{Repo, User}
          import Ecto.Query

          def fetch(0), do: :none
          def fetch(n) when n > 0 do
            n
          end

          defp helper(x) do
            x
          end
        end
        ''',
        {
            ("module", "MyApp.Client", 1, 16),
            ("module", "HTTP client for MyApp.", 2, 4),
            ("function", "MyApp.Client.fetch", 8, 11),
            ("function", "MyApp.Client.helper", 13, 15),
        },
        ["MyApp.Repo", "MyApp.User", "Ecto.Query"],
    ),
    (
        "lua",
        """
        local json = require("json")
        local M = {}

        function M.new(name)
          return setmetatable({}, M)
        end

        function M:send(req)
        end

        local function helper(x)
          return x
        end
        return M
        """,
        {
            ("function", "M.new", 4, 6),
            ("method", "M.send", 8, 9),
            ("function", "helper", 11, 13),
        },
        ["json"],
    ),
    (
        "bash",
        """
        #!/usr/bin/env bash
        source ./lib/common.sh

        build() {
          echo build
        }

        function deploy {
          echo deploy
        }
        """,
        {("function", "build", 4, 6), ("function", "deploy", 8, 10)},
        ["./lib/common.sh"],
    ),
    (
        "haskell",
        """
        -- | The client module.
        module Network.Client (send) where

        import qualified Data.Map as M

        data Client = Client { name :: String }
        newtype Wrapper = Wrapper Int

        class Sender a where
          sendIt :: a -> IO ()

        fact :: Int -> Int
        fact 0 = 1
        fact n = n * fact (n - 1)
        """,
        {
            ("module", "The client module.", 1, 1),
            ("module", "Network.Client", 2, 2),
            ("type", "Client", 6, 6),
            ("type", "Wrapper", 7, 7),
            ("class", "Sender", 9, 10),
            ("method", "Sender.sendIt", 10, 10),
            ("function", "fact", 12, 14),
        },
        ["Data.Map"],
    ),
    (
        "r",
        """
        library(dplyr)
        source("utils/helpers.R")

        fit_model <- function(data, formula) {
          lm(formula, data)
        }
        summarise_all = function(x) x
        """,
        {("function", "fit_model", 4, 6), ("function", "summarise_all", 7, 7)},
        ["dplyr", "utils/helpers.R"],
    ),
]


def test_every_required_language_has_a_query_file() -> None:
    assert {p.stem for p in QUERY_DIR.glob("*.scm")} >= LANGUAGES
    assert set(TreeSitterChunker().languages) >= LANGUAGES


@pytest.mark.parametrize(
    ("language", "source", "expected", "imported"), CASES, ids=[c[0] for c in CASES]
)
def test_language_snippet(
    chunker: TreeSitterChunker,
    language: str,
    source: str,
    expected: set[tuple[str, str, int, int]],
    imported: list[str],
) -> None:
    found = chunk(chunker, language, source)
    assert symbols(found) == expected
    assert imports(found) == imported


def test_cases_cover_every_language() -> None:
    assert {case[0] for case in CASES} == LANGUAGES


def test_names_are_bare_identifiers_and_signatures_are_declaration_lines(
    chunker: TreeSitterChunker,
) -> None:
    source = """
    @Service
    public class Client {
        @Override
        @Deprecated
        public void send() {}
    }
    """
    found = chunk(chunker, "java", source)
    send = next(c for c in found if c.name == "send")
    assert (send.qualified, send.start, send.end) == ("Client.send", 3, 5)
    assert send.signature == "public void send() {}"
    cls = next(c for c in found if c.name == "Client")
    assert cls.start == 1 and cls.signature == "public class Client {"


def test_syntax_errors_still_yield_what_parses(chunker: TreeSitterChunker) -> None:
    source = """
    import os

    def good(a):
        return a

    def broken(:
        pass

    class Later:
        def method(self):
            return 1
    """
    found = chunk(chunker, "python", source)
    names = {c.qualified for c in found}
    assert {"good", "Later", "Later.method", "os"} <= names


_UNCLOSED = """
import sys
from atlas_core.chunk.treesitter import TreeSitterChunker
text = "def retry_http(a):\\n    return a\\n\\nx = " + "(" * 400_000 + "\\n"
found = TreeSitterChunker().chunk("x.py", text, "python")
print(sorted({c.qualified for c in found}))
"""


def test_unclosed_brackets_do_not_wedge_the_chunker() -> None:
    """A run of unclosed brackets is one wide error node, over which tree-sitter's query
    cursor takes quadratic time (400,000: minutes); such a file goes to the regex chunker.
    The deadline is for that failure only."""
    import subprocess
    import sys

    done = subprocess.run(
        [sys.executable, "-c", _UNCLOSED], capture_output=True, text=True, timeout=60
    )
    assert done.returncode == 0, done.stderr
    assert "retry_http" in done.stdout


def test_a_wide_error_node_goes_to_the_regex_chunker(chunker: TreeSitterChunker) -> None:
    wide = "def good(a):\n    return a\n\nx = " + "[" * 2_001 + "\n"
    narrow = "def good(a):\n    return a\n\nx = " + "[" * 1_990 + "\n"
    regex = RegexChunker().chunk("sample.py", wide, "python")
    assert chunker.chunk("sample.py", wide, "python") == regex
    assert chunker.chunk("sample.py", narrow, "python") != RegexChunker().chunk(
        "sample.py", narrow, "python"
    )


def test_go_file_cut_off_midway(chunker: TreeSitterChunker) -> None:
    source = "package x\n\nfunc A() {}\n\nfunc (c *C) B() {\n\tif x {\n"
    found = chunk(chunker, "go", source)
    assert ("function", "A") in {(c.kind, c.qualified) for c in found}
    assert ("method", "C.B") in {(c.kind, c.qualified) for c in found}


def test_unknown_language_yields_nothing(chunker: TreeSitterChunker) -> None:
    assert "cobol" not in chunker.languages
    assert chunker.chunk("legacy.cbl", "IDENTIFICATION DIVISION.\n", "cobol") == []


def test_crlf_and_non_utf8_bytes(chunker: TreeSitterChunker) -> None:
    raw = (
        b"import sys\r\n\r\nclass Caf\xe9:\r\n    def run(self):\r\n        pass\r\n"
        b"\r\ndef main():\r\n    pass\r\n"
    )
    text = raw.decode("utf-8", "replace")
    found = chunker.chunk("x.py", text, "python")
    assert [(c.kind, c.qualified, c.start, c.end) for c in found] == [
        ("import", "sys", 1, 1),
        ("class", "Caf\ufffd", 3, 5),
        ("method", "Caf\ufffd.run", 4, 5),
        ("function", "main", 7, 8),
    ]
    assert all("\r" not in c.signature for c in found)


def test_a_broken_query_file_falls_back_to_regex_for_that_language_only(tmp_path: Path) -> None:
    (tmp_path / "python.scm").write_text("(function_definition name: (nonsense) @name")
    (tmp_path / "go.scm").write_text((QUERY_DIR / "go.scm").read_text())
    (tmp_path / "cobol.scm").write_text("(anything) @name")  # no grammar for it

    class Partial(TreeSitterChunker):
        query_dir = tmp_path

    partial = Partial()
    py = "class A:\n    def b(self):\n        pass\n"
    assert partial.chunk("a.py", py, "python") == RegexChunker().chunk("a.py", py, "python")
    assert "python" in partial.failures
    go = partial.chunk("a.go", "package a\n\nfunc (s *S) Run() {}\n", "go")
    assert [(c.kind, c.qualified) for c in go] == [("method", "S.Run")]
    assert partial.chunk("x.cob", "DISPLAY 'HI'.\n", "cobol") == []
    assert "cobol" in partial.failures


def test_version_changes_with_the_query_files(tmp_path: Path) -> None:
    (tmp_path / "go.scm").write_text(
        "(function_declaration name: (identifier) @name) @definition.function"
    )

    class Custom(TreeSitterChunker):
        query_dir = tmp_path

    before = Custom().version
    (tmp_path / "go.scm").write_text(
        "(method_declaration name: (field_identifier) @name) @definition.method"
    )
    assert Custom().version != before


def test_index_uses_tree_sitter_in_parallel_and_incrementally(
    tmp_path: Path, make_atlas: Callable[[Path], Atlas]
) -> None:
    files: dict[str, str | bytes] = {
        f"pkg/mod{i}.py": f"class Model{i}:\n    def save_{i}(self):\n        pass\n"
        for i in range(60)  # enough files for the forked worker pool
    }
    files["win.py"] = b"import os\r\n\r\ndef caf\xe9_helper():\r\n    return 1\r\n"
    files["notes.xyz"] = "def not_code(): pass\n"
    root = write_repo(tmp_path / "r", files)
    atlas = make_atlas(root)
    assert atlas.chunker_map()["python"].name == "treesitter"
    report = atlas.index()
    assert not report.errors
    reader = atlas.reader()
    chunks = reader.chunks(reader.ids["pkg/mod7.py"])
    assert [(c.kind, c.qualified, c.start, c.end) for c in chunks] == [
        ("class", "Model7", 1, 3),
        ("method", "Model7.save_7", 2, 3),
    ]
    win = reader.chunks(reader.ids["win.py"])
    assert [(c.kind, c.name, c.start) for c in win] == [
        ("import", "os", 1),
        ("function", "caf\ufffd_helper", 3),
    ]
    assert reader.chunks(reader.ids["notes.xyz"]) == ()
    (root / "pkg" / "mod7.py").write_text("def renamed():\n    pass\n")
    again = atlas.index()
    assert (again.changed, again.unchanged) == (1, len(files) - 1)
    reader = atlas.reader()
    assert [c.qualified for c in reader.chunks(reader.ids["pkg/mod7.py"])] == ["renamed"]


def test_symbols_reach_the_ranking(tmp_path: Path, make_atlas: Callable[[Path], Atlas]) -> None:
    from atlas_core.engine import QueryOptions

    root = write_repo(
        tmp_path / "r",
        {
            "a.go": "package a\n\nfunc (c *Client) Reconnect() {}\n",
            "b.go": "package a\n\n// mentions nothing relevant\nfunc Other() {}\n",
        },
    )
    atlas = make_atlas(root)
    result = atlas.query("reconnect the client", QueryOptions(), atlas.reader())
    assert result.selection.files[0].path == "a.go"


CONSTANTS = [
    (
        "c",
        "#ifndef A_H\n#define A_H\n#define FMT_USE_X 1\n#define MAX(a, b) (a)\n#endif\n",
        {("macro", "A_H"), ("macro", "FMT_USE_X"), ("macro", "MAX")},
    ),
    (
        "cpp",
        "#define FMT_USE_NONTYPE_TEMPLATE_ARGS 0\n",
        {("macro", "FMT_USE_NONTYPE_TEMPLATE_ARGS")},
    ),
    (
        "go",
        "package x\n\nconst DefaultTimeout = 5\nconst (\n\tA = 1\n)\n"
        'var ErrNotFound = errors.New("x")\n\nfunc f() {\n\tconst local = 1\n}\n',
        {
            ("constant", "DefaultTimeout"),
            ("constant", "A"),
            ("variable", "ErrNotFound"),
            ("function", "f"),
        },
    ),
    (
        "rust",
        'const MAX: u32 = 3;\nstatic NAME: &str = "x";\n',
        {("constant", "MAX"), ("constant", "NAME")},
    ),
    (
        "python",
        "DEFAULT_TIMEOUT = 5\nTIMEOUT: float = 3.0\n_private = 1\nlower = 2\n"
        "def f():\n    LOCAL_X = 1\n",
        {("constant", "DEFAULT_TIMEOUT"), ("constant", "TIMEOUT"), ("function", "f")},
    ),
    (
        "javascript",
        "const MAX_RETRIES = 3;\nexport const API_URL = 'x';\nconst lower = 1;\n"
        "function f() { const INNER_X = 2 }\n",
        {("constant", "MAX_RETRIES"), ("constant", "API_URL"), ("function", "f")},
    ),
]


#: properties and constants of the languages whose types hold them (a task names ``MaxDepth``)
CONSTANTS += [
    (
        "csharp",
        "class A { public int MaxDepth { get; set; } public const int Limit = 3;\n"
        "  private int x; void F() { const int y = 2; } }\n",
        {("class", "A"), ("property", "A.MaxDepth"), ("constant", "A.Limit"), ("method", "A.F")},
    ),
    (
        "java",
        "class A { public static final int MAX_DEPTH = 3; private int count; }\n",
        {("class", "A"), ("constant", "A.MAX_DEPTH")},
    ),
    (
        "kotlin",
        "const val MAX_IDLE = 5\nclass A {\n  val tags: Map<String, Any> = x\n"
        "  fun f() { val y = 1 }\n}\n",
        {("constant", "MAX_IDLE"), ("class", "A"), ("property", "A.tags"), ("method", "A.f")},
    ),
    (
        "swift",
        "class A {\n  var headers: HTTPHeaders = [:]\n  func f() { let local = 1 }\n}\n"
        'let globalX = 1\nenum AFInfo {\n  static let version = "5.8"\n}\n',
        {
            ("class", "A"),
            ("property", "A.headers"),
            ("method", "A.f"),
            ("constant", "globalX"),
            ("enum", "AFInfo"),
            ("property", "AFInfo.version"),
        },
    ),
    (
        "ruby",
        "module M\n  DEFAULT_TIMEOUT = 5\n  def f\n    x = 1\n  end\nend\n",
        {("module", "M"), ("constant", "M.DEFAULT_TIMEOUT"), ("function", "M.f")},
    ),
    (
        "php",
        "<?php class A { const MAX = 3; public $timeout; function f() { $y = 1; } }\n",
        {("class", "A"), ("constant", "A.MAX"), ("property", "A.timeout"), ("method", "A.f")},
    ),
]


#: a Lua module's fields set at the top level, and upper-case top-level locals
CONSTANTS += [
    (
        "lua",
        'local M = {}\nM.version = "11.16.1"\nM.defaults = { a = 1 }\nlocal MAX_X = 3\n'
        "local y = 2\nfunction M.setup()\n  local Z_Z = 1\nend\nreturn M\n",
        {
            ("constant", "M.version"),
            ("constant", "M.defaults"),
            ("constant", "MAX_X"),
            ("function", "M.setup"),
        },
    ),
]


@pytest.mark.parametrize(
    ("language", "source", "expected"), CONSTANTS, ids=[c[0] for c in CONSTANTS]
)
def test_top_level_constants_and_macros_are_symbols(
    chunker: TreeSitterChunker, language: str, source: str, expected: set[tuple[str, str]]
) -> None:
    """A task that names ``FMT_USE_NONTYPE_TEMPLATE_ARGS`` or ``DEFAULT_TIMEOUT`` finds the
    file that defines it (the mentions signal reads definitions); locals are not symbols."""
    found = chunker.chunk(f"sample.{language}", source, language)
    assert {(c.kind, c.qualified) for c in found if c.kind != "import"} == expected
