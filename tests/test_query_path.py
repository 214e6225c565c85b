"""The cheaper query path: a lazily decoded file table, symbol matching's shortcuts, and
commands built only when used. Each shortcut is checked against what it replaces."""

from __future__ import annotations

import random
import re
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest

import atlas_core
from atlas_core.cli.lazy import LazyCommand
from atlas_core.cli.main import LAZY_COMMANDS
from atlas_core.errors import IndexCorruptError
from atlas_core.index import layout
from atlas_core.index.filetable import FileTable, pack_files, unpack_files
from atlas_core.select import symbols
from atlas_core.terms import identifier_terms, tokenize
from atlas_core.testing import write_repo
from atlas_core.types import Chunk, text_lines


def _table() -> dict[str, list[Any]]:
    return {
        "path": ["README.md", "src/caf\udce9.py", "src/\u00e9t\u00e9/[x].py", "z"],
        "size": [12, 0, 1 << 40, 5],
        "mtime_ns": [1_700_000_000_123_456_789, -5, 0, 1],
        "ino": [(1 << 64) - 1, 7, 0, 2],
        "hash": [b"\x01" * 16, b"", None, b"\x00\x02"],
        "language": ["markdown", "python", "python", "text"],
        "role": ["docs", "impl", "test", "other"],
        "tokens": [3, 0, 99, 1],
        "status": ["ok", "ok", "large", "binary"],
    }


def _stored() -> Any:
    return layout.unpackb(layout.packb(pack_files(_table())))


def test_one_entry_of_a_column_without_decoding_the_column() -> None:
    table = unpack_files(_stored())
    expected = _table()
    for name, column in expected.items():
        for i in range(len(column)):
            assert table.value(name, i) == column[i], (name, i)
    assert table.value("path", -1) == "z"
    with pytest.raises(IndexError):
        table.value("language", 4)
    assert "hash" in table and "nothing" not in table
    assert set(table._decoded) == {"hash"}  # only a hash is read by decoding its column
    assert dict(table) == expected  # every column decoded: the same lists as before


def test_packing_again_keeps_untouched_columns_and_repacks_changed_ones() -> None:
    stored = _stored()
    table = unpack_files(stored)
    assert layout.unpackb(layout.packb(pack_files(table))) == stored  # nothing decoded
    table["size"][1] = 42  # what the builder does to the stat columns
    again = unpack_files(layout.unpackb(layout.packb(pack_files(table))))
    assert again["size"] == [12, 42, 1 << 40, 5]
    assert again["path"] == _table()["path"] and again["hash"] == _table()["hash"]


def test_a_column_is_the_same_list_each_time() -> None:
    table = FileTable(_stored())
    assert table["tokens"] is table["tokens"]


@pytest.mark.parametrize(
    "damage",
    [
        lambda p: p.update(path=p["path"] + b"\0"),
        lambda p: p.update(path="README.md"),
        lambda p: p["hash"].__setitem__(0, p["hash"][0][:-1]),
        lambda p: p["status"].update(codes=p["status"]["codes"][:-2]),
    ],
)
def test_damage_is_found_when_the_table_is_opened(damage: Any) -> None:
    packed = _stored()
    damage(packed)
    with pytest.raises(IndexCorruptError):
        unpack_files(packed)


# -- symbol matching -------------------------------------------------------------------


def _old_term_lines(text: str, wanted: set[str]) -> dict[str, list[int]]:
    """The line-by-line definition the faster search must agree with."""
    found: dict[str, list[int]] = {}
    keys = symbols._keys(wanted)
    maybe = re.compile("|".join(re.escape(k) for k in keys)).search
    for number, line in enumerate(text_lines(text), 1):
        if not maybe(line.lower().replace("_", "").replace("-", "")):
            continue
        terms = {
            t for i in re.findall(r"[A-Za-z_][A-Za-z0-9_]*", line) for t in identifier_terms(i)
        }
        terms.update(t for t in tokenize(line) if not t.isascii())  # words of other scripts
        for term in sorted(terms & wanted):
            lines = found.setdefault(term, [])
            if not lines or lines[-1] != number:
                lines.append(number)
    return found


_PIECES = [
    "retry", "Retries", "re_try", "RE-TRY", "http_client", "HttpClient", "send", "x",
    "\n", "\r\n", "\r", "\x0c", "\u2028", "\x85", " ", "_", "-", "\u0130", "caf\u00e9",
    "\t", "#", "(", "::", "client", "sendRetry", "\ufffd", "\n_", "-\n",
]  # fmt: skip
#: what made the line-by-line test differ from one over the whole text (checked apart)
_SPECIAL = ["\u03a3", "\r-\n", "\r_\n"]


@pytest.mark.parametrize("seed", range(60))
def test_term_lines_agree_with_the_line_by_line_definition(seed: int) -> None:
    rng = random.Random(seed)
    pieces = _PIECES + _SPECIAL if seed % 3 == 0 else _PIECES
    text = "".join(rng.choice(pieces) for _ in range(rng.randint(0, 200)))
    for wanted in ({"retry"}, {"retry", "http", "client", "send"}, {"caf", "sendretry", "café"}):
        assert symbols._term_lines(text, wanted) == _old_term_lines(text, wanted), repr(text)


@pytest.mark.parametrize(
    "text",
    ["", "retry", "a\r-\nretry\n", "\u03a3retry\nx\nretry", "re_\ntry\nre_try\r\n", "x\n\n"],
)
def test_term_lines_edge_cases(text: str) -> None:
    assert symbols._term_lines(text, {"retry"}) == _old_term_lines(text, {"retry"})


class _Reader:
    """Just what matching_symbols reads."""

    def __init__(self, files: dict[int, tuple[str, list[Chunk]]]) -> None:
        self.files = files
        self.reads: list[int] = []

    def chunks(self, i: int) -> list[Chunk]:
        return list(self.files[i][1])

    def read_text(self, i: int) -> str:
        self.reads.append(i)
        return self.files[i][0]


def _old_score(c: Chunk, wanted: set[str]) -> tuple[set[str], set[str], set[str]]:
    in_name = wanted & set(identifier_terms(c.name))
    in_container = (wanted & set(tokenize(c.qualified))) - in_name
    in_sig = (wanted & set(tokenize(c.signature))) - in_name - in_container
    return in_name, in_container, in_sig


def test_names_and_signatures_without_a_key_are_not_tokenized_but_score_the_same() -> None:
    chunks = [
        Chunk("class", "RetryPolicy", "RetryPolicy", 1, 9, "class RetryPolicy(Base):"),
        Chunk("method", "send", "HttpClient.send", 2, 3, "def send(self, retries=3):"),
        Chunk("method", "a.b", "Retry.a.b", 4, 4, "def a_b(): # http-client"),
        Chunk("function", "other", "other", 5, 6, "def other(x):"),
        Chunk("import", "retry", "", 7, 7, "import retry"),
        Chunk("module", "The Retry policy.", "", 1, 1, ""),
    ]
    text = "class RetryPolicy(Base):\n    def send(self, retries=3):\n        return http\n"
    reader = _Reader({0: (text, chunks)})
    for wanted in (["retry"], ["http", "client", "send"], ["policy", "the"], ["retrypolicy"]):
        got = symbols.matching_symbols(reader, [0], wanted, limit=10)  # type: ignore[arg-type]
        lines = _old_term_lines(text, set(wanted))
        expected = []
        for c in chunks:
            if c.kind == "import":
                continue
            name, container, sig = _old_score(c, set(wanted))
            body = symbols._used_between(lines, c.start, c.end) - name - container - sig
            score = 3 * len(name) + 2 * len(container) + len(sig) + len(body)
            if score:
                expected.append((-score, c.start, c.qualified or c.name))
        expected.sort(key=lambda e: (e[0], e[1]))
        assert [s["Name"] for s in got.get(0, [])] == [e[2] for e in expected], wanted


def test_a_given_reader_of_texts_is_used() -> None:
    chunk = Chunk("function", "go", "go", 1, 1, "def go():")
    reader = _Reader({0: ("def go():\n", [chunk])})
    texts: list[int] = []

    def read(i: int) -> str:
        texts.append(i)
        return "def go():\n"

    symbols.matching_symbols(reader, [0], ["go"], read_text=read)  # type: ignore[arg-type]
    assert texts == [0] and reader.reads == []


# -- reader and command line -----------------------------------------------------------


@pytest.fixture
def small_repo(tmp_path: Path) -> Path:
    body = "".join(f"def helper_{i}(value):\n    return value + {i}\n\n" for i in range(300))
    return write_repo(
        tmp_path / "r",
        {
            "src/retry.py": "class RetryPolicy:\n    def backoff(self):\n        return 2\n",
            "src/big.py": body + "def retry_payment(order):\n    return order\n",
            "docs/retry.md": "# Retry\n\nHow retries work.\n",
            "src/caf\u00e9.py": "RETRY = 1\n",
        },
    )


def test_a_query_decodes_only_the_columns_it_walks(small_repo: Path) -> None:
    repo = atlas_core.open(small_repo)
    repo.index()
    reader = repo.engine.reader(build_if_missing=False)
    result = repo.engine.query("retry payment backoff", repo.options(max_tokens=300), reader)
    assert result.selection.files
    table = reader.meta["files"]
    assert isinstance(table, FileTable)
    assert set(table._decoded) <= {"tokens", "size"}
    paths = [f.path for f in result.selection.files]
    assert set(paths) <= set(reader.paths)  # decoding them all now gives the same names
    assert tuple(reader.path(i) for i in range(len(reader))) == reader.paths


def test_lazy_commands_name_the_commands_they_load() -> None:
    for name, target in LAZY_COMMANDS:
        command = LazyCommand(name, target).load()
        assert command.name == name, target
        assert command.hidden == (name == "hook")


def test_a_query_imports_no_other_command(small_repo: Path) -> None:
    code = (
        "import sys\n"
        "from atlas_core.cli import main\n"
        f"main(['--root', {str(small_repo)!r}, '-q', 'query', 'retry', '--format', 'jsonl'])\n"
        "names = ('explore', 'render', 'config', 'hook', 'init')\n"
        "print([n for n in names if 'atlas_core.cli.' + n in sys.modules])\n"
        "print('atlas_core.rank.related' in sys.modules)\n"
    )
    out = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, check=True, timeout=120
    ).stdout.splitlines()
    assert out[-2:] == ["[]", "False"]
