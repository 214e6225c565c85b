"""The code tokenizer shared by indexing and queries.

Identifiers are split at camelCase, PascalCase, snake_case, kebab-case and digit
boundaries and lowercased; the whole identifier is kept as a term too, so
``HealthCheck``, ``health_check`` and "health check" all meet. Stop words and one-letter
parts are dropped and a light plural stemmer folds ``retries`` into ``retry``.
"""

from __future__ import annotations

import re
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
    "split_identifier",
    "tokenize",
]

#: bump whenever the terms of a text change: indexes are rebuilt
TERMS_VERSION = 3

#: identifiers (``[A-Za-z_][A-Za-z0-9_]*``, kebab-case joined) and numbers of two or more
#: digits. Written to start with one character class, which lets the regex engine skip
#: other characters quickly; the same matches as ``[A-Za-z_]...|[0-9]{2,}`` (tested)
IDENT = _IDENT = re.compile(
    r"[A-Za-z0-9_](?:(?<=[A-Za-z_])[A-Za-z0-9_]*(?:-[A-Za-z][A-Za-z0-9_]*)*|(?<=[0-9])[0-9]+)"
)
#: :data:`IDENT` for ASCII bytes
IDENT_BYTES = re.compile(IDENT.pattern.encode("ascii"))
#: a ``bytes.translate`` table that turns every byte an identifier cannot hold (anything
#: but ``[A-Za-z0-9_-]``) into a space: the ``split()`` of the result are the runs that
#: hold a text's identifiers
TOKEN_SEPARATORS = bytes(
    c if chr(c) in "-_" or (chr(c).isascii() and chr(c).isalnum()) else 0x20 for c in range(256)
)
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
    if len(run) < _HEX_MIN:
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
    """:func:`identifier_terms` without its cache (indexing keeps its own table)."""
    if ident.isascii() and (
        (ident.isalpha() and (ident.islower() or ident.isupper() or ident[1:].islower()))
        or ident.isdigit()
    ):
        # one part as it is (word, WORD, Word, 123), as most identifiers: no regex needed
        word = ident.lower()
        return (stem(word),) if len(word) > 1 and word not in STOP_WORDS else ()
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
    for ident, n in Counter(_IDENT.findall(text)).items():
        for term in identifier_terms(ident):
            counts[term] += n
    return counts


def tokenize(text: str) -> list[str]:
    """Terms of a text in order, duplicates kept (used for queries)."""
    out: list[str] = []
    for ident in _IDENT.findall(text):
        out.extend(identifier_terms(ident))
    return out
