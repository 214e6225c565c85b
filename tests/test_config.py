"""Configuration says what it does: merging presets, strict names and keys checked at load
time, component tables that reach their components, both config files, ``atlas config``."""

from __future__ import annotations

import json
from collections.abc import Callable
from pathlib import Path
from typing import Any

import numpy as np
import pytest

from atlas_core.config import Settings, configured, load_settings
from atlas_core.errors import UsageError
from atlas_core.rank.fusion import ReciprocalRankFusion, WeightedFusion, rank_normalize
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
    """``repo(atlas_toml, pyproject=...)``: the small repository with a config."""

    def make(atlas_toml: str | None = None, pyproject: str | None = None) -> Path:
        files: dict[str, str | bytes] = dict(FILES)
        if atlas_toml is not None:
            files["atlas.toml"] = atlas_toml
        if pyproject is not None:
            files["pyproject.toml"] = pyproject
        return make_repo(files)

    return make


def config_doc(cli: Cli, root: Path, *args: str) -> dict[str, Any]:
    result = cli("--root", str(root), "config", "--format", "json", *args)
    assert result.code == 0, result.stderr
    doc: dict[str, Any] = json.loads(result.stdout)
    return doc


def settings_of(doc: dict[str, Any]) -> dict[str, tuple[Any, str]]:
    return {row["Key"]: (row["Value"], row["Origin"]) for row in doc["Settings"]}


def one_line_error(result: CliResult, *needles: str) -> None:
    assert result.code == 2, (result.code, result.stdout, result.stderr)
    assert len(result.stderr.strip().splitlines()) == 1, result.stderr
    assert "Traceback" not in result.stderr
    for needle in needles:
        assert needle in result.stderr, result.stderr


# -- presets ------------------------------------------------------------------------------


def test_a_child_preset_merges_weights_and_zero_removes(repo: Any, atlas_cli: Cli) -> None:
    root = repo('[presets.team]\nextends = "balanced"\nsignals = { bm25f = 2.0, pagerank = 0 }\n')
    team = settings_of(config_doc(atlas_cli, root, "--preset", "team"))
    weights = {k.rsplit(".", 1)[1]: v for k, (v, _) in team.items() if ".signals." in k}
    # the parent's graph and git signals are kept; bm25f is overridden; pagerank removed
    assert weights == {
        "bm25f": 2.0,
        "path": 1.5,
        "mentions": 0.5,
        "git_recency": 0.05,
        "git_cochange": 0.25,
        "git_messages": 0.2,
    }
    assert team["presets.team.signals.bm25f"][1] == "atlas.toml"
    assert team["presets.team.signals.path"][1] == "default"
    result = atlas_cli("--root", str(root), "quick", "retry", "-p", "team", "--format", "json")
    assert result.code == 0, result.stderr
    doc = json.loads(result.stdout)
    assert doc["Signals"] == ["bm25f", "mentions", "path"]  # git/graph not installed here
    assert "pagerank" not in doc["MissingSignals"] and "git_recency" in doc["MissingSignals"]


def test_the_tutorial_preset_keeps_graph_and_git(repo: Any) -> None:
    root = repo(
        '[presets.team]\nextends = "balanced"\n'
        "signals = { bm25f = 1.0, path = 1.5, codeowners = 0.5 }\n"
    )
    signals = load_settings(root).presets["team"].signals
    assert {"pagerank", "git_recency", "git_cochange", "codeowners"} <= set(signals)


def test_a_custom_preset_has_its_own_description(repo: Any, atlas_cli: Cli) -> None:
    root = repo(
        '[presets.plain]\nextends = "balanced"\n'
        '[presets.told]\nextends = "plain"\ndescription = "ours"\n'
        '[presets.again]\nextends = "told"\n'
        "[presets.balanced]\nmax_tokens = 1000\n"
    )
    team = settings_of(config_doc(atlas_cli, root))
    assert team["presets.plain.description"] == ("", "default")
    assert team["presets.told.description"] == ("ours", "atlas.toml")
    assert team["presets.again.description"] == ("", "default")
    # amending a built-in keeps what it is
    assert team["presets.balanced.description"][0].startswith("the default")
    assert team["presets.balanced.max_tokens"] == (1000, "atlas.toml")
    # the chain extends the amended balanced; values carry their origin along it
    assert team["presets.again.max_tokens"] == (1000, "atlas.toml")
    assert team["presets.again.top"] == (50, "default")


def test_presets_may_extend_ones_defined_later_but_not_in_a_circle(
    repo: Any, atlas_cli: Cli
) -> None:
    root = repo('[presets.a]\nextends = "b"\n[presets.b]\nextends = "fast"\ntop = 7\n')
    assert settings_of(config_doc(atlas_cli, root, "--preset", "a"))["presets.a.top"][0] == 7
    root = repo('[presets.a]\nextends = "b"\n[presets.b]\nextends = "a"\n')
    one_line_error(atlas_cli("--root", str(root), "config"), "in a circle: a -> b -> a")


# -- unknown names and keys: exit 2, one line, the known ones listed, at load time --------


@pytest.mark.parametrize(
    ("toml", "needles"),
    [
        (
            '[presets.t]\nextends = "fast"\nsignals = { bm25F = 1.0 }\n',
            ("unknown signal 'bm25F' in preset 't'", "known: bm25f,"),
        ),
        ('[presets.t]\nfuser = "rfr"\nsignals = { bm25f = 1 }\n', ("unknown fuser 'rfr'", "rrf")),
        ('[presets.t]\nextends = "fast"\nrerank = "olama"\n', ("unknown reranker 'olama'",)),
        ('[presets.t]\nextends = "fastest"\n', ("extends unknown preset 'fastest'", "fast")),
        ('[presets.t]\nextend = "fast"\n', ("unknown config key 'extend'", "extends")),
        ('[presets.t]\nextends = "fast"\nsignals = { bm25f = -1 }\n', ("must be a number >= 0",)),
        ('[pipeline]\npreset = "balanse"\n', ("unknown preset 'balanse'", "balanced")),
        ('[pipeline]\nwalker = "git"\n', ("unknown walker 'git'", "known: fs")),
        ('[pipeline]\nseed_signal = "bm25"\n', ("unknown signal 'bm25'", "bm25f")),
        ('[pipeline]\npreset = "fast"\nspeed = 1\n', ("unknown config key 'speed'", "walker")),
        ("[index]\nmax_bytes = 1\n", ("unknown config key 'max_bytes'", "max_file_bytes")),
        ('[index]\nmax_file_bytes = "big"\n', ("max_file_bytes", "expected int")),
        ("[index]\nmax_file_bytes = -1\n", ("'max_file_bytes' must be >= 0",)),
        # a repository's config must not make Atlas read gigabytes into memory
        ("[index]\nmax_file_bytes = 100000000000\n", ("'max_file_bytes' must be <= 16777216",)),
        ("[indexes]\nx = 1\n", ("unknown config section [indexes]", "index")),
        ("[signals.bm25F]\nk1 = 1.0\n", ("unknown signal 'bm25F'", "bm25f")),
        ("[signals.bm25f]\nk = 1.0\n", ("unknown config key 'k' for bm25f", "k1")),
        ("[signals.mentions]\nweight = 1.0\n", ("for mentions", "takes no settings")),
        ("[signals.seeds]\nweigth = 1.0\n", ("unknown config key 'weigth' for seeds",)),
        ("[fusers.rrf]\nk = 5\nkk = 1\n", ("unknown config key 'kk' for fuser rrf", "known: k")),
        ("[fusers.rrf]\nk = 0\n", ("bad config for fuser rrf", "'k' must be > 0")),
        ("[fusers.rff]\nk = 5\n", ("unknown fuser 'rff'", "rrf, weighted")),
        ('[fusers.weighted]\nnormalize = "sum"\n', ("fuser weighted", "normalize")),
        ("[rerankers.olama]\nmodel = 'x'\n", ("unknown reranker 'olama'",)),
        ("[contributors.gti]\nmax_commits = 3\n", ("unknown contributor 'gti'", "git")),
    ],
)
def test_every_unknown_name_or_key_is_a_one_line_usage_error(
    repo: Any, atlas_cli: Cli, toml: str, needles: tuple[str, ...]
) -> None:
    root = repo(toml)
    # before any query runs: indexing, querying and atlas config all stop on it
    for args in (("index",), ("query", "retry"), ("config",)):
        one_line_error(atlas_cli("--root", str(root), *args), *needles)
    assert not (root / ".atlas").exists()


def test_a_misspelled_signal_in_pyproject_names_the_file(repo: Any, atlas_cli: Cli) -> None:
    root = repo(pyproject='[tool.atlas.presets.t]\nextends = "fast"\nsignals = { bm25F = 1 }\n')
    one_line_error(
        atlas_cli("--root", str(root), "query", "retry", "-p", "t"),
        "unknown signal 'bm25F'",
        "pyproject.toml [tool.atlas]",
    )


@pytest.mark.parametrize(
    "pyproject", ["[project\n", '[project]\nname = "x"\n' + "# padding\n" * 500_000]
)
def test_a_broken_pyproject_without_tool_atlas_is_ignored_with_a_warning(
    repo: Any, atlas_cli: Cli, pyproject: str
) -> None:
    # an agent half-way through editing pyproject.toml keeps Atlas
    root = repo(pyproject=pyproject)
    for args in (("query", "retry", "--format", "jsonl"), ("config",)):
        result = atlas_cli("--root", str(root), *args)
        assert result.code == 0, result.stderr
        (warning,) = result.stderr.splitlines()
        assert warning.startswith("atlas: warning: ") and "pyproject.toml" in warning
        assert warning.endswith("; ignored (it has no [tool.atlas])")


@pytest.mark.parametrize(
    ("pyproject", "needle"),
    [
        ("[tool.atlas\n", "bad TOML in"),
        ("[tool.atlas.index]\nignore = [\n", "bad TOML in"),
        ("tool = 5\n", "[tool] in"),
        ("[tool]\natlas = 3\n", "[tool.atlas] in"),
        ("[tool.atlas]\n" + "# padding\n" * 500_000, "is larger than 4 MiB"),
    ],
)
def test_a_broken_pyproject_that_may_hold_atlas_settings_is_an_error(
    repo: Any, atlas_cli: Cli, pyproject: str, needle: str
) -> None:
    root = repo(pyproject=pyproject)
    one_line_error(atlas_cli("--root", str(root), "query", "retry"), needle, "pyproject.toml")


def test_an_atlas_toml_over_the_size_cap_is_an_error(repo: Any, atlas_cli: Cli) -> None:
    root = repo("[index]\n" + "# padding\n" * 500_000)
    one_line_error(atlas_cli("--root", str(root), "query", "retry"), "is larger than 4 MiB")


def test_unknown_preset_flag_lists_the_known_ones(repo: Any, atlas_cli: Cli) -> None:
    root = repo()
    one_line_error(
        atlas_cli("--root", str(root), "config", "--preset", "nope"),
        "unknown preset 'nope'",
        "balanced, deep, fast, thorough",
    )


def test_atlas_own_plugins_may_be_named_when_not_installed(repo: Any, atlas_cli: Cli) -> None:
    # a shared config works for a teammate without atlas-git or atlas-graph
    root = repo(
        "[signals.git_recency]\nhalf_life_days = 10\n[contributors.git]\nmax_commits = 3\n"
        '[presets.t]\nextends = "fast"\nsignals = { pagerank = 0.5 }\n'
    )
    result = atlas_cli("--root", str(root), "query", "retry", "-p", "t", "--format", "json")
    assert result.code == 0, result.stderr
    assert json.loads(result.stdout)["MissingSignals"] == ["pagerank"]


@pytest.mark.parametrize(
    ("plugin", "toml", "needle"),
    [
        ("git", "[signals.git_recency]\nhalf_life = 3\n", "unknown config key 'half_life' for "),
        ("git", "[contributors.git]\nlookback = 3\n", "for contributor git (known: lookback_days"),
        (
            "graph",
            '[signals.pagerank]\nscale = "cubic"\n',
            "bad config for pagerank: 'scale' must be in",
        ),
        (
            "graph",
            "[signals.graph]\ndamping = 1.5\n",
            "bad config for graph: 'damping' must be < 1.0: 1.5",
        ),
    ],
)
def test_plugin_tables_are_checked_at_load_time(
    repo: Any, atlas_cli: Cli, monkeypatch: pytest.MonkeyPatch, plugin: str, toml: str, needle: str
) -> None:
    monkeypatch.setenv("ATLAS_LOAD_PLUGINS", plugin)
    root = repo(toml)
    one_line_error(atlas_cli("--root", str(root), "index"), needle)


# -- component tables reach their components ----------------------------------------------


def test_fuser_tables_reach_the_fusers() -> None:
    settings = Settings(tables={"fusers": {"rrf": {"k": 5}, "weighted": {"normalize": "rank"}}})
    rrf = configured(ReciprocalRankFusion(), "fusers", settings)
    assert rrf.k == 5.0 and ReciprocalRankFusion().k == 60.0
    weighted = configured(WeightedFusion(), "fusers", settings)
    assert weighted.normalize == "rank"
    scores = {"a": np.array([1.0, 0.5, 0.0, 0.1])}
    assert np.allclose(weighted.fuse(scores, {"a": 2.0}), 2.0 * rank_normalize(scores["a"]))
    assert np.allclose(rank_normalize(scores["a"]), [1.0, 2 / 3, 0.0, 1 / 3])
    with pytest.raises(UsageError, match="unknown config key 'kk' for fuser rrf"):
        configured(
            ReciprocalRankFusion(), "fusers", Settings(tables={"fusers": {"rrf": {"kk": 1}}})
        )


def _scores(cli: Cli, root: Path, preset: str) -> list[float]:
    result = cli("--root", str(root), "query", "retry backoff", "-p", preset, "--format", "json")
    assert result.code == 0, result.stderr
    return [f["Score"] for f in json.loads(result.stdout)["Files"]]


def test_rrf_k_changes_the_ranking_scores(repo: Any, atlas_cli: Cli) -> None:
    preset = '[presets.r]\nextends = "fast"\nfuser = "rrf"\nmin_score = 0.0\n'
    small = _scores(atlas_cli, repo(preset + "[fusers.rrf]\nk = 1\n"), "r")
    large = _scores(atlas_cli, repo(preset + "[fusers.rrf]\nk = 1000\n"), "r")
    default = _scores(atlas_cli, repo(preset), "r")
    assert len(small) == len(large) >= 3
    # a small k spreads the scores, a large one flattens them towards the best
    assert small[-1] < default[-1] < large[-1]


def test_weighted_normalisation_is_a_setting(repo: Any, atlas_cli: Cli) -> None:
    preset = '[presets.w]\nextends = "fast"\nmin_score = 0.0\n'
    by_max = _scores(atlas_cli, repo(preset), "w")
    by_rank = _scores(atlas_cli, repo(preset + '[fusers.weighted]\nnormalize = "rank"\n'), "w")
    assert by_max != by_rank


# -- the two files, the environment, flags ------------------------------------------------


def test_atlas_toml_overrides_tool_atlas_key_by_key(repo: Any, atlas_cli: Cli) -> None:
    root = repo(
        atlas_toml="[presets.team]\nmax_tokens = 900\n[index]\nmax_file_bytes = 2000\n",
        pyproject='[project]\nname = "x"\n[tool.atlas.index]\nignore = ["docs/"]\n'
        "max_file_bytes = 1000\n"
        '[tool.atlas.presets.team]\nextends = "fast"\nmax_tokens = 500\ntop = 3\n',
    )
    doc = config_doc(atlas_cli, root)
    values = settings_of(doc)
    assert [f["Origin"] for f in doc["Files"]] == ["pyproject.toml", "atlas.toml"]
    assert values["index.ignore"] == (["docs/"], "pyproject.toml")
    assert values["index.max_file_bytes"] == (2000, "atlas.toml")
    assert values["presets.team.max_tokens"] == (900, "atlas.toml")
    assert values["presets.team.top"] == (3, "pyproject.toml")
    assert values["presets.team.symbols"] == (False, "default")  # from fast
    source = {r["Key"]: r["Source"] for r in doc["Settings"]}
    assert source["index.ignore"] == str(root / "pyproject.toml")
    # and the query does what the merged config says: docs/ ignored, team from both files
    result = atlas_cli("--root", str(root), "query", "retry", "-p", "team", "--format", "json")
    assert result.code == 0, result.stderr
    query = json.loads(result.stdout)
    assert query["Budget"]["MaxTokens"] == 900 and query["Budget"]["Top"] == 3
    assert all(not f["Path"].startswith("docs/") for f in query["Files"])


def test_environment_and_flags_are_origins(
    repo: Any, atlas_cli: Cli, monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    root = repo()
    monkeypatch.setenv("ATLAS_CACHE_DIR", str(tmp_path / "cache"))
    monkeypatch.setenv("ATLAS_LOCK_TIMEOUT", "7")
    doc = config_doc(atlas_cli, root, "--no-color")
    rows = {r["Key"]: r for r in doc["Settings"]}
    assert rows["root"]["Origin"] == "flag" and rows["root"]["Value"] == str(root)
    assert rows["cache_dir"] == {
        "Key": "cache_dir",
        "Value": str(tmp_path / "cache"),
        "Origin": "environment",
        "Source": "ATLAS_CACHE_DIR",
    }
    assert rows["lock_timeout"]["Origin"] == "environment" and rows["lock_timeout"]["Value"] == "7"
    assert rows["no_color"]["Origin"] == "flag"
    monkeypatch.setenv("ATLAS_ROOT", str(root))
    result = atlas_cli("config", "--format", "json")
    assert result.code == 0, result.stderr
    rows = {r["Key"]: r for r in json.loads(result.stdout)["Settings"]}
    assert rows["root"]["Origin"] == "environment" and rows["root"]["Source"] == "ATLAS_ROOT"


def test_json_document_follows_the_convention(repo: Any, atlas_cli: Cli) -> None:
    doc = config_doc(atlas_cli, repo("[fusers.rrf]\nk = 5\n"))
    assert doc["Version"] == "0.3" and set(doc) == {"Version", "Root", "Files", "Settings"}
    assert all(set(r) == {"Key", "Value", "Origin", "Source"} for r in doc["Settings"])
    values = settings_of(doc)
    assert values["fusers.rrf.k"] == (5.0, "atlas.toml")
    assert values["fusers.weighted.normalize"] == ("max", "default")
    assert values["signals.bm25f.k1"] == (1.2, "default")
    assert {o for _, o in values.values()} <= {
        "default",
        "pyproject.toml",
        "atlas.toml",
        "environment",
        "flag",
    }


def test_human_output_is_aligned(repo: Any, atlas_cli: Cli) -> None:
    root = repo("[fusers.rrf]\nk = 5\n")
    result = atlas_cli("--root", str(root), "config", "--format", "human")
    assert result.code == 0, result.stderr
    lines = result.stdout.splitlines()
    assert lines[0] == f"# atlas.toml: {root / 'atlas.toml'}"
    rows = [line for line in lines if not line.startswith("#")]
    assert any(line.startswith("atlas.toml") and "fusers.rrf.k" in line for line in rows)
    key_columns = {len(line) - len(line[len(line.split()[0]) :].lstrip()) for line in rows}
    assert len(key_columns) == 1  # every key starts in the same column
    one_line_error(atlas_cli("--root", str(root), "config", "--format", "context"), "human or json")


# -- the root and its config are found upward ---------------------------------------------


@pytest.mark.parametrize("marker", ["git", "atlas.toml"])
def test_a_subdirectory_uses_the_repository_root_and_its_config(
    make_repo: Callable[..., Path], atlas_cli: Cli, monkeypatch: pytest.MonkeyPatch, marker: str
) -> None:
    files: dict[str, str | bytes] = {**FILES, "atlas.toml": '[pipeline]\npreset = "fast"\n'}
    root = make_repo(files, git=marker == "git")
    if marker == "git":
        assert (root / ".git").exists()
    monkeypatch.chdir(root / "src")
    result = atlas_cli("query", "retry", "--format", "json")
    assert result.code == 0, result.stderr
    assert json.loads(result.stdout)["Preset"] == "fast"  # the root's config applies
    assert (root / ".atlas").is_dir() and not (root / "src" / ".atlas").exists()
    rows = {
        r["Key"]: r for r in json.loads(atlas_cli("config", "--format", "json").stdout)["Settings"]
    }
    assert rows["root"]["Value"] == str(root) and rows["root"]["Origin"] == "default"
    assert rows["pipeline.preset"]["Origin"] == "atlas.toml"
