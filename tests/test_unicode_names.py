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

import pytest

from atlas_core.terms import name_shape, script_pieces, tokenize, whole_terms


def nfd(text: str) -> str:
    return unicodedata.normalize("NFD", text)


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
