"""The Gleam package: its query compiles, finds what it should, and works through the CLI."""

from __future__ import annotations

import json
from collections.abc import Callable
from pathlib import Path

import pytest
from atlas_example_gleam import plugin
from atlas_example_gleam.chunker import GleamChunker

from atlas_core.api import Atlas, check_query, syntax_tree
from atlas_core.plugin.manager import get_plugin_manager
from atlas_core.testing import CliResult, first_ranked, write_repo

SOURCE = """import gleam/io
import app/web/router.{handle}

pub type User {
  User(name: String, age: Int)
}

pub type Name = String

pub fn greet(user: User) -> String {
  "Hello, " <> user.name
}

pub const limit = 10
"""


def test_the_query_file_compiles_against_the_grammar() -> None:
    check_query(GleamChunker(), "gleam")


def test_the_node_names_the_query_uses_exist() -> None:
    tree = syntax_tree("gleam", SOURCE)
    for node in ("(function ", "(type_definition ", "(constant ", "(import module: (module))"):
        assert node in tree


def test_symbols_and_imports() -> None:
    chunks = GleamChunker().chunk("src/app.gleam", SOURCE, "gleam")
    found = {(c.kind, c.name, c.start) for c in chunks}
    assert found == {
        ("import", "gleam/io", 1),
        ("import", "app/web/router", 2),
        ("type", "User", 4),
        ("constructor", "User", 5),
        ("type", "Name", 8),
        ("function", "greet", 10),
        ("constant", "limit", 14),
    }


def test_classifier_names_gleam_files_and_their_tests() -> None:
    assert plugin.language("src/app.gleam", "") == "gleam"
    assert plugin.language("src/app.py", "") is None
    assert plugin.role("test/app_test.gleam", "gleam", "") == "test"
    assert plugin.role("src/app.gleam", "gleam", "") is None


def test_through_the_cli(
    tmp_path: object, atlas_cli: Callable[..., CliResult], monkeypatch: pytest.MonkeyPatch
) -> None:
    from pathlib import Path

    monkeypatch.setenv("ATLAS_LOAD_PLUGINS", "example-gleam")
    repo = write_repo(
        Path(str(tmp_path)) / "r",
        {"src/app.gleam": SOURCE, "src/other.gleam": "pub fn main() { 1 }\n", "README.md": "x\n"},
    )
    result = atlas_cli("--root", str(repo), "quick", "greet user", "--format", "jsonl")
    assert result.code == 0, result.stderr
    rows = [r for r in result.json_lines() if "Path" in r]
    assert rows[0]["Path"] == "src/app.gleam"
    assert rows[0]["Language"] == "gleam"
    assert any(s["Name"] == "greet" for s in rows[0]["Symbols"])
    plugins = json.loads(atlas_cli("plugins", "--json").stdout)["Plugins"]
    assert plugins[0]["Components"] == {"chunkers": ["gleam"]}
    assert plugins[0]["Api"] == "1.1"


def test_a_task_naming_a_function_ranks_its_file_first(tmp_path: Path) -> None:
    # the caller says "greet" more often: only the chunker's symbol lifts the definition
    root = write_repo(
        tmp_path / "r",
        {
            "src/app/users.gleam": SOURCE,
            "src/app/welcome.gleam": "import app/users\n\n/// greet once per visit\n"
            "pub fn welcome(user) {\n  users.greet(user) <> users.greet(user)\n}\n",
            "README.md": "# App\n",
        },
    )
    atlas = Atlas(root, get_plugin_manager(extra_plugins=[("example-gleam", plugin)]))
    reader, first = first_ranked(atlas, "greet() runs twice per visit")
    assert "greet" in [c.name for c in reader.chunks(reader.ids["src/app/users.gleam"])]
    assert first == "src/app/users.gleam"
