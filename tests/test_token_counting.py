"""Counting a file's bytes by tokens gives what the identifier pattern gives on its text."""

from __future__ import annotations

import random
from collections import Counter

import numpy as np
import pytest

from atlas_core.index import process
from atlas_core.terms import IDENT, IDENT_BYTES, count_terms


def _postings(table: process.TermTable) -> list[dict[str, list[int]]]:
    terms, tf, counts = table.postings()
    ends = np.cumsum(counts).tolist()
    out = []
    for start, end in zip([0, *ends[:-1]], ends, strict=True):
        ids, freqs = terms[start:end].tolist(), tf[start:end].tolist()
        out.append({table.terms[t]: f for t, f in zip(ids, freqs, strict=True)})
    return out


def _expected(fields: tuple[str, ...]) -> dict[str, list[int]]:
    out: dict[str, list[int]] = {}
    for col, text in enumerate(fields):
        for term, n in count_terms(text).items():
            out.setdefault(term, [0] * len(fields))[col] += n
    return out


_ODD = [
    "a-b-1 x--y 1-2 _9 99x 9 x9-z foo-Bar- 12-ab é1é22 -a- __ 0 --verbose - -- --- 1 22",
    "fooBar-bazQux 2fa 0xdeadBEEF 3Dgraph a1-b2 -x- _-_ x_-y HTTP2-client naïveCase",
    "getUser\tgetUser\r\ngetUser\x0bgetUser\x0cget-user get_user GET-USER",
]


def test_tokens_give_the_terms_of_the_identifier_pattern() -> None:
    rnd = random.Random(7)
    alphabet = "aZ_09-é.\n( sSx\t"
    texts = [*_ODD]
    texts += ["".join(rnd.choice(alphabet) for _ in range(rnd.randint(0, 60))) for _ in range(400)]
    files = [("stem-x", text[: len(text) // 3], text) for text in texts]
    table = process.TermTable()
    for fields in files:
        table.count(fields)
    for fields, got in zip(files, _postings(table), strict=True):
        assert got == _expected(fields), fields


def test_bytes_and_their_text_count_the_same() -> None:
    texts = [*_ODD, "café_au_lait crème-brûlée 🙂emoji🙂 x\u00a0y\u2003z"]
    as_text, as_bytes = process.TermTable(), process.TermTable()
    for text in texts:
        as_text.count(("", "", text))
        as_bytes.count(("", "", text.encode("utf-8")))
    assert _postings(as_text) == _postings(as_bytes)
    assert as_text.terms == as_bytes.terms  # the same numbering too


def test_undecodable_bytes_count_like_their_replaced_text() -> None:
    # invalid UTF-8 between and inside identifiers: decoding with "replace" never eats an
    # ASCII byte, so the raw bytes give the terms of the text the chunker sees
    samples = [
        b"alpha\xffbeta gamma\xe2\x28delta \xc3(epsilon \xed\xa0\x80zeta",
        b"\xf0\x9f\x98foo_bar\xe2\x82 baz-\xffqux 12\xfe34 ab\x80-cd",
        bytes(range(256)) * 2,
    ]
    for data in samples:
        text = data.decode("utf-8", "replace")
        assert Counter(IDENT.findall(text)) == Counter(
            ident.decode() for ident in IDENT_BYTES.findall(data)
        )
        from_text, from_bytes = process.TermTable(), process.TermTable()
        from_text.count(("", "", text))
        from_bytes.count(("", "", data))
        assert _postings(from_text) == _postings(from_bytes) == [_expected(("", "", text))]


def test_file_names_that_are_not_utf8_are_counted() -> None:
    stem = b"caf\xe9_menu".decode("utf-8", "surrogateescape")  # as the walk gives it
    table = process.TermTable()
    table.count((stem, "", ""))
    got = _postings(table)
    assert got == [_expected((stem, "", ""))] and "menu" in got[0]


def test_pseudo_identifiers_do_not_count_toward_the_bound(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setattr(process, "_IDENTS_MAX", 3)
    monkeypatch.setattr(process, "_TERMS_MAX", 100)
    table = process.TermTable()
    table.count(("", "", "-- --- - 1 2 3 4 5 6 -x- alpha beta"))
    assert not table.full  # three identifiers (x, alpha, beta), however many odd tokens
    table.count(("", "", "gamma delta"))
    assert table.full
