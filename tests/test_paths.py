"""display_path makes any walked path printable on one line, reversibly and unambiguously;
parse_display_path and path_candidates read a shown path back."""

from __future__ import annotations

import os
import random
import sys

import pytest

from atlas_core.paths import display_path, display_text, parse_display_path, path_candidates


def test_plain_and_unicode_paths_are_unchanged() -> None:
    for rel in ("src/a.py", "with space.py", "unicode_日本.py", "emoji_🎉.py", "caf\u00e9.py"):
        assert display_path(rel) == rel
        assert parse_display_path(rel) == rel
        assert path_candidates(rel) == [rel]


def test_undecodable_bytes_show_as_hex_escapes() -> None:
    rel = os.fsdecode(b"dir\xff/caf\xe9.py")
    assert rel == "dir\udcff/caf\udce9.py"
    assert display_path(rel) == "dir\\xff/caf\\xe9.py"
    assert display_path(rel).encode("utf-8")  # printable and encodable


def test_control_characters_cannot_break_a_line_or_drive_a_terminal() -> None:
    assert display_path("new\nline.py") == "new\\nline.py"
    assert display_path("tab\there\r") == "tab\\there\\r"
    assert display_path("ctrl\x1b[31m.py") == "ctrl\\x1b[31m.py"
    assert display_path("nul\x00del\x7f") == "nul\\x00del\\x7f"
    assert display_path("rtl\u202eyp.exe") == "rtl\\u202eyp.exe"
    for rel in ("a\nb", "\x00\x7f\x85", os.fsdecode(b"\x80\xff")):
        assert display_path(rel).isprintable()


def test_a_backslash_is_doubled_so_no_two_paths_look_alike() -> None:
    byte = os.fsdecode(b"src/caf\xe9.py")  # the byte 0xE9
    literal = "src/caf\\xe9.py"  # a backslash, an x, an e and a 9
    assert display_path(byte) == "src/caf\\xe9.py"
    assert display_path(literal) == "src/caf\\\\xe9.py"
    assert display_path("back\\slash") == "back\\\\slash"
    # \xNN is an undecodable byte only from 80 up; other characters from 80 up are \uNNNN
    assert display_path("c1\x85\x9b") == "c1\\u0085\\u009b"
    assert display_path(os.fsdecode(b"b\x85")) == "b\\x85"
    assert display_path("nb\u00a0sp") == "nb\\u00a0sp"
    assert display_path("tag\U000e0001") == "tag\\U000e0001"


NAMES = [
    "src/a.py",
    "back\\slash",
    "two\\\\backslashes",
    "trailing\\",
    "src/caf\\xe9.py",
    "src/caf\\\\xe9.py",
    "x\\n",
    os.fsdecode(b"src/caf\xe9.py"),
    os.fsdecode(b"\x80\xff/\xc3"),
    "new\nline\r\t.py",
    "\x00\x01\x1b\x7f",
    "c1\x80\x85\x9f",
    "rtl\u202e\u2028\ufeff",
    "tag\U000e0001\U0010ffff",
    "\ud800 lone surrogate",
]


def test_the_shown_form_reads_back_and_names_one_path() -> None:
    shown = [display_path(rel) for rel in NAMES]
    assert len(set(shown)) == len(NAMES)
    for rel, text in zip(NAMES, shown, strict=True):
        assert text.isprintable() and text.encode("utf-8"), text
        assert parse_display_path(text) == rel, text
        assert path_candidates(text)[0] == rel, text


def _names(count: int) -> list[str]:
    """Every code point alone (surrogates included), and random names mixing them with the
    characters escaping treats specially."""
    special = "\\nrtxuU0e9/ .\n\t\x1b\x7f\udce9\udc80\u202e"
    rng = random.Random(16)
    names = [chr(code) for code in range(sys.maxunicode + 1)]
    for _ in range(count):
        names.append(
            "".join(
                rng.choice(special) if rng.random() < 0.6 else chr(rng.randrange(sys.maxunicode))
                for _ in range(rng.randrange(1, 12))
            )
        )
    return names


def test_any_name_reads_back() -> None:
    for rel in _names(20_000):
        text = display_path(rel)
        assert text.isprintable(), repr(rel)
        text.encode("utf-8")  # raises for a surrogate left over
        assert parse_display_path(text) == rel, repr(rel)
        assert path_candidates(text)[0] == rel, repr(rel)


def test_parsing_refuses_what_display_path_never_writes() -> None:
    for bad in ("a\\", "a\\q", "a\\x4", "a\\xzz", "a\\u12", "a\\U00110000"):
        with pytest.raises(ValueError, match="not a path as Atlas shows it"):
            parse_display_path(bad)
    assert parse_display_path("a\\x41") == "aA"  # below 80: that character


def test_candidates_put_the_file_a_shown_name_stands_for_first() -> None:
    byte = os.fsdecode(b"src/caf\xe9.py")
    # the shown name of the 0xE9 file is also a literal name: the shown file comes first
    assert path_candidates("src/caf\\xe9.py") == [byte, "src/caf\\xe9.py"]
    assert path_candidates("src/caf\\\\xe9.py") == ["src/caf\\xe9.py", "src/caf\\\\xe9.py"]
    # a literal name that is no shown form: itself first, then what it decodes to
    assert path_candidates("a\\x41.py") == ["a\\x41.py", "aA.py"]
    assert path_candidates("win\\dows.py") == ["win\\dows.py"]


def test_text_keeps_its_backslashes() -> None:
    assert display_text("fix C:\\src\\app.py") == "fix C:\\src\\app.py"
    assert display_text("two\nlines\x1b") == "two\\nlines\\x1b"
    assert display_text(os.fsdecode(b"caf\xe9")) == "caf\\xe9"
