"""Checking and comparing ``atlas query --format jsonl`` output."""

from __future__ import annotations

import json
from typing import Any

__all__ = ["QUERY_ARGS", "compare", "parse"]

#: the whole ranking (no budget, cap or score floor), so any difference shows
QUERY_ARGS = ("--format", "jsonl", "--top", "0", "--max-tokens", "0", "--min-score", "0")


def parse(stdout: bytes) -> tuple[list[Any] | None, str | None]:
    """``(records, None)`` for a valid ranking, else ``(None, why)``."""
    try:
        text = stdout.decode("utf-8")
    except UnicodeDecodeError as exc:
        return None, f"stdout is not UTF-8: {exc}"
    lines = [ln for ln in text.splitlines() if ln.strip()]
    if len(lines) < 2:
        return None, f"expected a header and a footer, got {len(lines)} lines: {text[:200]!r}"
    try:
        records = [json.loads(ln) for ln in lines]
    except json.JSONDecodeError as exc:
        return None, f"invalid JSON line: {exc}"
    head, files, foot = records[0], records[1:-1], records[-1]
    if not isinstance(head, dict) or "Version" not in head or "Query" not in head:
        return None, f"bad header: {lines[0][:200]}"
    if not isinstance(foot, dict) or "TotalFiles" not in foot:
        return None, f"bad footer: {lines[-1][:200]}"
    if foot["TotalFiles"] != len(files):
        return None, f"footer says {foot['TotalFiles']} files, {len(files)} listed"
    seen: set[str] = set()
    last = float("inf")
    for rec in files:
        if not isinstance(rec, dict) or not isinstance(rec.get("Path"), str):
            return None, f"bad file record: {str(rec)[:200]}"
        score = rec.get("Score")
        if not isinstance(score, int | float) or not -1e-9 <= score <= 1 + 1e-9:
            return None, f"bad score in {str(rec)[:200]}"
        if score > last + 1e-9:
            return None, f"scores not in descending order at {rec['Path']}"
        if rec["Path"] in seen:
            return None, f"{rec['Path']} listed twice"
        seen.add(rec["Path"])
        last = score
    return records, None


def normalized(records: list[Any]) -> list[Any]:
    """Records with scores rounded (float noise is not a different ranking)."""
    out = []
    for rec in records:
        if isinstance(rec, dict) and "Score" in rec:
            rec = {**rec, "Score": round(float(rec["Score"]), 6)}
        out.append(rec)
    return out


def compare(got: list[Any], want: list[Any]) -> str | None:
    """None if the rankings are the same, else the first difference in one line."""
    a, b = normalized(got), normalized(want)
    if a == b:
        return None
    head = f"{len(a) - 2} files instead of {len(b) - 2}" if len(a) != len(b) else "same length"
    for i, (x, y) in enumerate(zip(a, b, strict=False)):
        if x != y:
            return f"{head}; line {i + 1} is {json.dumps(x)[:240]} instead of {json.dumps(y)[:240]}"
    return head
