"""Indexing's fast term counting gives exactly what the plain definitions give."""

from __future__ import annotations

import base64
import random
import re
from collections import Counter
from pathlib import Path

import numpy as np
import pytest

from atlas_core.index import process
from atlas_core.terms import (
    IDENT,
    IDENT_BYTES,
    STOP_WORDS,
    count_terms,
    split_identifier,
    stem,
    tokenize,
)

# the definitions the fast versions must agree with
_PLAIN_IDENT = re.compile(r"[A-Za-z_][A-Za-z0-9_]*(?:-[A-Za-z][A-Za-z0-9_]*)*|[0-9]{2,}")
_PARTS = re.compile(r"[A-Z]+(?=[A-Z][a-z])|[A-Z]?[a-z]+|[A-Z]+|[0-9]+")
_ALNUM_WORD = re.compile(r"[A-Za-z]+[0-9]+(?![a-z])")


def _plain_split(ident: str) -> tuple[str, ...]:
    parts = [p.lower() for p in _PARTS.findall(ident)]
    out = [stem(p) for p in parts if len(p) > 1 and p not in STOP_WORDS]
    if len(parts) > 2 and any(c.isdigit() for c in ident):
        out.extend(w.lower() for w in _ALNUM_WORD.findall(ident))
    if len(parts) > 1:
        whole = "".join(parts)
        if whole not in STOP_WORDS:
            out.append(stem(whole))
    return tuple(out)


def _random_texts(seed: int, n: int, alphabet: str, longest: int) -> list[str]:
    rnd = random.Random(seed)
    return ["".join(rnd.choice(alphabet) for _ in range(rnd.randint(0, longest))) for _ in range(n)]


def test_identifier_pattern_finds_what_the_plain_one_finds() -> None:
    texts = _random_texts(1, 3000, "aZ_09-é. \n(s", 40)
    texts += ["a-b-1 x--y 1-2 _9 99x 9 x9-z foo-Bar- 12-ab é1é22 -a- __ 0"]
    for text in texts:
        assert IDENT.findall(text) == _PLAIN_IDENT.findall(text), text


@pytest.mark.parametrize(
    "ident",
    [
        "word",
        "WORD",
        "Word",
        "W",
        "w",
        "12",
        "1",
        "",
        "self",
        "Self",
        "SELF",
        "retries",
        "Status",
        "HTTPServer",
        "parseHTTPResponse",
        "utf8_decode",
        "http2Client",
        "a1b2c3",
        "x-y",
        "é",  # a one-letter word, as "e" (other non-ASCII ones: test_terms_unicode.py)
        "²²",  # no letter
        "_",
        "__init__",
        "ab_",
        "ABc",
        "aBc",
    ],
)
def test_split_identifier_fast_paths_agree(ident: str) -> None:
    assert split_identifier(ident) == _plain_split(ident)


def test_split_identifier_agrees_on_random_identifiers() -> None:
    for ident in _random_texts(2, 20000, "aAzZsS_09-", 10):
        assert split_identifier(ident) == _plain_split(ident), ident


def _expected(fields: tuple[str, ...]) -> dict[str, list[int]]:
    out: dict[str, list[int]] = {}
    for col, text in enumerate(fields):
        for term, n in count_terms(text).items():
            out.setdefault(term, [0] * len(fields))[col] += n
    return out


def test_a_batch_of_files_gives_each_files_own_postings() -> None:
    files = [
        ("handler", "getUser setUser", "def getUser(user_id):\n    return users[user_id]  # 42"),
        ("empty", "", ""),
        ("", "", "retries retries Retries RETRIES status http2Client"),
        ("big", "", "word " * 70000),  # tf is capped at 65535
        ("handler", "", "getUser getUser x y"),
    ]
    table = process.TermTable()
    table.count(files[0])
    table.skip()  # a binary file between them
    for fields in files[1:]:
        table.count(fields)
    terms, tf, counts = table.postings()
    assert counts.tolist()[1] == 0 and len(counts) == len(files) + 1
    assert terms.dtype == np.uint32 and tf.dtype == np.uint16 and tf.shape == (len(terms), 3)
    ends = np.cumsum(counts).tolist()
    results = [(terms[a:b], tf[a:b]) for a, b in zip([0, *ends[:-1]], ends, strict=True)]
    del results[1]
    for fields, (ids, freqs) in zip(files, results, strict=True):
        assert ids.tolist() == sorted(set(ids.tolist()))  # sorted, distinct
        got = {table.terms[t]: f for t, f in zip(ids.tolist(), freqs.tolist(), strict=True)}
        want = {t: [min(n, 65535) for n in f] for t, f in _expected(fields).items()}
        assert got == want
    # counted again, the same postings; the counts were used up by postings()
    assert table.postings()[2].tolist() == []
    again = process.TermTable()
    for fields in files:
        again.count(fields)
    assert again.terms == table.terms[: len(again.terms)]


def test_a_failed_batch_leaves_nothing_behind() -> None:
    process.set_processor(process.FileProcessor(hook=None, chunkers={}, max_file_bytes=1 << 20))
    table = process._table()
    table.count(("a", "alpha beta", "gamma"))
    assert process.process_batch([]).counts.tolist() == []  # discarded at the batch's start
    terms, tf = process.field_frequencies(table, ("a", "", "alpha alpha"))
    assert [table.terms[t] for t in terms.tolist()] == ["alpha"] and tf.tolist() == [[0, 0, 2]]


def test_unused_identifier_numbers_count_nothing() -> None:
    table = process.TermTable()
    table.count(("", "", "the and of a"))  # stop words only: identifiers without terms
    terms, tf, counts = table.postings()
    assert (len(terms), tf.shape, counts.tolist()) == (0, (0, 3), [0])
    assert Counter(table.terms) == Counter()


def test_vocabulary_numbers_a_batch_of_terms_as_one_by_one() -> None:
    from atlas_core.index.vocab import Vocabulary

    batches = [["b", "a", "c"], ["a", "d", "d", "e", "b"], [], ["f"], ["e", "a"]]
    together = Vocabulary(None, changed_files=10)
    single = Vocabulary(None, changed_files=10)
    for terms in batches:
        assert together.ids_of(terms) == [single.id(t) for t in terms]
    assert together.terms == single.terms == ["b", "a", "c", "d", "e", "f"]
    assert together.ids == single.ids and len(together) == 6


# -- counting a file's bytes by tokens gives what the identifier pattern gives on its text


def _postings(table: process.TermTable) -> list[dict[str, list[int]]]:
    terms, tf, counts = table.postings()
    ends = np.cumsum(counts).tolist()
    out = []
    for start, end in zip([0, *ends[:-1]], ends, strict=True):
        ids, freqs = terms[start:end].tolist(), tf[start:end].tolist()
        out.append({table.terms[t]: f for t, f in zip(ids, freqs, strict=True)})
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
    name = b"caf\xe9_menu".decode("utf-8", "surrogateescape")  # as the walk gives it
    table = process.TermTable()
    table.count((name, "", ""))
    got = _postings(table)
    assert got == [_expected((name, "", ""))] and "menu" in got[0]


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


def test_encoded_data_makes_no_terms() -> None:
    code = "def load_avatar(user):\n    return cache.get(user.avatar_id)\n"
    blob = base64.b64encode(random.Random(5).randbytes(30000)).decode()
    digest = "sha256-3b98ecc1ca81da39a3ee5e6b4b0d3255bfef95601890afd80709aa"
    with_data, without = process.TermTable(), process.TermTable()
    with_data.count(
        ("avatar", "load_avatar", f'{code}AVATAR = "data:image/png;base64,{blob}"  # {digest}\n')
    )
    without.count(("avatar", "load_avatar", f'{code}AVATAR = "data:image/png;base64,"  # \n'))
    assert _postings(with_data) == _postings(without)
    assert with_data.terms == without.terms


# -- pure-ASCII text gives the terms it gave, by the same path (words of other scripts: the
# -- same terms version made them, see test_terms_unicode.py)

_ROOT = Path(__file__).resolve().parents[1]
_REAL_FILES = sorted(
    p
    for pattern in ("atlas_core/*.py", "atlas_core/index/*.py", "atlas_core/rank/*.py")
    for p in _ROOT.glob(pattern)
    if p.read_bytes().isascii()
)


def test_ascii_files_of_this_repository_give_the_terms_they_gave(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    from atlas_core import terms

    assert len(_REAL_FILES) >= 20
    datas = [p.read_bytes() for p in _REAL_FILES]

    def never(token: str) -> tuple[str, ...]:
        raise AssertionError(f"ASCII text took the path of other scripts: {token!r}")

    monkeypatch.setattr(terms, "_unicode_terms", never)
    table = process.TermTable()
    for data in datas:
        table.count((data[:40].decode(), data[40:400].decode(), data))
    for path, data, got in zip(_REAL_FILES, datas, _postings(table), strict=True):
        # the definitions of terms version 3 (the first tests of this file check them)
        fields = (data[:40].decode(), data[40:400].decode(), data.decode())
        before = [[t for i in _PLAIN_IDENT.findall(f) for t in _plain_split(i)] for f in fields]
        assert tokenize(fields[2]) == before[2], path
        assert count_terms(fields[2]) == Counter(before[2]), path
        want: dict[str, list[int]] = {}
        for col, found in enumerate(before):
            for term, n in Counter(found).items():
                want.setdefault(term, [0, 0, 0])[col] += n
        assert got == want, path
