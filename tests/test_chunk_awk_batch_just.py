"""awk, Windows batch files and justfiles get symbols and imports from regex rules (the
language pack has no grammar for them)."""

from __future__ import annotations

import textwrap
from collections.abc import Callable
from pathlib import Path

import pytest

from atlas_core.chunk.regex import RegexChunker
from atlas_core.engine import Atlas
from atlas_core.testing import symbols_and_imports, write_repo

#: the ``rank_beside_decoys`` fixture (tests/conftest.py)
Rank = Callable[[dict[str, str], str], tuple[list[str], str]]

# (language, file name, source, symbols as (kind, name), imports in order)
SAMPLES: list[tuple[str, str, str, set[tuple[str, str]], list[str]]] = [
    (
        "awk",
        "report.awk",
        """
        #!/usr/bin/gawk -f
        @include "lib/strings.awk"
        @load "filefuncs"
        BEGIN { FS = "," }
        function trim(s) {
            gsub(/^ +| +$/, "", s)
            return s
        }
        func join_fields(a, n,    i, out) {
            return out
        }
        function util::pad(s, n) { return s }
        { print trim($1) }
        """,
        {("function", "trim"), ("function", "join_fields"), ("function", "util::pad")},
        ["lib/strings.awk"],
    ),
    (
        "batch",
        "build.bat",
        """
        @echo off
        :: builds everything
        rem call nothing.bat
        call "%~dp0tools\\setenv.cmd" x64
        call :build_all release
        CALL common.bat
        if errorlevel 1 goto :eof
        goto :eof

        :build_all
        echo building %1
        exit /b 0

        :usage
          echo usage
        """,
        {("function", "build_all"), ("function", "usage")},
        ["tools\\setenv.cmd", "common.bat"],
    ),
    (
        "just",
        "justfile",
        """
        set shell := ["bash", "-c"]
        import 'ci/common.just'
        import? "local.just"
        mod deploy
        mod? docs 'site/docs.just'
        export RUST_LOG := "info"
        version := `git describe --tags`
        alias b := build

        # build it
        build target="release": fmt
            cargo build --profile {{target}}

        @fmt:
            cargo fmt

        [private]
        _helper *args:
            echo {{args}}: done
        """,
        {
            ("constant", "RUST_LOG"),
            ("constant", "version"),
            ("function", "build"),
            ("function", "fmt"),
            ("function", "_helper"),
        },
        ["ci/common.just", "local.just", "deploy", "site/docs.just"],
    ),
]


@pytest.mark.parametrize(
    ("language", "name", "source", "symbols", "imports"), SAMPLES, ids=[s[0] for s in SAMPLES]
)
def test_regex_chunks(
    language: str, name: str, source: str, symbols: set[tuple[str, str]], imports: list[str]
) -> None:
    text = textwrap.dedent(source).lstrip("\n")
    found = symbols_and_imports(RegexChunker().chunk(name, text, language))
    assert found == (symbols, imports)


def test_a_recipe_runs_to_the_next_one() -> None:
    text = "build:\n    cargo build\n\n# tests\ntest: build\n    cargo test\n"
    chunks = RegexChunker().chunk("justfile", text, "just")
    assert [(c.name, c.start, c.end) for c in chunks] == [("build", 1, 4), ("test", 5, 6)]


# (the file defining the symbol, another file naming it in its text, the task); without
# the symbol the caller ranks first (the justfile, a build file, loses even alone)
RANKED: list[tuple[dict[str, str], str]] = [
    (
        {
            "scripts/summarize.awk": 'BEGIN { FS = "," }\nfunction percentile_of(values, p) {\n'
            "    return values[int(p * n)]\n}\n{ v[NR] = $2 }\n",
            "scripts/report.awk": '@include "summarize.awk"\nEND {\n'
            "    print percentile_of(v, 0.5)\n    print percentile_of(v, 0.9)\n"
            "    print percentile_of(v, 0.99)\n}\n",
        },
        "percentile_of returns the wrong element",
    ),
    (
        {
            "tools/release.cmd": "@echo off\ncall :stamp_version\ngoto :eof\n\n:stamp_version\n"
            "echo stamping\nexit /b 0\n",
            "tools/ci.cmd": "@echo off\ncall release.cmd\n"
            "if errorlevel 1 echo stamp_version failed\n"
            "echo stamp_version done\necho stamp_version version written\n",
        },
        "stamp_version writes an empty version",
    ),
    (
        {
            "justfile": "default: test\n\nregenerate_fixtures:\n    python scripts/fixtures.py\n\n"
            "test:\n    pytest\n",
        },
        "regenerate_fixtures leaves stale files",
    ),
]


@pytest.mark.parametrize(("files", "query"), RANKED, ids=["awk", "batch", "just"])
def test_a_symbol_named_in_the_task_ranks_its_file_first(
    rank_beside_decoys: Rank, files: dict[str, str], query: str
) -> None:
    names, first = rank_beside_decoys(files, query)
    assert query.split()[0] in names  # each task opens with the symbol's name
    assert first == next(iter(files))


def test_new_regex_rules_reach_files_that_did_not_change(
    tmp_path: Path, make_atlas: Callable[[Path], Atlas], monkeypatch: pytest.MonkeyPatch
) -> None:
    from atlas_core.chunk import regex

    root = write_repo(tmp_path / "r", {"report.awk": 'BEGIN { FS = "," }\nLIMIT = 10\n'})
    atlas = make_atlas(root)
    atlas.index()
    reader = atlas.reader()
    assert reader.chunks(reader.ids["report.awk"]) == ()
    reader.close()
    # a release that adds a rule: the unchanged file is chunked again on the next run
    monkeypatch.setitem(
        regex.RULES, "awk", [*regex.RULES["awk"], ("constant", r"^(\s*)([A-Z_]+)\s*=")]
    )
    regex._compiled.cache_clear()
    regex._rules_digest.cache_clear()
    try:
        make_atlas(root).index()
        reader = make_atlas(root).reader()
        assert [c.name for c in reader.chunks(reader.ids["report.awk"])] == ["LIMIT"]
        reader.close()
    finally:
        regex._compiled.cache_clear()
        regex._rules_digest.cache_clear()
