"""Every value Atlas reads is checked: config values have their TOML type (a string is not a
list), every float is finite and in its range, numeric options and ``ATLAS_LOCK_TIMEOUT`` are
0 or more, an empty ``--root`` is no directory; each mistake is one line and exit 2."""

from __future__ import annotations

import json
import warnings
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest

from atlas_core.errors import UsageError
from atlas_core.testing import CliResult

Cli = Callable[..., CliResult]

FILES = {
    "src/retry.py": "def retry(request):\n    return backoff(request)\n",
    "src/backoff.py": "def backoff(delay):\n    return delay * 2\n",
    "src/client.py": "class Client:\n    def send(self, request):\n        return retry(request)\n",
    "docs/retry.md": "# Retry\nretry with backoff\n",
}


@pytest.fixture
def repo(make_repo: Callable[..., Path]) -> Callable[..., Path]:
    """``repo(atlas_toml)``: the small repository with a config."""

    def make(atlas_toml: str | None = None) -> Path:
        files: dict[str, str | bytes] = dict(FILES)
        if atlas_toml is not None:
            files["atlas.toml"] = atlas_toml
        return make_repo(files)

    return make


def one_line_error(result: CliResult, *needles: str) -> None:
    assert result.code == 2, (result.code, result.stdout, result.stderr)
    assert len(result.stderr.strip().splitlines()) == 1, result.stderr
    assert "Traceback" not in result.stderr and "internal error" not in result.stderr
    for needle in needles:
        assert needle in result.stderr, result.stderr


TEAM = '[pipeline]\npreset = "team"\n[presets.team]\nextends = "balanced"\n'


@pytest.mark.parametrize(
    ("toml", "needles"),
    [
        # cattrs turned a string into the list of its characters: "*" ignored every file
        ('[index]\nignore = "*.py"\n', ("ignore: expected list, not '*.py'",)),
        ("[index]\nignore = [1, 2]\n", ("ignore: expected str, not 1",)),
        ("[index]\nmax_file_bytes = 1.5\n", ("max_file_bytes: expected int, not 1.5",)),
        ('[signals.path]\nlong_task_title = "no"\n', ("long_task_title: expected bool",)),
        ("[pipeline]\npreset = 3\n", ("preset: expected str, not 3",)),
        (TEAM + "symbols = 1\n", ("bad preset 'team'", "symbols: expected bool")),
        # not finite: JSON cannot hold it, numpy warns, the ranking is empty
        (TEAM + "min_score = nan\n", ("bad preset 'team'", "min_score: must be a finite")),
        (TEAM + "signals = { bm25f = nan }\n", ("weight of signal 'bm25f'", "not nan")),
        (TEAM + "signals = { bm25f = inf }\n", ("weight of signal 'bm25f'", "not inf")),
        (TEAM + "signals = { bm25f = 1e308 }\n", ("weight of signal 'bm25f'", "at most 1,000,000")),
        ("[signals.bm25f]\nk1 = inf\n", ("bad config for bm25f", "k1: must be a finite")),
        (
            "[signals.bm25f]\nfilename = 1e308\n",
            ("'filename' must be <= 1000000.0: 1e+308",),
        ),
        ("[signals.seeds]\nweight = nan\n", ("bad config for seeds", "weight: must be a finite")),
        ("[fusers.rrf]\nk = -inf\n", ("bad config for fuser rrf", "k: must be a finite")),
        ("[signals.bm25f]\nfeedback_docs = 100000000000000000000\n", ("64-bit integer",)),
        # out of range
        ("[signals.bm25f]\nk1 = -1e308\nb = 99\n", ("'k1' must be > 0.0",)),
        ("[signals.bm25f]\nk1 = 1e308\n", ("'k1' must be <= 1000000.0",)),
        ("[signals.path]\nmatch_weight = 1e7\n", ("'match_weight' must be <= 1000000.0",)),
        ("[signals.seeds]\nweight = 1e308\n", ("'weight' must be <= 1000000.0",)),
        ("[signals.bm25f]\nk1 = -1\n", ("'k1' must be > 0.0: -1.0",)),
        ("[signals.bm25f]\nb = 1.5\n", ("'b' must be <= 1.0: 1.5",)),
        ("[signals.bm25f]\nbody = -1\n", ("'body' must be >= 0",)),
        ("[signals.bm25f]\nfeedback_terms = -1\n", ("'feedback_terms' must be >= 0",)),
        ("[signals.path]\nmatch_weight = -3\n", ("'match_weight' must be >= 0",)),
        ("[signals.path]\nnamed_role_lift = 2\n", ("'named_role_lift' must be <= 1.0",)),
        (TEAM + "max_tokens = -5\n", ("bad preset 'team'", "'max_tokens' must be >= 0: -5")),
        (TEAM + "top = -3\n", ("'top' must be >= 0: -3",)),
        (TEAM + "max_bytes = -1\n", ("'max_bytes' must be >= 0: -1",)),
        (TEAM + "min_score = -0.5\n", ("'min_score' must be >= 0.0",)),
        (TEAM + "min_score = 1.5\n", ("'min_score' must be <= 1.0",)),
    ],
)
def test_bad_values_are_one_line_usage_errors(
    repo: Any, atlas_cli: Cli, toml: str, needles: tuple[str, ...]
) -> None:
    root = repo(toml)
    for args in (
        ("index",),
        ("quick", "retry"),
        ("query", "retry", "--format", "json"),
        ("query", "retry", "--format", "jsonl"),
        ("config", "--format", "json"),
    ):
        one_line_error(atlas_cli("--root", str(root), *args), *needles)
    assert not (root / ".atlas").exists()


@pytest.mark.parametrize(
    ("plugin", "toml", "needle"),
    [
        (
            "git",
            "[signals.git_recency]\nhalf_life_days = nan\n",
            "half_life_days: must be a finite",
        ),
        ("git", "[signals.git_messages]\nb = 2\n", "'b' must be <= 1.0"),
        ("git", "[signals.git_messages]\nk1 = 0\n", "'k1' must be > 0.0"),
        ("git", "[signals.git_cochange]\nmin_seed_score = inf\n", "min_seed_score: must be"),
        ("git", "[signals.git_cochange]\nseeds = -1\n", "'seeds' must be >= 0"),
        ("git", "[contributors.git]\nvendored_factor = 1.5\n", "'vendored_factor' must be <="),
        ("git", "[contributors.git]\nmax_commits = -1\n", "'max_commits' must be >= 0"),
        ("graph", "[signals.graph]\nreverse = nan\n", "bad config for graph: reverse: must be"),
    ],
)
def test_plugin_values_are_finite_and_in_range(
    repo: Any, atlas_cli: Cli, monkeypatch: pytest.MonkeyPatch, plugin: str, toml: str, needle: str
) -> None:
    monkeypatch.setenv("ATLAS_LOAD_PLUGINS", plugin)
    one_line_error(atlas_cli("--root", str(repo(toml)), "index"), needle)


@pytest.mark.parametrize(
    ("table", "needle"),
    [({"weight": -1}, "'weight' must be >= 0"), ({"timeout": float("nan")}, "timeout: must be")],
)
def test_reranker_values_are_finite_and_in_range(table: dict[str, Any], needle: str) -> None:
    config = pytest.importorskip("atlas_ollama.config")
    with pytest.raises(UsageError, match=needle):
        config.config_from_table(table)


def test_good_values_still_pass_and_zero_means_none_in_a_preset(repo: Any, atlas_cli: Cli) -> None:
    root = repo(
        TEAM + "max_tokens = 0\ntop = 0\nmin_score = 1\nsignals = { bm25f = 2 }\n"
        '[index]\nignore = ["docs/"]\n'
        "[signals.bm25f]\nk1 = 2\nb = 0\n[signals.path]\nnamed_role_lift = 1\n"
    )
    result = atlas_cli("--root", str(root), "query", "retry", "--format", "json")
    assert result.code == 0, result.stderr
    doc = json.loads(result.stdout)
    # 0 is no budget and no cap, as on the command line (TOML cannot say none)
    assert doc["Budget"] == {"MaxTokens": None, "MaxBytes": None, "Top": None}
    assert [f["Path"] for f in doc["Files"]] == ["src/retry.py"]  # min_score 1: the best
    rows = {
        r["Key"]: r["Value"]
        for r in json.loads(atlas_cli("--root", str(root), "config", "--format", "json").stdout)[
            "Settings"
        ]
    }
    assert rows["index.ignore"] == ["docs/"]
    assert rows["signals.bm25f.k1"] == 2.0 and rows["presets.team.signals.bm25f"] == 2.0


def test_bm25_b_of_one_keeps_scores_finite(repo: Any) -> None:
    import numpy as np

    import atlas_core

    # b = 1 gave a file without symbols a norm of 0 in that field: 0 / 0 and a warning
    repository = atlas_core.open(repo(), config={"signals": {"bm25f": {"b": 1.0}}})
    repository.index()
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        result = repository.query("retry backoff")
    bm25f = result.raw_scores["bm25f"]
    assert np.isfinite(bm25f).all() and bm25f.max() > 0


# -- the command line ---------------------------------------------------------------------


@pytest.mark.parametrize(
    ("args", "needle"),
    [
        (("query", "retry", "--max-tokens", "-7"), "'--max-tokens': -7 is not in the range"),
        (("query", "retry", "--max-bytes", "-5"), "'--max-bytes': -5 is not in the range"),
        (("query", "retry", "--top", "-1"), "'--top': -1 is not in the range"),
        (("quick", "retry", "--top", "-1"), "'--top'"),
        (("explain", "retry", "--max-tokens", "-1"), "'--max-tokens'"),
        (("query", "retry", "--min-score", "-0.1"), "'--min-score': '-0.1' is not a number from"),
        (("query", "retry", "--min-score", "1.5"), "is not a number from 0 to 1"),
        (("query", "retry", "--min-score", "nan"), "'nan' is not a finite number"),
        (("query", "retry", "--top", "inf"), "'inf' is not a valid integer"),
        (("related", "src/retry.py", "--top", "-1"), "'--top': -1 is not in the range"),
        (("render", "-", "--max-tokens", "-1"), "'--max-tokens': -1 is not in the range"),
        (("map", "--max-tokens", "-1"), "'--max-tokens': -1 is not in the range"),
        (("map", "--symbols", "-2"), "'--symbols': -2 is not in the range"),
    ],
)
def test_negative_and_non_finite_numbers_are_usage_errors(
    repo: Any, atlas_cli: Cli, args: tuple[str, ...], needle: str
) -> None:
    root = repo()
    one_line_error(atlas_cli("--root", str(root), *args), needle)
    assert not (root / ".atlas").exists()


def test_zero_keeps_its_meaning_on_the_command_line(repo: Any, atlas_cli: Cli) -> None:
    root = repo()
    result = atlas_cli(
        "--root", str(root), "query", "retry", "--max-tokens", "0", "--top", "0", "--format", "json"
    )
    assert result.code == 0, result.stderr
    assert json.loads(result.stdout)["Budget"] == {"MaxTokens": None, "MaxBytes": None, "Top": None}


@pytest.mark.parametrize("value", ["nan", "inf", "-1", "abc"])
def test_a_bad_lock_timeout_is_a_usage_error(
    repo: Any, atlas_cli: Cli, monkeypatch: pytest.MonkeyPatch, value: str
) -> None:
    monkeypatch.setenv("ATLAS_LOCK_TIMEOUT", value)
    one_line_error(
        atlas_cli("--root", str(repo()), "index"),
        f"ATLAS_LOCK_TIMEOUT must be a number of seconds, 0 or more, not {value!r}",
    )


@pytest.mark.parametrize("value", ["abc", "1e400"])
@pytest.mark.parametrize("command", [["index"], ["query", "retry"], ["map"]])
def test_a_bad_lock_timeout_fails_even_when_no_lock_is_taken(
    repo: Any, atlas_cli: Cli, monkeypatch: pytest.MonkeyPatch, value: str, command: list[str]
) -> None:
    root = repo()
    assert atlas_cli("--root", str(root), "index").code == 0  # later runs change nothing
    monkeypatch.setenv("ATLAS_LOCK_TIMEOUT", value)
    one_line_error(
        atlas_cli("--root", str(root), *command),
        f"ATLAS_LOCK_TIMEOUT must be a number of seconds, 0 or more, not {value!r}",
    )


@pytest.mark.parametrize("value", ["0", "2.5"])
def test_a_good_lock_timeout_is_taken(monkeypatch: pytest.MonkeyPatch, value: str) -> None:
    from atlas_core.index.lock import IndexLock

    monkeypatch.setenv("ATLAS_LOCK_TIMEOUT", value)
    assert IndexLock(Path("unused")).timeout == float(value)


@pytest.mark.parametrize("where", ["before", "after"])
def test_an_empty_root_is_no_directory(
    repo: Any, atlas_cli: Cli, monkeypatch: pytest.MonkeyPatch, where: str
) -> None:
    # ``--root "$REPO"`` with REPO unset must not index the current directory
    cwd = repo()
    monkeypatch.chdir(cwd)
    args = (
        ("--root", "", "quick", "retry") if where == "before" else ("quick", "retry", "--root", "")
    )
    one_line_error(atlas_cli(*args), "root '' does not exist")
    assert not (cwd / ".atlas").exists()


def test_a_relative_cache_dir_inside_the_tree_is_never_indexed(
    make_repo: Callable[..., Path], atlas_cli: Cli, monkeypatch: pytest.MonkeyPatch
) -> None:
    root = make_repo(dict(FILES), git=True)
    monkeypatch.chdir(root / "src")
    monkeypatch.setenv("ATLAS_CACHE_DIR", "cache")  # resolved against the current directory
    for _ in range(2):  # the second walk finds the cache in the tree
        assert atlas_cli("index").code == 0
        (root / "src" / "retry.py").write_text("def retry(request):\n    return request\n")
    assert (root / "src" / "cache" / "CURRENT").is_file()
    result = atlas_cli("inspect", "--format", "json")
    assert result.code == 0, result.stderr
    assert json.loads(result.stdout)["Files"] == len(FILES)
