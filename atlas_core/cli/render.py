"""``atlas render``: a selection turned into an LLM-ready context document."""

from __future__ import annotations

import json
import os
import stat
import sys
from typing import Any

import click

from atlas_core.cli.params import COUNT
from atlas_core.cli.state import AppState, common_options
from atlas_core.errors import UsageError
from atlas_core.paths import quoted_path

__all__ = ["MAX_SELECTION_BYTES", "render"]

pass_state = click.make_pass_decorator(AppState)


#: the most ``render`` reads of a selection (paths and scores, not contents): far more than
#: any query prints, and a bound on what a wrong argument (``/dev/zero``) can cost
MAX_SELECTION_BYTES = 64 * 1024 * 1024


def _read_text(source: str) -> str:
    """The selection's text: stdin for ``-``, else a regular file, at most
    :data:`MAX_SELECTION_BYTES`."""
    if "\0" in source:
        raise UsageError(f"selection file name holds a NUL byte: {quoted_path(source)}")
    raw: bytes | str
    try:
        if source == "-":
            stdin = sys.stdin
            binary = getattr(stdin, "buffer", None)
            raw = (binary or stdin).read(MAX_SELECTION_BYTES + 1)
        else:
            # not blocking: a FIFO is refused below, not waited on for a writer
            fd = os.open(source, os.O_RDONLY | getattr(os, "O_NONBLOCK", 0))
            with open(fd, "rb") as fh:
                if not stat.S_ISREG(os.fstat(fd).st_mode):
                    raise UsageError(f"selection {quoted_path(source)} is not a regular file")
                raw = fh.read(MAX_SELECTION_BYTES + 1)
    except OSError as exc:
        raise UsageError(f"cannot read selection {quoted_path(source)}: {exc.strerror}") from None
    if len(raw) > MAX_SELECTION_BYTES:
        raise UsageError(
            f"selection {quoted_path(source)} is larger than {MAX_SELECTION_BYTES >> 20} MB; "
            "a selection lists files, it does not hold them"
        )
    if isinstance(raw, str):
        return raw
    try:
        return raw.decode("utf-8")
    except UnicodeDecodeError:
        raise UsageError(f"selection {quoted_path(source)} is not UTF-8 text") from None


def _read_selection(source: str) -> tuple[str, list[dict[str, Any]], int | None]:
    """Parse JSONL v0.3, a JSON document, or plain paths (one per line)."""
    stripped = _read_text(source).strip()
    if not stripped:
        raise UsageError(f"selection {quoted_path(source)} is empty")
    records: list[tuple[int, Any]] = []  # (line number, 0 for a whole document; record)
    if (stripped.startswith("{") and "\n" not in stripped) or stripped.startswith("{\n"):
        try:
            doc = json.loads(stripped)
        except json.JSONDecodeError as exc:
            raise UsageError(f"selection {quoted_path(source)} is not valid JSON: {exc}") from None
        if "Files" in doc:
            files = doc["Files"]
            if not isinstance(files, list) or not all(isinstance(f, dict) for f in files):
                raise UsageError(
                    f"selection {quoted_path(source)}: 'Files' must be a list of objects"
                )
            return str(doc.get("Query", "")), files, _budget(source, doc)
        records.append((0, doc))  # one JSONL record
    else:
        for number, line in enumerate(stripped.splitlines(), 1):
            line = line.strip()
            if not line:
                continue
            if not line.startswith("{"):
                records.append((number, {"Path": line}))
                continue
            try:
                records.append((number, json.loads(line)))
            except json.JSONDecodeError as exc:
                raise UsageError(
                    f"selection {quoted_path(source)} line {number} is not JSON: {exc}"
                ) from None
    task, rows, budget = "", [], None
    for number, item in records:
        where = f"{quoted_path(source)} line {number}" if number else quoted_path(source)
        if not isinstance(item, dict):
            raise UsageError(f"selection {where} is not a JSON object")
        if "Version" in item:  # the header
            task = str(item.get("Query", ""))
            budget = _budget(f"{source} line {number}" if number else source, item)
        elif "Path" in item:
            rows.append(item)
        elif "TotalFiles" not in item:  # nor the footer
            raise UsageError(
                f"selection {where} is not a selection record: it has no 'Path'"
                if number
                else f"selection {where} is neither a selection document (with 'Files') "
                "nor a selection record (with 'Path')"
            )
    return task, rows, budget


def _budget(where: str, doc: dict[str, Any]) -> int | None:
    """``Budget.MaxTokens`` of a selection header, checked."""
    budget = doc.get("Budget") or {}
    limit = budget.get("MaxTokens") if isinstance(budget, dict) else None
    if limit is None:
        return None
    if isinstance(limit, bool) or not isinstance(limit, int) or limit < 0:
        raise UsageError(
            f"selection {quoted_path(where)}: Budget.MaxTokens must be an integer, 0 or more"
        )
    return limit


@click.command()
@click.argument("selection", metavar="FILE|-")
@click.option(
    "--max-tokens",
    type=COUNT,
    default=None,
    help="Budget of the whole document (default: the selection's budget; 0: none).",
)
@click.option("--task", default=None, help="Task line for the header (default: the selection's).")
@click.option(
    "--style",
    type=click.Choice(["markdown", "xml"]),
    default="markdown",
    show_default=True,
    help="Markdown headings and fences, or XML tags.",
)
@click.option(
    "--allow-secrets",
    is_flag=True,
    help="Include credential files (.env, keys) and do not redact secrets.",
)
@common_options
@pass_state
def render(
    state: AppState,
    selection: str,
    max_tokens: int | None,
    task: str | None,
    style: str,
    allow_secrets: bool,
) -> None:
    """Turn a selection (JSONL from 'atlas query', or paths) into a context document.

    Credential files are left out and secrets in the text are redacted unless
    --allow-secrets is given; the header says where.
    """
    if state.format not in {"auto", "context"}:
        raise UsageError(f"this command prints a context document, not {state.format!r}")
    found_task, files, budget = _read_selection(selection)
    limit = max_tokens if max_tokens is not None else budget
    document = state.repo.render(
        files,
        task=task or found_task,
        max_tokens=limit or None,
        style=style,
        allow_secrets=allow_secrets,
    )
    from atlas_core.output.terminal import for_stream

    sys.stdout.write(for_stream(document.text, sys.stdout))
    report(state, document)


def report(state: AppState, document: Any) -> None:
    """What was rendered and left out, under -v."""
    state.info(
        f"rendered {len(document.included)} files, {document.tokens:,} tokens"
        + (f" of {document.budget:,}" if document.budget else "")
    )
    for omitted in document.omitted:
        state.info(f"omitted {omitted.path}: {omitted.reason}")
    for path, redaction in document.redactions:
        state.info(f"redacted {redaction.kind} at {path}:{redaction.line}")
