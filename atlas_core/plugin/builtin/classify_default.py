"""Built-in classification by extension, file name, shebang and path conventions.

Registered ``trylast`` so any plugin's answer overrides it.
"""

from __future__ import annotations

from atlas_core.classify.rules import detect_language, detect_role
from atlas_core.plugin import hookimpl


@hookimpl(trylast=True)
def atlas_classify_language(rel: str, head: str) -> str | None:
    return detect_language(rel, head)


@hookimpl(trylast=True)
def atlas_classify_role(rel: str, language: str, head: str) -> str | None:
    return detect_role(rel, language, head)
