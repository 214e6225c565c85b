"""Shell dialects, editor scripts and build languages get symbols from both chunkers."""

from __future__ import annotations

import textwrap
from collections.abc import Callable
from pathlib import Path

import pytest

from atlas_core.chunk.regex import RegexChunker
from atlas_core.chunk.treesitter import TreeSitterChunker
from atlas_core.engine import Atlas
from atlas_core.testing import symbols_and_imports, tree_sitter_chunks, write_repo

SAMPLES: list[tuple[str, str, set[tuple[str, str]], list[str]]] = [
    (
        "fish",
        """
        function __fzf_parse_commandline -d 'Parse the current command line'
            set -l dir .
            source ~/.config/fish/extra.fish
        end
        """,
        {("function", "__fzf_parse_commandline")},
        ["~/.config/fish/extra.fish"],
    ),
    (
        "vim",
        """
        function! fzf#run(...) abort
          return 1
        endfunction
        command! -nargs=* FZF call fzf#run(<q-args>)
        """,
        {("function", "fzf#run"), ("command", "FZF")},
        [],
    ),
    (
        "make",
        """
        CC := gcc
        build: deps
        \tgo build ./...
        include common.mk
        """,
        {("target", "build")},
        ["common.mk"],
    ),
    (
        "cmake",
        """
        function(add_fmt_test name)
        endfunction()
        include(GNUInstallDirs)
        """,
        {("function", "add_fmt_test")},
        ["GNUInstallDirs"],
    ),
    (
        "perl",
        """
        package Foo::Bar;
        use strict;
        sub greet { }
        """,
        {("module", "Foo::Bar"), ("function", "greet")},
        ["strict"],
    ),
]


@pytest.mark.parametrize(
    ("language", "source", "symbols", "imports"), SAMPLES, ids=[s[0] for s in SAMPLES]
)
def test_tree_sitter_chunks(
    language: str, source: str, symbols: set[tuple[str, str]], imports: list[str]
) -> None:
    found = tree_sitter_chunks(f"x.{language}", source, language)
    assert symbols_and_imports(found, qualified=False) == (symbols, imports)


@pytest.mark.parametrize(
    ("language", "source", "symbols", "imports"), SAMPLES, ids=[s[0] for s in SAMPLES]
)
def test_regex_fallback_finds_the_same_symbols(
    language: str, source: str, symbols: set[tuple[str, str]], imports: list[str]
) -> None:
    text = textwrap.dedent(source).lstrip("\n")
    found = symbols_and_imports(
        RegexChunker().chunk(f"x.{language}", text, language), qualified=False
    )
    assert found == (symbols, imports)


def test_sql_definitions() -> None:
    text = "CREATE TABLE users (id int);\nCREATE OR REPLACE VIEW active AS SELECT 1;\n"
    names = {c.name for c in TreeSitterChunker().chunk("s.sql", text, "sql")}
    assert names == {"users", "active"}
    assert {c.name for c in RegexChunker().chunk("s.sql", text, "sql")} == names


def test_a_fish_function_is_found_by_name(
    tmp_path: Path, make_atlas: Callable[[Path], Atlas]
) -> None:
    root = write_repo(
        tmp_path / "r",
        {
            "shell/key-bindings.fish": "function __fzf_parse_commandline\n  echo $argv\nend\n",
            "shell/key-bindings.bash": "__fzf_select__() {\n  echo\n}\n",
            "src/main.go": "package main\n\nfunc main() {}\n",
        },
    )
    atlas = make_atlas(root)
    atlas.index()
    reader = atlas.reader()
    i = reader.ids["shell/key-bindings.fish"]
    assert (reader.languages[i], reader.roles[i]) == ("fish", "impl")
    assert [c.name for c in reader.chunks(i)] == ["__fzf_parse_commandline"]


@pytest.mark.parametrize("language", ["vue", "svelte"])
def test_a_single_file_component_yields_its_script_symbols(language: str) -> None:
    source = textwrap.dedent(
        """
        <template>
          <button @click="addTodo(item)">{{ label }}</button>
        </template>
        <script lang="ts">
        import { ref } from 'vue'
        export interface TodoItem { title: string }
        export const MAX_TODOS = 50
        export default {
          methods: {
            addTodo(item) {
              this.items.push(item)
            },
          },
        }
        const removeTodo = (id) => items.value.splice(id, 1)
        </script>
        <style scoped>
        .todo { color: red; }
        @media (max-width: 600px) { .todo { color: blue; } }
        </style>
        """
    ).lstrip("\n")
    chunker = TreeSitterChunker()
    found = symbols_and_imports(
        chunker.chunk(f"src/TodoList.{language}", source, language), qualified=False
    )
    assert found == (
        {("interface", "TodoItem"), ("method", "addTodo"), ("function", "removeTodo")},
        ["vue"],
    )
