"""Roles a task names in its title: "add tests for the retry policy", "docs: explain
presets", "fix the CI workflow".

The path prior ranks tests, docs and build files well below implementation, which is right
for most tasks. When the title asks for one of those kinds of file, the path signal demotes
that role less (:class:`atlas_core.rank.path.PathHeuristic`). Only the title counts: the
body of a bug report mentions tests and docs in passing ("the test suite passes"), and the
first line of a task says what it is about.
"""

from __future__ import annotations

import re

from atlas_core.rank.task import task_title

__all__ = ["ROLE_WORDS", "named_roles"]

#: words that name a role of file in a title (lower case, whole words)
ROLE_WORDS: dict[str, frozenset[str]] = {
    "test": frozenset("test tests testing unittest unittests spec specs fixture fixtures".split()),
    "docs": frozenset(
        "doc docs documentation readme changelog guide guides tutorial tutorials".split()
    ),
    "build": frozenset("ci workflow workflows dockerfile makefile cmake build".split()),
}

_WORD = re.compile(r"[A-Za-z]+")


def named_roles(task: str) -> frozenset[str]:
    """The roles (``test``, ``docs``, ``build``) whose words the task's title holds."""
    words = {w.lower() for w in _WORD.findall(task_title(task))}
    return frozenset(role for role, names in ROLE_WORDS.items() if words & names)
