"""scripts/tune.py: the offline ranking it fits on is the one Atlas ships."""

from __future__ import annotations

import importlib.util
import json
import sys
from pathlib import Path
from types import ModuleType

import numpy as np
import pytest

from atlas_core.testing import commit_together, write_repo

SCRIPT = Path(__file__).resolve().parents[1] / "scripts" / "tune.py"

REPO = {
    "src/payments/retry.py": "class RetryPolicy:\n    def backoff(self, attempt):\n"
    "        return min(2 ** attempt, 30)\n",
    "src/payments/client.py": "from payments.retry import RetryPolicy\n\n"
    "class PaymentClient:\n    def charge(self, amount):\n"
    "        return self.http.post('/charge', amount)\n" + "# padding\n" * 30,
    "src/payments/deep/er/still/ledger.py": "def charge_ledger(amount):\n    return amount\n"
    + "# padding\n" * 30,
    "examples/retry_demo.py": "from payments.retry import RetryPolicy\nRetryPolicy().backoff(3)\n",
    "tests/test_client.py": "def test_charge():\n    assert True\n",
    "tests/test_retry.py": "def test_retry_backoff():\n    assert True\n" + "# padding\n" * 30,
    "docs/retry.md": "# Retry\n\nThe payment client retries with backoff.\n",
    "README.md": "# Payments\n\nA payment client with retries.\n",
    "setup.cfg": "[metadata]\nname = payments\n",
}


@pytest.fixture(scope="module")
def tune() -> ModuleType:
    spec = importlib.util.spec_from_file_location("atlas_tune_script", SCRIPT)
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    sys.modules[spec.name] = module
    spec.loader.exec_module(module)
    return module


def _dump(tune: ModuleType, root: Path, out: Path, query: str, gold: list[str]) -> Path:
    arrays, meta = tune.atlas_arrays(root, query)
    meta.update(
        id=out.stem, repo="acme/payments", gold=gold, baselines={"bm25": [], "bm25_code": []}
    )
    tune.save_case(out, arrays, meta)
    return out


@pytest.mark.parametrize(
    "query",
    [
        "retry backoff for the payment client charge",
        # the title names tests and docs: their prior is lifted (rank/intent.py)
        "Add tests and docs for the retry backoff\n\nthe payment client charge",
        # a long task (a bug report): the title's words make the path share and count again
        "Retry backoff grows too slowly\n\n"
        + " ".join(f"word{i}" for i in range(45))
        + " the payment client charge ledger amount attempt",
    ],
)
def test_offline_ranking_is_the_engines(tune: ModuleType, tmp_path: Path, query: str) -> None:
    """The fitter's path prior and fused order, under the shipped parameters, are exactly what
    the default preset ranks (a change to ranking/path.py or the presets must follow here)."""
    from atlas_core.engine import Atlas, QueryOptions
    from atlas_core.plugin.manager import get_plugin_manager

    root = write_repo(tmp_path / "repo", REPO)
    dumps = tmp_path / "dumps"
    dumps.mkdir()
    case = _dump(tune, root, dumps / "case1.npz", query, ["src/payments/client.py"])
    data = tune.Data([case])
    params = tune.shipped_params()
    np.testing.assert_allclose(data.path_scores(params), data.cols["sig_path"], atol=1e-6)

    atlas = Atlas(root, get_plugin_manager())
    result = atlas.query(query, QueryOptions(top=0, max_tokens=0), atlas.reader())
    engine = [atlas.reader().paths[i] for i in result.order]
    fused = data.fused(params)
    offline = [data.paths(0)[i] for i in np.lexsort((np.arange(len(fused)), -fused))]
    assert offline == engine


def test_metrics_follow_the_benchmark(tune: ModuleType, tmp_path: Path) -> None:
    root = write_repo(tmp_path / "repo", REPO)
    dumps = tmp_path / "dumps"
    dumps.mkdir()
    gold = ["src/payments/retry.py", "src/payments/client.py", "not/in/the/tree.py"]
    case = _dump(tune, root, dumps / "case1.npz", "retry backoff", gold)
    data = tune.Data([case])
    n = len(data.role)
    paths = data.paths(0)
    scores = np.zeros(n)
    # retry.py first, then three others, then client.py (rank 5); ties keep index order
    order = [paths.index("src/payments/retry.py")]
    order += [i for i in range(n) if paths[i] not in gold][:3]
    order += [paths.index("src/payments/client.py")]
    for rank, i in enumerate(order):
        scores[i] = 10.0 - rank
    ranks = data.gold_ranks(scores)
    assert sorted(ranks.tolist()) == [1, 5]
    m = data.metrics(scores)
    assert m["acc@1"][0] == 1.0 and m["mrr"][0] == 1.0
    # All@5 wants every answer file (up to 5): one is not even in the tree
    assert m["all@5"][0] == 0.0 and m["all@10"][0] == 0.0
    assert tune._score_list(["a", "b"], ["b"]) == {
        "acc@1": 0.0, "all@1": 0.0, "acc@5": 1.0, "all@5": 1.0, "acc@10": 1.0,
        "all@10": 1.0, "mrr": 0.5,
    }  # fmt: skip


def test_second_stage_lifts_neighbours_below_their_anchor(tune: ModuleType, tmp_path: Path) -> None:
    """The measured second stage (``fit --explore``): neutral values change nothing; a file in
    the top file's directory climbs to just below it, never past it; tests are not lifted."""
    root = write_repo(tmp_path / "repo", REPO)
    dumps = tmp_path / "dumps"
    dumps.mkdir()
    case = _dump(tune, root, dumps / "case1.npz", "retry backoff", ["src/payments/retry.py"])
    data = tune.Data([case])
    paths = data.paths(0)
    n = len(paths)
    anchor, neighbour = paths.index("src/payments/retry.py"), paths.index("src/payments/client.py")
    test = paths.index("tests/test_retry.py")
    first = np.arange(n, 0, -1, dtype=np.float64)  # index order
    first[anchor], first[neighbour], first[test] = 2 * n, 0.5, 0.25
    text = np.ones(n)
    neutral = tune.shipped_params()
    assert np.array_equal(data.second_stage(first, text, neutral), first)
    lifted = data.second_stage(first, text, dict(neutral, s2_k=1, s2_dir=100.0, s2_kin=100.0))
    order = np.argsort(-lifted, kind="stable")
    assert order[0] == anchor and order[1] == neighbour
    assert lifted[test] == first[test]  # shares "retry" with the anchor, but is a test
    # no bonus: the neighbour keeps its first-stage score
    assert data.second_stage(first, text, dict(neutral, s2_k=1, s2_dir=0.0))[neighbour] == 0.5


def test_shipped_params_read_the_code(tune: ModuleType) -> None:
    from atlas_core.config import BUILTIN_PRESETS, DEFAULT_PRESET
    from atlas_core.rank.path import ROLE_PRIOR

    params = tune.shipped_params()
    weights = BUILTIN_PRESETS[DEFAULT_PRESET].signals
    assert params["path"] == weights["path"]
    assert params["test"] == ROLE_PRIOR["test"]
    # every weight of the default preset is fitted (and checked by ``fit --check``)
    assert set(weights) - {"bm25f"} <= set(tune.WEIGHT_KEYS)
    assert params["git_messages"] == weights["git_messages"]
    assert set(params) == set(tune.ALL_KEYS) | set(tune.EXPLORE_KEYS)
    assert json.dumps(params)  # the fit's output is plain data


def test_vendored_column_and_factor_are_the_engines(
    tune: ModuleType, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A library copied into the source tree (licensed, left alone by the history): the dump
    flags the files whose prior atlas-git scales, and the fitter's path prior under the
    shipped ``vendored`` factor is the engine's."""
    from atlas_git.contributor import GitHistory

    monkeypatch.setenv("ATLAS_LOAD_PLUGINS", "git")
    copied = {"src/payments/decnum/LICENSE": "ICU", "src/payments/decnum/charge.py": "amount = 1\n"}
    root = write_repo(tmp_path / "repo", {**REPO, **copied}, git=True)
    commit_together(root, [("src/payments/client.py",)] * 24, "client work")
    dumps = tmp_path / "dumps"
    dumps.mkdir()
    query = "retry backoff for the payment client charge"
    data = tune.Data([_dump(tune, root, dumps / "case1.npz", query, ["src/payments/client.py"])])
    flagged = {p for p, v in zip(data.paths(0), data.cols["vendored"], strict=True) if v}
    assert flagged == set(copied)
    params = tune.shipped_params()
    assert params["vendored"] == GitHistory.Config().vendored_factor < 1.0
    np.testing.assert_allclose(data.path_scores(params), data.cols["sig_path"], atol=1e-6)


def test_history_scores_follow_similar_commit_messages() -> None:
    spec = importlib.util.spec_from_file_location(
        "atlas_history_eval", SCRIPT.with_name("history_eval.py")
    )
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    commits = [
        ("Prepare 5.6.4 release", ["Source/Alamofire.swift", "Alamofire.podspec"]),
        ("Fix retry policy backoff", ["Source/RetryPolicy.swift"]),
        (
            "Prepare the release: reformat",
            [f"f{i}.swift" for i in range(60)] + ["Source/Session.swift"],
        ),
    ]
    paths = ["Source/Alamofire.swift", "Source/RetryPolicy.swift", "Source/Session.swift"]
    scores = module.history_scores("Prepare 5.7 release", commits, paths, top=10)
    assert scores[0] > 0 and scores[1] == 0.0
    assert scores[2] == 0.0  # a commit touching more than 50 files is ignored
    assert module.history_scores("retry backoff", commits, paths, top=10).argmax() == 1
    assert not module.history_scores("anything", [], paths, top=10).any()


def _history_repo(tmp_path: Path) -> Path:
    """REPO with history: the ledger changes with the client (not a text match), the demo
    with the retry policy."""
    root = write_repo(tmp_path / "repo", REPO, git=True)
    commit_together(
        root,
        [("src/payments/client.py", "src/payments/deep/er/still/ledger.py")] * 3
        + [("src/payments/retry.py", "examples/retry_demo.py")] * 2,
        "change of the retry backoff",
    )
    return root


def test_history_variants_are_the_engines(
    tune: ModuleType, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """``sig_<signal>_<variant>`` is what the engine scores with that variant's settings, and
    the fit's ``<signal>_variant`` ranks as that engine does."""
    from atlas_core.config import load_settings
    from atlas_core.engine import Atlas, QueryOptions
    from atlas_core.plugin.manager import get_plugin_manager

    monkeypatch.setenv("ATLAS_LOAD_PLUGINS", "git,graph")
    root = _history_repo(tmp_path)
    query = "retry backoff for the payment client charge"
    dumps = tmp_path / "dumps"
    dumps.mkdir()
    data = tune.Data([_dump(tune, root, dumps / "case1.npz", query, ["src/payments/client.py"])])
    for name, key in (("git_cochange", "s5"), ("git_cochange", "n1"), ("git_messages", "t5")):
        settings = load_settings(root)
        settings.components[name] = dict(tune.HISTORY_VARIANTS[name][key])
        atlas = Atlas(root, get_plugin_manager(), settings)
        result = atlas.query(query, QueryOptions(top=0, max_tokens=0), atlas.reader())
        column = data.cols[f"sig_{name}_{key}"]
        assert column.any()
        np.testing.assert_allclose(result.signal_scores[name], column, atol=1e-6)
        engine = [atlas.reader().paths[i] for i in result.order]
        fused = data.fused(dict(tune.shipped_params(), **{f"{name}_variant": key}))
        offline = [data.paths(0)[i] for i in np.lexsort((np.arange(len(fused)), -fused))]
        assert offline == engine
    # seed_norm 1 (confidence) scores co-change otherwise than the shipped 0.5
    assert not np.allclose(data.cols["sig_git_cochange_n1"], data.cols["sig_git_cochange"])


def test_fused_seed_dump_is_the_engines(
    tune: ModuleType, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """``sig_git_cochange_fused`` is what the engine scores with ``seed_signal = "fused"``, and
    the fit's ``seed = "fused"`` ranks as that engine does under the shipped weights."""
    from atlas_core.config import load_settings
    from atlas_core.engine import Atlas, QueryOptions
    from atlas_core.plugin.manager import get_plugin_manager

    monkeypatch.setenv("ATLAS_LOAD_PLUGINS", "git,graph")
    root = _history_repo(tmp_path)
    query = "retry backoff for the payment client charge"
    dumps = tmp_path / "dumps"
    dumps.mkdir()
    case = _dump(tune, root, dumps / "case1.npz", query, ["src/payments/client.py"])
    data = tune.Data([case])
    fused_seeded = data.cols["sig_git_cochange_fused"]
    assert fused_seeded.any()
    # the best text matches are retry.py and its test, the fused ranking's the client
    assert not np.array_equal(fused_seeded, data.cols["sig_git_cochange"])

    settings = load_settings(root)
    settings.pipeline.seed_signal = "fused"
    atlas = Atlas(root, get_plugin_manager(), settings)
    result = atlas.query(query, QueryOptions(top=0, max_tokens=0), atlas.reader())
    np.testing.assert_allclose(result.signal_scores["git_cochange"], fused_seeded, atol=1e-6)
    engine = [atlas.reader().paths[i] for i in result.order]
    fused = data.fused(dict(tune.shipped_params(), seed="fused"))
    offline = [data.paths(0)[i] for i in np.lexsort((np.arange(len(fused)), -fused))]
    assert offline == engine


def test_a_held_out_tie_goes_to_the_simpler_procedure(tune: ModuleType) -> None:
    """Fitting more parameters must beat a simpler procedure by ``min_gain`` held-out, as one
    parameter's move must in the fit itself."""
    scores = {"keep": (0.8195, 0), "weights": (0.8195, 7), "everything": (0.81951, 19)}
    assert tune._simplest_best(scores, 0.001) == "keep"
    scores["everything"] = (0.8210, 19)
    assert tune._simplest_best(scores, 0.001) == "everything"
    assert tune._simplest_best({"a": (0.5, 3), "b": (0.5, 3)}, 0.001) == "a"
