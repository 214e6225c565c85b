"""BM25F against a hand-computed example, fusion and budget selection."""

from __future__ import annotations

import math
from collections.abc import Callable
from pathlib import Path

import numpy as np
import pytest

from atlas_core.components import QueryContext
from atlas_core.engine import Atlas, QueryOptions
from atlas_core.rank.bm25f import bm25f_scores
from atlas_core.rank.fusion import ReciprocalRankFusion, WeightedFusion, ranks
from atlas_core.select.budget import select_within_budget
from atlas_core.testing import write_repo


def test_bm25f_matches_hand_computation(
    tmp_path: Path, make_atlas: Callable[[Path], Atlas]
) -> None:
    # filename / symbols / body term counts:
    #   retry.py  : retry:1 / - / retry:2      (body length 2)
    #   client.py : client:1 / - / retry:1 send:1 (body length 2)
    #   util.py   : util:1 / - / send:1       (body length 1)
    root = write_repo(
        tmp_path / "r", {"retry.py": "retry retry", "client.py": "retry send", "util.py": "send"}
    )
    atlas = make_atlas(root)
    atlas.index()
    reader = atlas.reader()
    scores = bm25f_scores(QueryContext("retry", ["retry"], reader))
    idf = math.log(1 + (3 - 2 + 0.5) / (2 + 0.5))
    body_norm = 0.25 + 0.75 * 2 / (5 / 3)
    tf_a = 5 * 1 / 1.0 + 1 * 2 / body_norm
    tf_b = 1 * 1 / body_norm
    expected = {
        "retry.py": idf * tf_a * 2.2 / (1.2 + tf_a),
        "client.py": idf * tf_b * 2.2 / (1.2 + tf_b),
        "util.py": 0.0,
    }
    for path, value in expected.items():
        assert scores[reader.ids[path]] == pytest.approx(value, rel=1e-6), path


def test_ranks_share_ties() -> None:
    assert ranks(np.array([0.5, 0.9, 0.5, 0.1])).tolist() == [2, 1, 2, 4]


def test_rrf_sums_reciprocal_ranks_and_ignores_zero_scores() -> None:
    fused = ReciprocalRankFusion().fuse(
        {"a": np.array([3.0, 2.0, 0.0]), "b": np.array([0.0, 1.0, 2.0])}, {"a": 1.0, "b": 2.0}
    )
    assert fused.tolist() == pytest.approx([1 / 61, 1 / 62 + 2 / 62, 2 / 61])


def test_weighted_fusion() -> None:
    fused = WeightedFusion().fuse(
        {"a": np.array([1.0, 0.5]), "b": np.array([0.0, 1.0])}, {"a": 1.0, "b": 0.5}
    )
    assert fused.tolist() == [1.0, 1.0]


def test_budget_skips_files_that_do_not_fit_and_keeps_going() -> None:
    scores = np.array([1.0, 0.9, 0.8, 0.7, 0.01])
    order = np.argsort(-scores)
    tokens = [600, 500, 300, 100, 10]
    chosen = select_within_budget(
        order, scores, tokens, [1] * 5, max_tokens=1000, max_bytes=None, min_score=0.05, top=None
    )
    assert chosen == [0, 2, 3]
    assert select_within_budget(
        order, scores, tokens, [1] * 5, max_tokens=None, max_bytes=None, min_score=0.0, top=2
    ) == [0, 1]
    assert select_within_budget(
        order,
        scores,
        tokens,
        [10, 10, 10, 10, 10],
        max_tokens=None,
        max_bytes=25,
        min_score=0.0,
        top=None,
    ) == [0, 1]


def test_query_ranks_the_implementation_first(
    tmp_path: Path, make_atlas: Callable[[Path], Atlas]
) -> None:
    root = write_repo(
        tmp_path / "r",
        {
            "src/http/client.py": "class HttpClient:\n    def send(self, request):\n"
            "        return self.transport.send(request)\n",
            "src/http/retry.py": "class RetryPolicy:\n    def backoff(self, attempt):\n"
            "        return 2 ** attempt\n",
            "tests/test_retry.py": "from http.retry import RetryPolicy\n"
            "def test_retry_backoff():\n    assert RetryPolicy().backoff(1)\n",
            "docs/retry.md": "# Retry\nRetries use a backoff policy.\n",
            "README.md": "An HTTP client.\n",
        },
    )
    atlas = make_atlas(root)
    result = atlas.query("add retry backoff to the HTTP client", QueryOptions(), atlas.reader())
    paths = [f.path for f in result.selection.files]
    assert set(paths[:2]) == {"src/http/retry.py", "src/http/client.py"}
    assert paths.index("src/http/retry.py") < paths.index("tests/test_retry.py")
    assert result.selection.files[0].score == 1.0


@pytest.mark.parametrize("bench_dir", ["benches", "benchmark", "benchmarks", "examples"])
def test_benchmarks_and_examples_rank_below_the_code_they_exercise(bench_dir: str) -> None:
    from atlas_core.rank.path import PathHeuristic

    code = PathHeuristic.prior("src/parser.rs", "impl", 4000, "ok")
    aside = PathHeuristic.prior(f"{bench_dir}/parser.rs", "impl", 4000, "ok")
    # Cargo's benches/ and Ruby's or JavaScript's benchmark/ are set aside as examples are
    assert aside < code
    assert aside == PathHeuristic.prior("benchmarks/parser.rs", "impl", 4000, "ok")
