"""Other forms of a task word: "caching" also finds ``cache``, "parser" finds ``parse``."""

from __future__ import annotations

from pathlib import Path

import pytest

from atlas_core.rank.morphology import word_forms
from atlas_core.testing import ConfiguredQuery, scores_by_path, write_repo


@pytest.mark.parametrize(
    ("word", "forms"),
    [
        ("parsing", {"parse", "parser", "parsed"}),
        ("parser", {"parse", "parsing"}),
        ("caching", {"cache", "cached"}),
        ("compression", {"compress", "compressed", "compressor"}),
        ("validation", {"validate", "validator", "valid"}),
        ("logging", {"log", "logged", "logger"}),
        ("formatting", {"format", "formatted", "formatter"}),
        ("copied", {"copy", "copying"}),
        ("retry", {"retrying", "retryer"}),
    ],
)
def test_forms_of_a_word(word: str, forms: set[str]) -> None:
    got = set(word_forms(word))
    assert forms <= got
    assert word not in got


def test_words_without_forms() -> None:
    # short words, stop words, numbers; a folded root that is no word ("pars" is not "par")
    assert word_forms("log") == () and word_forms("utf8") == ()
    assert "par" not in word_forms("parsing")
    # "need" and "speed" are no past tenses
    assert "ne" not in word_forms("need") and "spe" not in word_forms("speed")


FILES = {
    # the answer names the work in code words; the task in prose words
    "net/cache.py": (
        "class ResponseCache:\n    def cache(self, response):\n        return response\n"
    ),
    # without the other forms, the file named after the task's one other word wins
    "net/response.py": "def response(value):\n    return value\n",
    **{
        f"net/mod{i}.py": f"def response_{i}(value):\n    return value\n\n"
        f"def send_{i}(response):\n    return response\n"
        for i in range(12)
    },
}


@pytest.mark.parametrize("weight", [0.0, 0.5])
def test_a_word_finds_the_file_holding_another_form(
    tmp_path: Path, configured_query: ConfiguredQuery, weight: float
) -> None:
    root = write_repo(tmp_path / "r", FILES)
    config = f"[signals.bm25f]\nforms = {weight}\n"
    result = configured_query(root, "responses are not cached", config)
    text = scores_by_path(result, "bm25f")
    best = max(text, key=lambda rel: text[rel])
    if weight:
        assert best == "net/cache.py"
    else:
        assert best == "net/response.py"
