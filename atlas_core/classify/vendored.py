"""Libraries copied into a source tree: directories inside it that carry a licence of their
own (``src/decNumber/ICU-license.html``).

A licence file there is the tree's evidence that the directory came from another project.
A fork the project now maintains looks the same (black's ``src/blib2to3/``), so the tree
alone does not say a directory is vendored: a plugin that knows the history (atlas-git)
tells the two apart by how often the project's own commits touch it.
"""

from __future__ import annotations

import re
from collections.abc import Sequence

__all__ = ["licensed_subtrees"]

#: ``LICENSE``, ``COPYING.LESSER``, ``LICENSE-MIT``, ``ICU-license.html``, ``UNLICENSE``
_LICENCE_NAME = re.compile(
    r"(?:licen[cs]e|copying|unlicense)(?:[.-][\w.-]*)?|[\w.-]*[-_]licen[cs]e(?:\.\w+)?",
    re.IGNORECASE,
)
#: a licence is prose: a file with a licence's name in a programming language is code
#: about licences (``dune_pkg/license.ml``)
_TEXT_LANGUAGES = frozenset({"unknown", "text", "markdown", "rst", "asciidoc", "html"})


def licensed_subtrees(paths: Sequence[str]) -> list[tuple[str, str]]:
    """``(directory + "/", licence file name)`` for every directory below a source directory
    (``src/``, ``lib/``... at any depth above it) that holds a licence file, sorted.

    The repository's own licence (at the top, or beside a workspace package such as
    ``clap_builder/LICENSE-MIT``) is not below a source directory.
    """
    from atlas_core.classify.rules import detect_language
    from atlas_core.rank.path import SOURCE_DIRS

    found: dict[str, str] = {}
    for rel in paths:
        lowered = rel.lower()
        if "licen" not in lowered and "copying" not in lowered:  # cheap: most paths
            continue
        directory, _, name = rel.rpartition("/")
        parents = directory.split("/")[:-1]
        if (
            directory
            and directory + "/" not in found
            and _LICENCE_NAME.fullmatch(name)
            and any(part.lower() in SOURCE_DIRS for part in parents)
            and detect_language(rel, "") in _TEXT_LANGUAGES
        ):
            found[directory + "/"] = name
    return sorted(found.items())
