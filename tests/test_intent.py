"""Roles a task's title names, and the path prior that follows them."""

from __future__ import annotations

from pathlib import Path

import pytest

from atlas_core.rank.intent import named_roles
from atlas_core.rank.task import task_title
from atlas_core.testing import ConfiguredQuery, scores_by_path, write_repo


@pytest.mark.parametrize(
    ("task", "roles"),
    [
        ("Add tests for the retry policy", {"test"}),
        ("test(parser): cover empty input", {"test"}),
        ("docs: explain presets", {"docs"}),
        ("Update the README quickstart", {"docs"}),
        ("ci: run the unit-tests on Windows", {"build", "test"}),
        ("Fix the Dockerfile", {"build"}),
        ("Add retry logic to the HTTP client", set()),
        # an identifier is one word: TestClient and Builder name no role
        ("Make TestClient follow redirects in the Builder", set()),
    ],
)
def test_named_roles_reads_the_title(task: str, roles: set[str]) -> None:
    assert named_roles(task) == roles


def test_only_the_title_counts() -> None:
    report = "Crash when parsing an empty file\n\nThe test suite passes; see the docs."
    assert named_roles(report) == frozenset()
    assert task_title("<!-- template -->\n\n  Add tests for x\nbody") == "Add tests for x"
    assert task_title("") == ""


def _repo(tmp_path: Path) -> Path:
    body = "def backoff(attempt):\n    return 2 ** attempt  # retry backoff\n" * 3
    test = "from pkg.retry import backoff\n\ndef test_backoff():\n    assert backoff(1) == 2\n"
    return write_repo(
        tmp_path / "r",
        {
            "pkg/retry.py": body,
            "pkg/client.py": "def send(request):\n    return request  # retry later\n" * 3,
            "tests/test_retry.py": test * 3,
        },
    )


def _path_scores(
    configured_query: ConfiguredQuery, root: Path, task: str, config: str = ""
) -> dict[str, float]:
    return scores_by_path(configured_query(root, task, config), "path")


def test_a_named_role_is_demoted_less(tmp_path: Path, configured_query: ConfiguredQuery) -> None:
    root = _repo(tmp_path)
    task = "Add tests for retry backoff"
    lifted = _path_scores(configured_query, root, task)
    off = _path_scores(configured_query, root, task, "[signals.path]\nnamed_role_lift = 0\n")

    # a third of the way from the test prior (0.45) to implementation's (1.0); the signal
    # is scaled to a best of 1, so compare each to the implementation file's score
    def ratio(scores: dict[str, float]) -> float:
        return scores["tests/test_retry.py"] / scores["pkg/retry.py"]

    assert ratio(lifted) / ratio(off) == pytest.approx((0.45 + (1 - 0.45) / 3) / 0.45)
    assert lifted["pkg/client.py"] / lifted["pkg/retry.py"] == pytest.approx(
        off["pkg/client.py"] / off["pkg/retry.py"]
    )


def test_a_task_naming_no_role_is_unchanged(
    tmp_path: Path, configured_query: ConfiguredQuery
) -> None:
    root = _repo(tmp_path)
    task = "Make retry backoff exponential\n\nThe tests pass either way."
    off = "[signals.path]\nnamed_role_lift = 0\n"
    assert _path_scores(configured_query, root, task) == _path_scores(
        configured_query, root, task, off
    )


def test_the_query_says_it_lifted_a_role(tmp_path: Path, configured_query: ConfiguredQuery) -> None:
    result = configured_query(_repo(tmp_path), "Add tests for retry backoff", "")
    assert any("names test files" in str(note) for note in result.notes)
