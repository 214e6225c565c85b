"""A file's prior scales the other signals' evidence before fusion (``[pipeline]
prior_power``): the same words count for less in a test than in code."""

from __future__ import annotations

from pathlib import Path

import pytest

from atlas_core.config import PRIOR_POWER
from atlas_core.errors import UsageError
from atlas_core.testing import ConfiguredQuery, scores_by_path, write_repo

BODY = (
    '"""Payments: how long to wait before a failed charge is tried again."""\n\n\n'
    "def retry_backoff(attempt):\n"
    "    # retry with exponential backoff, capped at a minute between two tries\n"
    "    return min(2 ** attempt, 60)\n"
)
TEST_BODY = (
    "from payments.retry import retry_backoff\n\n\n"
    "def test_retry_backoff():\n    # retry backoff: retry_backoff grows with each retry\n"
    "    assert retry_backoff(1) == 2\n"
    "    assert retry_backoff(10) == 60  # the backoff is capped\n"
)
NO_PATH = "[presets.textonly]\nsignals = { bm25f = 1.0 }\n"


@pytest.fixture
def tree(tmp_path: Path) -> Path:
    return write_repo(
        tmp_path / "r",
        {
            "payments/retry.py": BODY,
            "tests/test_retry.py": TEST_BODY,
            "payments/client.py": "class Client:\n    def charge(self, amount):\n        pass\n",
            "payments/tiny.py": "def retry_now():\n    return 0  # retry backoff\n",
        },
    )


def _fused_inputs(result: object, signal: str) -> dict[str, float]:
    """What the fuser weighed for ``signal``, per selected file."""
    return {f.path: f.signals[signal] for f in result.selection.files}  # type: ignore[attr-defined]


def test_a_test_files_evidence_is_scaled_by_its_prior(
    tree: Path, configured_query: ConfiguredQuery
) -> None:
    plain = configured_query(tree, "retry backoff", "[pipeline]\nprior_power = 0\n")
    scaled = configured_query(tree, "retry backoff", "")
    # the signal's own scores (atlas.toml is a file of the tree too: each its own)
    text, unscaled = scores_by_path(scaled, "bm25f"), scores_by_path(plain, "bm25f")
    before, after = _fused_inputs(plain, "bm25f"), _fused_inputs(scaled, "bm25f")
    test, code = "tests/test_retry.py", "payments/retry.py"
    assert before[test] == pytest.approx(unscaled[test], abs=1e-4)  # off: as the signal gave it
    prior = scaled.reader.path_prior
    ids = scaled.reader.ids
    ratio = (prior[ids[test]] / max(prior)) ** PRIOR_POWER
    assert 0.5 < ratio < 1.0
    assert after[test] == pytest.approx(text[test] * ratio, abs=1e-3)
    assert after[code] == pytest.approx(
        text[code] * (prior[ids[code]] / max(prior)) ** 0.25, abs=1e-3
    )
    # a small file's prior is cut (it is rarely the answer), its evidence is not
    tiny = "payments/tiny.py"
    assert prior[ids[tiny]] < prior[ids[code]]
    assert after[tiny] == pytest.approx(text[tiny], abs=1e-3)
    # the path signal itself is not scaled
    path = scores_by_path(scaled, "path")
    assert _fused_inputs(scaled, "path") == pytest.approx({p: path[p] for p in after}, abs=1e-4)


def test_without_the_path_signal_nothing_is_scaled(
    tree: Path, configured_query: ConfiguredQuery
) -> None:
    config = NO_PATH + '[pipeline]\npreset = "textonly"\n'
    result = configured_query(tree, "retry backoff", config)
    text = scores_by_path(result, "bm25f")
    for path, value in _fused_inputs(result, "bm25f").items():
        assert value == pytest.approx(text[path], abs=1e-4)


@pytest.mark.parametrize("value", ["-0.5", "5", "nan", '"high"'])
def test_prior_power_is_checked(tree: Path, configured_query: ConfiguredQuery, value: str) -> None:
    with pytest.raises(UsageError, match="prior_power"):
        configured_query(tree, "retry", f"[pipeline]\nprior_power = {value}\n")
