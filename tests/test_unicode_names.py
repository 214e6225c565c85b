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
from collections.abc import Callable
from pathlib import Path

import attrs
import pytest

from atlas_core.chunk.regex import RegexChunker
from atlas_core.components import QueryContext
from atlas_core.engine import Atlas
from atlas_core.index.reader import IndexReader
from atlas_core.rank.mentions import mention_scores
from atlas_core.rank.task import called_names, parse_task
from atlas_core.terms import name_shape, script_pieces, tokenize, whole_terms
from atlas_core.testing import write_repo

#: the ``rank_beside_decoys`` fixture (tests/conftest.py)
Rank = Callable[[dict[str, str], str], tuple[list[str], str]]


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


# -- the regex chunker


@pytest.mark.parametrize(
    ("language", "source", "names"),
    [
        (
            "python",
            "class Модель:\n    def équilibre(self):\n        pass\n",
            ["Модель", "équilibre"],
        ),
        ("python", "def नमस्ते():\n    pass\n", ["नमस्ते"]),
        ("go", "func ПолучитьДанные() int {\n}\n", ["ПолучитьДанные"]),
        ("typescript", "export function получитьДанные() {}\n", ["получитьДанные"]),
        (
            "java",
            "class Модель {\n    public int вычислить() {\n    }\n}\n",
            ["Модель", "вычислить"],
        ),
        ("haskell", "получитьДанные :: Int\ndata Модель = Модель\n", ["получитьДанные", "Модель"]),
    ],
)
def test_regex_rules_read_names_of_every_script(
    language: str, source: str, names: list[str]
) -> None:
    chunks = RegexChunker().chunk("x", source, language)
    assert [c.name for c in chunks] == names


# -- the mentions signal, on a real index


def indexed(root: Path, make_atlas: Callable[[Path], Atlas], files: dict[str, str]) -> IndexReader:
    atlas = make_atlas(write_repo(root, files))
    atlas.index()
    return atlas.reader()


def scores(reader: IndexReader, task: str) -> dict[str, float]:
    values = mention_scores(QueryContext(task, tokenize(task), reader))
    return {reader.paths[i]: float(v) for i, v in enumerate(values) if v > 0}


def test_a_name_defined_exactly_is_found_not_its_other_spellings(
    tmp_path: Path, make_atlas: Callable[[Path], Atlas]
) -> None:
    files = {
        "src/loader.py": "def ПолучитьДанные():\n    return 1\n",
        "src/cache.py": "def получитьДанные():\n    return 2\n",  # the same terms
        "src/ledger.py": "def calculer_équilibre(comptes):\n    return 0\n",
        "src/report.py": "def calculer_Équilibre(comptes):\n    return 0\n",
        "src/服务.py": "def 获取数据():\n    return 1\n",
        "src/其他.py": "def 获取数据_缓存():\n    return 1\n",
    }
    reader = indexed(tmp_path / "r", make_atlas, files)
    assert set(scores(reader, "ПолучитьДанные возвращает пустой список")) == {"src/loader.py"}
    assert set(scores(reader, "calculer_équilibre() ignore les comptes")) == {"src/ledger.py"}
    assert set(scores(reader, nfd("calculer_équilibre() ignore"))) == {"src/ledger.py"}
    assert set(scores(reader, "调用 `获取数据()` 时报错")) == {"src/服务.py"}


def test_paths_and_modules_of_every_script(
    tmp_path: Path, make_atlas: Callable[[Path], Atlas]
) -> None:
    files = {
        "pkg/données/modèle.py": "x = 1\n",
        "pkg/données/vue.py": "y = 2\n",
        "pkg/modele.py": "z = 3\n",
        # written on a system that stores names with combining accents
        nfd("app/entrées/clé.py"): "k = 4\n",
        "app/данные/Модель.py": "m = 5\n",
    }
    reader = indexed(tmp_path / "r", make_atlas, files)
    assert set(scores(reader, "importer pkg.données.modèle échoue")) == {"pkg/données/modèle.py"}
    assert set(scores(reader, "le fichier app/entrées/clé.py plante")) == {
        nfd("app/entrées/clé.py")
    }
    # a module's file in another letter case, found through the file-name terms
    assert set(scores(reader, "см. модуль app.данные.модель")) == {"app/данные/Модель.py"}


# -- ranking: a task naming a symbol ranks the file defining it first

#: (file, its source, a file defining the same name spelt in another case, which therefore
#: holds the same terms, and its source, the task)
RANKED = [
    (
        "src/billing/ledger.py",
        "def calculer_équilibre(comptes):\n    return sum(comptes)\n",
        "src/billing/report.py",
        "def calculer_Équilibre(comptes):\n    return calculer_Équilibre(comptes[1:])\n",
        "calculer_équilibre() ignore les comptes fermés",
    ),
    (
        "src/main/java/app/Loader.java",
        "class Loader {\n    static int получитьДанные() { return 1; }\n}\n",
        "src/main/java/app/Cache.java",
        "class Cache {\n    static int ПолучитьДанные() { return ПолучитьДанные(); }\n}\n",
        "получитьДанные возвращает пустой список",
    ),
    (
        "src/Loader.cs",
        "class Loader {\n    public static int ПолучитьДанные() { return 1; }\n}\n",
        "src/Cache.cs",
        "class Cache {\n    public static int получитьДанные() { return получитьДанные(); }\n}\n",
        "ПолучитьДанные возвращает пустой список",
    ),
    (
        "loader/loader.go",
        "package loader\n\nfunc ПолучитьДанные() int { return 1 }\n",
        "cache/cache.go",
        "package cache\n\nfunc получитьДанные() int { return получитьДанные() }\n",
        "ПолучитьДанные возвращает пустой список",
    ),
    (
        "src/loader.rs",
        "pub fn calculer_équilibre() -> i32 { 1 }\n",
        "src/cache.rs",
        "pub fn calculer_Équilibre() -> i32 { calculer_Équilibre() }\n",
        "calculer_équilibre() ignore les comptes fermés",
    ),
    (
        "src/loader.js",
        "export function получитьДанные() { return 1; }\n",
        "src/cache.js",
        "export function ПолучитьДанные() { return ПолучитьДанные(); }\n",
        "получитьДанные возвращает пустой список",
    ),
    (
        "src/loader.ts",
        "export function calculerÉquilibre(): number { return 1; }\n",
        "src/cache.ts",
        "export function CalculerÉquilibre(): number { return CalculerÉquilibre(); }\n",
        "calculerÉquilibre ignore les comptes fermés",
    ),
    (
        "src/Loader.kt",
        "fun получитьДанные(): Int = 1\n",
        "src/Cache.kt",
        "fun ПолучитьДанные(): Int = ПолучитьДанные()\n",
        "получитьДанные возвращает пустой список",
    ),
    (
        "Sources/Loader.swift",
        "func получитьДанные() -> Int { 1 }\n",
        "Sources/Cache.swift",
        "func ПолучитьДанные() -> Int { ПолучитьДанные() }\n",
        "получитьДанные возвращает пустой список",
    ),
    (
        "src/Loader.php",
        "<?php\nfunction получитьДанные() { return 1; }\n",
        "src/Cache.php",
        "<?php\nfunction ПолучитьДанные() { return ПолучитьДанные(); }\n",
        "получитьДанные возвращает пустой список",
    ),
    (
        "lib/ledger.rb",
        "def calculer_équilibre(comptes)\n  comptes.sum\nend\n",
        "lib/report.rb",
        "def calculer_Équilibre(comptes)\n  calculer_Équilibre(comptes)\nend\n",
        "calculer_équilibre() ignore les comptes fermés",
    ),
    (
        "src/main/scala/Loader.scala",
        "object Loader {\n  def получитьДанные(): Int = 1\n}\n",
        "src/main/scala/Cache.scala",
        "object Cache {\n  def ПолучитьДанные(): Int = ПолучитьДанные()\n}\n",
        "получитьДанные возвращает пустой список",
    ),
    (
        "src/loader.c",
        "int получить_данные(void) { return 1; }\n",
        "src/cache.c",
        "int Получить_данные(void) { return Получить_данные(); }\n",
        "получить_данные() возвращает пустой список",
    ),
    # Astro, Vue and Svelte scripts: read by the regex rules
    (
        "src/pages/index.astro",
        "---\nexport function équilibrer(comptes) {\n  return comptes;\n}\n---\n<p>ok</p>\n",
        "src/pages/report.astro",
        "---\nexport function Équilibrer(comptes) {\n  return Équilibrer(comptes);\n}\n---\n",
        "équilibrer() ignore les comptes fermés",
    ),
    (
        "src/Ledger.vue",
        "<script>\nexport function équilibrer(comptes) {\n  return comptes;\n}\n</script>\n",
        "src/Report.vue",
        "<script>\nexport function Équilibrer(comptes) {\n  return Équilibrer(comptes);\n}\n"
        "</script>\n",
        "équilibrer() ignore les comptes fermés",
    ),
    (
        "src/Ledger.svelte",
        "<script>\nexport function équilibrer(comptes) {\n  return comptes;\n}\n</script>\n",
        "src/Report.svelte",
        "<script>\nexport function Équilibrer(comptes) {\n  return Équilibrer(comptes);\n}\n"
        "</script>\n",
        "équilibrer() ignore les comptes fermés",
    ),
]


@pytest.mark.parametrize(
    ("path", "text", "other", "other_text", "query"),
    RANKED,
    ids=[
        "python",
        "java",
        "csharp",
        "go",
        "rust",
        "javascript",
        "typescript",
        "kotlin",
        "swift",
        "php",
        "ruby",
        "scala",
        "c",
        "astro",
        "vue",
        "svelte",
    ],
)
def test_a_symbol_named_in_the_task_ranks_its_file_first(
    rank_beside_decoys: Rank, path: str, text: str, other: str, other_text: str, query: str
) -> None:
    names, first = rank_beside_decoys({path: text, other: other_text}, query)
    assert query.split("(")[0].split()[0] in names  # each task opens with the name
    assert first == path


def test_the_same_task_in_ascii_ranks_the_same_way(rank_beside_decoys: Rank) -> None:
    """What the tests above ask of other scripts, ASCII names always had."""
    _, first = rank_beside_decoys(
        {
            "src/billing/ledger.py": "def compute_balance(accounts):\n    return 0\n",
            "src/billing/report.py": (
                "def computeBalance(accounts):\n    return computeBalance(accounts[1:])\n"
            ),
        },
        "compute_balance() ignores closed accounts",
    )
    assert first == "src/billing/ledger.py"


def test_a_name_in_prose_without_spaces_ranks_its_file_first(rank_beside_decoys: Rank) -> None:
    _, first = rank_beside_decoys(
        {
            "src/users/core.py": "class UserService:\n    pass\n",
            "src/users/api.py": "class userService:\n    pass\n",
        },
        "在UserService类里调用时报错",
    )
    assert first == "src/users/core.py"
