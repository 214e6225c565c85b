"""The built-in output formats: jsonl (v0.3), json, human, compact."""

from __future__ import annotations

from typing import Any, ClassVar, TextIO

from atlas_core.components import FormatOptions
from atlas_core.output.jsonout import OUTPUT_VERSION, dump_json
from atlas_core.paths import display_path
from atlas_core.types import Selection

__all__ = ["CompactFormat", "HumanFormat", "JsonFormat", "JsonlFormat", "selection_to_dict"]

JSONL_VERSION = OUTPUT_VERSION


def header(selection: Selection) -> dict[str, Any]:
    out: dict[str, Any] = {
        "Version": JSONL_VERSION,
        "Query": selection.query,
        "Preset": selection.preset,
        "Budget": selection.budget,
        "MinScore": selection.min_score,
    }
    if selection.seeds:
        out["Seeds"] = [display_path(p) for p in selection.seeds]
    if selection.scope:
        out.update(selection.scope)
    return out


def file_line(f: Any, verbose: bool) -> dict[str, Any]:
    line: dict[str, Any] = {
        "Path": display_path(f.path),
        "Score": f.score,
        "Tokens": f.tokens,
        "Language": f.language,
        "Role": f.role,
    }
    if f.seed:
        line["Seed"] = True
    if f.skim:
        line["Skim"] = True
        line["SkimTokens"] = f.skim_tokens
        if getattr(f, "skim_lines", None) is not None:
            line["SkimLines"] = f.skim_lines
    if f.symbols:
        line["Symbols"] = f.symbols
    if verbose:
        line["Signals"] = f.signals
    return line


def _skim_mark(f: Any) -> str:
    """What the human table says of a skimmed file."""
    if not f.skim:
        return ""
    short = "short " if getattr(f, "skim_lines", None) is not None else ""
    return f"  {short}skim of {f.tokens:,}"


def footer(selection: Selection) -> dict[str, Any]:
    return {
        "TotalFiles": len(selection.files),
        "TotalTokens": selection.total_tokens,
        "ScannedFiles": selection.scanned_files,
        "LeftOut": selection.left_out,
    }


def selection_to_dict(selection: Selection, verbose: bool = False) -> dict[str, Any]:
    return {
        **header(selection),
        "Signals": selection.signals,
        "Fuser": selection.fuser,
        "MissingSignals": selection.missing_signals,
        "Files": [file_line(f, verbose) for f in selection.files],
        **footer(selection),
    }


class JsonlFormat:
    """JSON Lines v0.3: a header, one line per file, a footer."""

    name: ClassVar[str] = "jsonl"

    def write(self, selection: Selection, out: TextIO, options: FormatOptions) -> None:
        for record in (
            header(selection),
            *(file_line(f, options.verbose) for f in selection.files),
            footer(selection),
        ):
            dump_json(record, out, indent=None)


class JsonFormat:
    """One JSON document with the header fields, the files and the totals."""

    name: ClassVar[str] = "json"

    def write(self, selection: Selection, out: TextIO, options: FormatOptions) -> None:
        dump_json(selection_to_dict(selection, options.verbose), out)


class CompactFormat:
    """Paths only, one per line: for shells and pipes."""

    name: ClassVar[str] = "compact"

    def write(self, selection: Selection, out: TextIO, options: FormatOptions) -> None:
        for f in selection.files:
            out.write(display_path(f.path) + "\n")


def _style(text: str, code: str, color: bool) -> str:
    return f"\x1b[{code}m{text}\x1b[0m" if color else text


class HumanFormat:
    """An aligned table for people at a terminal."""

    name: ClassVar[str] = "human"

    def write(self, selection: Selection, out: TextIO, options: FormatOptions) -> None:
        c = options.color
        if not selection.files:
            if selection.left_out:  # files matched: none fits, not even skimmed
                out.write(
                    f"No file fits the budget: {selection.left_out} ranked files left out, "
                    "too big even skimmed (raise --max-tokens).\n"
                )
            else:
                out.write(
                    f"No file matches {selection.query!r} above score {selection.min_score}.\n"
                )
            return
        paths = [display_path(f.path) for f in selection.files]
        width = max(len(p) for p in paths)
        width = min(max(width, 4), 80)
        out.write(
            _style(f"{'SCORE':>6}  {'TOKENS':>7}  {'PATH':<{width}}  LANG/ROLE", "1", c) + "\n"
        )
        for f, shown in zip(selection.files, paths, strict=True):
            path = shown if len(shown) <= width else "…" + shown[-(width - 1) :]
            marks = ("  seed" if f.seed else "") + _skim_mark(f)
            out.write(
                f"{_style(f'{f.score:6.3f}', '36', c)}  {f.cost:>7,}  {path:<{width}}  "
                f"{_style(f'{f.language}/{f.role}', '2', c)}"
                f"{_style(marks, '33', c) if marks else ''}\n"
            )
            for sym in f.symbols[:3]:
                out.write(
                    _style(f"{'':17}↳ {sym['Name']} L{sym['Start']}-{sym['End']}", "2", c) + "\n"
                )
        budget = selection.budget.get("MaxTokens")
        limit = f" of {budget:,}" if budget else ""
        skims = sum(1 for f in selection.files if f.skim)
        skimmed = f" ({skims} skimmed)" if skims else ""
        out.write(
            _style(
                f"{len(selection.files)} files{skimmed}, {selection.total_tokens:,}{limit} "
                f"tokens, {selection.scanned_files:,} scanned, preset {selection.preset}",
                "2",
                c,
            )
            + "\n"
        )
        if selection.left_out:
            out.write(
                _style(
                    f"{selection.left_out} ranked files left out: too big for the budget "
                    "even skimmed (raise --max-tokens)",
                    "33",
                    c,
                )
                + "\n"
            )
