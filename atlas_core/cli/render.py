"""``atlas render``: a selection turned into an LLM-ready context document."""

from __future__ import annotations

import json
import sys
from typing import Any

import click

from atlas_core.cli.state import AppState, common_options
from atlas_core.errors import UsageError

__all__ = ["render"]

pass_state = click.make_pass_decorator(AppState)


def _read_selection(source: str) -> tuple[str, list[dict[str, Any]], int | None]:
    """Parse JSONL v0.3, a JSON document, or plain paths (one per line)."""
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
        budget = (doc.get("Budget") or {}).get("MaxTokens")
        return str(doc.get("Query", "")), list(doc.get("Files", [])), budget
    task, files, budget = "", [], None
    for number, line in enumerate(stripped.splitlines(), 1):
        line = line.strip()
        if not line:
            continue
        if line.startswith("{"):
            try:
                item = json.loads(line)
            except json.JSONDecodeError as exc:
                raise UsageError(f"selection {source!r} line {number} is not JSON: {exc}") from None
            if "Version" in item:
                task = str(item.get("Query", ""))
                budget = (item.get("Budget") or {}).get("MaxTokens")
            elif "Path" in item:
                files.append(item)
        else:
            files.append({"Path": line})
    return task, files, budget


@click.command()
@click.argument("selection", metavar="FILE|-")
@click.option(
    "--max-tokens",
    type=int,
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
    from atlas_core.output.context import render_context

    found_task, files, budget = _read_selection(selection)
    limit = max_tokens if max_tokens is not None else budget
    if limit is not None and limit < 0:
        raise UsageError(f"--max-tokens must be 0 or more, not {limit}")
    document = render_context(
        state.root,
        task or found_task,
        files,
        limit or None,
        style=style,
        allow_secrets=allow_secrets,
    )
    sys.stdout.write(document.text)
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
