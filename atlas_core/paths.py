"""Showing repository paths to people, and reading the shown form back.

Walkers give names that are not valid UTF-8 as ``os.fsdecode`` does, with surrogate
escapes (``b"caf\\xe9.py"`` is ``"caf\\udce9.py"``). Such a string cannot be printed or
encoded as UTF-8, and a name may also hold a newline or other control character that
would break a line of output. :func:`display_path` is for showing a path only: keep the
original ``rel`` for anything that opens, stores or compares files.

The shown form is reversible: :func:`parse_display_path` gives the path back, and a
literal backslash is doubled, so ``caf\\xe9.py`` (the byte 0xE9) and ``caf\\\\xe9.py`` (a
name holding a backslash) never look alike. A path given back by a person or an agent may
be either the path itself or its shown form: :func:`path_candidates` lists what it may
name, best first.
"""

from __future__ import annotations

__all__ = ["display_path", "display_text", "parse_display_path", "path_candidates", "quoted_path"]

_NAMED = {"\\": "\\\\", "\n": "\\n", "\r": "\\r", "\t": "\\t"}
_UNNAMED = {"\\": "\\", "n": "\n", "r": "\r", "t": "\t"}
_HEX_DIGITS = {"x": 2, "u": 4, "U": 8}


def _escape(text: str, backslash: bool) -> str:
    out = []
    for ch in text:
        code = ord(ch)
        if ch in _NAMED and (backslash or ch != "\\"):
            out.append(_NAMED[ch])
        elif 0xDC80 <= code <= 0xDCFF:  # a byte os.fsdecode could not decode
            out.append(f"\\x{code - 0xDC00:02x}")
        elif ch.isprintable():
            out.append(ch)
        elif code < 0x80:  # C0 controls and DEL
            out.append(f"\\x{code:02x}")
        else:
            out.append(f"\\u{code:04x}" if code <= 0xFFFF else f"\\U{code:08x}")
    return "".join(out)


def display_path(rel: str) -> str:
    """``rel`` made printable and reversible (see :func:`parse_display_path`).

    A printable path without a backslash is shown as it is. Otherwise a backslash is shown
    as ``\\\\``, an undecodable byte as ``\\xe9`` (always 80 to ff), a control character
    below 0x80 as ``\\n``, ``\\r``, ``\\t`` or ``\\x1b``, and any other character that is not
    printable as ``\\u202e`` (``\\U000e0001`` beyond the 16-bit range).
    """
    if rel.isprintable() and "\\" not in rel:
        return rel
    return _escape(rel, backslash=True)


def quoted_path(rel: str) -> str:
    """``rel`` quoted for a message: ``'caf\\xe9.py'``, as :func:`display_path` shows it
    (``repr`` would show the undecodable byte as ``\\udce9``)."""
    return f"'{display_path(rel)}'"


def display_text(text: str) -> str:
    """Free text (a task, a message) made printable as :func:`display_path` would, but with
    its backslashes left as they are: for reading, not for reading back."""
    return text if text.isprintable() else _escape(text, backslash=False)


def parse_display_path(shown: str) -> str:
    """The path :func:`display_path` showed as ``shown``: the inverse of it.

    ``\\xNN`` is the byte NN when NN is 80 or more (as ``os.fsdecode`` gives it), else
    that character.

    :raises ValueError: for a backslash :func:`display_path` would not write (a lone
        trailing one, ``\\q``, ``\\x`` without two hex digits).
    """
    if "\\" not in shown:
        return shown
    out = []
    i, end = 0, len(shown)
    while i < end:
        ch = shown[i]
        if ch != "\\":
            out.append(ch)
            i += 1
            continue
        kind = shown[i + 1 : i + 2]
        if kind in _UNNAMED:
            out.append(_UNNAMED[kind])
            i += 2
            continue
        width = _HEX_DIGITS.get(kind)
        digits = shown[i + 2 : i + 2 + width] if width else ""
        if (
            not width
            or len(digits) != width
            or not all(c in "0123456789abcdefABCDEF" for c in digits)
        ):
            raise ValueError(f"not a path as Atlas shows it: bad escape at {i} in {shown!r}")
        code = int(digits, 16)
        if code > 0x10FFFF:
            raise ValueError(f"not a path as Atlas shows it: bad escape at {i} in {shown!r}")
        out.append(chr(0xDC00 + code if kind == "x" and code >= 0x80 else code))
        i += 2 + width
    return "".join(out)


def path_candidates(text: str) -> list[str]:
    """The paths ``text`` may name, best first: a path given back by a person or an agent
    may be the path itself or the form :func:`display_path` showed.

    When ``text`` is exactly how :func:`display_path` shows another path, that path comes
    first (so the shown name of ``caf<0xE9>.py``, ``caf\\xe9.py``, names it even beside a
    file literally called that, which is shown ``caf\\\\xe9.py``); otherwise ``text``
    itself, then what it decodes to, if anything.
    """
    try:
        parsed = parse_display_path(text)
    except ValueError:
        return [text]
    if parsed == text:
        return [text]
    return [parsed, text] if display_path(parsed) == text else [text, parsed]
