"""Adjacent task words joined as code joins them: "retry policy" finds ``RetryPolicy``."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import pytest

from atlas_core.engine import Atlas, QueryOptions
from atlas_core.rank.phrases import phrase_terms
from atlas_core.terms import tokenize
from atlas_core.testing import write_repo


def test_joined_terms_are_the_indexs_whole_identifiers() -> None:
    terms = phrase_terms("Add a retry policy; follow redirects, then back off")
    # the index writes RetryPolicy, follow_redirects and backoff whole, as these
    assert tokenize("RetryPolicy follow_redirects backoff")[2::3] == [
        "retrypolicy",
        "followredirect",
    ]
    assert {"retrypolicy", "followredirect", "backoff"} <= set(terms)
    # punctuation ends a phrase, and a stop word ("a", "then") joins nothing
    assert "policyfollow" not in terms and "aretry" not in terms and "thenback" not in terms


def test_three_words_and_particles() -> None:
    assert "contenttypeheader" in phrase_terms("the content type header is lost")
    assert "setup" in phrase_terms("set up the fixture")  # "up" joins: setUp, timeout
    assert phrase_terms("") == [] and phrase_terms("retry") == []


FILES = {
    # the policy lives in a file whose words are spread over many others
    "net/rules.py": "class RetryPolicy:\n    def delay(self, attempt):\n        return attempt\n",
    **{
        f"net/mod{i}.py": f"def retry_{i}(policy):\n    return policy\n\n"
        f"def policy_{i}(retry):\n    return retry\n"
        for i in range(12)
    },
}


@pytest.mark.parametrize("weight", [0.0, 1.0])
def test_a_phrase_finds_the_file_naming_it_as_one_identifier(
    tmp_path: Path, make_atlas: Callable[[Path], Atlas], weight: float
) -> None:
    root = write_repo(tmp_path / "r", FILES)
    (root / "atlas.toml").write_text(f"[signals.bm25f]\nphrases = {weight}\n")
    atlas = make_atlas(root)
    atlas.index()
    reader = atlas.reader()
    result = atlas.query("the retry policy", QueryOptions(symbols=False), reader)
    text = result.signal_scores["bm25f"]
    best = max(range(len(text)), key=lambda i: (text[i], -i))
    if weight:
        assert reader.paths[best] == "net/rules.py"
    else:
        assert float(text[reader.ids["net/rules.py"]]) < 1.0
