"""Git's wildmatch patterns (the glob language of ``.gitignore``) as Python regexes.

Git matches bytes, so these regexes are ``bytes`` patterns: ``?`` is one byte, as in git,
whatever the encoding of a name. The translation follows git's ``wildmatch()`` with
``WM_PATHNAME``: ``*``, ``?`` and brackets never match ``/``; ``**`` between slashes (or at
either end) matches across directories, elsewhere it is a plain ``*``; a backslash escapes
the next byte; ``[...]`` takes ranges, ``!`` or ``^`` negation and the POSIX classes git
knows, with git's ASCII definitions.

A backtracking regex engine takes exponential time on a pattern with many stars that
almost matches (``*a*a*a*a*a*b`` against a long name of ``a``, ``**/**/**/**/x`` against a
deep path), and an ignore file is input from the repository. So each star commits to the
leftmost place its following piece matches wherever that is sound (an atomic group), as
git's own matcher does by aborting early: a ``*`` followed by more of the same name, and a
``**/`` followed by whole directories and another ``**/``. Only the last star of a name and
the last ``**/`` search, and matching a path takes polynomial time in its length.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from typing import AnyStr, Generic

__all__ = ["ALL", "DIRS", "GIT", "SLASH", "STAR", "Pieces", "assemble", "translate"]


def _ranges(*spans: str) -> list[tuple[int, int]]:
    out = []
    for span in spans:
        out.append((ord(span[0]), ord(span[-1])))
    return out


_PUNCT = [(c, c) for c in b"!\"#$%&'()*+,-./:;<=>?@[\\]^_`{|}~"]
#: git's character classes (its own ASCII ctype: ``space`` is only space, tab, CR and LF)
_CLASSES: dict[bytes, list[tuple[int, int]]] = {
    b"alnum": _ranges("az", "AZ", "09"),
    b"alpha": _ranges("az", "AZ"),
    b"blank": _ranges(" ", "\t"),
    b"cntrl": [(0x00, 0x1F), (0x7F, 0x7F)],
    b"digit": _ranges("09"),
    b"graph": [(0x21, 0x7E)],
    b"lower": _ranges("az"),
    b"print": [(0x20, 0x7E)],
    b"punct": _PUNCT,
    b"space": _ranges(" ", "\t", "\n", "\r"),
    b"upper": _ranges("AZ"),
    b"xdigit": _ranges("09", "af", "AF"),
}


class _Invalid(Exception):
    """The pattern can never match (git aborts matching on it)."""


def translate(pattern: bytes) -> bytes | None:
    """The regex source (to use with ``re.DOTALL``, anchored at both ends by the caller)
    for ``pattern``, or None when git would never match it: a trailing backslash, an
    unclosed bracket or an unknown character class."""
    try:
        return assemble(_tokens(pattern), GIT)
    except _Invalid:
        return None


#: tokens: a regex for one character (one byte for git), or one of these markers
STAR = 0  # "*": any run within a name
DIRS = 1  # "**/": zero or more whole directories
ALL = 2  # a trailing "**": anything
SLASH = 3  # "/"


class Pieces(Generic[AnyStr]):
    """What :func:`assemble` builds a regex of: ``any`` is a run of anything, ``name`` a
    run within one name, ``dir`` one directory with its slash; the group syntax around them
    is made once, in the same type."""

    def __init__(self, slash: AnyStr, any_run: AnyStr, name_run: AnyStr, dir_: AnyStr) -> None:
        self.slash: AnyStr = slash
        self.empty: AnyStr = slash[:0]
        self.any: AnyStr = any_run
        self.name: AnyStr = name_run
        # "(?>", ")": an atomic group; "(?:", ")?": an optional one
        atomic, close, optional, maybe = (_like(slash, t) for t in ("(?>", ")", "(?:", ")?"))
        #: the leftmost run of whole directories before what follows, committed to
        self.dirs_open: AnyStr = atomic + optional + dir_ + _like(slash, ")*?")
        #: any run of directories, the last one searched
        self.dirs_last: AnyStr = optional + any_run + slash + maybe
        #: the leftmost run within a name before what follows, committed to
        self.name_open: AnyStr = atomic + name_run + _like(slash, "?")
        self.close: AnyStr = close


def _like(like: AnyStr, text: str) -> AnyStr:
    """``text`` (ASCII regex syntax) in the type of ``like``."""
    return text.encode("ascii") if isinstance(like, bytes) else text  # type: ignore[return-value]


#: git's: one path per string, matched with ``re.DOTALL``
GIT = Pieces(b"/", b".*", b"[^/]*", b"[^/]*/")


def _tokens(p: bytes) -> list[bytes | int]:
    out: list[bytes | int] = []
    i, n = 0, len(p)
    while i < n:
        c = p[i]
        if c == 0x5C:  # backslash
            if i + 1 >= n:
                raise _Invalid
            out.append(SLASH if p[i + 1] == 0x2F else re.escape(p[i + 1 : i + 2]))
            i += 2
        elif c == 0x3F:  # ?
            out.append(b"[^/]")
            i += 1
        elif c == 0x2A:  # *
            j = i
            while j < n and p[j] == 0x2A:
                j += 1
            at_start = i == 0 or p[i - 1] == 0x2F
            if j - i >= 2 and at_start and j == n:
                out.append(ALL)
            elif j - i >= 2 and at_start and p[j] == 0x2F:
                out.append(DIRS)
                j += 1
            elif j - i >= 2 and at_start and p[j : j + 2] == b"\\/":
                # "**\/": anything, then a slash; from a name's start, one or more directories
                out += [STAR, SLASH, DIRS]
                j += 2
            else:
                out.append(STAR)
            i = j
        elif c == 0x5B:  # [
            regex, i = _bracket(p, i)
            out.append(regex)
        elif c == 0x2F:
            out.append(SLASH)
            i += 1
        else:
            out.append(re.escape(p[i : i + 1]))
            i += 1
    return out


def assemble(tokens: Sequence[AnyStr | int], pieces: Pieces[AnyStr]) -> AnyStr:
    """The regex for a token list, in polynomial time on any path: each ``**/`` but the
    last commits to its leftmost match (the directories between are the next ``**/``'s),
    and so do stars within a name (see :func:`_name`); ``**/**/`` is one ``**/``."""
    chunks: list[list[AnyStr | int]] = [[]]
    for token in tokens:
        if token == DIRS:
            if chunks[-1] or len(chunks) == 1:
                chunks.append([])
        else:
            chunks[-1].append(token)
    out = [_path(chunks[0], pieces)]
    for k, chunk in enumerate(chunks[1:], start=2):
        if k < len(chunks):  # whole directories, then another "**/": the leftmost will do
            out += [pieces.dirs_open, _path(chunk, pieces), pieces.close]
        else:
            out += [pieces.dirs_last, _path(chunk, pieces)]
    return pieces.empty.join(out)


def _path(tokens: list[AnyStr | int], pieces: Pieces[AnyStr]) -> AnyStr:
    """Regex for tokens with no ``**/``: names joined by slashes."""
    names: list[list[AnyStr | int]] = [[]]
    for token in tokens:
        if token == SLASH:
            names.append([])
        else:
            names[-1].append(token)
    return pieces.slash.join(_name(name, pieces) for name in names)


def _name(tokens: list[AnyStr | int], pieces: Pieces[AnyStr]) -> AnyStr:
    """Regex for one name's tokens. A star with another star after it in the name takes
    the leftmost match of what lies between them (a later match would only leave more
    for the next star to take); the last star searches."""
    parts: list[list[AnyStr]] = [[]]  # what comes before the first star, then after each
    for token in tokens:
        if token == STAR:
            parts.append([])
        elif token == ALL:
            parts[-1].append(pieces.any)
        elif not isinstance(token, int):
            parts[-1].append(token)
    join = pieces.empty.join
    out = [join(parts[0])]
    for k, part in enumerate(parts[1:], start=2):
        if k < len(parts):
            out += [pieces.name_open, join(part), pieces.close]
        else:
            out += [pieces.name, join(part)]
    return join(out)


def _bracket(p: bytes, i: int) -> tuple[bytes, int]:
    """The regex for the bracket expression at ``p[i]``, and the index after it."""
    n = len(p)
    i += 1
    negated = i < n and p[i] in b"!^"
    if negated:
        i += 1
    spans: list[tuple[int, int]] = []
    prev: int | None = None
    first = True
    while True:
        if i >= n:
            raise _Invalid
        c = p[i]
        if c == 0x5D and not first:  # ]
            break
        first = False
        if c == 0x5C:
            if i + 1 >= n:
                raise _Invalid
            c = p[i + 1]
            spans.append((c, c))
            prev, i = c, i + 2
        elif c == 0x2D and prev is not None and i + 1 < n and p[i + 1] != 0x5D:  # a range
            i += 1
            hi = p[i]
            if hi == 0x5C:
                if i + 1 >= n:
                    raise _Invalid
                i += 1
                hi = p[i]
            if prev <= hi:
                spans.append((prev, hi))
            prev, i = None, i + 1
        elif c == 0x5B and p[i + 1 : i + 2] == b":":
            end = p.find(b"]", i + 2)
            if end < 0:
                raise _Invalid
            if end - (i + 2) < 1 or p[end - 1] != 0x3A:
                # no ":]": the "[" is an ordinary member
                spans.append((c, c))
                prev, i = c, i + 1
                continue
            name = p[i + 2 : end - 1]
            if name not in _CLASSES:
                raise _Invalid
            spans.extend(_CLASSES[name])
            prev, i = None, end + 1
        else:
            spans.append((c, c))
            prev, i = c, i + 1
    members = b"".join(
        b"\\x%02x" % lo if lo == hi else b"\\x%02x-\\x%02x" % (lo, hi) for lo, hi in spans
    )
    if negated:
        return b"[^/" + members + b"]", i + 1
    if not members:
        return b"(?!)", i + 1
    return b"(?!/)[" + members + b"]", i + 1
