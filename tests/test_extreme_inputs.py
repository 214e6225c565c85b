"""Extreme but real inputs: huge or deeply nested files, odd line ends, a full disk, no memory.

Big inputs are made small here: the limits are module constants the tests lower.
"""

from __future__ import annotations

import json
import resource
import subprocess
import sys
import time
from pathlib import Path

import numpy as np
import pytest

from atlas_core.chunk.regex import RegexChunker
from atlas_core.chunk.treesitter import TreeSitterChunker
from atlas_core.chunk.treesitter import chunker as treesitter_chunker
from atlas_core.index import postings
from atlas_core.index.process import FileProcessor
from atlas_core.output.skim import skim_text
from atlas_core.select import symbols
from atlas_core.testing import run_atlas, write_repo
from atlas_core.types import Chunk, text_lines

# -- the index on a full disk ----------------------------------------------------------


def test_a_spill_that_fills_the_disk_is_removed(tmp_path: Path) -> None:
    """Closing a spill file flushes it, which fails again on a full disk: the files were
    left behind, kept the disk full and every later ``atlas index`` failed. A file-size
    limit stands in for the full disk (Python ignores SIGXFSZ: writes fail with EFBIG)."""
    soft, hard = resource.getrlimit(resource.RLIMIT_FSIZE)
    resource.setrlimit(resource.RLIMIT_FSIZE, (1 << 16, hard))
    try:
        with pytest.raises(OSError), postings.Spill(tmp_path) as spill:
            for _ in range(64):
                spill.add(np.arange(500, dtype=np.uint32), np.ones((500, 3), np.uint16), b"s" * 99)
    finally:
        resource.setrlimit(resource.RLIMIT_FSIZE, (soft, hard))
    assert list(tmp_path.iterdir()) == []


# -- tree-sitter's limits --------------------------------------------------------------

_DOCUMENTED = '"""Retry helpers."""\n\ndef retry_http(a):\n    return a\n'


def test_text_over_the_parse_limit_goes_to_the_regex_chunker(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """A tree takes up to 200 times its text in memory (``max_file_bytes`` may be 16 MiB)."""
    chunker = TreeSitterChunker()
    regex = RegexChunker().chunk("r.py", _DOCUMENTED, "python")
    parsed = chunker.chunk("r.py", _DOCUMENTED, "python")
    assert parsed != regex  # tree-sitter also gives the module docstring
    monkeypatch.setattr(treesitter_chunker, "MAX_PARSE_BYTES", len(_DOCUMENTED.encode()))
    assert chunker.chunk("r.py", _DOCUMENTED, "python") == parsed
    monkeypatch.setattr(treesitter_chunker, "MAX_PARSE_BYTES", len(_DOCUMENTED.encode()) - 1)
    assert chunker.chunk("r.py", _DOCUMENTED, "python") == regex


# an HTML file of unclosed tags: tree-sitter's HTML grammar takes time quadratic in their
# number (20,000 took 1 s, 200,000 took 55 s)
_UNCLOSED_DIVS = "<div>" * 40_000


def test_a_parse_past_its_deadline_goes_to_the_regex_chunker(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """Some grammars are quadratic on unclosed input: the parse is halted at its deadline,
    the regex chunker takes the file, and the parser is fit for the next file."""
    monkeypatch.setattr(treesitter_chunker, "PARSE_SECONDS", 0.05)
    monkeypatch.setattr(treesitter_chunker, "PARSE_BYTES_PER_SECOND", 1e12)
    chunker = TreeSitterChunker()
    page = '<div id="retry">\n' + _UNCLOSED_DIVS
    started = time.monotonic()
    chunks = chunker.chunk("page.html", page, "html")
    assert time.monotonic() - started < 1.0  # the whole parse takes about 4 s
    assert chunks == RegexChunker().chunk("page.html", page, "html")
    # the halted parse is not resumed by the next file of the same language
    form = "<form id='login'><input name='user'></form>\n"
    assert chunker.chunk("form.html", form, "html") == _parsed_alone("form.html", form, "html")


def _parsed_alone(rel: str, text: str, language: str) -> list[Chunk]:
    done = subprocess.run(
        [sys.executable, "-c", _CHUNK_ALONE, rel, text, language],
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert done.returncode == 0, done.stderr
    return [Chunk(*row) for row in json.loads(done.stdout)]


_CHUNK_ALONE = """
import attrs, json, sys
from atlas_core.chunk.treesitter import TreeSitterChunker
chunks = TreeSitterChunker().chunk(*sys.argv[1:])
print(json.dumps([attrs.astuple(c) for c in chunks]))
"""


def test_an_index_of_hostile_grammar_input_finishes(tmp_path: Path) -> None:
    """A repository with such a file indexes in seconds, and its other files keep their
    symbols."""
    write_repo(
        tmp_path,
        {"page.html": _UNCLOSED_DIVS * 2, "retry.py": "def retry_http(a):\n    return a\n"},
    )
    started = time.monotonic()
    done = run_atlas("--root", str(tmp_path), "index")
    assert done.code == 0, done.stderr
    assert time.monotonic() - started < 8.0  # 16 s before the deadline (and the two workers)
    found = run_atlas("--root", str(tmp_path), "--format", "json", "outline", "retry.py")
    assert "retry_http" in found.stdout, found.stderr


_DEEP = """
from atlas_core.chunk.treesitter import TreeSitterChunker
text = "function retryHttp(a) { return a; }\\nx = f" + "()" * 131_072 + ";\\n"
found = TreeSitterChunker().chunk("x.js", text, "javascript")
print(sorted(c.qualified for c in found))
"""


def test_a_tree_deeper_than_the_query_cursor_can_follow_does_not_wedge_it() -> None:
    """Past 65,535 levels tree-sitter's query cursor loses track of its matches: a chain of
    131,072 calls (256 KB) did not finish in minutes. The deadline is for that failure."""
    done = subprocess.run([sys.executable, "-c", _DEEP], capture_output=True, text=True, timeout=60)
    assert done.returncode == 0, done.stderr
    assert done.stdout.strip() == "['retryHttp']"


# -- line ends -------------------------------------------------------------------------


def test_text_lines_break_at_newlines_only() -> None:
    assert text_lines("") == []
    assert text_lines("a\nb\n") == ["a", "b"]
    assert text_lines("a\r\nb") == ["a", "b"]
    assert text_lines("a\x0c\nb\rc\u2028d\n\n") == ["a\x0c", "b\rc\u2028d", ""]


def test_the_regex_chunker_numbers_lines_as_tree_sitter_does() -> None:
    """A form feed (``^L`` page breaks in GNU sources) or a lone carriage return was a line
    break to ``str.splitlines``: every later symbol was a line off, or past the file's last
    line, and the index then dropped all of the file's symbols with a warning."""
    chunker = RegexChunker()
    less = ".first {\n  color: red;\n}\n\x0c\n.second {\n  color: blue;\n}\n"
    assert [(c.name, c.start) for c in chunker.chunk("s.less", less, "less")] == [
        ("first", 1),
        ("second", 5),
    ]
    crlf = less.replace("\n", "\r\n")
    assert [(c.name, c.start, c.end) for c in chunker.chunk("s.less", crlf, "less")] == [
        ("first", 1, 4),
        ("second", 5, 7),
    ]
    cobol = "       PROCEDURE DIVISION.\r       MAIN-PARA.\r           DISPLAY 'HI'.\r"
    for found in chunker.chunk("c.cbl", cobol, "cobol"):
        assert found.end <= cobol.count("\n") + 1


def test_a_skim_shows_the_lines_the_chunks_name_after_a_form_feed() -> None:
    text = "import os\n\x0c\ndef first():\n    return 1\n\x0c\ndef second():\n    return 2\n"
    second = Chunk("function", "second", "second", 6, 7, "def second():")
    assert text.split("\n")[5] == "def second():"  # tree-sitter's line 6
    skim = skim_text(text, [{"Start": 6, "End": 7}], [second])
    assert skim == "def second():\n    return 2\n"


def test_a_symbols_body_matches_are_on_the_lines_the_chunks_name() -> None:
    """Matched terms were found on ``str.splitlines`` lines: after a form feed, a term used
    on a symbol's last line counted for the next symbol."""
    text = "\x0c\ndef first():\n    return retry()\ndef second():\n    pass\n"
    assert symbols._term_lines(text, {"retry"}) == {"retry": [3]}


# -- out of memory ---------------------------------------------------------------------


def test_running_out_of_memory_is_one_line_not_an_internal_error(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    def exhausted(*args: object, **kwargs: object) -> None:
        raise MemoryError

    root = write_repo(tmp_path / "r", {"src/a.py": "def a():\n    pass\n"})
    monkeypatch.setattr(FileProcessor, "process", exhausted)
    result = run_atlas("--root", str(root), "index")
    assert result.code == 1, result.stderr
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1 and lines[0].startswith("atlas: error: out of memory"), lines
