"""The code tokenizer."""

from __future__ import annotations

from atlas_core.terms import count_terms, tokenize


def test_identifier_styles_meet() -> None:
    for text in ("HealthCheck", "health_check", "health-check", "healthCheck", "HEALTH_CHECK"):
        assert set(tokenize(text)) == {"health", "check", "healthcheck"}, text
    assert {"health", "check"} <= set(tokenize("health check"))


def test_acronyms_digits_and_stop_words() -> None:
    assert tokenize("parseHTTPResponse") == ["parse", "http", "response", "parsehttpresponse"]
    assert "utf8" in tokenize("decode_utf8")
    assert tokenize("the and of self return") == []


def test_plurals_fold_but_not_words_ending_in_s() -> None:
    assert tokenize("retries headers") == ["retry", "header"]
    assert tokenize("status class address") == ["status", "class", "address"]


def test_count_terms() -> None:
    counts = count_terms("def get_user(user_id):\n    return load_user(user_id)")
    assert counts["user"] == 4 and counts["userid"] == 2 and counts["getuser"] == 1
