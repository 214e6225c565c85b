"""Is this value a real credential? Judging a candidate that a secret pattern found.

A pattern in :mod:`atlas_core.output.secrets` finds *where* a secret could be (``password: ...``,
``scheme://user:...@host``); the functions here judge *what* was found: a reference to a
secret kept elsewhere (``${DB_PASSWORD}``, ``%(pw)s``, ``{{ vault_pw }}``), a placeholder
or documentation value (``changeme``, ``password123``, ``<token>``, ``xxxx``), a name or
phrase, or something that looks like a credential.
"""

from __future__ import annotations

import math
import re
import string
from collections import Counter
from functools import lru_cache
from urllib.parse import unquote

__all__ = [
    "app_password",
    "credential_like",
    "generated",
    "placeholder",
    "reference",
]

# -- references to a secret kept elsewhere ---------------------------------------------

_REFERENCE = re.compile(
    r"\$\{|\$\(|^\$[A-Za-z_]|\{\{|\{%|<%|%\(\w+\)[a-z]|%[sdrvq]\b|^%\w+%$|<[^<>]*>|"
    r"^\[.*\]$|^\{|^ENC\[|^(?:vault|op|sm|gcpsm|awssm|ref|secret|env|file)://|^arn:aws:|"
    r"^[!&|>]|^\*[A-Za-z]|process\.env|os\.environ|getenv\(|ENV\[|ENV\.fetch|"
    r"\bsecrets\.[A-Za-z_]|System\.getenv|-----BEGIN"
)
_LITERALS = frozenset(
    "true false yes no on off null none nil undefined ~ empty n/a na unset disabled".split()
)


def reference(value: str) -> bool:
    """A value that names a secret rather than holding one (variable, template, path)."""
    return (
        bool(_REFERENCE.search(value))
        or value.lower() in _LITERALS
        or value.startswith(("/", "./", "../", "~/", "http://", "https://", "file:"))
    )


# -- placeholders and documentation values ---------------------------------------------

#: words a placeholder is made of: ``changeme``, ``my-secret-password``, ``test_api_key``
_VOCABULARY = frozenset(
    """
    password passwd passw pass pwd pw passphrase secret secrets sekret token tokens key keys
    apikey api access auth credential credentials cred creds login logon signin
    my your our the a an some any this that these for to of and with be is it me in
    super very top mega ultra strong weak safe secure security insecure unsafe
    example examples sample samples dummy fake mock mocked test tests testing tester tst
    placeholder change changeme replace insert enter put fill set please required here
    default defaults demo demos admin administrator root user users username usr guest
    foo bar baz qux quux foobar hunter letmein qwerty hello world welcome trustno
    dev devel develop development local localhost localdev prod production staging stage
    not real none null nil empty undefined redacted hidden masked private public hide
    db database postgres postgresql pg psql mysql mariadb redis mongo mongodb rabbit
    rabbitmq amqp sql sa app application service svc server client proxy web site
    value values random string str x xx xxx todo fixme tbd later
    scott tiger alice bob carol dave eve mallory john jane doe smith tom jerry
    github gitlab npm pypi docker slack aws gcp azure registry deploy deployer ci bot
    name new old get env var variable sk pk wrong bad good right correct valid invalid
    bearer basic jwt hash salt pepper abc abcd abcdef xyz one two three word phrase
    """.split()
)
_LEET = str.maketrans("0134578@$", "oieastbas")
_ROWS = ("abcdefghijklmnopqrstuvwxyz", "0123456789", "qwertyuiop", "asdfghjkl", "zxcvbnm")
_ENV_NAME = re.compile(r"[A-Z][A-Z0-9]*(?:_[A-Z0-9]+)+")  # YOUR_API_KEY, DB_PASSWORD
_MASK = re.compile(r"(?i)xxx|\*\*\*|\.\.\.|•••|…")
_TEST_MODE_KEY = re.compile(r"(?i)^(?:sk|pk|rk)_test_")


@lru_cache(maxsize=4096)
def _segments(word: str) -> bool:
    """``word`` splits into vocabulary words (``mysecretpassword``)."""
    if not word:
        return True
    return any(
        word[:end] in _VOCABULARY and _segments(word[end:])
        for end in range(min(len(word), 16), 0, -1)
    )


def _run(word: str) -> bool:
    """``abcd``, ``6789``, ``qwerty``: a run along the alphabet, digits or keyboard."""
    return len(word) >= 3 and any(word in row for row in _ROWS)


def _dummy_words(value: str, leet: bool) -> bool:
    separator = r"[^a-z0-9@$]+" if leet else r"[^a-z0-9]+"
    tokens = [t.strip(string.digits) for t in re.split(separator, value.lower())]
    tokens = [t.translate(_LEET) if leet else t for t in tokens if t]
    if not tokens:
        return True  # digits and punctuation only
    if any(not t.isalpha() for t in tokens):
        return False
    if all(_run(t) or _segments(t) for t in tokens):
        return True
    return _segments("".join(tokens))


def placeholder(value: str) -> bool:
    """A documentation or default value: ``changeme``, ``password123``, ``xxxx``, ``demo``."""
    if _MASK.search(value) or _TEST_MODE_KEY.match(value) or _ENV_NAME.fullmatch(value):
        return True
    if len(set(value.lower())) <= 3:
        return True  # aaaa, 0000, 1000:1000
    if _dummy_words(value, leet=False):
        return True
    # p@ssw0rd and s3cr3t are placeholders too, unless the whole reads as generated
    return _dummy_words(value, leet=True) and not generated(value)


# -- what a credential looks like ---------------------------------------------------------


def _entropy(text: str) -> float:
    counts = Counter(text)
    return -sum(c / len(text) * math.log2(c / len(text)) for c in counts.values())


def _classes(value: str) -> int:
    return (
        any(c.islower() for c in value)
        + any(c.isupper() for c in value)
        + any(c.isdigit() for c in value)
        + any(not c.isalnum() for c in value)
    )


def generated(value: str, length: int = 12, entropy: float = 3.5) -> bool:
    """A value that looks machine-made: long, three kinds of character, high entropy."""
    return len(value) >= length and _classes(value) >= 3 and _entropy(value) >= entropy


_APP_PASSWORD = re.compile(r"[a-z]{4}(?: [a-z]{4}){3}")
_WORDS = re.compile(r"(?:[a-z]+|[A-Z]+|[A-Z][a-z]+)(?:[-_. /:]+(?:[a-z]+|[A-Z]+|[A-Z][a-z]+))*")
_CAMEL_WORD = re.compile(r"[A-Z]?[a-z]+|[A-Z]+(?![a-z])")
_NAME_WITH_COUNT = re.compile(r"[A-Za-z]+[-_.]?0?1234[0-9]*")  # polar123456789


def _phrase(value: str) -> bool:
    """A name or phrase: ``orders-db``, ``X-API-Key``, ``IAmSensitive``, ``not for prod``."""
    if _WORDS.fullmatch(value):
        return True
    if not value.isalpha():
        return False
    # camelCase words, each with a vowel: generated letters rarely read like that
    words = _CAMEL_WORD.findall(value)
    vowels = sum(c in "aeiouyAEIOUY" for c in value)
    return vowels >= 0.3 * len(value) and all(any(c in "aeiouyAEIOUY" for c in w) for w in words)


def app_password(value: str) -> bool:
    """Four groups of four lowercase letters, as Google and others issue them."""
    return bool(_APP_PASSWORD.fullmatch(value)) and not placeholder(value)


def credential_like(value: str, fixtures: bool) -> bool:
    """Whether a literal value given to a secret's name is probably the real secret.

    :param fixtures: the value is in a test, a fixture, documentation or a template, where
        made-up values are the rule: only a value that looks generated counts there.
    """
    if re.search(r"%[0-9A-Fa-f]{2}", value):
        value = unquote(value)
    if len(value) < 8 or len(value) > 1024 or value != value.strip():
        return False
    if reference(value) or placeholder(value) or _NAME_WITH_COUNT.fullmatch(value):
        return False
    if fixtures:
        return generated(value)
    if app_password(value):
        return True
    return not _phrase(value) and _classes(value) >= 2
