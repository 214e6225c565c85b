"""display_path makes any walked path printable on one line, and only that."""

from __future__ import annotations

import os

from atlas_core.paths import display_path


def test_plain_and_unicode_paths_are_unchanged() -> None:
    for rel in ("src/a.py", "with space.py", "unicode_日本.py", "emoji_🎉.py", "back\\slash"):
        assert display_path(rel) == rel


def test_undecodable_bytes_show_as_hex_escapes() -> None:
    rel = os.fsdecode(b"dir\xff/caf\xe9.py")
    assert rel == "dir\udcff/caf\udce9.py"
    assert display_path(rel) == "dir\\xff/caf\\xe9.py"
    assert display_path(rel).encode("utf-8")  # printable and encodable


def test_control_characters_cannot_break_a_line_or_drive_a_terminal() -> None:
    assert display_path("new\nline.py") == "new\\nline.py"
    assert display_path("tab\there\r") == "tab\\there\\r"
    assert display_path("ctrl\x1b[31m.py") == "ctrl\\x1b[31m.py"
    assert display_path("rtl\u202eyp.exe") == "rtl\\u202eyp.exe"
    for rel in ("a\nb", "\x00\x7f\x85", os.fsdecode(b"\x80\xff")):
        assert display_path(rel).isprintable()
