"""Indexing's fast term counting gives exactly what the plain definitions give."""

from __future__ import annotations

import random
import re
from collections import Counter

import numpy as np
import pytest

from atlas_core.index import process
from atlas_core.terms import IDENT, STOP_WORDS, count_terms, split_identifier, stem

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
        "é",
        "éé",
        "Éa",
        "²²",
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
    for ident in _random_texts(2, 20000, "aAzZsS_09-é", 10):
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
