"""A file's outline: its symbols with kinds and line ranges, and the modules it imports."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from atlas_core.errors import UsageError
from atlas_core.output.secrets import redact, secret_file_reason
from atlas_core.paths import display_path, quoted_path

if TYPE_CHECKING:
    from atlas_core.index.reader import IndexReader

__all__ = ["outline_of"]


def outline_of(reader: IndexReader, rel: str, *, allow_secrets: bool = False) -> dict[str, Any]:
    """``{Path, Language, Role, Tokens, Status, Symbols, Imports}`` for the indexed file ``rel``
    (``Path`` as :func:`~atlas_core.paths.display_path` shows it).

    Each symbol is ``{Kind, Name, Qualified, Start, End, Depth, Signature}``; ``Depth`` is
    how many other symbols enclose it (a method in a class: 1). Signatures are redacted
    unless ``allow_secrets``; a credential file's outline is refused.

    :raises UsageError: for a file that is not in the index, or a secret file.
    """
    i = reader.ids.get(rel)
    if i is None:
        raise UsageError(f"{quoted_path(rel)} is not in the index (no such file, or ignored)")
    reason = secret_file_reason(rel)
    if reason and not allow_secrets:
        raise UsageError(
            f"{quoted_path(rel)} is a secret file ({reason}); its outline is not shown"
        )
    chunks = reader.chunks(i)
    entry = reader.entry(i)
    symbols: list[dict[str, Any]] = []
    open_ends: list[int] = []  # end lines of the symbols enclosing the current one
    for chunk in sorted((c for c in chunks if c.kind != "import"), key=lambda c: (c.start, -c.end)):
        while open_ends and open_ends[-1] < chunk.start:
            open_ends.pop()
        signature = chunk.signature if allow_secrets else redact(chunk.signature, path=rel)[0]
        symbols.append(
            {
                "Kind": chunk.kind,
                "Name": chunk.name,
                "Qualified": chunk.qualified or chunk.name,
                "Start": chunk.start,
                "End": chunk.end,
                "Depth": len(open_ends),
                "Signature": signature,
            }
        )
        if chunk.kind != "module" and chunk.end > chunk.start:
            open_ends.append(chunk.end)
    return {
        "Path": display_path(rel),
        "Language": entry.language,
        "Role": entry.role,
        "Tokens": entry.tokens,
        "Status": entry.status,
        "Symbols": symbols,
        "Imports": [c.name for c in chunks if c.kind == "import"],
    }
