"""``atlas render``: a selection turned into an LLM-ready context document."""

from __future__ import annotations

import json
import sys
from typing import Any

import click

from atlas_core.cli.params import COUNT
from atlas_core.cli.state import AppState, common_options
from atlas_core.errors import UsageError

__all__ = ["render"]

pass_state = click.make_pass_decorator(AppState)


def _read_selection(source: str) -> tuple[str, list[dict[str, Any]], int | None]:
    """Parse JSONL v0.3, a JSON document, or plain paths (one per line)."""
    if "\0" in source:
        raise UsageError(f"selection file name holds a NUL byte: {source!r}")
    try:
        if source == "-":
            text = sys.stdin.read()
        else:
            with open(source, encoding="utf-8") as fh:
                text = fh.read()
    except OSError as exc:
        raise UsageError(f"cannot read selection {source!r}: {exc.strerror}") from None
    except UnicodeDecodeError:
        raise UsageError(f"selection {source!r} is not UTF-8 text") from None
    stripped = text.strip()
    if not stripped:
        raise UsageError(f"selection {source!r} is empty")
    if (stripped.startswith("{") and "\n" not in stripped) or stripped.startswith("{\n"):
        try:
            doc = json.loads(stripped)
        except json.JSONDecodeError as exc:
            raise UsageError(f"selection {source!r} is not valid JSON: {exc}") from None
        files = doc.get("Files", []) if isinstance(doc, dict) else None
        if not isinstance(files, list) or not all(isinstance(f, dict) for f in files):
            raise UsageError(f"selection {source!r}: 'Files' must be a list of objects")
        return str(doc.get("Query", "")), files, _budget(source, doc)
    task, rows, budget = "", [], None
    for number, line in enumerate(stripped.splitlines(), 1):
        line = line.strip()
        if not line:
            continue
        if line.startswith("{"):
            try:
                item = json.loads(line)
            except json.JSONDecodeError as exc:
                raise UsageError(f"selection {source!r} line {number} is not JSON: {exc}") from None
            if not isinstance(item, dict):
                raise UsageError(f"selection {source!r} line {number} is not a JSON object")
            if "Version" in item:
                task = str(item.get("Query", ""))
                budget = _budget(f"{source} line {number}", item)
            elif "Path" in item:
                rows.append(item)
        else:
            rows.append({"Path": line})
    return task, rows, budget


def _budget(where: str, doc: dict[str, Any]) -> int | None:
    """``Budget.MaxTokens`` of a selection header, checked."""
    budget = doc.get("Budget") or {}
    limit = budget.get("MaxTokens") if isinstance(budget, dict) else None
    if limit is None:
        return None
    if isinstance(limit, bool) or not isinstance(limit, int) or limit < 0:
        raise UsageError(f"selection {where!r}: Budget.MaxTokens must be an integer, 0 or more")
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
