"""Other forms of a task word: ``parsing`` also looks for ``parse``, ``parser`` and ``parsed``.

Tasks are written in prose ("fix caching of compressed responses") and code in names
(``Cache``, ``compress``, ``Compressor``). The index folds plurals only
(:func:`atlas_core.terms.stem`), so the two sides often share no term. This module makes
the forms a word's root takes with the common English endings; BM25F looks up the ones
the index holds and counts them at a lower weight than the word itself. Nothing is
merged in the index, so a word still matches itself at full weight.

Off by default (``[signals.bm25f] forms = 0``): measured on the commit tasks it costs more
first places than it gains (docs/quality.md, "Measured in round 11, not shipped").
"""

from __future__ import annotations

from functools import lru_cache

from atlas_core.terms import STOP_WORDS, stem

__all__ = ["word_forms"]

_VOWELS = frozenset("aeiou")
#: endings a root takes (``pars`` + ``ing``), tried on every root: inflections, and the
#: derivations that make nouns of verbs
_INFLECTIONS = ("", "e", "ing", "ed")
_DERIVATIONS = ("er", "or", "ion", "ation", "ment")
#: endings taken off to find a root, longest first (``validation`` -> ``valid``)
_STRIP_INFLECTIONS = ("ing", "ied", "ed", "e")
_STRIP_ALL = ("ation", "ment", "ing", "ion", "ied", "ed", "er", "or", "e")
#: the shortest root, and the shortest word given forms
_MIN_ROOT = 3
_MIN_FORM = 4


def _undoubled(root: str) -> str:
    """``runn`` -> ``run``, ``formatt`` -> ``format`` (``pass`` and ``call`` stay)."""
    if len(root) > _MIN_ROOT and root[-1] == root[-2] and root[-1] not in "lsz" + "aeiou":
        return root[:-1]
    return root


def _roots(word: str, strip: tuple[str, ...]) -> set[str]:
    """The roots ``word`` may come from: its first ending of ``strip`` taken off
    (``parsing`` -> ``pars``, ``parse``), or the word itself when it has none of them."""
    for ending in strip:
        if ending == "ed" and word.endswith("eed"):
            break  # need, speed: not a past tense
        if word.endswith(ending) and len(word) - len(ending) >= _MIN_ROOT:
            root = word[: -len(ending)]
            if ending == "ied":
                return {root + "y"}
            roots = {root, _undoubled(root)}
            if ending != "e":
                roots.add(root + "e")
            if ending == "ation":
                roots.add(root + "ate")
            return {r for r in roots if len(r) >= _MIN_ROOT}
    return {word}


def _doubles(root: str) -> bool:
    """Whether ``root`` doubles its last consonant before an ending (``run`` -> ``running``):
    consonant, vowel, consonant at its end, and short."""
    return (
        len(root) <= 6
        and len(root) >= 3
        and root[-1] not in _VOWELS
        and root[-1] not in "wxy"
        and root[-2] in _VOWELS
        and root[-3] not in _VOWELS
    )


@lru_cache(maxsize=1 << 14)
def word_forms(word: str, derived: bool = True) -> tuple[str, ...]:
    """The other forms of ``word`` (a task term as :func:`atlas_core.terms.tokenize` gives
    it) that the common English endings make: ``parsing`` gives ``parse``, ``parsed`` and,
    when ``derived``, ``parser``... (as indexed terms, so plurals folded). Words shorter than
    four letters, stop words and words with digits have none."""
    if len(word) < _MIN_FORM or not word.isalpha() or word in STOP_WORDS:
        return ()
    forms: set[str] = set()
    endings = _INFLECTIONS + _DERIVATIONS if derived else _INFLECTIONS
    for root in _roots(word, _STRIP_ALL if derived else _STRIP_INFLECTIONS):
        if stem(root) == root:  # ``pars`` is no word, and folding it gives ``par``
            forms.add(root)
        bases = [root[:-1]] if root.endswith("e") else [root]
        if _doubles(root):
            bases.append(root + root[-1])
        for base in bases:
            forms.update(stem(base + ending) for ending in endings[1:])
    forms.discard(word)
    return tuple(sorted(f for f in forms if len(f) >= _MIN_ROOT and f not in STOP_WORDS))
