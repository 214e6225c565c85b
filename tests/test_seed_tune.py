"""scripts/seed_tune.py: the seed-mode ranking it fits on is the one Atlas ships."""

from __future__ import annotations

import importlib.util
import sys
from pathlib import Path
from types import ModuleType

import numpy as np
import pytest

from atlas_core.testing import commit_together, write_repo

SCRIPTS = Path(__file__).resolve().parents[1] / "scripts"

REPO = {
    "src/payments/retry.py": "class RetryPolicy:\n    def backoff(self, attempt):\n"
    "        return min(2 ** attempt, 30)\n",
    "src/payments/client.py": "from payments.retry import RetryPolicy\n\n"
    "class PaymentClient:\n    def charge(self, amount):\n"
    "        return self.http.post('/charge', amount)\n" + "# padding\n" * 30,
    "src/payments/ledger.py": "def charge_ledger(amount):\n    return amount\n",
    "src/payments/refund.py": "from payments.client import PaymentClient\n\n"
    "def refund(amount):\n    return PaymentClient().charge(-amount)\n",
    "src/reports/summary.py": "def summary(rows):\n    return len(rows)\n",
    "examples/retry_demo.py": "from payments.retry import RetryPolicy\nRetryPolicy().backoff(3)\n",
    "tests/test_client.py": "def test_charge():\n    assert True\n",
    "tests/test_retry.py": "def test_retry_backoff():\n    assert True\n",
    "README.md": "# Payments\n\nA payment client with retries.\n",
}


@pytest.fixture(scope="module")
def seed_tune() -> ModuleType:
    sys.path.insert(0, str(SCRIPTS))
    path = SCRIPTS / "seed_tune.py"
    spec = importlib.util.spec_from_file_location("atlas_seed_tune_script", path)
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    sys.modules[spec.name] = module
    spec.loader.exec_module(module)
    return module


@pytest.fixture
def repo(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """The tree with history: the ledger changes with the client, the demo with the retry."""
    monkeypatch.setenv("ATLAS_LOAD_PLUGINS", "git,graph")
    root = write_repo(tmp_path / "repo", REPO, git=True)
    commit_together(
        root,
        [("src/payments/client.py", "src/payments/ledger.py")] * 3
        + [("src/payments/retry.py", "examples/retry_demo.py")] * 2,
    )
    return root


def test_seed_cases_follow_run_eval(seed_tune: ModuleType) -> None:
    cases = [
        {"id": "a", "gold": ["b.py", "a.py", "c.py"]},
        {"id": "b", "gold": ["only.py"]},
    ]
    assert seed_tune.seed_cases(cases) == [{"id": "a", "gold": ["b.py", "c.py"], "seed": "a.py"}]


@pytest.mark.parametrize("task", ["retry backoff for the payment charge", ""])
def test_offline_seed_ranking_is_the_engines(
    seed_tune: ModuleType, repo: Path, tmp_path: Path, task: str
) -> None:
    """With the task and without it, the fitter ranks a seeded query exactly as the default
    preset does (the seed left out); a change to the seeds signal must follow here."""
    from atlas_core.engine import Atlas, QueryOptions
    from atlas_core.plugin.manager import get_plugin_manager

    seed = "src/payments/client.py"
    case = {
        "id": "case1", "repo": "acme/payments", "query": "retry backoff for the payment charge",
        "seed": seed, "gold": ["src/payments/ledger.py"],
    }  # fmt: skip
    dumps = tmp_path / "dumps"
    dumps.mkdir()
    out = dumps / "case1.npz"
    arrays, meta = seed_tune.seed_case_arrays(repo, case)
    seed_tune.tune.save_case(out, arrays, dict(meta, baselines={"bm25": [], "bm25_code": []}))
    data = seed_tune.SeedData([out], "task" if task else "bare")
    ties = sum(data.cols[f"tie_{c}"] for c in seed_tune.KINDS.values())
    paths = data.paths(0)
    assert ties[paths.index("src/payments/ledger.py")] > 0  # co-changed
    assert ties[paths.index("src/payments/refund.py")] > 0  # imports the seed

    atlas = Atlas(repo, get_plugin_manager())
    options = QueryOptions(top=0, max_tokens=0, seeds=[seed], seed_files=False)
    result = atlas.query(task, options, atlas.reader())
    engine = [atlas.reader().paths[i] for i in result.order if atlas.reader().paths[i] != seed]
    params = {**seed_tune.tune.shipped_params(), **seed_tune.shipped_seed_params()}
    fused = data.fused(params)
    offline = [paths[i] for i in np.lexsort((np.arange(len(fused)), -fused))]
    assert offline[-1] == seed
    assert offline[:-1] == engine
    # the fit's parameters reach the ranking: without ties the co-changed ledger falls
    flat = data.fused(dict(params, seeds=0.0, **{k: 0.0 for k in params if k.startswith("k_")}))
    ledger = paths.index("src/payments/ledger.py")
    assert flat[ledger] < fused[ledger]


def test_kind_factors_weigh_the_seeds_signal() -> None:
    from atlas_core.rank.related import Tie, tie_scores

    ties = [Tie(1, 0, "co-changed", 0.5), Tie(1, 0, "same package", 0.2), Tie(2, 0, "test of", 0.9)]
    plain = tie_scores(3, ties, [0])
    assert plain.tolist() == pytest.approx([0.0, 0.7, 0.9])
    weighed = tie_scores(3, ties, [0], {"test of": 0.0, "co-changed": 2.0})
    assert weighed.tolist() == pytest.approx([0.0, 1.2, 0.0])
