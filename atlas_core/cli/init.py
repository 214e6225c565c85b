"""``atlas init``: teach coding agents to ask Atlas before grepping.

Writes instruction files into the repository root, each only where it is safe:

- ``AGENTS.md``, ``CLAUDE.md`` and ``.github/copilot-instructions.md`` (the latter only
  when ``.github/`` exists) are usually the user's own files, so Atlas owns only a section
  between ``<!-- atlas:begin -->`` and ``<!-- atlas:end -->``: it is appended to an
  existing file, and everything outside the markers is kept byte for byte.
- ``.cursor/rules/atlas.md`` belongs to Atlas and is written whole.

Nothing that differs from what Atlas would write is replaced without ``--force``, and
running ``atlas init`` twice changes nothing the second time. Then it prints the MCP
client configuration that starts ``atlas mcp`` for this repository.
"""

from __future__ import annotations

import json
import os
import shlex
import sys
import tempfile
from pathlib import Path
from typing import Any

import attrs
import click

from atlas_core.cli.state import AppState, common_options
from atlas_core.errors import UsageError

__all__ = ["BEGIN", "END", "InitAction", "init", "mcp_config", "plan_init"]

pass_state = click.make_pass_decorator(AppState)

BEGIN = "<!-- atlas:begin -->"
END = "<!-- atlas:end -->"

_GUIDE = """\
## Finding code: ask Atlas before grepping

This repository is indexed by Atlas, which ranks its files for a task described in plain
English and returns the most relevant ones within a token budget, offline.

Before searching with grep or find, or opening files at random:

1. Rank the files for the task: `atlas quick "<what you are trying to do>" --format compact`
   prints paths, most relevant first (`--format json` adds scores, token counts and the
   matched symbols).
2. Read the top files first. To get their contents as one document within a budget:
   `atlas quick "<task>" --format context --max-tokens 12000`.
3. `atlas explain "<task>"` shows why each file ranked where it did.
4. Then use grep for exact strings, inside the files Atlas pointed to.

When the Atlas MCP server is connected, use its tools instead of the commands: `query`
(rank files), `render` (file contents within a budget), `outline` (a file's symbols and
line ranges), `explain` and `index` (refresh after large changes).

Context from Atlas never includes credential files (`.env`, private keys), and secrets in
code appear as `[REDACTED <kind>]`; do not try to recover them.
"""

_SECTION = (
    f"{BEGIN}\n"
    "<!-- Managed by `atlas init`; edits inside these markers are replaced by"
    " `atlas init --force`. -->\n"
    f"{_GUIDE}{END}\n"
)

_CURSOR_RULE = (
    "---\n"
    "description: Use Atlas to find the files relevant to a task before grepping\n"
    "alwaysApply: true\n"
    "---\n\n"
    "<!-- Written by `atlas init`; `atlas init --force` rewrites this file. -->\n\n"
    f"{_GUIDE}"
)


@attrs.frozen
class InitAction:
    """What ``atlas init`` does (or would do) to one file.

    :ivar path: relative to the root.
    :ivar action: ``created``, ``added-section``, ``updated-section``, ``overwritten``,
        ``unchanged`` or ``skipped``.
    :ivar detail: why, for ``skipped`` and the section actions.
    :ivar content: the new content to write, when the action writes.
    """

    path: str
    action: str
    detail: str = ""
    content: str | None = attrs.field(default=None, repr=False)


def _targets(root: Path) -> list[tuple[str, bool]]:
    """(path, managed section?) of every file to write."""
    targets = [("AGENTS.md", True), ("CLAUDE.md", True), (".cursor/rules/atlas.md", False)]
    if (root / ".github").is_dir():
        targets.append((".github/copilot-instructions.md", True))
    return targets


def plan_init(root: Path, *, force: bool = False) -> list[InitAction]:
    """What ``atlas init`` would do in ``root``, without writing anything."""
    root = root.resolve()
    plan = []
    for rel, managed in _targets(root):
        target = (root / rel).resolve()
        if root not in target.parents:
            plan.append(InitAction(rel, "skipped", "it resolves outside the repository"))
            continue
        if target.is_dir():
            plan.append(InitAction(rel, "skipped", "a directory is in the way"))
            continue
        try:
            existing = _read(target) if target.exists() else None
        except (OSError, UnicodeDecodeError) as exc:
            plan.append(InitAction(rel, "skipped", f"cannot read it: {exc}"))
            continue
        plan.append(
            _plan_section(rel, existing, force) if managed else _plan_whole(rel, existing, force)
        )
    return plan


def _read(path: Path) -> str:
    """The file's text exactly, line endings included."""
    with open(path, encoding="utf-8", newline="") as fh:
        return fh.read()


def _plan_whole(rel: str, existing: str | None, force: bool) -> InitAction:
    if existing is None:
        return InitAction(rel, "created", content=_CURSOR_RULE)
    if existing == _CURSOR_RULE:
        return InitAction(rel, "unchanged")
    if force:
        return InitAction(rel, "overwritten", content=_CURSOR_RULE)
    return InitAction(rel, "skipped", "it exists with other content (--force to overwrite)")


def _plan_section(rel: str, existing: str | None, force: bool) -> InitAction:
    if existing is None:
        return InitAction(rel, "created", content=_SECTION)
    newline = "\r\n" if "\r\n" in existing else "\n"
    section = _SECTION.replace("\n", newline)
    begin, end = existing.find(BEGIN), existing.find(END)
    if begin < 0 and end < 0:
        sep = "" if not existing or existing.endswith("\n") else newline
        blank = newline if existing.strip() else ""
        content = existing + sep + blank + section
        return InitAction(rel, "added-section", "your content is kept", content)
    if begin < 0 or end < begin:
        if not force:
            return InitAction(
                rel, "skipped", "its atlas markers are unbalanced (fix them, or --force)"
            )
        cut = begin if begin >= 0 else end
        tail = existing[existing.find(END, cut) + len(END) :] if END in existing[cut:] else ""
        return InitAction(
            rel,
            "updated-section",
            "markers repaired",
            existing[:cut] + section + tail.lstrip("\r\n"),
        )
    stop = end + len(END)
    if existing[stop : stop + len(newline)] == newline:
        stop += len(newline)
    if existing[begin:stop] == section:
        return InitAction(rel, "unchanged")
    if not force:
        return InitAction(
            rel, "skipped", "its Atlas section differs from this version's (--force to replace)"
        )
    content = existing[:begin] + section + existing[stop:]
    return InitAction(rel, "updated-section", "only the Atlas section was replaced", content)


def apply_init(root: Path, plan: list[InitAction]) -> None:
    """Write the files of ``plan``, each atomically (keeping an existing file's mode)."""
    for item in plan:
        if item.content is None:
            continue
        target = root / item.path
        target.parent.mkdir(parents=True, exist_ok=True)
        fd, tmp = tempfile.mkstemp(prefix=".atlas-init-", dir=target.parent)
        try:
            with os.fdopen(fd, "w", encoding="utf-8", newline="") as fh:
                fh.write(item.content)
            if target.exists():
                os.chmod(tmp, target.stat().st_mode & 0o7777)
            else:
                os.chmod(tmp, 0o666 & ~_umask())
            os.replace(tmp, target)
        except BaseException:
            Path(tmp).unlink(missing_ok=True)
            raise


def _umask() -> int:
    mask = os.umask(0)
    os.umask(mask)
    return mask


def mcp_config(root: Path) -> dict[str, Any]:
    """The ``mcpServers`` entry that starts Atlas's MCP server for ``root``."""
    return {"mcpServers": {"atlas": {"command": "atlas", "args": ["mcp", "--root", str(root)]}}}


_VERBS = {
    "created": "created",
    "added-section": "added Atlas section to",
    "updated-section": "updated Atlas section in",
    "overwritten": "overwrote",
    "unchanged": "unchanged:",
    "skipped": "skipped",
}


@click.command()
@click.option("--force", is_flag=True, help="Replace files and sections that differ.")
@click.option("--dry-run", is_flag=True, help="Say what would change; write nothing.")
@common_options
@pass_state
def init(state: AppState, force: bool, dry_run: bool) -> None:
    """Write instructions that teach coding agents to ask Atlas before grepping.

    AGENTS.md, CLAUDE.md and .github/copilot-instructions.md (when .github/ exists) get
    an Atlas section between markers, keeping your own content; .cursor/rules/atlas.md
    is written whole. Nothing that differs is replaced without --force. Prints the MCP
    client configuration for 'atlas mcp'.
    """
    root = state.root
    plan = plan_init(root, force=force)
    if not dry_run:
        try:
            apply_init(root, plan)
        except OSError as exc:
            raise UsageError(f"cannot write {exc.filename or 'a file'}: {exc.strerror}") from None
    config = mcp_config(root)
    has_mcp = "mcp" in click.get_current_context().find_root().command.commands  # type: ignore[attr-defined]
    if state.format in {"json", "jsonl"}:
        json.dump(
            {
                "Root": str(root),
                "DryRun": dry_run,
                "Files": [{"Path": a.path, "Action": a.action, "Detail": a.detail} for a in plan],
                "McpConfig": config,
                "McpInstalled": has_mcp,
            },
            sys.stdout,
            indent=2,
        )
        sys.stdout.write("\n")
        return
    prefix = "would have " if dry_run else ""
    for item in plan:
        verb = _VERBS[item.action]
        detail = f" ({item.detail})" if item.detail else ""
        action = verb if item.action in {"unchanged", "skipped"} else prefix + verb
        print(f"{action} {item.path}{detail}")
    print()
    print("To give MCP clients (Claude Code, Cursor, ...) Atlas's tools, add this to their")
    print("MCP configuration (.mcp.json, .cursor/mcp.json):")
    print(json.dumps(config, indent=2))
    command = shlex.join(
        ["claude", "mcp", "add", "atlas", "--", "atlas", "mcp", "--root", str(root)]
    )
    print(f"or, for Claude Code: {command}")
    if not has_mcp:
        print("The MCP server is a plugin: pip install atlas-mcp")
