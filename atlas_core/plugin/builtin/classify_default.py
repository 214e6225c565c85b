"""Built-in classification by extension, file name, shebang and path conventions.

Registered ``trylast`` so any plugin's answer overrides it. The rules are imported when
first used: a query never classifies, and compiling them is 4 ms of its start-up.
"""

from __future__ import annotations

from atlas_core.plugin import hookimpl


@hookimpl(trylast=True)
def atlas_classify_language(rel: str, head: str) -> str | None:
    from atlas_core.classify.rules import detect_language

    return detect_language(rel, head)


@hookimpl(trylast=True)
def atlas_classify_role(rel: str, language: str, head: str) -> str | None:
    from atlas_core.classify.rules import detect_role

    return detect_role(rel, language, head)
