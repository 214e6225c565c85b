"""Adjacent task words joined as code joins them: "retry policy" finds ``RetryPolicy``."""

from __future__ import annotations

from pathlib import Path

import pytest

from atlas_core.rank.phrases import phrase_terms
from atlas_core.terms import tokenize
from atlas_core.testing import ConfiguredQuery, scores_by_path, write_repo


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
    tmp_path: Path, configured_query: ConfiguredQuery, weight: float
) -> None:
    root = write_repo(tmp_path / "r", FILES)
    result = configured_query(root, "the retry policy", f"[signals.bm25f]\nphrases = {weight}\n")
    text = scores_by_path(result, "bm25f")
    if weight:
        assert max(text, key=lambda rel: text[rel]) == "net/rules.py"
    else:
        assert text["net/rules.py"] < 1.0
