"""Structured query results front ends render: why each file scored what it did.

The engine builds these; the CLI's ``explain`` and the MCP server's ``explain`` tool render
the same :func:`explanation_document`, so nothing is assembled twice or parsed back.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

import attrs

if TYPE_CHECKING:
    from atlas_core.engine import QueryResult

__all__ = ["Explanation", "SignalScore", "explain", "explanation_document"]


@attrs.frozen
class SignalScore:
    """One signal's score of one file: as the signal returned it, and normalised to [0, 1]."""

    signal: str
    raw: float
    normalized: float
    weight: float


@attrs.frozen
class Explanation:
    """Why one selected file scored what it did."""

    path: str
    score: float
    signals: tuple[SignalScore, ...]
    symbols: tuple[dict[str, Any], ...] = ()

    def to_dict(self) -> dict[str, Any]:
        """The explain document's record of this file; ``Path`` as
        :func:`~atlas_core.paths.display_path` shows it."""
        from atlas_core.paths import display_path

        return {
            "Path": display_path(self.path),
            "Score": self.score,
            "Signals": {
                s.signal: {"Raw": s.raw, "Normalized": s.normalized, "Weight": s.weight}
                for s in self.signals
            },
            "Symbols": list(self.symbols),
        }


def explain(result: QueryResult) -> list[Explanation]:
    """An :class:`Explanation` per selected file, signals in name order."""
    sel = result.selection
    ids = result.reader.ids
    out = []
    for f in sel.files:
        i = ids[f.path]
        scores = tuple(
            SignalScore(
                name,
                round(float(result.raw_scores[name][i]), 4),
                f.signals.get(name, 0.0),
                float(result.weights.get(name, 0.0)),
            )
            for name in sel.signals
        )
        out.append(Explanation(f.path, f.score, scores, tuple(f.symbols)))
    return out


def explanation_document(result: QueryResult) -> dict[str, Any]:
    """The explain document (``atlas explain --format json``, MCP ``explain``)."""
    from atlas_core.output.jsonout import OUTPUT_VERSION
    from atlas_core.terms import tokenize

    sel = result.selection
    return {
        "Version": OUTPUT_VERSION,
        "Query": sel.query,
        "Preset": sel.preset,
        "Fuser": sel.fuser,
        "Terms": sorted(set(tokenize(sel.query))),
        "Signals": sel.signals,
        "MissingSignals": sel.missing_signals,
        "Notes": [n.message for n in result.notes],
        "Failures": [str(f) for f in result.failures],
        "Files": [e.to_dict() for e in result.explanations],
    }
