"""Names of every script in tasks: identifiers, dotted names, paths and stack frames.

The task parser read only ASCII names: a task naming ``calculer_équilibre()``,
``ПолучитьДанные`` or ``pkg.données.modèle`` got no symbol lookup and no module mention
(``équilibre()`` even gave ``quilibre``), the symbol lookup of the mentions signal had no
term for a name of another script, and the regex chunker found no name that starts with
a letter of another script. The same task in ASCII found its file.
"""

# ruff: noqa: RUF001  (the texts mix scripts on purpose)

from __future__ import annotations

import unicodedata

import attrs
import pytest

from atlas_core.rank.task import called_names, parse_task
from atlas_core.terms import name_shape, script_pieces, tokenize, whole_terms


def nfd(text: str) -> str:
    return unicodedata.normalize("NFD", text)


# -- the parser


@pytest.mark.parametrize(
    ("task", "wanted"),
    [
        ("Le résultat de `calculer_équilibre` est faux", "calculer_équilibre"),
        ("équilibre() plante au démarrage", "équilibre"),
        ("Ошибка в ПолучитьДанные после обновления", "ПолучитьДанные"),
        ("получитьДанные возвращает пустой список", "получитьДанные"),
        ("η υπολογισμόςΤιμής() επιστρέφει λάθος", "υπολογισμόςΤιμής"),
        ("调用 `获取数据()` 时报错", "获取数据"),
        ("データ取得() がエラーになる", "データ取得"),
        ("नमस्ते() fails", "नमस्ते"),  # combining marks belong to the name
        (nfd("calculer_équilibre() plante"), "calculer_équilibre"),  # NFC, as the index
    ],
)
def test_identifiers_of_every_script(task: str, wanted: str) -> None:
    identifiers = parse_task(task).identifiers
    assert wanted in identifiers
    assert "quilibre" not in identifiers  # not the ASCII tail of ``équilibre``


def test_a_plain_word_of_another_script_is_no_identifier() -> None:
    """As ``views`` is none in ASCII: only names written as code count."""
    assert parse_task("Данные не обновляются после сохранения").identifiers == ()
    assert parse_task("les données ne sont pas enregistrées").identifiers == ()


def test_qualified_names_modules_paths_and_frames() -> None:
    parsed = parse_task(
        "La méthode Модель.вычислить_итог plante dans src/données/modèle.py:12,\n"
        "voir pkg.données.modèle\n"
    )
    assert ("Модель", "вычислить_итог") in parsed.qualified
    assert parsed.paths == ("src/données/modèle.py",)
    assert parsed.modules == ("pkg.données.modèle",)

    python = parse_task(
        "Traceback (most recent call last):\n"
        '  File "/srv/app/src/данные/модель.py", line 3, in получить_данные\n'
        "    return загрузить()\n"
        "KeyError: 'ключ отсутствует'\n"
    )
    assert python.frames == ("srv/app/src/данные/модель.py",)
    assert "получить_данные" in python.identifiers
    jvm = parse_task("\tat com.exemple.Modèle.calculerÉquilibre(Modèle.java:12)\n")
    assert jvm.frames == ("com/exemple/Modèle.java",)
    assert {"Modèle", "calculerÉquilibre"} <= set(jvm.identifiers)
    js = parse_task("    at получитьДанные (src/данные.js:3:5)\n")
    assert js.frames == ("src/данные.js",)
    assert "получитьДанные" in js.identifiers
    # written with combining accents: the names in NFC
    assert parse_task(nfd("voir src/données/modèle.py")).paths == ("src/données/modèle.py",)
    assert parse_task("src/नमस्ते/मॉडल.py fails").paths == ("src/नमस्ते/मॉडल.py",)


def test_names_in_prose_without_spaces_are_cut_out_of_it() -> None:
    """Chinese and Japanese run the names they mention into the prose (``调用getData时``)."""
    parsed = parse_task("调用getData()时报错，在UserService类里。参见os.path.join的说明")
    assert {"getData", "UserService"} <= set(parsed.identifiers)
    assert parsed.modules == ("os.path.join",)
    assert ("path", "join") in parsed.qualified
    assert called_names("x = 调用getData()") == ["调用getData"]


def test_a_task_reads_as_its_ascii_form() -> None:
    """The same task with accents gives the same evidence, accents and all."""

    def unaccented(value: object) -> object:
        if isinstance(value, str):
            return "".join(c for c in nfd(value) if not unicodedata.combining(c))
        if isinstance(value, (tuple, list, frozenset)):
            return type(value)(unaccented(v) for v in value)
        return value

    task = (
        "`calculer_équilibre` renvoie None pour Modèle.équilibrer dans src/données/modèle.py\n"
        "voir pkg.données.modèle et MàjDonnées()\n\n"
        '  File "src/données/vue.py", line 3, in afficher_résultat\n'
    )
    plain = attrs.asdict(parse_task(str(unaccented(task))), recurse=False)
    accented = attrs.asdict(parse_task(task), recurse=False)
    assert {k: unaccented(v) for k, v in accented.items()} == plain
    assert "Modèle" in accented["identifiers"]


def test_other_characters_leave_ascii_names_as_they_were() -> None:
    """Emoji, typographic quotes and dashes, no-break spaces: the ASCII evidence is that of
    the text without them."""
    ascii_task = "Refactor `HTTPAdapter.send` - see src/a/b.py and pkg.mod.sub for MAX_RETRIES"
    fancy = "♻️ Refactor `HTTPAdapter.send` — see src/a/b.py and\xa0pkg.mod.sub for “MAX_RETRIES”…"
    a, b = parse_task(ascii_task), parse_task(fancy)
    assert (a.paths, a.modules, a.identifiers, a.qualified) == (
        b.paths,
        b.modules,
        b.identifiers,
        b.qualified,
    )


# -- the helpers in atlas_core.terms


def test_the_shape_of_a_text_keeps_its_length_and_its_ascii() -> None:
    text = "ПолучитьДанные(x₀) — données_1 获取 नमस्ते ‿ ♻️ ASCII_Name"
    shape = name_shape(text)
    assert len(shape) == len(text)
    assert shape == "XxxxxxxxXxxxxx(x₀) — donnxes_1 xx xxx0x0 _ ♻️ ASCII_Name"
    ascii_text = "plain ASCII text_1()"
    assert name_shape(ascii_text) is ascii_text


@pytest.mark.parametrize(
    "name",
    ["calculer_équilibre", "ПолучитьДанные", "ModèleDonnées", "获取数据", "getДанные", "Œuvre"],
)
def test_whole_terms_are_terms_of_the_name_in_any_case(name: str) -> None:
    terms = whole_terms(name)
    assert terms
    for spelling in (name, name.lower(), name.upper(), nfd(name)):
        assert set(whole_terms(spelling)) == set(terms)
        assert set(terms) <= set(tokenize(spelling))


def test_script_pieces() -> None:
    assert script_pieces("调用getData时") == [("调用", True), ("getData", False), ("时", True)]
    assert script_pieces("получить_данные") == [("получить_данные", False)]
    assert script_pieces("get_value") == [("get_value", False)]
