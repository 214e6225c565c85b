"""Words a task writes apart that code writes as one name: "retry policy" is ``RetryPolicy``,
"follow redirects" is ``follow_redirects``, "back off" is ``backoff``.

The index keeps every identifier whole as well as split (:mod:`atlas_core.terms`), so the
joined term of two or three adjacent words finds exactly the files that name the idea as
one identifier, a phrase match the split words cannot make. A joined term the index does not
hold costs one dictionary look-up and scores nothing.
"""

from __future__ import annotations

import re

from atlas_core.terms import STOP_WORDS, stem

__all__ = ["phrase_terms"]

#: stop words that join another word into a name: ``setUp``, ``timeout``, ``backoff``
#: ("in" and "on" are left out: "branches in" is not ``branchesin``, "in active" not
#: ``inactive``)
_PARTICLES = frozenset({"up", "out", "down", "off"})
#: a run of words with nothing but spaces between them (punctuation ends a phrase); it
#: starts only at a word's first letter and never gives letters back, so a long word with
#: no space after it fails once, not once per letter (linear time)
_RUN = re.compile(r"(?<![A-Za-z])[A-Za-z]++(?:[ \t]++[A-Za-z]++)+")
_LONGEST = 3  # words per phrase at most
_LONGEST_WORD = 40  # a longer "word" is a pasted blob, not part of a name
_MAX_TEXT = 20_000  # characters of the task read for phrases


def phrase_terms(text: str) -> list[str]:
    """The joined terms of every two and three adjacent plain words of ``text`` (as the index
    writes a joined identifier: lower case, plural folded), each once, in order."""
    found: dict[str, None] = {}
    for run in _RUN.finditer(text[:_MAX_TEXT]):
        words = run.group().lower().split()
        for i in range(len(words) - 1):
            for n in range(2, _LONGEST + 1):
                part = words[i : i + n]
                if len(part) < n or not all(_joinable(w) for w in part):
                    break
                found.setdefault(stem("".join(part)))
    return list(found)


def _joinable(word: str) -> bool:
    return 1 < len(word) <= _LONGEST_WORD and (word not in STOP_WORDS or word in _PARTICLES)
