"""``atlas init``: teach coding agents to ask Atlas before grepping.

Writes instruction files into the repository root, each only where it is safe:

- ``AGENTS.md``, ``CLAUDE.md`` and ``.github/copilot-instructions.md`` (the latter only
  when ``.github/`` exists) are usually the user's own files, so Atlas owns only a section
  between ``<!-- atlas:begin -->`` and ``<!-- atlas:end -->``: it is appended to an
  existing file, and everything outside the markers is kept byte for byte.
- ``.cursor/rules/atlas.md`` belongs to Atlas and is written whole.

A symbolic link (``CLAUDE.md -> AGENTS.md``) is followed and stays a link; a file reached
through two names gets one section. Every write is atomic (a temporary file renamed over
the real one). ``atlas init`` refuses, writing nothing, ``--force`` or not, when a link
leads outside the repository or a file's markers are unbalanced (a begin without an end,
an end without a begin, two of either): it names the file and line instead of guessing.

Nothing that differs from what Atlas would write is replaced without ``--force``, and
running ``atlas init`` twice changes nothing the second time. Then it prints the MCP
client configuration that starts ``atlas mcp`` for this repository.
"""

from __future__ import annotations

import json
import os
import re
import shlex
import sys
import tempfile
from pathlib import Path
from typing import Any

import attrs
import click

from atlas_core.cli.state import AppState, common_options
from atlas_core.errors import AtlasError, UsageError

__all__ = [
    "BEGIN",
    "END",
    "InitAction",
    "InitRefused",
    "apply_init",
    "init",
    "mcp_config",
    "plan_init",
]

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


class InitRefused(AtlasError):
    """``atlas init`` will not guess: a link leads outside the repository, or a file's
    Atlas markers are unbalanced. Nothing is written."""


@attrs.frozen
class InitAction:
    """What ``atlas init`` does (or would do) to one file.

    :ivar path: relative to the root, as named (it may be a symbolic link).
    :ivar action: ``created``, ``added-section``, ``updated-section``, ``overwritten``,
        ``unchanged``, ``linked`` (a link to a file another action handles) or ``skipped``.
    :ivar detail: why, for ``skipped`` and the section actions.
    :ivar content: the new content to write, when the action writes.
    :ivar target: the file actually read and written: ``path`` with its links followed.
    :ivar existing: the content the plan was made from (None: no such file).
    """

    path: str
    action: str
    detail: str = ""
    content: str | None = attrs.field(default=None, repr=False)
    target: Path | None = attrs.field(default=None, repr=False)
    existing: str | None = attrs.field(default=None, repr=False)


def _targets(root: Path) -> list[tuple[str, bool]]:
    """(path, managed section?) of every file to write."""
    targets = [("AGENTS.md", True), ("CLAUDE.md", True), (".cursor/rules/atlas.md", False)]
    if (root / ".github").is_dir():
        targets.append((".github/copilot-instructions.md", True))
    return targets


class _Refusal(Exception):
    """One file that ``atlas init`` will not touch; the message is one line."""


def _real_path(root: Path, rel: str) -> Path:
    """``rel`` with every link followed; it must stay inside ``root``."""
    try:
        target = (root / rel).resolve()
    except (OSError, RuntimeError) as exc:  # a link loop
        raise _Refusal(f"{rel}: cannot follow its links ({exc})") from None
    if root not in target.parents:
        raise _Refusal(
            f"{rel} leads through a link to {target}, outside the repository; "
            "atlas init writes only inside it"
        )
    return target


def plan_init(root: Path, *, force: bool = False) -> list[InitAction]:
    """What ``atlas init`` would do in ``root``, without writing anything.

    Links are followed to the file they name (which must be inside ``root``), and files
    reached through two names get one Atlas section. Raises :class:`InitRefused` (naming
    every file concerned) when a link leads outside ``root`` or a file's markers are
    unbalanced, ``--force`` or not.
    """
    root = root.resolve()
    plan: list[InitAction] = []
    refusals: list[str] = []
    seen: dict[Path, tuple[str, bool]] = {}
    for rel, managed in _targets(root):
        try:
            target = _real_path(root, rel)
        except _Refusal as exc:
            refusals.append(str(exc))
            continue
        shown = target.relative_to(root).as_posix()
        if target in seen:
            first, first_managed = seen[target]
            if managed and first_managed:
                plan.append(InitAction(rel, "linked", f"the same file as {first}"))
            else:
                plan.append(InitAction(rel, "skipped", f"it is the same file as {first}"))
            continue
        seen[target] = (rel, managed)
        if target.is_dir():
            plan.append(InitAction(rel, "skipped", "a directory is in the way"))
            continue
        if target.exists() and not target.is_file():
            plan.append(InitAction(rel, "skipped", "not a regular file"))
            continue
        try:
            existing = _read(target) if target.exists() else None
        except (OSError, UnicodeDecodeError) as exc:
            plan.append(InitAction(rel, "skipped", f"cannot read it: {exc}"))
            continue
        try:
            action = (
                _plan_section(rel, shown, existing, force)
                if managed
                else _plan_whole(rel, existing, force)
            )
        except _Refusal as exc:
            refusals.append(str(exc))
            continue
        if shown != rel:
            via = f"through the link to {shown}"
            action = attrs.evolve(action, detail=f"{action.detail}; {via}".lstrip("; "))
        plan.append(attrs.evolve(action, target=target, existing=existing))
    if refusals:
        raise InitRefused("; ".join(refusals) + " (nothing was written)")
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


def _markers(shown: str, text: str) -> tuple[int, int] | None:
    """Offsets of the one begin and one end marker in ``text``, or None without markers.

    Anything else is the user's to sort out: guessing where a section ends could delete
    their text, so it is a :class:`_Refusal` naming the file and the line.
    """
    begins = [m.start() for m in re.finditer(re.escape(BEGIN), text)]
    ends = [m.start() for m in re.finditer(re.escape(END), text)]
    if not begins and not ends:
        return None

    def line(at: int) -> int:
        return text.count("\n", 0, at) + 1

    def refuse(at: int, problem: str) -> _Refusal:
        return _Refusal(f"{shown}:{line(at)}: {problem}; fix the Atlas markers by hand")

    if len(begins) > 1:
        raise refuse(begins[1], f"a second {BEGIN} (the first is on line {line(begins[0])})")
    if len(ends) > 1:
        raise refuse(ends[1], f"a second {END} (the first is on line {line(ends[0])})")
    if not ends:
        raise refuse(begins[0], f"{BEGIN} without an {END} after it")
    if not begins:
        raise refuse(ends[0], f"{END} without a {BEGIN} before it")
    if ends[0] < begins[0]:
        raise refuse(ends[0], f"{END} comes before the {BEGIN}")
    return begins[0], ends[0]


def _plan_section(rel: str, shown: str, existing: str | None, force: bool) -> InitAction:
    if existing is None:
        return InitAction(rel, "created", content=_SECTION)
    newline = "\r\n" if "\r\n" in existing else "\n"
    section = _SECTION.replace("\n", newline)
    markers = _markers(shown, existing)
    if markers is None:
        sep = "" if not existing or existing.endswith("\n") else newline
        blank = newline if existing.strip() else ""
        content = existing + sep + blank + section
        return InitAction(rel, "added-section", "your content is kept", content)
    begin, end = markers
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
    """Write the files of ``plan``, each atomically and in place of the file a link names
    (the link stays a link), keeping an existing file's mode.

    A file that changed since the plan was made is not written (:class:`InitRefused`).
    """
    for item in plan:
        if item.content is None:
            continue
        target = item.target if item.target is not None else root / item.path
        try:
            current = _read(target) if target.exists() else None
        except (OSError, UnicodeDecodeError) as exc:
            raise InitRefused(f"{item.path}: cannot read it again: {exc}") from None
        if current != item.existing:
            raise InitRefused(f"{item.path} changed while atlas init ran; run it again")
        _write_atomically(target, item.content)


def _write_atomically(target: Path, content: str) -> None:
    """Replace ``target`` (a real file, not a link) by a complete new version, or not at all."""
    target.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(prefix=".atlas-init-", dir=target.parent)
    try:
        with os.fdopen(fd, "w", encoding="utf-8", newline="") as fh:
            fh.write(content)
            fh.flush()
            os.fsync(fh.fileno())
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
    "linked": "kept the link",
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
    real_root = root.resolve()
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
                "Files": [
                    {
                        "Path": a.path,
                        "Action": a.action,
                        "Detail": a.detail,
                        "Target": a.target.relative_to(real_root).as_posix() if a.target else None,
                    }
                    for a in plan
                ],
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
        action = verb if item.action in {"unchanged", "skipped", "linked"} else prefix + verb
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
