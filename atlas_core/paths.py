"""Showing repository paths to people.

Walkers give names that are not valid UTF-8 as ``os.fsdecode`` does, with surrogate
escapes (``b"caf\\xe9.py"`` is ``"caf\\udce9.py"``). Such a string cannot be printed or
encoded as UTF-8, and a name may also hold a newline or other control character that
would break a line of output. :func:`display_path` is for showing a path only: keep the
original ``rel`` for anything that opens, stores or compares files.
"""

from __future__ import annotations

__all__ = ["display_path"]

_NAMED = {"\n": "\\n", "\r": "\\r", "\t": "\\t"}


def display_path(rel: str) -> str:
    """``rel`` made printable: an undecodable byte as ``\\xe9``, a control character as
    ``\\n``, ``\\t`` or ``\\x1b``; anything else unchanged."""
    if rel.isprintable():
        return rel
    out = []
    for ch in rel:
        code = ord(ch)
        if 0xDC80 <= code <= 0xDCFF:  # a byte os.fsdecode could not decode
            out.append(f"\\x{code - 0xDC00:02x}")
        elif ch in _NAMED:
            out.append(_NAMED[ch])
        elif not ch.isprintable() and ch != " ":
            out.append(f"\\x{code:02x}" if code < 0x100 else f"\\u{code:04x}")
        else:
            out.append(ch)
    return "".join(out)
