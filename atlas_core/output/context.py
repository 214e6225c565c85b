"""The context document: selected files' contents for an LLM, within a token budget."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import attrs

from atlas_core.errors import UsageError
from atlas_core.index.process import estimate_tokens

__all__ = ["ContextDocument", "render_context"]

_FENCE_LANG = {
    "python": "python",
    "go": "go",
    "rust": "rust",
    "javascript": "javascript",
    "typescript": "typescript",
    "tsx": "tsx",
    "java": "java",
    "c": "c",
    "cpp": "cpp",
}


@attrs.define
class ContextDocument:
    text: str
    included: list[str]
    omitted: list[str]
    tokens: int


def _safe_path(root: Path, rel: str) -> Path:
    """Refuse paths that leave the root (``..``, absolute paths, symlinks pointing out)."""
    if not rel or Path(rel).is_absolute():
        raise UsageError(f"refusing path outside the repository: {rel!r}")
    candidate = (root / rel).resolve()
    if candidate != root and root not in candidate.parents:
        raise UsageError(f"refusing path outside the repository: {rel!r}")
    return candidate


def _fence(text: str) -> str:
    fence = "```"
    while fence in text:
        fence += "`"
    return fence


def render_context(
    root: Path, task: str, files: list[dict[str, Any]], max_tokens: int | None
) -> ContextDocument:
    """A Markdown document: the task, then each file in a fenced block, within ``max_tokens``.

    Files are taken in the given order; a file that does not fit is listed as omitted.
    """
    head = [f"# Context for: {task}" if task else "# Context", ""]
    parts: list[str] = []
    included: list[str] = []
    omitted: list[str] = []
    # the header, the summary line and the omitted list are paid for up front
    used = estimate_tokens(len("\n".join(head).encode()) + 160)
    for item in files:
        rel = str(item.get("Path") or item.get("path") or "")
        path = _safe_path(root, rel)
        try:
            text = path.read_bytes().decode("utf-8", "replace")
        except OSError as exc:
            omitted.append(f"{rel} (unreadable: {exc.strerror})")
            continue
        fence = _fence(text)
        lang = _FENCE_LANG.get(str(item.get("Language", "")), "")
        block = f"## {rel}\n\n{fence}{lang}\n{text.rstrip()}\n{fence}\n"
        cost = estimate_tokens(len(block.encode()) + len(rel.encode()) + 4)
        if max_tokens is not None and used + cost > max_tokens:
            omitted.append(f"{rel} ({cost:,} tokens would exceed the budget)")
            used += estimate_tokens(len(rel.encode()) + 48)
            continue
        parts.append(block)
        included.append(rel)
        used += cost
    summary = [
        f"{len(included)} files, about {used:,} tokens"
        + (f" of a {max_tokens:,}-token budget" if max_tokens else "")
        + ":"
    ]
    summary += [f"- {rel}" for rel in included]
    if omitted:
        summary += ["", "Omitted:"] + [f"- {o}" for o in omitted]
    text = "\n".join(head + summary + [""]) + "\n" + "\n".join(parts)
    return ContextDocument(text, included, omitted, estimate_tokens(len(text.encode())))
