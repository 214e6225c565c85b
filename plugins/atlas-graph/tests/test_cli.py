"""The command line with the installed entry point: atlas graph, inspect, plugins, deep."""

from __future__ import annotations

import json
from collections.abc import Callable
from pathlib import Path

import pytest

from atlas_core.api import OUTPUT_VERSION
from atlas_core.testing import CliResult, write_repo

Cli = Callable[..., CliResult]

REPO = {
    "pkg/__init__.py": "from pkg.server import serve\n",
    "pkg/server.py": "from pkg import config\nfrom pkg.auth import check_token\n\n"
    "def serve(request):\n    return check_token(request.token)\n",
    "pkg/auth.py": "from pkg.config import SECRET\n\ndef check_token(token):\n"
    "    return token == SECRET\n",
    "pkg/config.py": "SECRET = 'x'\n",
    "tests/test_auth.py": "from pkg.auth import check_token\n\ndef test_token():\n"
    "    assert not check_token('y')\n",
    "vendor/lib.py": "from pkg import config\n",
}


@pytest.fixture
def repo(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    monkeypatch.setenv("ATLAS_LOAD_PLUGINS", "graph")  # the real entry point
    return write_repo(tmp_path / "repo", REPO)


def test_the_entry_point_registers_every_component(repo: Path, atlas_cli: Cli) -> None:
    result = atlas_cli("plugins", "--json")
    assert result.code == 0, result.stderr
    (row,) = [r for r in json.loads(result.stdout)["Plugins"] if r["Name"] == "graph"]
    assert row["Dist"] == "atlas-graph" and row["Status"] == "ok"
    assert row["Components"]["signals"] == ["graph", "pagerank"]
    assert row["Components"]["contributors"] == ["graph"]
    assert "graph_python" in row["Components"]["resolvers"]


def test_graph_command_prints_imports_and_importers(repo: Path, atlas_cli: Cli) -> None:
    result = atlas_cli("--root", str(repo), "--format", "human", "graph", "pkg/auth.py")
    assert result.code == 0, result.stderr
    lines = result.stdout.splitlines()
    assert lines[0].startswith("pkg/auth.py  (python, impl, centrality #")
    assert lines[1:] == [
        "imports (1):",
        "  pkg/config.py",
        "imported by (2):",
        "  pkg/server.py",
        "  tests/test_auth.py",
    ]


def test_graph_command_json_and_paths_relative_to_the_cwd(
    repo: Path, atlas_cli: Cli, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.chdir(repo / "pkg")
    result = atlas_cli("--root", str(repo), "graph", "config.py", "--json")
    assert result.code == 0, result.stderr
    data = json.loads(result.stdout)
    assert data["Version"] == OUTPUT_VERSION  # every JSON document Atlas prints has one
    assert data["Path"] == "pkg/config.py" and data["Imports"] == []
    assert data["ImportedBy"] == ["pkg/auth.py", "pkg/server.py"]  # vendor/ is left out
    assert data["CentralityRank"] == 1 and data["PageRank"] > 0


def test_graph_command_on_a_file_outside_the_graph(repo: Path, atlas_cli: Cli) -> None:
    result = atlas_cli("--root", str(repo), "graph", "vendor/lib.py", "--json")
    assert result.code == 0, result.stderr
    data = json.loads(result.stdout)
    assert data["Note"] == "not part of the import graph (role vendor)"
    assert data["Imports"] == [] and data["ImportedBy"] == []


@pytest.mark.parametrize(
    ("arg", "message"),
    [
        ("pkg/autth.py", "pkg/autth.py is not in the index (did you mean pkg/auth.py?)"),
        ("nothing/here.go", "nothing/here.go is not in the index"),
        ("/elsewhere/x.py", "/elsewhere/x.py is outside the repository root"),
    ],
)
def test_graph_command_errors_are_one_line(
    repo: Path, atlas_cli: Cli, arg: str, message: str
) -> None:
    result = atlas_cli("--root", str(repo), "graph", arg)
    assert result.code == 2
    assert result.stdout == ""
    assert result.stderr.startswith(f"atlas: error: {message}")
    assert len(result.stderr.splitlines()) == 1


@pytest.mark.parametrize("fmt", ["compact", "context"])
def test_graph_command_refuses_a_format_it_cannot_print(
    repo: Path, atlas_cli: Cli, fmt: str
) -> None:
    result = atlas_cli("--root", str(repo), "graph", "pkg/auth.py", "--format", fmt)
    assert (result.code, result.stdout) == (2, "")
    assert result.stderr == f"atlas: error: this command prints human or json, not '{fmt}'\n"


def test_graph_command_jsonl_is_one_line_and_an_empty_file_is_refused(
    repo: Path, atlas_cli: Cli
) -> None:
    result = atlas_cli("--root", str(repo), "graph", "pkg/auth.py", "--format", "jsonl")
    assert result.code == 0, result.stderr
    (line,) = result.stdout.splitlines()
    assert json.loads(line)["Path"] == "pkg/auth.py"
    result = atlas_cli("--root", str(repo), "graph", "")  # not the current directory
    assert (result.code, result.stdout) == (2, "")
    assert result.stderr == "atlas: error: FILE is empty: name a file of the repository\n"


def test_inspect_shows_the_most_central_files(repo: Path, atlas_cli: Cli) -> None:
    assert atlas_cli("--root", str(repo), "index").code == 0
    data = json.loads(atlas_cli("--root", str(repo), "inspect", "--json").stdout)
    graph = data["ExtraDetails"]["graph"]
    assert graph["Resolvers"] == {"python": "graph_python"}
    assert graph["Edges"] == 5 and graph["Files"] == 5
    top = graph["MostCentral"][0]
    assert top["Path"] == "pkg/config.py" and top["Importers"] == 2 and 0 < top["PageRank"] < 1
    human = atlas_cli("--root", str(repo), "--format", "human", "inspect").stdout
    assert "graph:" in human and "    pkg/config.py  (PageRank " in human


def test_deep_preset_runs_both_signals(repo: Path, atlas_cli: Cli) -> None:
    result = atlas_cli(
        "--root", str(repo), "quick", "check the token", "-p", "deep", "--format", "jsonl", "-v"
    )
    assert result.code == 0, result.stderr
    for name in ("graph", "pagerank"):  # the git signals of the preset belong to atlas-git
        assert f"signal {name} is" not in result.stderr
    files = result.json_lines()[1:-1]
    assert files[0]["Path"] == "pkg/auth.py"
    assert {"graph", "pagerank"} <= set(files[0]["Signals"])


def test_odd_names_are_shown_escaped_and_taken_back(
    tmp_path: Path, atlas_cli: Cli, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A package whose directory holds a backslash and an escape sequence: atlas graph
    takes the name as Atlas shows it, and graph and inspect show every path that way."""
    monkeypatch.setenv("ATLAS_LOAD_PLUGINS", "graph")
    odd = "od\\d\x1b[1m"
    root = write_repo(
        tmp_path / "odd",
        {
            f"{odd}/__init__.py": "",
            f"{odd}/a.py": "from . import b\n",
            f"{odd}/b.py": "VALUE = 1\n",
        },
    )
    shown = "od\\\\d\\x1b[1m"
    result = atlas_cli("--root", str(root), "graph", f"{shown}/a.py", "--json")
    assert result.code == 0, result.stderr
    data = json.loads(result.stdout)
    assert data["Path"] == f"{shown}/a.py" and data["Imports"] == [f"{shown}/b.py"]
    human = atlas_cli("--root", str(root), "--format", "human", "graph", f"{shown}/b.py")
    assert human.code == 0, human.stderr
    assert "\x1b" not in human.stdout and f"  {shown}/a.py" in human.stdout.splitlines()
    inspect = json.loads(atlas_cli("--root", str(root), "inspect", "--json").stdout)
    central = [f["Path"] for f in inspect["ExtraDetails"]["graph"]["MostCentral"]]
    assert f"{shown}/b.py" in central
