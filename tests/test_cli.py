"""The command line: outputs, introspection and every error path."""

from __future__ import annotations

import errno
import io
import json
import os
import subprocess
import sys
from collections.abc import Callable
from pathlib import Path

import pytest

from atlas_core.testing import CliResult, write_repo

Cli = Callable[..., CliResult]

REPO = {
    "src/payments/retry.py": "class RetryPolicy:\n    def backoff(self, attempt):\n"
    "        return min(2 ** attempt, 30)\n",
    "src/payments/client.py": "from payments.retry import RetryPolicy\n\n"
    "class PaymentClient:\n    def charge(self, amount):\n"
    "        return self.http.post('/charge', amount)\n",
    "tests/test_client.py": "def test_charge():\n    assert True\n",
    "README.md": "# Payments\n\nA payment client with retries.\n",
}


@pytest.fixture
def repo(tmp_path: Path) -> Path:
    return write_repo(tmp_path / "repo", REPO)


def test_jsonl_output_has_header_files_and_footer(repo: Path, atlas_cli: Cli) -> None:
    result = atlas_cli(
        "--root", str(repo), "quick", "retry backoff for payments", "--format", "jsonl"
    )
    assert result.code == 0, result.stderr
    lines = result.json_lines()
    header, files, footer = lines[0], lines[1:-1], lines[-1]
    assert header["Version"] == "0.3" and header["Query"] == "retry backoff for payments"
    assert header["Preset"] == "balanced" and "MaxTokens" in header["Budget"]
    assert "MinScore" in header
    assert files[0]["Path"] == "src/payments/retry.py"
    assert set(files[0]) >= {"Path", "Score", "Tokens", "Language", "Role"}
    assert footer == {
        "TotalFiles": len(files),
        "TotalTokens": sum(f["Tokens"] for f in files),
        "ScannedFiles": 4,
        "LeftOut": 0,
    }
    assert result.stderr == ""  # nothing on stderr when piped, unless -v


@pytest.mark.parametrize("fmt", ["json", "human", "compact"])
def test_other_formats(repo: Path, atlas_cli: Cli, fmt: str) -> None:
    result = atlas_cli("--root", str(repo), "--format", fmt, "quick", "payment retry backoff")
    assert result.code == 0, result.stderr
    if fmt == "json":
        doc = json.loads(result.stdout)
        assert doc["Files"][0]["Path"] == "src/payments/retry.py"
        assert doc["TotalFiles"] == len(doc["Files"])
    elif fmt == "human":
        assert "SCORE" in result.stdout and "src/payments/retry.py" in result.stdout
        assert "\x1b[" not in result.stdout  # no colour when not a terminal
    else:
        assert result.stdout.splitlines()[0] == "src/payments/retry.py"


def test_budget_and_top_overrides(repo: Path, atlas_cli: Cli) -> None:
    result = atlas_cli(
        "--root",
        str(repo),
        "quick",
        "payment client retry",
        "--format",
        "jsonl",
        "--top",
        "1",
        "--min-score",
        "0",
    )
    assert len(result.json_lines()) == 3
    result = atlas_cli(
        "--root",
        str(repo),
        "quick",
        "payment client retry",
        "--format",
        "jsonl",
        "--max-tokens",
        "30",
        "--min-score",
        "0",
    )
    footer = result.json_lines()[-1]
    assert 0 < footer["TotalTokens"] <= 30


def test_query_builds_a_missing_index_and_explain_shows_signals(repo: Path, atlas_cli: Cli) -> None:
    result = atlas_cli("--root", str(repo), "query", "payment", "--format", "compact")
    assert result.code == 0 and "src/payments/client.py" in result.stdout
    result = atlas_cli("--root", str(repo), "explain", "retry backoff", "--format", "json")
    doc = json.loads(result.stdout)
    top = doc["Files"][0]
    assert top["Path"] == "src/payments/retry.py"
    assert set(top["Signals"]) == {"bm25f", "path", "mentions"}
    assert top["Signals"]["bm25f"]["Raw"] > 0
    assert top["Symbols"][0]["Name"] == "RetryPolicy.backoff"
    human = atlas_cli("--root", str(repo), "explain", "retry backoff", "--format", "human")
    assert "bm25f" in human.stdout and "path" in human.stdout
    assert "↳ RetryPolicy.backoff L2-3 (backoff, retry)" in human.stdout


def test_verbose_reports_missing_signals_of_deep_presets(repo: Path, atlas_cli: Cli) -> None:
    result = atlas_cli(
        "--root", str(repo), "-v", "quick", "retry", "-p", "thorough", "--format", "compact"
    )
    assert result.code == 0
    assert "runs without: pagerank, git_recency, git_cochange, git_messages, graph" in result.stderr


def test_inspect_counts_languages_roles_and_skips(repo: Path, atlas_cli: Cli) -> None:
    (repo / "logo.png").write_bytes(b"\x89PNG\x00\x00")
    atlas_cli("--root", str(repo), "index")
    doc = json.loads(atlas_cli("--root", str(repo), "inspect", "--json").stdout)
    assert doc["Languages"]["python"] == 3 and doc["Roles"]["test"] == 1
    assert doc["Skipped"] == {"binary": 1} and doc["Terms"] > 10 and doc["SizeOnDisk"] > 0
    human = atlas_cli("--root", str(repo), "--format", "human", "inspect")
    assert "python 3" in human.stdout and "binary 1" in human.stdout


def test_render_turns_a_selection_into_a_context_document(repo: Path, atlas_cli: Cli) -> None:
    selection = atlas_cli("--root", str(repo), "quick", "retry backoff", "--format", "jsonl")
    result = atlas_cli("--root", str(repo), "render", "-", stdin=selection.stdout)
    assert result.code == 0, result.stderr
    assert "retry backoff" in result.stdout
    assert "## src/payments/retry.py" in result.stdout and "def backoff" in result.stdout


def test_describe_and_plugins(repo: Path, atlas_cli: Cli) -> None:
    doc = json.loads(atlas_cli("--root", str(repo), "describe").stdout)
    assert {"query", "quick", "index", "explain", "inspect", "render"} <= set(doc["Commands"])
    assert {"fast", "balanced", "deep", "thorough"} <= set(doc["Presets"])
    names = {c["Name"] for c in doc["Components"]["signals"]}
    assert {"bm25f", "path"} <= names
    rows = json.loads(atlas_cli("plugins", "--all", "--json").stdout)["Plugins"]
    assert {"walk_fs", "signal_bm25f"} <= {r["Name"] for r in rows}
    assert all(r["Status"] == "builtin" for r in rows)


def test_version(atlas_cli: Cli) -> None:
    result = atlas_cli("--version")
    assert result.code == 0 and result.stdout.startswith("atlas 0.")


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["--root", "/no/such/dir", "query", "x"], "does not exist"),
        (["query", ""], "task is empty"),
        (["query", "x", "-p", "nope"], "unknown preset 'nope'"),
        (["--format", "yaml", "query", "x"], "unknown format 'yaml'"),
        (["render", "/no/such/selection.jsonl"], "cannot read selection"),
        (["query"], "the task is empty"),  # a task is optional only with --seed or --diff
        (["frobnicate"], "No such command"),
    ],
)
def test_error_paths_are_one_line_without_traceback(
    repo: Path, atlas_cli: Cli, args: list[str], message: str
) -> None:
    if "--root" not in args:
        args = ["--root", str(repo), *args]
    result = atlas_cli(*args)
    assert result.code != 0
    assert message in result.stderr
    assert len(result.stderr.strip().splitlines()) == 1, result.stderr
    assert "Traceback" not in result.stderr


class _FullDisk(io.StringIO):
    """A stdout on a full disk."""

    def write(self, text: str) -> int:
        raise OSError(errno.ENOSPC, os.strerror(errno.ENOSPC))


@pytest.mark.parametrize(
    "args", [["query", "retry"], ["plugins"], ["init", "--dry-run"], ["--version"]]
)
@pytest.mark.parametrize(
    ("stdout", "reason"),
    [(_FullDisk, "No space left on device"), (None, "standard output is closed")],
)
def test_output_that_cannot_be_written_is_a_one_line_error(
    repo: Path,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
    args: list[str],
    stdout: type[io.StringIO] | None,
    reason: str,
) -> None:
    from atlas_core.cli.main import main

    monkeypatch.setattr(sys, "stdout", stdout() if stdout else None)
    code = main(["--root", str(repo), *args])
    err = capsys.readouterr().err
    assert code == 1
    assert err == f"atlas: error: cannot write output: {reason}\n"


def test_output_errors_in_a_real_process(repo: Path) -> None:
    command = [sys.executable, "-m", "atlas_core", "--root", str(repo)]
    if os.path.exists("/dev/full"):
        with open("/dev/full", "w") as full:
            done = subprocess.run([*command, "query", "retry"], stdout=full, stderr=subprocess.PIPE)
        assert done.returncode == 1
        assert done.stderr == b"atlas: error: cannot write output: No space left on device\n"
    closed = subprocess.run(
        [*command, "plugins"], stderr=subprocess.PIPE, preexec_fn=lambda: os.close(1)
    )
    assert closed.returncode == 1
    assert closed.stderr == b"atlas: error: cannot write output: standard output is closed\n"


@pytest.mark.parametrize(
    "args",
    [
        ["query", "the", "--format", "jsonl"],  # a warning: the task has no searchable words
        ["outline", "nope.py"],  # an error of the command
        ["query", "retry", "--formatx", "jsonl"],  # click's usage error
    ],
)
def test_messages_are_dropped_when_stderr_is_closed(repo: Path, args: list[str]) -> None:
    # Python's sys.stderr is None then, and print(file=None) writes to stdout
    done = subprocess.run(
        [sys.executable, "-m", "atlas_core", "--root", str(repo), *args],
        stdout=subprocess.PIPE,
        preexec_fn=lambda: os.close(2),
        text=True,
    )
    assert "atlas:" not in done.stdout
    if done.returncode == 0:
        assert all(json.loads(line) for line in done.stdout.splitlines())
    else:
        assert done.returncode == 2 and done.stdout == ""


def test_a_deleted_current_directory_is_a_one_line_error(
    tmp_path: Path, atlas_cli: Cli, monkeypatch: pytest.MonkeyPatch
) -> None:
    gone = tmp_path / "gone"
    gone.mkdir()
    monkeypatch.chdir(gone)
    gone.rmdir()
    for args in (["quick", "x"], ["init", "--dry-run"], ["render", "-"]):
        result = atlas_cli(*args, stdin="README.md\n")
        assert result.code == 2, result.stderr
        assert result.stderr == "atlas: error: the current directory no longer exists\n"


def test_file_given_as_root_and_bad_config(repo: Path, atlas_cli: Cli) -> None:
    result = atlas_cli("--root", str(repo / "README.md"), "query", "x")
    assert result.code == 2 and "is not a directory" in result.stderr
    (repo / "atlas.toml").write_text("[signals.bm25f]\nfilenme = 2\n")
    result = atlas_cli("--root", str(repo), "query", "x")
    assert result.code == 2 and "unknown config key 'filenme' for bm25f" in result.stderr
    (repo / "atlas.toml").write_text("[presets\n")
    result = atlas_cli("--root", str(repo), "query", "x")
    assert result.code == 2 and "bad TOML" in result.stderr


@pytest.mark.parametrize(
    ("args", "shown"),
    [
        (["outline", "x\udcff.py"], "file 'x\\xff.py' is not an indexed file"),
        (["related", "x\udcff.py"], "file 'x\\xff.py' is not an indexed file"),
        (["query", "retry", "--seed", "x\udcff.py"], "seed 'x\\xff.py' is not"),
        (["query", "retry", "--diff", "\udcff"], "bad git revision '\\xff'"),
        (["query", "retry", "--scope", "/\udcff"], "scope pattern '/\\xff' is absolute"),
        (["render", "/nowhere/\udcff"], "cannot read selection '/nowhere/\\xff'"),
    ],
)
def test_undecodable_bytes_in_messages_are_shown_as_atlas_shows_paths(
    repo: Path, atlas_cli: Cli, args: list[str], shown: str
) -> None:
    result = atlas_cli("--root", str(repo), *args)
    assert result.code == 2 and shown in result.stderr, result.stderr
    assert "\\udc" not in result.stderr


def test_an_undecodable_root_is_shown_as_atlas_shows_paths(
    atlas_cli: Cli, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("ATLAS_ROOT", "/nowhere/\udcff")
    result = atlas_cli("query", "retry")
    assert result.code == 2
    assert result.stderr == "atlas: error: root '/nowhere/\\xff' does not exist\n"


def test_render_refuses_paths_outside_the_root(repo: Path, atlas_cli: Cli, tmp_path: Path) -> None:
    (tmp_path / "outside.txt").write_text("private")
    for bad in ("../outside.txt", str(tmp_path / "outside.txt")):
        selection = json.dumps({"Version": "0.3", "Query": "x"}) + "\n" + json.dumps({"Path": bad})
        result = atlas_cli("--root", str(repo), "render", "-", stdin=selection)
        assert result.code == 2 and "outside the repository" in result.stderr
        assert "private" not in result.stdout


def test_custom_preset_and_fuser_from_config(repo: Path, atlas_cli: Cli) -> None:
    (repo / "atlas.toml").write_text(
        '[presets.team]\nextends = "balanced"\nfuser = "rrf"\nmax_tokens = 50\n'
        "[presets.team.signals]\nbm25f = 1.0\npath = 0\nmentions = 0\n"  # 0 removes
    )
    result = atlas_cli("--root", str(repo), "quick", "retry", "-p", "team", "--format", "json")
    doc = json.loads(result.stdout)
    assert doc["Preset"] == "team" and doc["Fuser"] == "rrf" and doc["Signals"] == ["bm25f"]
    assert doc["Budget"]["MaxTokens"] == 50 and doc["TotalTokens"] <= 50


def test_selected_files_list_their_matching_symbols(repo: Path, atlas_cli: Cli) -> None:
    doc = json.loads(
        atlas_cli("--root", str(repo), "quick", "retry backoff", "--format", "json").stdout
    )
    top = doc["Files"][0]
    assert top["Path"] == "src/payments/retry.py"
    names = {s["Name"]: s for s in top["Symbols"]}
    assert names["RetryPolicy.backoff"]["Matched"] == ["backoff", "retry"]  # name, container
    assert (names["RetryPolicy.backoff"]["Start"], names["RetryPolicy.backoff"]["End"]) == (2, 3)
    assert names["RetryPolicy"]["Kind"] == "class" and names["RetryPolicy"]["Start"] == 1


def test_render_skims_a_file_too_big_for_the_budget(tmp_path: Path, atlas_cli: Cli) -> None:
    helpers = "".join(
        f"def helper_{i}(value):\n" + "    value += 1\n" * 30 + "    return value\n\n"
        for i in range(40)
    )
    repo = write_repo(
        tmp_path / "r",
        {
            "big.py": helpers + "def refund_payment(order):\n    return gateway.refund(order)\n",
        },
    )
    selection = atlas_cli("--root", str(repo), "quick", "refund payment", "--format", "jsonl")
    whole = atlas_cli("--root", str(repo), "render", "-", stdin=selection.stdout)
    assert "value += 1" in whole.stdout  # fits the preset's budget: the whole file
    result = atlas_cli(
        "--root", str(repo), "render", "-", "--max-tokens", "1500", stdin=selection.stdout
    )
    assert result.code == 0, result.stderr
    assert "def refund_payment(order):\n    return gateway.refund(order)" in result.stdout
    assert "... L1: def helper_0(value):" in result.stdout  # the outline of the rest
    assert "value += 1" not in result.stdout and "skimmed" in result.stdout
