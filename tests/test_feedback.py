"""Pseudo-relevance feedback in BM25F: words the best matches share join the query."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import numpy as np
import pytest

from atlas_core.components import QueryContext
from atlas_core.engine import Atlas
from atlas_core.rank.bm25f import bm25f_scores
from atlas_core.rank.feedback import feedback_terms
from atlas_core.terms import tokenize
from atlas_core.testing import ConfiguredQuery, scores_by_path, write_repo

# the task says "retry"; the files about it define names with "backoff"; schedule.py uses
# the repository's word for the idea and never says "retry"
FILES = {
    "net/retry.py": "def retry_call(fn):\n    return with_backoff(fn)\n\n"
    "def with_backoff(fn):\n    return fn()\n",
    "net/policy.py": "class RetryPolicy:\n    def backoff_delay(self, attempt):\n"
    "        return 2 ** attempt  # retry\n",
    "net/schedule.py": "def next_backoff(attempt):\n    return min(30, 2 ** attempt)\n",
    **{f"app/page{i}.py": f"def render_page{i}():\n    return 'page {i}'\n" for i in range(30)},
}


def _context(atlas: Atlas, task: str) -> QueryContext:
    return QueryContext(task, tokenize(task), atlas.reader())


def test_words_the_best_matches_share_are_chosen(
    tmp_path: Path, make_atlas: Callable[[Path], Atlas]
) -> None:
    atlas = make_atlas(write_repo(tmp_path / "r", FILES))
    atlas.index()
    ctx = _context(atlas, "retry")
    found = feedback_terms(ctx.index, bm25f_scores(ctx), set(ctx.terms))  # type: ignore[arg-type]
    assert "backoff" in found and found["backoff"] == max(found.values()) == 1.0
    assert "retry" not in found  # the task's own words are not feedback
    # "page" is in half the files: too common to say anything
    assert "page" not in found and "render" not in found


def test_no_feedback_from_a_single_match(
    tmp_path: Path, make_atlas: Callable[[Path], Atlas]
) -> None:
    atlas = make_atlas(write_repo(tmp_path / "r", FILES))
    atlas.index()
    ctx = _context(atlas, "schedule")
    scores = bm25f_scores(ctx)
    assert np.count_nonzero(scores) == 1
    assert feedback_terms(ctx.index, scores, set(ctx.terms)) == {}  # type: ignore[arg-type]


@pytest.mark.parametrize("weight", [0.0, 0.4])
def test_feedback_finds_a_file_in_the_repositorys_own_words(
    tmp_path: Path, configured_query: ConfiguredQuery, weight: float
) -> None:
    root = write_repo(tmp_path / "r", FILES)
    result = configured_query(root, "retry", f"[signals.bm25f]\nfeedback = {weight}\n")
    text = scores_by_path(result, "bm25f")
    if weight:
        assert 0 < text["net/schedule.py"] < text["net/retry.py"]
        assert any("feedback words: backoff" in str(note) for note in result.notes)
    else:
        assert text["net/schedule.py"] == 0.0
