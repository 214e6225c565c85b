"""Words of every script are terms, in the index and in the task alike.

Every non-ASCII character used to separate words: text in French, German, Russian, Chinese
or Japanese made no terms, or fragments (``récupération`` gave ``cup`` and ``ration``).
"""

# ruff: noqa: RUF001  (the texts mix scripts on purpose: Cyrillic beside Latin letters)

from __future__ import annotations

import base64
import random
from collections import Counter
from collections.abc import Callable
from pathlib import Path

import numpy as np
import pytest

from atlas_core.engine import Atlas, QueryOptions
from atlas_core.index import process
from atlas_core.index.pathterms import path_arrays
from atlas_core.terms import count_terms, is_encoded_data, split_identifier, tokenize
from atlas_core.testing import write_repo


@pytest.mark.parametrize(
    ("text", "terms"),
    [
        # Latin with accents: the unaccented form as ASCII text gives it, and the word
        (
            "corriger la récupération des données",
            ["corriger", "la", "recuperation", "récupération", "des", "donnee", "données"],
        ),
        ("Größe Straße", ["grosse", "grösse", "strasse"]),  # ß casefolds to ss: ASCII
        ("Œuvre Łódź", ["oeuvre", "œuvre", "lodz", "łódź"]),
        # NFC: an accent written as a combining mark is the same word
        ("re\u0301cupe\u0301ration", ["recuperation", "récupération"]),
        # scripts with spaces: casefolded words, cut at camel-case humps
        ("Получить данные пользователя", ["получить", "данные", "пользователя"]),
        ("ПолучитьДанные", ["получить", "данные", "получитьданные"]),
        ("ΣΊΣΥΦΟΣ Σίσυφος", ["σίσυφοσ", "σίσυφοσ"]),
        # mixed identifiers: ASCII parts as ever, the other words beside them
        ("données_table", ["donnee", "table", "donneestable", "données"]),
        ("getДанные", ["get", "данные"]),
        ("naïveCase", ["naive", "case", "naivecase", "naïve"]),
        ("foo—bar «baz»", ["foo", "bar", "baz"]),
        # scripts without spaces: overlapping bigrams, a lone character as it is
        ("修复登录错误", ["修复", "复登", "登录", "录错", "错误"]),
        ("中", ["中"]),
        ("ログインエラー", ["ログ", "グイ", "イン", "ンエ", "エラ", "ラー"]),
        ("한국어", ["한국", "국어"]),
        ("แก้ไข", ["แก้", "ก้ไ", "ไข"]),  # a Thai letter keeps its marks
        ("调用getUser函数。", ["调用", "get", "user", "getuser", "函数"]),
        # one-letter words and what is no letter make nothing
        ("à в 🙂 ½ \ufffd", []),
    ],
)
def test_words_of_every_script_are_terms(text: str, terms: list[str]) -> None:
    assert tokenize(text) == terms


def test_split_identifier_splits_a_non_ascii_identifier() -> None:
    # chunk names go through identifier_terms (symbol matching)
    assert split_identifier("récupérerDonnées") == (
        "recuperer",
        "donnee",
        "recupererdonnee",
        "récupérer",
        "données",
    )
    assert split_identifier("éé") == ("ee", "éé")


def _postings(table: process.TermTable) -> list[dict[str, list[int]]]:
    terms, tf, counts = table.postings()
    ends = np.cumsum(counts).tolist()
    out = []
    for start, end in zip([0, *ends[:-1]], ends, strict=True):
        ids, freqs = terms[start:end].tolist(), tf[start:end].tolist()
        out.append({table.terms[t]: f for t, f in zip(ids, freqs, strict=True)})
    return out


def _expected(text: str) -> dict[str, list[int]]:
    return {term: [0, 0, n] for term, n in count_terms(text).items()}


TEXTS = [
    "# récupération des données depuis le serveur\ndef sync(): pass\n",
    "// Größe der Datei berechnen (Straße)\n",
    "-- получить данные пользователя; ПолучитьДанные()\n",
    "/* 修复登录错误，然后重试。x=1 */\n",
    "ログインエラー: données_table getДанные naïve-case 12ab --verbose é1é22\n",
]


def test_the_index_counts_the_words_a_task_gives() -> None:
    table = process.TermTable()
    for text in TEXTS:
        table.count(("", "", text.encode("utf-8")))
    got = _postings(table)
    assert got == [_expected(text) for text in TEXTS]
    assert got[0]["récupération"] == [0, 0, 1] and got[0]["recuperation"] == [0, 0, 1]
    assert "grösse" in got[1] and "данные" in got[2] and got[3]["登录"] == [0, 0, 1]
    assert got[4]["ログ"] == [0, 0, 1] and {"données", "данные", "naïve"} <= set(got[4])
    # the same from the text, a file's stem and its symbol names too
    again = process.TermTable()
    again.count(("données", "récupérerDonnées", TEXTS[0]))
    (fields,) = _postings(again)
    assert fields["données"] == [1, 1, 1] and fields["récupérer"] == [0, 1, 0]


def test_invalid_utf8_never_raises_and_counts_like_its_replaced_text() -> None:
    samples = [
        b"r\xc3\xa9cup\xc3\xa9ration \xff\xfe donn\xc3es \xe7\x99\xbb\xe5\xbd\x95\xe9\x94\x99",
        b"\xe7\x99\xbb\xe5\xbd\x95\xe7\x99 \xd0\xb4\xd0\xb0\xd0 \xed\xa0\x80x\xc3\xa9t\xc3\xa9",
        bytes(range(256)) * 2,
        bytes(random.Random(3).randbytes(4000)),
    ]
    for data in samples:
        text = data.decode("utf-8", "replace")
        table = process.TermTable()
        table.count(("", "", data))
        assert _postings(table) == [_expected(text)]
    first = _postings_of(samples[0])
    # the words around the bad bytes are kept; a bad byte inside one cuts it
    assert {"récupération", "recuperation", "登录", "录错"} <= set(first)


def _postings_of(data: bytes) -> dict[str, list[int]]:
    table = process.TermTable()
    table.count(("", "", data))
    return _postings(table)[0]


def test_encoded_data_beside_other_scripts_makes_no_terms() -> None:
    blob = base64.b64encode(random.Random(5).randbytes(3000)).decode()
    digest = "da39a3ee5e6b4b0d3255bfef95601890afd80709"
    with_data = f"图片：«{blob}» 提交{digest}修复\n"
    got = _postings_of(with_data.encode())
    assert got == _postings_of("图片：«» 提交 修复\n".encode())
    assert {"图片", "提交", "修复"} <= set(got)
    # a long line of Chinese with many one-letter names is words, not encoded data
    line = "，".join(f"把{a}设为{b}" for a, b in zip("abcdefghij", "klmnopqrst", strict=True))
    assert not is_encoded_data(line.encode())
    assert _postings_of(line.encode())["设为"] == [0, 0, 10]


def test_path_terms_hold_words_of_every_script() -> None:
    paths = ["docs/récupération/概要.md", "src/sync.py"]
    blob, arrays = path_arrays(paths, ["docs", "impl"], [1, 1], ["ok", "ok"])
    terms = blob.decode().split("\n")
    assert {"récupération", "recuperation", "概要"} <= set(terms)
    k = terms.index("概要")
    assert arrays["path_doc"][arrays["path_off"][k] : arrays["path_off"][k + 1]].tolist() == [0]


# -- end to end: a task in a language finds the one file that says it


FILES: dict[str, str | bytes] = {
    "src/sync.py": "# récupération des données depuis le serveur\ndef sync():\n    pass\n",
    "src/measure.py": "# Größe der Datei berechnen\ndef measure(path):\n    return 0\n",
    "src/account.py": "# получить данные пользователя\ndef load(uid):\n    return uid\n",
    "src/login.py": "def login(user):\n    # 修复登录错误的处理\n    return user\n",
    "src/screen.py": "def show():\n    # ログイン画面のエラーを表示する\n    return None\n",
    "src/users.py": "def recuperer_utilisateur(uid):\n    return uid\n",
    "src/table.py": "données_table = {}\ndef getЗагрузитьТаблицу():\n    pass\n",
    # invalid UTF-8 around the words: read with replacement, never an error
    "src/legacy.c": b"/* \xff\xfe m\xc3\xa9t\xc3\xa9orologie \xc3 du jour */\nint main(void);\n",
    # the fragments the old tokenizer made of the words above, as ASCII words: they won
    "src/gr.py": (
        "cup = ration = donn = es = gr = rer = orologie = des = 1\n"
        "def get(cup, ration):\n    return cup + ration + gr + rer + donn + es + orologie\n"
        "def get_gr():\n    return get(gr, gr) + orologie + des + donn + es\n"
    ),
    "src/other.py": "def unrelated():\n    return 1\n",
    "README.md": "# Project\n\nA small project.\n",
}


@pytest.fixture
def ranked(tmp_path: Path, make_atlas: Callable[[Path], Atlas]) -> Callable[[str], list[str]]:
    atlas = make_atlas(write_repo(tmp_path / "r", FILES))
    atlas.index()
    reader = atlas.reader()

    def rank(task: str) -> list[str]:
        result = atlas.query(task, QueryOptions(), reader)
        assert not [n for n in result.notes if "searchable" in n.message]
        return [f.path for f in result.selection.files]

    return rank


@pytest.mark.parametrize(
    ("task", "path"),
    [
        ("corriger la récupération des données", "src/sync.py"),
        ("Größe", "src/measure.py"),
        ("получить данные", "src/account.py"),
        ("修复登录错误", "src/login.py"),
        ("ログインエラー", "src/screen.py"),
        # accents folded: an accented task meets an ASCII name, and the other way round
        ("récupérer", "src/users.py"),
        ("recuperation", "src/sync.py"),
        # the parts of a mixed identifier
        ("загрузить таблицу", "src/table.py"),
        ("météorologie", "src/legacy.c"),
    ],
)
def test_a_task_in_a_language_finds_the_file_that_says_it(
    ranked: Callable[[str], list[str]], task: str, path: str
) -> None:
    assert ranked(task)[0] == path


def test_symbols_match_words_of_every_script(
    tmp_path: Path, make_atlas: Callable[[Path], Atlas]
) -> None:
    atlas = make_atlas(write_repo(tmp_path / "r", FILES))
    atlas.index()
    result = atlas.query("登录错误", QueryOptions(), atlas.reader())
    top = result.selection.files[0]
    assert top.path == "src/login.py"
    assert Counter(s["Name"] for s in top.symbols)["login"] == 1
    (login,) = [s for s in top.symbols if s["Name"] == "login"]
    assert {"登录", "错误"} <= set(login["Matched"])
