"""The context document: the chosen files' contents for an LLM, within a token budget.

One document, two styles (``markdown`` or ``xml``): a short header (the task, the budget
and the tokens used, each file with why it was chosen, what was left out and why, where
secrets were redacted), then every file in a fenced block or tag with its path.

The budget is exact: the whole document's estimated tokens
(:func:`atlas_core.index.process.estimate_tokens`, one per four bytes rounded up) never
exceed it, and the header states the document's own token count. Files that do not fit
are listed as omitted, never cut in the middle.

Secrets stay on the machine unless ``allow_secrets`` is given: credential files (see
:func:`atlas_core.output.secrets.secret_file_reason`) are left out and every other file is
passed through :func:`atlas_core.output.secrets.redact`.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping, Sequence
from pathlib import Path
from typing import Any

import attrs

from atlas_core.errors import UsageError
from atlas_core.fsread import PathRefused, Unreadable, confined_path, read_confined
from atlas_core.notebook import readable_text
from atlas_core.output.secrets import Redaction, redact, secret_file_reason
from atlas_core.output.skim import skim_is_head, skim_text
from atlas_core.paths import display_path, display_text
from atlas_core.tokens import estimate_tokens

__all__ = [
    "NOT_INDEXED",
    "STYLES",
    "ContextDocument",
    "ContextFile",
    "DocumentFrame",
    "Omitted",
    "context_files",
    "document_frame",
    "render_context",
    "safe_path",
    "skim_text",
]

#: the document styles, for ``--style``
STYLES = ("markdown", "xml")

#: header lines listing omitted files or redactions stop here ("... and N more")
_MAX_LISTED = 25

#: why a file the index does not have is left out
NOT_INDEXED = "not in the index (no such file, or ignored)"

#: what the ranked files a selection left out have in common
_LEFT_OUT = "too big for the budget even skimmed, not chosen (raise the budget)"

#: what the header adds to the reason of a skimmed file
_SKIM_WHY = "; skimmed: matched symbols whole, an outline of the rest"
#: ... of a file skimmed as its first lines (no symbol)
_SKIM_HEAD = "; skimmed: its first lines"
#: ... of a short skim (no longer than _SKIM_WHY: a document's selection pays for that)
_SKIM_SHORT = "; skimmed short: the outline nearest the matches"

_FENCE_LANG = {
    "python": "python",
    "go": "go",
    "rust": "rust",
    "javascript": "javascript",
    "typescript": "typescript",
    "tsx": "tsx",
    "java": "java",
    "kotlin": "kotlin",
    "c": "c",
    "cpp": "cpp",
    "csharp": "csharp",
    "ruby": "ruby",
    "php": "php",
    "swift": "swift",
    "scala": "scala",
    "elixir": "elixir",
    "lua": "lua",
    "bash": "bash",
    "haskell": "haskell",
    "r": "r",
}


@attrs.frozen
class ContextFile:
    """A file to put in the document, with what the ranking said about it (all optional)."""

    path: str
    score: float | None = None
    language: str = ""
    signals: Mapping[str, float] = attrs.field(factory=dict)
    symbols: Sequence[Mapping[str, Any]] = attrs.field(factory=list)
    #: the selection chose a skim of this file: render the skim, never the whole file
    skim: bool = False
    #: ... a short skim of this many lines (see :func:`atlas_core.output.skim.short_skim`)
    skim_lines: int | None = None


@attrs.frozen
class Omitted:
    """A file of the selection that is not in the document, and why."""

    path: str
    reason: str


@attrs.define
class ContextDocument:
    """The rendered document and what went into it."""

    text: str
    included: list[str]
    omitted: list[Omitted]
    redactions: list[tuple[str, Redaction]]
    tokens: int
    budget: int | None


def context_files(items: Iterable[Any]) -> list[ContextFile]:
    """Normalise selection rows (JSONL dicts or :class:`~atlas_core.types.SelectedFile`)."""
    out: list[ContextFile] = []
    for item in items:
        if isinstance(item, ContextFile):
            out.append(item)
        elif isinstance(item, Mapping):
            score = item.get("Score", item.get("score"))
            out.append(
                ContextFile(
                    str(item.get("Path") or item.get("path") or ""),
                    float(score) if isinstance(score, int | float) else None,
                    str(item.get("Language") or item.get("language") or ""),
                    _mapping(item.get("Signals") or item.get("signals")),
                    _symbols(item.get("Symbols") or item.get("symbols")),
                    item.get("Skim") is True or item.get("skim") is True,
                    _lines(item.get("SkimLines", item.get("skim_lines"))),
                )
            )
        else:  # a SelectedFile
            out.append(
                ContextFile(
                    item.path,
                    item.score,
                    item.language,
                    dict(item.signals),
                    list(item.symbols),
                    bool(getattr(item, "skim", False)),
                    _lines(getattr(item, "skim_lines", None)),
                )
            )
    return out


def _lines(value: Any) -> int | None:
    """A short skim's number of lines, or None (none given, or not a positive count)."""
    if isinstance(value, int) and not isinstance(value, bool) and value > 0:
        return value
    return None


def _mapping(value: Any) -> dict[str, float]:
    if not isinstance(value, Mapping):
        return {}
    return {str(k): float(v) for k, v in value.items() if isinstance(v, int | float)}


def _symbols(value: Any) -> list[Mapping[str, Any]]:
    if not isinstance(value, list):
        return []
    return [s for s in value if isinstance(s, Mapping) and s.get("Name")]


def safe_path(root: Path, rel: str) -> Path:
    """``rel`` inside ``root``, symlinks followed, refusing anything that leads outside.

    A NUL byte, an absolute or home-relative path, a ``..`` that climbs out and a symlink
    whose target lies outside the root are all refused with a :class:`UsageError` (a
    hand-edited selection must not be a way to read other files). See
    :func:`atlas_core.fsread.confined_path`.
    """
    return confined_path(root, rel)


# -- blocks and styles ---------------------------------------------------------------


@attrs.frozen
class _Block:
    """One file, rendered, with what the header says about it."""

    path: str
    text: str
    nbytes: int
    tokens: int
    why: str
    score: float | None
    redactions: tuple[Redaction, ...]
    #: the file's text as shown (redacted unless secrets are allowed), for a skim
    source: str = ""


def _why(item: ContextFile) -> str:
    """``bm25f 1.00, path 0.45; symbols: Client.send L10-42``: why the ranking chose it."""
    parts = []
    signals = sorted(((v, k) for k, v in item.signals.items() if v > 0), reverse=True)
    if signals:
        parts.append(", ".join(f"{k} {v:.2f}" for v, k in signals[:3]))
    symbols = sorted(item.symbols, key=lambda s: not s.get("Matched", False))[:3]
    if symbols:
        shown = []
        for sym in symbols:
            start, end = sym.get("Start"), sym.get("End")
            lines = f" L{start}-{end}" if start and end and start != end else ""
            lines = lines or (f" L{start}" if start else "")
            shown.append(f"{sym['Name']}{lines}")
        parts.append("symbols: " + ", ".join(shown))
    return "; ".join(parts)


def _fence(text: str) -> str:
    fence = "```"
    while fence in text:
        fence += "`"
    return fence


def _attr(value: object) -> str:
    text = str(value)
    for a, b in (("&", "&amp;"), ('"', "&quot;"), ("<", "&lt;"), (">", "&gt;"), ("\n", " ")):
        text = text.replace(a, b)
    return text


def _elide(lines: list[str], more: int, template: str) -> list[str]:
    return [*lines, template.format(more)] if more else lines


class _Markdown:
    name = "markdown"

    def block(self, index: int, item: ContextFile, text: str) -> str:
        fence = _fence(text)
        lang = _FENCE_LANG.get(item.language, "")
        body = text if text.endswith("\n") or not text else text + "\n"
        return f"## {item.path}\n\n{fence}{lang}\n{body}{fence}\n\n"

    def header(self, state: _State, used: int) -> str:
        budget = f"{state.budget:,} tokens" if state.budget is not None else "none"
        lines = [
            f"# Context for: {state.task}" if state.task else "# Context",
            "",
            f"Budget: {budget}. This document: {used:,} tokens "
            "(estimated as bytes / 4, rounded up).",
            "",
        ]
        if state.blocks:
            lines.append(f"Files ({len(state.blocks)}), most relevant first:")
            for i, b in enumerate(state.blocks, 1):
                score = f"score {b.score:.3f}, " if b.score is not None else ""
                why = f" ({b.why})" if b.why else ""
                lines.append(f"{i}. `{b.path}`: {score}{b.tokens:,} tokens{why}")
        else:
            lines.append("No files included.")
        if state.omitted_count() or state.left_out:
            lines += ["", "Omitted:"]
            shown = state.omitted[: state.omitted_listed]
            lines += [f"- `{o.path}`: {o.reason}" for o in shown]
            lines = _elide(lines, state.omitted_count() - len(shown), "- ... and {} more")
            if state.left_out:
                lines.append(f"- {state.left_out:,} more ranked files: {_LEFT_OUT}")
        redactions = state.redactions()
        if redactions:
            lines += ["", "Secrets redacted (each replaced by [REDACTED <kind>]):"]
            shown_r = redactions[: state.redactions_listed]
            lines += [f"- `{path}:{r.line}`: {r.kind}" for path, r in shown_r]
            lines = _elide(lines, len(redactions) - len(shown_r), "- ... and {} more")
        return "\n".join(lines) + "\n\n"

    def footer(self) -> str:
        return ""


class _Xml:
    name = "xml"

    def block(self, index: int, item: ContextFile, text: str) -> str:
        # the content is verbatim; only a literal closing tag is neutralised
        body = text.replace("</document_content>", "<\\/document_content>")
        body = body if body.endswith("\n") or not body else body + "\n"
        lang = f' language="{_attr(item.language)}"' if item.language else ""
        return (
            f'<document index="{index}"{lang}>\n<source>{_attr(item.path)}</source>\n'
            f"<document_content>\n{body}</document_content>\n</document>\n"
        )

    def header(self, state: _State, used: int) -> str:
        budget = f' max_tokens="{state.budget}"' if state.budget is not None else ""
        lines = ["<context>"]
        if state.task:
            lines.append(f"<task>{_attr(state.task)}</task>")
        lines.append(f'<budget{budget} used_tokens="{used}" estimate="bytes/4, rounded up"/>')
        lines.append("<selection>")
        for i, b in enumerate(state.blocks, 1):
            score = f' score="{b.score:.3f}"' if b.score is not None else ""
            why = f' why="{_attr(b.why)}"' if b.why else ""
            lines.append(
                f'<file index="{i}" path="{_attr(b.path)}"{score} tokens="{b.tokens}"{why}/>'
            )
        lines.append("</selection>")
        if state.omitted_count() or state.left_out:
            lines.append("<omitted>")
            shown = state.omitted[: state.omitted_listed]
            lines += [f'<file path="{_attr(o.path)}" reason="{_attr(o.reason)}"/>' for o in shown]
            lines = _elide(lines, state.omitted_count() - len(shown), '<more count="{}"/>')
            if state.left_out:
                lines.append(f'<ranked count="{state.left_out}" reason="{_LEFT_OUT}"/>')
            lines.append("</omitted>")
        redactions = state.redactions()
        if redactions:
            lines.append('<redactions note="each secret was replaced by [REDACTED kind]">')
            shown_r = redactions[: state.redactions_listed]
            lines += [
                f'<redaction path="{_attr(p)}" line="{r.line}" kind="{r.kind}"/>'
                for p, r in shown_r
            ]
            lines = _elide(lines, len(redactions) - len(shown_r), '<more count="{}"/>')
            lines.append("</redactions>")
        lines.append("<documents>")
        return "\n".join(lines) + "\n"

    def footer(self) -> str:
        return "</documents>\n</context>\n"


_RENDERERS: dict[str, _Markdown | _Xml] = {"markdown": _Markdown(), "xml": _Xml()}


@attrs.define
class _State:
    task: str
    budget: int | None
    style: _Markdown | _Xml
    blocks: list[_Block] = attrs.field(factory=list)
    omitted: list[Omitted] = attrs.field(factory=list)
    #: how many omitted files the header names (the rest: "... and N more")
    omitted_listed: int = _MAX_LISTED
    #: how many redactions the header names
    redactions_listed: int = _MAX_LISTED
    #: files not decided yet, counted as omitted so the header can only shrink
    pending: int = 0
    #: ranked files the selection left out, too big for its budget even skimmed
    left_out: int = 0

    def omitted_count(self) -> int:
        return len(self.omitted) + self.pending

    def redactions(self) -> list[tuple[str, Redaction]]:
        return [(b.path, r) for b in self.blocks for r in b.redactions]

    def assemble(self) -> tuple[str, str, int]:
        """(header, footer, tokens): the header states the document's own token count."""
        body = sum(b.nbytes for b in self.blocks)
        footer = self.style.footer()
        used = 0
        # the count's own digits change the count: iterate to the fixed point, which the
        # sequence reaches in a few steps because it never decreases
        for _ in range(12):
            header = self.style.header(self, used)
            total = estimate_tokens(len(header.encode()) + body + len(footer.encode()))
            if total == used:
                break
            used = total
        return header, footer, used

    def tokens(self) -> int:
        return self.assemble()[2]

    def over_budget(self) -> bool:
        return self.budget is not None and self.tokens() > self.budget


def render_context(
    root: Path,
    task: str,
    files: Iterable[Any],
    max_tokens: int | None,
    *,
    style: str = "markdown",
    allow_secrets: bool = False,
    outline: Callable[[str], Sequence[Any]] | None = None,
    indexed: Callable[[str], bool] | None = None,
    omit_refused: bool = False,
    left_out: int = 0,
) -> ContextDocument:
    """The document for ``files`` (in relevance order) within ``max_tokens`` (None: no limit).

    Each file that fits in what is left of the budget goes in; the others are listed as
    omitted with the reason. Every path is checked before anything is read.

    :param root: the repository root; no file outside it is ever read.
    :param task: shown at the top.
    :param files: :class:`ContextFile`, selection dicts (``Path``, ``Score``, ``Signals``,
        ``Symbols``, ``Language``) or :class:`~atlas_core.types.SelectedFile` objects.
    :param style: ``markdown`` or ``xml``.
    :param allow_secrets: include credential files and skip redaction.
    :param outline: the symbols (chunks) of a file, for skims; by default they come from the
        index of ``root``, opened once (a file without an outline is skimmed as its first
        lines, or omitted).
    :param indexed: whether a path is a file of the index. When given, only such files are
        read: any other (ignored, under ``.git`` or ``.atlas``, or no such file) is omitted
        as :data:`NOT_INDEXED`, and when none of ``files`` is one the call fails. None: any
        file inside ``root`` may be read.
    :param omit_refused: a path outside ``root`` is omitted (a ranked file whose symlink
        now leads out) instead of refusing the whole document.
    :param left_out: how many ranked files the selection of ``files`` left out, too big for
        its budget even skimmed (``Selection.left_out``): the header counts them.
    :raises UsageError: for a path outside ``root``, an unknown style, a budget too small
        for even the header, or files none of which is in the index.
    """
    renderer = _RENDERERS.get(style)
    if renderer is None:
        raise UsageError(f"unknown style {style!r} (known: {', '.join(STYLES)})")
    root = root.resolve()
    task = display_text(task)
    items = context_files(files)
    outline = outline or _index_outline(root)
    targets: list[tuple[ContextFile, Path]] = []
    refused: list[Omitted] = []
    for item in items:
        try:
            targets.append((item, safe_path(root, item.path)))
        except PathRefused:
            if not omit_refused:
                raise
            refused.append(Omitted(display_path(item.path), "outside the repository, not shown"))
    if indexed is not None:
        _check_indexed([item.path for item in items], indexed)
    # First choose the files, paying for the header as if every file not yet decided
    # were omitted and omissions were only counted; contents come before naming what is
    # missing. Then name as many omissions as the rest of the budget allows.
    state = _State(
        task, max_tokens, renderer, omitted_listed=0, pending=len(targets), left_out=left_out
    )
    state.omitted.extend(refused)
    seen: set[Path | str] = set()
    for item, path in targets:
        state.pending -= 1
        known = indexed is None or indexed(item.path)
        # a file is known by where it leads, one the index lacks by its name: an indexed
        # symlink to it is another file
        key = path if known else item.path
        if key in seen:
            continue
        seen.add(key)
        rel, item = item.path, attrs.evolve(item, path=display_path(item.path))
        reason = _exclusion(root, rel, path, allow_secrets) if known else NOT_INDEXED
        if reason:
            state.omitted.append(Omitted(item.path, reason))
            continue
        block = _read_block(renderer, len(state.blocks) + 1, item, rel, root, allow_secrets)
        if isinstance(block, Omitted):
            state.omitted.append(block)
            continue
        if not item.skim:
            state.blocks.append(block)
            if not state.over_budget():
                continue
            state.blocks.pop()
        skim = _skim_block(renderer, len(state.blocks) + 1, item, outline(rel), block)
        if skim is not None:
            state.blocks.append(skim)
            if not state.over_budget():
                continue
            state.blocks.pop()
        state.omitted.append(Omitted(item.path, _too_big(block, skim)))
    state.omitted_listed = _MAX_LISTED
    while state.omitted_listed and state.over_budget():
        state.omitted_listed -= 1
    # a budget too small for even the header: name fewer redactions before giving up
    while state.redactions_listed and state.over_budget():
        state.redactions_listed //= 2
    header, footer, used = state.assemble()
    if max_tokens is not None and used > max_tokens:
        raise UsageError(
            f"a budget of {max_tokens:,} tokens cannot hold even the document's header "
            f"({used:,} tokens); raise the budget"
        )
    text = header + "".join(b.text for b in state.blocks) + footer
    return ContextDocument(
        text,
        [b.path for b in state.blocks],
        state.omitted,
        state.redactions(),
        used,
        max_tokens,
    )


def _check_indexed(paths: Sequence[str], indexed: Callable[[str], bool]) -> None:
    """Refuse ``paths`` when not one of them is in the index (an agent's typo, not a
    document that would only say so)."""
    unknown = [p for p in paths if not indexed(p)]
    if not unknown or len(unknown) < len(paths):
        return
    if len(unknown) == 1:
        raise UsageError(f"{unknown[0]!r} is {NOT_INDEXED}")
    named = ", ".join(repr(p) for p in unknown[:5])
    more = f" and {len(unknown) - 5} more" if len(unknown) > 5 else ""
    raise UsageError(f"none of the files is in the index (no such file, or ignored): {named}{more}")


def _exclusion(root: Path, rel: str, path: Path, allow_secrets: bool) -> str | None:
    if allow_secrets:
        return None
    # a symlink to a secret file is as secret as the file
    reason = secret_file_reason(rel) or secret_file_reason(path.relative_to(root).as_posix())
    return f"secret file ({reason}), not shown" if reason else None


def _read_block(
    renderer: _Markdown | _Xml,
    index: int,
    item: ContextFile,
    rel: str,
    root: Path,
    allow_secrets: bool,
) -> _Block | Omitted:
    """``rel`` read inside ``root``, rendered under ``item.path`` (its printable name)."""
    try:
        data = read_confined(root, rel)
    except Unreadable as exc:
        return Omitted(item.path, exc.reason)
    if b"\0" in data[:8192]:
        return Omitted(item.path, "binary file")
    text = readable_text(rel, data)
    found: list[Redaction] = []
    if not allow_secrets:
        text, found = redact(text, path=rel)
    rendered = renderer.block(index, item, text)
    nbytes = len(rendered.encode())
    return _Block(
        item.path,
        rendered,
        nbytes,
        estimate_tokens(nbytes),
        _why(item),
        item.score,
        tuple(found),
        text,
    )


def _index_outline(root: Path) -> Callable[[str], Sequence[Any]]:
    """The symbols of a file from the index of ``root``, opened once, on first use.

    Without a usable index there is no outline (the skim falls back to the first lines);
    the index's recorded root is never used to read anything.
    """
    from atlas_core.errors import AtlasError
    from atlas_core.index.layout import cache_dir_for
    from atlas_core.index.reader import IndexReader, open_index

    opened: list[IndexReader | None] = []

    def outline(rel: str) -> Sequence[Any]:
        if not opened:
            try:
                opened.append(open_index(cache_dir_for(root), root))
            except AtlasError:  # damaged or foreign: skims go without an outline
                opened.append(None)
        reader = opened[0]
        if reader is None or rel not in reader.ids:
            return []
        return reader.chunks(reader.ids[rel])

    return outline


def _skim_block(
    renderer: _Markdown | _Xml, index: int, item: ContextFile, chunks: Sequence[Any], whole: _Block
) -> _Block | None:
    """A skimmed version of a file too big for the budget, or None when it has nothing to
    show. The text is the one already read (and redacted) for ``whole``."""
    short = item.skim_lines if item.skim else None
    skimmed = skim_text(whole.source, item.symbols, chunks, short)
    if not skimmed:
        return None
    rendered = renderer.block(index, item, skimmed)
    nbytes = len(rendered.encode())
    how = _SKIM_HEAD if skim_is_head(whole.source, item.symbols, chunks) else _SKIM_WHY
    if short is not None and how == _SKIM_WHY:
        how = _SKIM_SHORT
    why = f"{whole.why}{how}".lstrip("; ")
    return _Block(
        item.path,
        rendered,
        nbytes,
        estimate_tokens(nbytes),
        why,
        item.score,
        whole.redactions,
        whole.source,
    )


# -- what a document spends besides its files ---------------------------------------

#: the header's reason for a typical file: three signals and three symbols with their lines
_TYPICAL_WHY = "git_cochange 1.00, git_recency 1.00, pagerank 1.00; symbols: " + ", ".join(
    ["Client.send L1200-1300"] * 3
)


@attrs.frozen
class DocumentFrame:
    """What a context document spends besides its files' contents, in tokens: the header
    and footer, and for each file its line in the header and its heading and fence.

    A selection made for a document (``QueryOptions.document``) pays for this within the
    budget, so the document shows every file the selection chose; the figures are a
    typical file's (reasons vary in length), and the document itself never exceeds the
    budget whatever they are.
    """

    #: tokens of the header and footer without any file
    fixed: int
    #: bytes each file adds besides its content and its name (which appears twice)
    per_file: int
    #: bytes more for a skimmed file (the header says it is skimmed)
    skimmed: int = len(_SKIM_WHY)

    def file(self, path: str, skimmed: bool) -> int:
        """The tokens the document spends on file ``path`` besides its content."""
        name = len(display_path(path).encode())
        return estimate_tokens(2 * name + self.per_file + (self.skimmed if skimmed else 0))


def document_frame(style: str, task: str, max_tokens: int | None) -> DocumentFrame:
    """The :class:`DocumentFrame` of a ``style`` document for ``task`` within ``max_tokens``.

    :raises UsageError: for an unknown style.
    """
    renderer = _RENDERERS.get(style)
    if renderer is None:
        raise UsageError(f"unknown style {style!r} (known: {', '.join(STYLES)})")
    used = max_tokens or 0  # the header states its own count: as many digits as the budget
    # and it counts the ranked files the selection leaves out (a line, when there are any)
    state = _State(display_text(task), max_tokens, renderer, left_out=1000)
    empty = len(renderer.header(state, used).encode()) + len(renderer.footer().encode())
    item = ContextFile("", 1.0, "javascript")
    text = renderer.block(1, item, "\n")
    state.blocks.append(_Block("", text, len(text.encode()), 16_438, _TYPICAL_WHY, 1.0, ()))
    one = len(renderer.header(state, used).encode()) + len(renderer.footer().encode())
    return DocumentFrame(estimate_tokens(empty), one - empty + len(text.encode()) - 1)


def _too_big(block: _Block, skim: _Block | None) -> str:
    """Why a file is left out: its size, and its skim's when one was tried (the whole
    file's size alone would say to raise the budget far more than needed)."""
    skimmed = f", {skim.tokens:,} skimmed" if skim is not None else ""
    return f"{block.tokens:,} tokens{skimmed}, more than the budget has left"
