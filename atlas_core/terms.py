"""The code tokenizer shared by indexing and queries.

Identifiers are split at camelCase, PascalCase, snake_case, kebab-case and digit
boundaries and lowercased; the whole identifier is kept as a term too, so
``HealthCheck``, ``health_check`` and "health check" all meet. Stop words and one-letter
parts are dropped and a light plural stemmer folds ``retries`` into ``retry``.

Words of every script are terms too. A token holding non-ASCII characters (normalised to
NFC) is cut into runs by script: its ASCII identifiers give the terms ASCII text gives; a
Latin word with accents gives the terms of its accent-folded form (``données_table`` as
``donnees_table``: ``donnee``, ``table``, ``donneestable``, so a French task meets ASCII
names) and the word itself, casefolded (``données``); a word of another script with
spaces between words (Greek, Cyrillic, Arabic...) gives its casefolded parts, cut at
camel-case humps, and the whole word; a run of a script written without spaces (Han,
kana, Hangul, Thai...) gives its overlapping bigrams (``登录错误``: ``登录``, ``录错``,
``错误``), as Lucene's CJK analyzer does, so a task's bigram meets the same bigram in the
code. Pure-ASCII text gives exactly the terms it gave before.

For reading names of every script in a task: :func:`name_shape` writes a text's letters as
ASCII ones of their case (patterns written for ASCII names then match names of any script),
:func:`whole_terms` gives the terms that stand for a name whole, in any letter case (what the
index is asked for a name), and :func:`script_pieces` cuts a name where a script written
without spaces meets another.
"""

from __future__ import annotations

import re
import unicodedata
from collections import Counter
from functools import lru_cache

__all__ = [
    "IDENT",
    "IDENT_BYTES",
    "STOP_WORDS",
    "TERMS_VERSION",
    "TOKEN_SEPARATORS",
    "blank_encoded_data",
    "count_terms",
    "identifier_terms",
    "is_encoded_data",
    "name_shape",
    "script_pieces",
    "shape_groups",
    "split_identifier",
    "tokenize",
    "whole_terms",
]

#: bump whenever the terms of a text change: indexes are rebuilt
TERMS_VERSION = 4

#: identifiers (``[A-Za-z_][A-Za-z0-9_]*``, kebab-case joined) and numbers of two or more
#: digits. Written to start with one character class, which lets the regex engine skip
#: other characters quickly; the same matches as ``[A-Za-z_]...|[0-9]{2,}`` (tested)
IDENT = _IDENT = re.compile(
    r"[A-Za-z0-9_](?:(?<=[A-Za-z_])[A-Za-z0-9_]*(?:-[A-Za-z][A-Za-z0-9_]*)*|(?<=[0-9])[0-9]+)"
)
#: :data:`IDENT` for ASCII bytes
IDENT_BYTES = re.compile(IDENT.pattern.encode("ascii"))
#: a ``bytes.translate`` table that turns every ASCII byte an identifier cannot hold
#: (anything but ``[A-Za-z0-9_-]``) into a space and keeps the bytes 0x80 and up (the UTF-8
#: of non-ASCII characters): the ``split()`` of the result are the tokens of a text, the
#: runs that hold its identifiers and its words of other scripts
TOKEN_SEPARATORS = bytes(
    c if c >= 0x80 or chr(c) in "-_" or chr(c).isalnum() else 0x20 for c in range(256)
)
#: the tokens of a text (see :data:`TOKEN_SEPARATORS`) as characters
_TOKEN = re.compile(r"[A-Za-z0-9_\-\x80-\U0010ffff]+")
#: the runs of identifier characters of an accent-folded Latin word
_ASCII_RUN = re.compile(r"[A-Za-z0-9_\-]+")
#: starts only at the first letter of a run: from a later one the letters run to the same
#: end and fail the same way, and retrying every one took quadratic time on a long name
_ALNUM_WORD = re.compile(r"(?<![A-Za-z])[A-Za-z]++[0-9]+(?![a-z])")
_PARTS = re.compile(r"[A-Z]+(?=[A-Z][a-z])|[A-Z]?[a-z]+|[A-Z]+|[0-9]+")

#: encoded data, not words: a run of hexadecimal digits holding digits and letters (hashes,
#: UUIDs, checksums), or a run of 40 characters or more with many one-character parts
#: (base64: embedded images, certificates, source maps; ``testH2ToH1ChunkedResponseServeH1``
#: is shorter, ``x509v3KeyUsageExtension`` has three). A blob is found by one such run and
#: then blanked whole (:func:`blank_encoded_data`)
_HEX_RUN = re.compile(rb"(?=[0-9a-fA-F-]*[0-9])(?=[0-9a-fA-F-]*[a-fA-F])[0-9a-fA-F-]+")
_PARTS_BYTES = re.compile(rb"[A-Z]+(?=[A-Z][a-z])|[A-Z]?[a-z]+|[A-Z]+|[0-9]+")
_HEX_MIN = 24
_ENCODED_MIN = 40
_SINGLES_MIN = 6
#: a span base64 may fill (``+`` and ``/`` separate tokens, so a blob is many of them)
_BASE64_SPAN = re.compile(rb"[A-Za-z0-9+/]{64,}={0,2}")
_HEX_MIN = 24
_FRAGMENTS_MIN = 20
_FRAGMENT_CHARS = 2.5

STOP_WORDS = frozenset(
    """
    a an and are as at be but by for from has have in into is it its of on or that the
    their then there these this to was were will with we you your our not no can do does if
    else elif when while so than too very via per all any each some such only own same
    should would could may might must shall also just more most other out over under up
    down off again further once here why how what which who whom where been being had
    having did doing i me my he she they them his her self def return import from func fn
    function var let const pub use mod package end begin new null nil none true false void
    """.split()
)

# words that end in "s" but are not plurals
_KEEP_S = frozenset(
    """
    status class alias bias axis basis analysis process access address progress express
    canvas atlas redis kubernetes https http tls ssl dns gas plus minus bus has was is its
    this thus always news series species lens
    """.split()
)


@lru_cache(maxsize=1 << 18)  # bounded: a long-lived process indexes again and again
def stem(word: str) -> str:
    """Fold plural endings: ``retries`` -> ``retry``, ``headers`` -> ``header``."""
    if len(word) <= 3 or word in _KEEP_S or not word.endswith("s"):
        return word
    if word.endswith("ies") and len(word) > 4:
        return word[:-3] + "y"
    if word.endswith(("sses", "xes", "ches", "shes", "zes")):
        return word[:-2]
    if word.endswith(("ss", "us", "is")):
        return word
    return word[:-1]


def is_encoded_data(run: bytes) -> bool:
    """Whether a run of identifier characters (see :data:`TOKEN_SEPARATORS`) is encoded
    data rather than words: its parts would be random fragments that match nothing a task
    says, and a file of base64 would add millions of them to the index."""
    if len(run) < _HEX_MIN or not run.isascii():
        # a run holding other characters is words: hashes and base64 are ASCII (the
        # ASCII pieces of such a run are tested one by one: :func:`split_identifier`)
        return False
    if _HEX_RUN.fullmatch(run):
        return True
    if len(run) < _ENCODED_MIN:
        return False
    parts = _PARTS_BYTES.findall(run)
    singles = sum(1 for part in parts if len(part) == 1)
    return singles >= _SINGLES_MIN and 4 * singles >= len(parts)


def blank_encoded_data(data: bytes) -> bytes:
    """``data`` with its base64 spans of 64 characters or more blanked, where the span is
    encoded data (:func:`is_encoded_data`): all of a blob's tokens go, the short ones too."""

    def blank(match: re.Match[bytes]) -> bytes:
        span = match.group()
        return b" " * len(span) if is_encoded_data(span.translate(None, b"+/=")) else span

    return _BASE64_SPAN.sub(blank, data)


def split_identifier(ident: str) -> tuple[str, ...]:
    """:func:`identifier_terms` without its cache (indexing keeps its own table).

    ``ident`` is an ASCII identifier, or a token holding non-ASCII characters (see the
    module's docstring)."""
    if ident.isascii() and (
        (ident.isalpha() and (ident.islower() or ident.isupper() or ident[1:].islower()))
        or ident.isdigit()
    ):
        # one part as it is (word, WORD, Word, 123), as most identifiers: no regex needed
        word = ident.lower()
        return (stem(word),) if len(word) > 1 and word not in STOP_WORDS else ()
    if not ident.isascii():
        return _unicode_terms(ident)
    parts = [p.lower() for p in _PARTS.findall(ident)]
    out = [stem(p) for p in parts if len(p) > 1 and p not in STOP_WORDS]
    if len(parts) > 2 and any(map(str.isdigit, ident)):
        # keep letter+digit words whole too: utf8, http2, sha256
        out.extend(w.lower() for w in _ALNUM_WORD.findall(ident))
    if len(parts) > 1:
        whole = "".join(parts)
        if whole not in STOP_WORDS:
            out.append(stem(whole))
    return tuple(out)


#: terms of one identifier: its parts, then the whole identifier joined
identifier_terms = lru_cache(maxsize=1 << 18)(split_identifier)


def count_terms(text: str) -> Counter[str]:
    """Term frequencies of a text (each distinct identifier is split once)."""
    counts: Counter[str] = Counter()
    for ident, n in Counter(_identifiers(text)).items():
        for term in identifier_terms(ident) if ident.isascii() else _unicode_terms(ident):
            counts[term] += n
    return counts


def tokenize(text: str) -> list[str]:
    """Terms of a text in order, duplicates kept (used for queries). A token holding
    non-ASCII characters is split each time (not cached: a line of Chinese is one token,
    rarely met twice)."""
    out: list[str] = []
    for ident in _identifiers(text):
        out.extend(identifier_terms(ident) if ident.isascii() else _unicode_terms(ident))
    return out


def _identifiers(text: str) -> list[str]:
    """The ASCII identifiers of a text and, whole, its tokens holding other characters."""
    if text.isascii():
        return _IDENT.findall(text)
    out: list[str] = []
    for token in _TOKEN.findall(text):
        if token.isascii():
            out += _IDENT.findall(token)
        else:
            out.append(token)
    return out


# -- words of every script

#: the kinds of characters in a token: not a word character, an ASCII identifier
#: character, a letter of the Latin script, of another script written with spaces between
#: words, of a script written without them, a combining mark (it joins the letter before)
_SEP, _ASCII, _LATIN, _WORD, _SPACELESS, _MARK = range(6)
#: the blocks of the scripts written without spaces: Thai, Lao, Myanmar, Hangul Jamo,
#: Khmer, ideographic iteration marks, kana, Bopomofo and Hangul compatibility Jamo, CJK
#: ideographs (extension A, unified), Hangul Jamo extended A, Hangul syllables and Jamo
#: extended B, CJK compatibility ideographs, halfwidth kana and Hangul, kana supplements,
#: CJK ideographs of the supplementary planes
_SPACELESS_BLOCKS = (
    (0x0E00, 0x0EFF),
    (0x1000, 0x109F),
    (0x1100, 0x11FF),
    (0x1780, 0x17FF),
    (0x3005, 0x3007),
    (0x3040, 0x31FF),
    (0x3400, 0x4DBF),
    (0x4E00, 0x9FFF),
    (0xA960, 0xA97F),
    (0xAC00, 0xD7FF),
    (0xF900, 0xFAFF),
    (0xFF66, 0xFFDC),
    (0x1B000, 0x1B16F),
    (0x20000, 0x3FFFF),
)
#: each character's kind, as met (ASCII from the start)
_KINDS: dict[str, int] = {
    chr(c): _ASCII if chr(c) in "-_" or chr(c).isalnum() else _SEP for c in range(128)
}
#: Latin letters that do not decompose into a letter and accents (a capital ligature as
#: it starts a word: ``Œuvre`` is one part, ``oeuvre``)
_UNACCENTED = str.maketrans(
    {
        "\u00df": "ss",  # sharp s
        "\u1e9e": "SS",
        "\u00e6": "ae",
        "\u00c6": "Ae",
        "\u0153": "oe",
        "\u0152": "Oe",
        "\u00f8": "o",  # o with stroke
        "\u00d8": "O",
        "\u0142": "l",  # l with stroke
        "\u0141": "L",
        "\u0111": "d",  # d with stroke
        "\u0110": "D",
        "\u00f0": "d",  # eth
        "\u00d0": "D",
        "\u00fe": "th",  # thorn
        "\u00de": "Th",
        "\u0131": "i",  # dotless i
        "\u0127": "h",  # h with stroke
        "\u0126": "H",
    }
)


def _kind_of(char: str) -> int:
    """The kind of a non-ASCII character (see ``_KINDS``)."""
    category = unicodedata.category(char)
    if category[0] == "M":
        return _MARK
    if category[0] != "L":
        return _SEP  # punctuation, symbols, spaces, digits of other scripts, U+FFFD
    code = ord(char)
    if any(lo <= code <= hi for lo, hi in _SPACELESS_BLOCKS):
        return _SPACELESS
    return _LATIN if unicodedata.name(char, "").startswith("LATIN ") else _WORD


def _runs(token: str) -> list[tuple[int, str]]:
    """(kind, text) of each run of word characters of ``token``: ASCII identifier
    characters and Latin letters make one run (``_LATIN``), marks join the run before them."""
    kinds = _KINDS
    runs: list[tuple[int, str]] = []
    current, start = _SEP, 0
    for at, char in enumerate(token):
        kind = kinds.get(char)
        if kind is None:
            kind = kinds[char] = _kind_of(char)
        if kind == _ASCII:
            kind = _LATIN
        elif kind == _MARK:
            kind = current
        if kind != current:
            if current != _SEP:
                runs.append((current, token[start:at]))
            current, start = kind, at
    if current != _SEP:
        runs.append((current, token[start:]))
    return runs


def _humps(word: str) -> list[str]:
    """``word`` cut before each capital that follows a small letter (camelCase)."""
    parts: list[str] = []
    start = 0
    for at in range(1, len(word)):
        if word[at].isupper() and word[at - 1].islower():
            parts.append(word[start:at])
            start = at
    parts.append(word[start:])
    return parts


def _folded(word: str) -> str:
    """Casefolded and in NFC (casefolding may leave a text that is not)."""
    return unicodedata.normalize("NFC", word.casefold())


def _latin_terms(run: str) -> list[str]:
    """Terms of a run of ASCII identifier characters and Latin letters: those of the
    identifiers of its accent-folded form (ASCII: the run's own, as ever), then its words
    that hold accented letters, casefolded."""
    accented = not run.isascii()
    out: list[str] = []
    for ident in _latin_identifiers(run):
        out.extend(identifier_terms(ident))
    if accented:
        for letters in _NOT_LETTERS.split(run):
            for part in _humps(letters):
                word = _folded(part)
                if len(word) > 1 and not word.isascii():
                    out.append(word)
    return out


def _latin_identifiers(run: str) -> list[str]:
    """The ASCII identifiers of a run of ASCII identifier characters and Latin letters,
    accent-folded (ASCII: the run's own), leaving out encoded data."""
    if run.isascii():
        pieces = [run]
    else:
        bare = "".join(
            c for c in unicodedata.normalize("NFD", run) if unicodedata.category(c)[0] != "M"
        )
        pieces = _ASCII_RUN.findall(bare.translate(_UNACCENTED))
    return [
        ident
        for piece in pieces
        if not is_encoded_data(piece.encode("ascii"))
        for ident in _IDENT.findall(piece)
    ]


#: what cuts a Latin run into words: ASCII digits, "_" and "-"
_NOT_LETTERS = re.compile(r"[0-9_\-]+")


def _word_terms(run: str) -> list[str]:
    """Terms of a word of a script written with spaces (Greek, Cyrillic...): its parts at
    camel-case humps, casefolded, then the whole word when it has several."""
    parts = [_folded(part) for part in _humps(run)]
    out = [part for part in parts if len(part) > 1]
    if len(parts) > 1:
        out.append("".join(parts))
    return out


def _unicode_terms(token: str) -> tuple[str, ...]:
    """The terms of a token holding non-ASCII characters (see the module's docstring)."""
    out: list[str] = []
    for kind, run in _runs(unicodedata.normalize("NFC", token)):
        if kind == _LATIN:
            out += _latin_terms(run)
        elif kind == _WORD:
            out += _word_terms(run)
        else:
            out += _bigrams(run)
    return tuple(out)


def _bigrams(run: str) -> list[str]:
    """The overlapping pairs of characters of a run of a script written without spaces
    (the run itself when it is one character); a character's marks stay with it (Thai)."""
    chars: list[str] = []
    for char in run:
        if _KINDS[char] == _MARK and chars:
            chars[-1] += char
        else:
            chars.append(char)
    if len(chars) == 1:
        return chars
    return [chars[k] + chars[k + 1] for k in range(len(chars) - 1)]


# -- names of every script, as tasks write them


def whole_terms(name: str) -> tuple[str, ...]:
    """The terms that stand for a name holding non-ASCII characters whole, the same for
    every spelling of it in another letter case: for each run of ASCII and Latin letters,
    the joined term of each identifier of its accent-folded form (``calculer_équilibre``:
    ``calculerequilibre``); for each word of another script written with spaces, the word
    casefolded (``ПолучитьДанные``: ``получитьданные``); for a script written without
    spaces, its bigrams. Text whose terms include ``name``'s holds every one of them."""
    out: list[str] = []
    for kind, run in _runs(unicodedata.normalize("NFC", name)):
        if kind == _LATIN:
            for ident in _latin_identifiers(run):
                whole = stem("".join(_ASCII_ALNUM.findall(ident)).lower())
                if whole in identifier_terms(ident):
                    out.append(whole)
        elif kind == _WORD:
            word = _folded(run)
            if len(word) > 1:
                out.append(word)
        else:
            out += _bigrams(run)
    return tuple(dict.fromkeys(out))


_ASCII_ALNUM = re.compile(r"[A-Za-z0-9]+")


def script_pieces(name: str) -> list[tuple[str, bool]]:
    """``name`` cut where the letters of a script written without spaces (Han, kana,
    Hangul, Thai...) meet letters or digits of another, each piece with whether its
    letters are of such a script: prose in those scripts runs into the names it mentions
    (``调用getData时``: ``调用``, ``getData``, ``时``)."""
    if name.isascii():
        return [(name, False)]
    kinds = _KINDS
    pieces: list[tuple[str, bool]] = []
    start, side = 0, None  # whether the piece's letters are of a script without spaces
    for at, char in enumerate(name):
        kind = kinds.get(char)
        if kind is None:
            kind = kinds[char] = _kind_of(char)
        if kind in (_SEP, _MARK) or (kind == _ASCII and not char.isalnum()):
            continue
        spaceless = kind == _SPACELESS
        if side is not None and spaceless != side:
            pieces.append((name[start:at], side))
            start = at
        side = spaceless
    pieces.append((name[start:], bool(side)))
    return pieces


class _StandIns(dict[int, int]):
    """Each character's stand-in in :func:`name_shape`, as met (ASCII as it is)."""

    def __missing__(self, code: int) -> int:
        stand_in = self[code] = _stand_in(chr(code))
        return stand_in


def _stand_in(char: str) -> int:
    category = unicodedata.category(char)
    if category in ("Lu", "Lt"):
        return ord("X")
    if category[0] == "L" or category == "Nl":
        return ord("x")
    if category == "Nd" or (category in ("Mn", "Mc") and not _is_variation_selector(char)):
        return ord("0")
    if category == "Pc":
        return ord("_")
    return ord(char)


def _is_variation_selector(char: str) -> bool:
    """An emoji's presentation selector (a mark, but it joins no name: ``♻️``)."""
    return "\ufe00" <= char <= "\ufe0f" or "\U000e0100" <= char <= "\U000e01ef"


_STAND_INS = _StandIns((c, c) for c in range(128))


def name_shape(text: str) -> str:
    """``text`` with each character a name of another script may hold written as an ASCII
    one of its kind: a capital letter as ``X``, any other letter as ``x``, a digit or a
    combining mark as ``0``, a connector as ``_`` (everything else, ASCII too, as it is).
    A pattern written for ASCII names (``[A-Za-z_]\\w*``, ``[a-z]+[A-Z]``) run over the
    shape finds names of every script as Python's ``str.isidentifier`` reads them, with
    their case; the shape has the text's length, so a match's span slices the name from
    ``text``. ASCII text is its own shape (the same object)."""
    return text if text.isascii() else text.translate(_STAND_INS)


def shape_groups(match: re.Match[str], text: str) -> tuple[str | None, ...]:
    """``match.groups()`` of a match on the :func:`name_shape` of ``text``, as ``text``
    writes them."""
    if match.string is text:
        return match.groups()
    spans = (match.span(g) for g in range(1, match.re.groups + 1))
    return tuple(None if start < 0 else text[start:end] for start, end in spans)
