"""The code tokenizer."""

from __future__ import annotations

from atlas_core.terms import blank_encoded_data, count_terms, is_encoded_data, tokenize


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


ENCODED = [
    b"da39a3ee5e6b4b0d3255bfef95601890afd80709",  # sha1
    b"8e0f7a12-bfb3-4fe8-b9a5-48fd50a15a9a",  # UUID
    b"0-20231024181729-3b98ecc1ca81",  # a Go pseudo-version's hash
    b"kHJEU3ofeGjhHklVoIGuVj85JJwZ6kWPaJwCIxgnFmo",  # base64
    b"iVBORw0KGgoAAAANSUhEUgAAABAAAAAVCAIAAADAXPmFAAABf2lDQ1BzUkdCIElFQzYxOT",  # a PNG
]
WORDS = [
    b"int32ToFloat64Array",
    b"utf8ToUtf16Converter2",
    b"sha256WithRSAEncryption",
    b"getUint8x16Array2D",
    b"item2-item1-session2",
    b"BenchmarkHttpTreeMux_StaticAll",
    b"deadbeefcafebabedeadbeefcafe",  # hexadecimal letters, no digit: could be a word
    b"123456789012345678901234567890",
    b"TestParseRFC3339Timestamps",
    b"x509",
]


def test_encoded_data_is_told_from_names() -> None:
    assert [run for run in ENCODED if not is_encoded_data(run)] == []
    assert [run for run in WORDS if is_encoded_data(run)] == []


def test_a_blob_is_blanked_whole_and_what_is_around_it_kept() -> None:
    pem = (
        b"-----BEGIN CERTIFICATE-----\n"
        b"MIIDdzCCAl+gAwIBAgIEAgAAuTANBgkqhkiG9w0BAQUFADBaMQswCQYDVQQGEwJJRTES\n"
    )
    text = (
        b"def load_cert():\n    return PEM\n"
        + pem
        + b'img = "data:image/png;base64,'
        + (
            b"iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mNk+M9QDwADhgGAWjR9awAAAABJRU5ErkJggg=="
        )
        + b'"\npath = "src/main/java/com/example/project/service/impl/Handler"\n'
    )
    blanked = blank_encoded_data(text)
    assert len(blanked) == len(text)
    assert b"MIIDdzCCAl" not in blanked and b"iVBORw0KGgo" not in blanked
    for kept in (
        b"def load_cert():",
        b"BEGIN CERTIFICATE",
        b"data:image/png;base64,",
        b"src/main/java/com/example/project/service/impl/Handler",
    ):
        assert kept in blanked
