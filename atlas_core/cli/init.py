"""``atlas init``: teach coding agents to ask Atlas before grepping, and connect them to it.

Writes, each only where it is safe, for the agents chosen with ``--agent`` (all by default):

- ``AGENTS.md`` (always): the instructions, once. Atlas owns only a section between
  ``<!-- atlas:begin -->`` and ``<!-- atlas:end -->``, appended to an existing file;
  everything outside the markers is kept byte for byte.
- Claude Code: a section of ``CLAUDE.md`` that imports ``AGENTS.md`` (``@AGENTS.md``)
  rather than repeating it, ``.mcp.json``, and with ``--hooks`` a UserPromptSubmit hook in
  ``.claude/settings.local.json`` that adds ``atlas quick``'s selection to each prompt.
- Cursor: ``.cursor/rules/atlas.mdc`` (Atlas's own file, written whole; it holds the
  text itself, so the rule works on its own) and ``.cursor/mcp.json``.
- VS Code (Copilot): a section of ``.github/copilot-instructions.md`` (only when
  ``.github/`` exists; the same text, Copilot has no import) and ``.vscode/mcp.json``.

The instruction text is one constant (:data:`GUIDE`). In a JSON file Atlas owns one entry
(``mcpServers.atlas``, ``servers.atlas``, or its hook in ``hooks.UserPromptSubmit``); the
user's other keys are kept (the file is re-serialised with its indentation). The MCP
configs are written only when the atlas-mcp plugin is installed, and name the absolute
path of this Atlas (:func:`atlas_command`), so a client started outside the virtual
environment still finds it, and no absolute root: the server takes its working directory
(Claude Code starts it in the project) or the editor's ``${workspaceFolder}``.

A symbolic link (``CLAUDE.md -> AGENTS.md``) is followed and stays a link; a file reached
through two names gets one section. Every write is atomic (a temporary file renamed over
the real one). ``atlas init`` refuses, writing nothing, ``--force`` or not, when a link
leads outside the repository or a file's markers are unbalanced (a begin without an end,
an end without a begin, two of either): it names the file and line instead of guessing.
It skips, with a reason, a file reached through a link into ``.git/`` (``.hg``, ``.svn``)
or Atlas's cache (the directories the walk never enters), a file in the way of a directory,
a file over :data:`MAX_FILE_BYTES`, and JSON it could not write back as it was. The whole
plan is made, and every file checked, before the first is written.

Nothing that differs from what Atlas would write is replaced without ``--force``, and
running ``atlas init`` twice changes nothing the second time.
"""

from __future__ import annotations

import contextlib
import json
import math
import os
import re
import shlex
import shutil
import sys
import sysconfig
import tempfile
from collections.abc import Callable, Iterable
from pathlib import Path
from typing import Any

import attrs
import click

from atlas_core.cli.state import AppState, common_options
from atlas_core.errors import AtlasError, UsageError
from atlas_core.index.layout import cache_dir_for
from atlas_core.output.jsonout import OUTPUT_VERSION
from atlas_core.paths import display_path, display_text
from atlas_core.walk.fs import ALWAYS_SKIPPED_DIRS

__all__ = [
    "AGENT_NAMES",
    "BEGIN",
    "END",
    "GUIDE",
    "HOOK_TIMEOUT",
    "MAX_FILE_BYTES",
    "InitAction",
    "InitRefused",
    "apply_init",
    "atlas_command",
    "hook_command",
    "init",
    "mcp_configs",
    "plan_init",
]

pass_state = click.make_pass_decorator(AppState)

BEGIN = "<!-- atlas:begin -->"
END = "<!-- atlas:end -->"

#: The agents ``--agent`` chooses among (``all``: every one).
AGENT_NAMES = ("claude", "cursor", "vscode")

#: Seconds Claude Code gives the prompt hook; the hook itself gives up sooner.
HOOK_TIMEOUT = 15

#: The most ``atlas init`` reads of a file it edits: instruction and settings files are
#: small, and a bigger one is left alone rather than read whole and rewritten.
MAX_FILE_BYTES = 4 * 1024 * 1024

#: The one instruction text; every file that cannot import AGENTS.md holds a copy of it.
GUIDE = """\
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

#: CLAUDE.md's section: Claude Code reads AGENTS.md through this import.
_CLAUDE_IMPORT = """\
Atlas's instructions for finding code are in AGENTS.md, shared by every agent:

@AGENTS.md
"""

_CURSOR_RULE = (
    "---\n"
    "description: Use Atlas to find the files relevant to a task before grepping\n"
    "globs:\n"
    "alwaysApply: true\n"
    "---\n\n"
    "<!-- Written by `atlas init`; `atlas init --force` rewrites this file. -->\n\n"
    f"{GUIDE}"
)

#: Where older versions wrote the Cursor rule (Cursor reads only ``.mdc`` rules).
_OLD_CURSOR_RULE = ".cursor/rules/atlas.md"


def _section(body: str) -> str:
    return (
        f"{BEGIN}\n"
        "<!-- Managed by `atlas init`; edits inside these markers are replaced by"
        " `atlas init --force`. -->\n"
        f"{body}{END}\n"
    )


_SECTION = _section(GUIDE)
_CLAUDE_SECTION = _section(_CLAUDE_IMPORT)


class InitRefused(AtlasError):
    """``atlas init`` will not guess: a link leads outside the repository, or a file's
    Atlas markers are unbalanced. Nothing is written."""


@attrs.frozen
class InitAction:
    """What ``atlas init`` does (or would do) to one file.

    :ivar path: relative to the root, as named (it may be a symbolic link).
    :ivar action: ``created``, ``added-section``, ``updated-section``, ``added-entry``,
        ``updated-entry`` (a JSON file's Atlas entry), ``overwritten``, ``unchanged``,
        ``linked`` (a link to a file another action handles) or ``skipped``.
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


# -- how clients start this Atlas -------------------------------------------------------


def atlas_command() -> list[str]:
    """The command that starts this Atlas without relying on ``PATH``.

    The running ``atlas`` script made absolute; else the ``atlas`` script installed beside
    this interpreter; else ``python -m atlas_core`` with this interpreter's absolute path.
    Paths are made absolute, not resolved: a virtual environment's python is a link, and
    following it would leave the environment.
    """
    argv0 = sys.argv[0] if sys.argv else ""
    if os.path.basename(argv0).lower() in {"atlas", "atlas.exe"} and os.path.isfile(argv0):
        return [os.path.abspath(argv0)]
    python = os.path.abspath(sys.executable)
    for scripts in (sysconfig.get_path("scripts"), os.path.dirname(python)):
        found = shutil.which("atlas", path=scripts) if scripts else None
        if found:
            return [os.path.abspath(found)]
    return [python, "-m", "atlas_core"]


def mcp_configs(command: list[str] | None = None) -> dict[str, Any]:
    """The MCP client configuration of each format, keyed ``claude``, ``cursor``,
    ``vscode`` and ``stdio`` (any other client), starting ``atlas mcp``.

    None names a root: Claude Code starts the server in the project and Atlas finds the
    repository upward from there; the editors pass their ``${workspaceFolder}``.
    """
    exe, *pre = command or atlas_command()
    args = [*pre, "mcp"]
    workspace = [*args, "--root", "${workspaceFolder}"]
    return {
        "claude": {"mcpServers": {"atlas": {"type": "stdio", "command": exe, "args": args}}},
        "cursor": {"mcpServers": {"atlas": {"command": exe, "args": workspace}}},
        "vscode": {"servers": {"atlas": {"type": "stdio", "command": exe, "args": workspace}}},
        "stdio": {"command": exe, "args": args},
    }


def hook_command(command: list[str] | None = None) -> str:
    """The shell command of Claude Code's prompt hook."""
    return shlex.join([*(command or atlas_command()), "hook", "prompt"])


# -- the plan ---------------------------------------------------------------------------

#: (rel, shown, existing, force, the actions so far) -> the action
_Builder = Callable[[str, str, "str | None", bool, dict[str, InitAction]], InitAction]


@attrs.frozen
class _Target:
    rel: str
    kind: str  # "section" (a managed part of the user's file), "whole" or "json"
    build: _Builder


class _Refusal(Exception):
    """One file that ``atlas init`` will not touch; the message is one line."""


def _real_path(root: Path, rel: str) -> Path:
    """``rel`` with every link followed; it must stay inside ``root``."""
    try:
        target = (root / rel).resolve()
    except (OSError, RuntimeError) as exc:  # a link loop
        raise _Refusal(f"{rel}: cannot follow its links ({display_text(str(exc))})") from None
    if root not in target.parents:
        raise _Refusal(
            f"{rel} leads through a link to {display_path(str(target))}, outside the "
            "repository; atlas init writes only inside it"
        )
    return target


def _kept_out(root: Path, target: Path) -> str | None:
    """Why ``target`` (inside ``root``, links followed) is no file for Atlas to write, if
    it is not: it is in a directory the walk never enters (``.git``, Atlas's cache; the
    repository's own data), or a parent is a file in the way. None: it may be written."""
    parts = target.relative_to(root).parts
    skipped = ALWAYS_SKIPPED_DIRS.intersection(parts)
    if skipped:
        return f"it is in {min(skipped)}/, which atlas init never writes"
    cache = cache_dir_for(root)
    with contextlib.suppress(OSError, RuntimeError):  # a link loop: no file is inside it
        cache = cache.resolve()
    if target == cache or cache in target.parents:
        return "it is in Atlas's cache directory, which atlas init never writes"
    for n in range(1, len(parts)):
        parent = root.joinpath(*parts[:n])
        if parent.exists() and not parent.is_dir():
            shown = display_path("/".join(parts[:n]))
            return f"{shown} is in the way (not a directory)"
    return None


def _targets(
    root: Path, agents: Iterable[str], *, mcp: bool, hooks: bool, command: list[str]
) -> list[_Target]:
    chosen = set(agents)
    configs = mcp_configs(command)

    def section(body: str) -> _Builder:
        return lambda rel, shown, existing, force, done: _plan_section(
            rel, shown, existing, force, body
        )

    def entry(keys: tuple[str, str], value: Any) -> _Builder:
        return lambda rel, shown, existing, force, done: _plan_json(
            rel, existing, force, _set_entry(keys, value)
        )

    def claude_md(
        rel: str, shown: str, existing: str | None, force: bool, done: dict[str, InitAction]
    ) -> InitAction:
        agents_md = done.get("AGENTS.md")
        imports = agents_md is not None and (
            agents_md.action != "skipped" or "Atlas section differs" in agents_md.detail
        )
        return _plan_section(rel, shown, existing, force, _CLAUDE_SECTION if imports else _SECTION)

    targets = [_Target("AGENTS.md", "section", section(_SECTION))]
    if "claude" in chosen:
        targets.append(_Target("CLAUDE.md", "section", claude_md))
        if mcp:
            targets.append(
                _Target(
                    ".mcp.json",
                    "json",
                    entry(("mcpServers", "atlas"), configs["claude"]["mcpServers"]["atlas"]),
                )
            )
        if hooks:
            settings = lambda rel, shown, existing, force, done: _plan_json(  # noqa: E731
                rel, existing, force, _set_hook(hook_command(command))
            )
            targets.append(_Target(".claude/settings.local.json", "json", settings))
    if "cursor" in chosen:
        rule = lambda rel, shown, existing, force, done: _plan_whole(rel, existing, force)  # noqa: E731
        targets.append(_Target(".cursor/rules/atlas.mdc", "whole", rule))
        if mcp:
            targets.append(
                _Target(
                    ".cursor/mcp.json",
                    "json",
                    entry(("mcpServers", "atlas"), configs["cursor"]["mcpServers"]["atlas"]),
                )
            )
    if "vscode" in chosen:
        if (root / ".github").is_dir():
            targets.append(_Target(".github/copilot-instructions.md", "section", section(_SECTION)))
        if mcp:
            targets.append(
                _Target(
                    ".vscode/mcp.json",
                    "json",
                    entry(("servers", "atlas"), configs["vscode"]["servers"]["atlas"]),
                )
            )
    return targets


def plan_init(
    root: Path,
    *,
    force: bool = False,
    agents: Iterable[str] = AGENT_NAMES,
    mcp: bool = False,
    hooks: bool = False,
    command: list[str] | None = None,
) -> list[InitAction]:
    """What ``atlas init`` would do in ``root``, without writing anything.

    ``agents`` picks the tools (``AGENTS.md`` is always planned); ``mcp`` adds their MCP
    configuration files and ``hooks`` Claude Code's prompt hook, each starting
    ``command`` (default: :func:`atlas_command`).

    Links are followed to the file they name (which must be inside ``root``), and files
    reached through two names get one Atlas section. Raises :class:`InitRefused` (naming
    every file concerned) when a link leads outside ``root`` or a file's markers are
    unbalanced, ``--force`` or not.
    """
    root = root.resolve()
    command = command or atlas_command()
    plan: list[InitAction] = []
    done: dict[str, InitAction] = {}
    refusals: list[str] = []
    seen: dict[Path, tuple[str, bool]] = {}
    for item in _targets(root, agents, mcp=mcp, hooks=hooks, command=command):
        rel, managed = item.rel, item.kind == "section"
        try:
            target = _real_path(root, rel)
        except _Refusal as exc:
            refusals.append(str(exc))
            continue
        shown = target.relative_to(root).as_posix()
        why = _kept_out(root, target)
        if why is not None:
            via = f"; through the link to {display_path(shown)}" if shown != rel else ""
            plan.append(InitAction(rel, "skipped", why + via))
            continue
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
        except _TooLarge as exc:
            plan.append(InitAction(rel, "skipped", str(exc)))
            continue
        except (OSError, UnicodeDecodeError) as exc:
            plan.append(InitAction(rel, "skipped", f"cannot read it: {display_text(str(exc))}"))
            continue
        try:
            action = item.build(rel, shown, existing, force, done)
        except _Refusal as exc:
            refusals.append(str(exc))
            continue
        if shown != rel:
            via = f"through the link to {display_path(shown)}"
            action = attrs.evolve(action, detail=f"{action.detail}; {via}".lstrip("; "))
        action = attrs.evolve(action, target=target, existing=existing)
        done[rel] = action
        plan.append(action)
    if refusals:
        raise InitRefused("; ".join(refusals) + " (nothing was written)")
    if "cursor" in set(agents) and (root / _OLD_CURSOR_RULE).is_file():
        detail = "an older atlas init wrote it; Cursor reads atlas.mdc now, delete it yourself"
        plan.append(InitAction(_OLD_CURSOR_RULE, "skipped", detail))
    return plan


class _TooLarge(Exception):
    """A file bigger than :data:`MAX_FILE_BYTES`; the message says so."""


def _read(path: Path) -> str:
    """The file's text exactly, line endings included.

    :raises _TooLarge: beyond :data:`MAX_FILE_BYTES` (only that much is read).
    """
    with open(path, "rb") as fh:
        data = fh.read(MAX_FILE_BYTES + 1)
    if len(data) > MAX_FILE_BYTES:
        raise _TooLarge(
            f"it is larger than {MAX_FILE_BYTES // 2**20} MB, more than an instruction "
            "file holds; edit it by hand"
        )
    return data.decode("utf-8")


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
        where = f"{display_path(shown)}:{line(at)}"
        return _Refusal(f"{where}: {problem}; fix the Atlas markers by hand")

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


def _plan_section(
    rel: str, shown: str, existing: str | None, force: bool, wanted: str
) -> InitAction:
    if existing is None:
        return InitAction(rel, "created", content=wanted)
    newline = "\r\n" if "\r\n" in existing else "\n"
    section = wanted.replace("\n", newline)
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


class _Conflict(Exception):
    """A JSON file whose shape leaves no place for Atlas's entry; the message says why."""


#: Mutates a settings document; says whether Atlas's entry was ``same``, ``added`` or
#: ``differs`` (then replaced in the document, which is written only with ``--force``).
_Update = Callable[[dict[str, Any]], str]


def _plan_json(rel: str, existing: str | None, force: bool, update: _Update) -> InitAction:
    data: Any = {}
    if existing is not None and existing.strip():
        try:
            data = _plain_json(existing)
        except _NotPlain as exc:
            return InitAction(rel, "skipped", f"not plain JSON ({exc}); add Atlas's entry by hand")
        if not isinstance(data, dict):
            return InitAction(rel, "skipped", "it is not a JSON object")
    try:
        state = update(data)
    except _Conflict as exc:
        return InitAction(rel, "skipped", str(exc))
    if state == "same":
        return InitAction(rel, "unchanged")
    content = _dump_json(data, existing)
    if existing is None:
        return InitAction(rel, "created", content=content)
    if state == "added":
        return InitAction(rel, "added-entry", "your settings are kept", content)
    if not force:
        return InitAction(
            rel, "skipped", "its Atlas entry differs from this version's (--force to replace)"
        )
    return InitAction(rel, "updated-entry", "only the Atlas entry was replaced", content)


class _NotPlain(Exception):
    """Text that is not plain JSON, or not JSON that can be written back as it was."""


def _plain_json(text: str) -> Any:
    """``text`` parsed as strict JSON that re-serialises to the same values.

    ``json.loads`` also takes ``NaN``, ``Infinity`` and numbers beyond a float's range
    (written back as other values), keeps only the last of two equal keys, gives a string
    holding half a UTF-16 pair (``"\\udc80"``) that cannot be written as UTF-8, and
    fails on deep nesting or a huge integer: each of those is a :class:`_NotPlain`.
    """

    def constant(name: str) -> Any:
        raise _NotPlain(f"{name} is not a JSON number")

    def number(literal: str) -> float:
        value = float(literal)
        if not math.isfinite(value):
            raise _NotPlain(f"{display_text(literal[:40])} is beyond a number's range")
        return value

    def pairs(items: list[tuple[str, Any]]) -> dict[str, Any]:
        data: dict[str, Any] = {}
        for key, value in items:
            if key in data:
                raise _NotPlain(f"the key {json.dumps(key)[:80]} appears twice")
            data[key] = value
        return data

    try:
        data = json.loads(
            text, parse_constant=constant, parse_float=number, object_pairs_hook=pairs
        )
        json.dumps(data, ensure_ascii=False).encode("utf-8")
    except json.JSONDecodeError as exc:
        raise _NotPlain(f"line {exc.lineno}: {exc.msg}") from None
    except UnicodeEncodeError:
        raise _NotPlain("a \\u escape names half a UTF-16 pair") from None
    except RecursionError:
        raise _NotPlain("it is nested too deeply") from None
    except ValueError:  # an integer beyond sys.get_int_max_str_digits()
        raise _NotPlain("a number has too many digits") from None
    return data


def _dump_json(data: Any, existing: str | None) -> str:
    """``data`` as JSON, indented and with line endings as ``existing`` had them."""
    indent: str | int = 2
    newline = "\n"
    if existing:
        found = re.search(r"\n([ \t]+)\S", existing)
        if found:
            indent = found.group(1)
        if "\r\n" in existing:
            newline = "\r\n"
    text = json.dumps(data, indent=indent, ensure_ascii=False) + "\n"
    return text.replace("\n", newline)


def _child(node: dict[str, Any], key: str, kind: type) -> Any:
    value = node.setdefault(key, kind())
    if not isinstance(value, kind):
        shape = "an object" if kind is dict else "a list"
        raise _Conflict(f'its "{key}" is not {shape}; add Atlas\'s entry by hand')
    return value


def _set_entry(keys: tuple[str, str], value: Any) -> _Update:
    """Set ``data[keys[0]][keys[1]]`` (an MCP server entry) to ``value``."""

    def update(data: dict[str, Any]) -> str:
        servers = _child(data, keys[0], dict)
        if servers.get(keys[1]) == value:
            return "same"
        state = "differs" if keys[1] in servers else "added"
        servers[keys[1]] = value
        return state

    return update


def _is_atlas_hook(command: object) -> bool:
    return isinstance(command, str) and bool(
        re.search(r"\batlas(_core)?\b.*\bhook prompt\b", command)
    )


def _set_hook(command: str) -> _Update:
    """Put Atlas's command in ``hooks.UserPromptSubmit``, replacing an older one of Atlas's
    (any command hook that runs ``atlas ... hook prompt``) and nothing else."""
    wanted = {"type": "command", "command": command, "timeout": HOOK_TIMEOUT}

    def update(data: dict[str, Any]) -> str:
        groups = _child(_child(data, "hooks", dict), "UserPromptSubmit", list)
        for group in groups:
            hooks = group.get("hooks") if isinstance(group, dict) else None
            for i, hook in enumerate(hooks if isinstance(hooks, list) else []):
                if isinstance(hook, dict) and _is_atlas_hook(hook.get("command")):
                    if hook == wanted:
                        return "same"
                    hooks[i] = wanted  # type: ignore[index]
                    return "differs"
        groups.append({"hooks": [wanted]})
        return "added"

    return update


def apply_init(root: Path, plan: list[InitAction]) -> None:
    """Write the files of ``plan``, each atomically and in place of the file a link names
    (the link stays a link), keeping an existing file's mode.

    Every file is checked before the first is written: when one changed since the plan
    was made, or its new content cannot be written, nothing is (:class:`InitRefused`).
    """
    writes: list[tuple[Path, bytes]] = []
    for item in plan:
        if item.content is None:
            continue
        target = item.target if item.target is not None else root / item.path
        try:
            current = _read(target) if target.exists() else None
        except (OSError, UnicodeDecodeError, _TooLarge) as exc:
            detail = display_text(str(exc))
            raise InitRefused(f"{item.path}: cannot read it again: {detail}") from None
        if current != item.existing:
            raise InitRefused(f"{item.path} changed while atlas init ran; run it again")
        try:
            writes.append((target, item.content.encode("utf-8")))
        except UnicodeEncodeError:
            raise InitRefused(f"{item.path}: its new content is not valid text") from None
    for target, data in writes:
        _write_atomically(target, data)


def _write_atomically(target: Path, data: bytes) -> None:
    """Replace ``target`` (a real file, not a link) by a complete new version, or not at all."""
    target.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(prefix=".atlas-init-", dir=target.parent)
    try:
        with os.fdopen(fd, "wb") as fh:
            fh.write(data)
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


_VERBS = {
    "created": "created",
    "added-section": "added Atlas section to",
    "updated-section": "updated Atlas section in",
    "added-entry": "added Atlas entry to",
    "updated-entry": "updated Atlas entry in",
    "overwritten": "overwrote",
    "unchanged": "unchanged:",
    "linked": "kept the link",
    "skipped": "skipped",
}


def _chosen(agents: tuple[str, ...]) -> tuple[str, ...]:
    if not agents or "all" in agents:
        return AGENT_NAMES
    return tuple(name for name in AGENT_NAMES if name in agents)


@click.command()
@click.option(
    "--agent",
    "agents",
    multiple=True,
    type=click.Choice([*AGENT_NAMES, "all"]),
    help="Set up this agent only (repeatable; default: all). AGENTS.md is always written.",
)
@click.option(
    "--hooks",
    is_flag=True,
    help="Also add a Claude Code hook that puts 'atlas quick''s selection into each prompt.",
)
@click.option("--force", is_flag=True, help="Replace files, sections and entries that differ.")
@click.option("--dry-run", is_flag=True, help="Say what would change and show it; write nothing.")
@common_options
@pass_state
def init(state: AppState, agents: tuple[str, ...], hooks: bool, force: bool, dry_run: bool) -> None:
    """Teach coding agents to ask Atlas before grepping, and connect them to Atlas.

    AGENTS.md gets the instructions, CLAUDE.md a section importing them, Cursor
    .cursor/rules/atlas.mdc, Copilot .github/copilot-instructions.md (when .github/
    exists); with atlas-mcp installed, .mcp.json, .cursor/mcp.json and .vscode/mcp.json
    start 'atlas mcp' by its absolute path. Your own content is kept; nothing that
    differs is replaced without --force; a second run changes nothing.
    """
    from atlas_core.cli.info import json_wanted

    as_json = json_wanted(state, auto=False)  # a format it cannot print fails before writing
    chosen = _chosen(agents)
    if hooks and "claude" not in chosen:
        raise UsageError("--hooks sets up Claude Code: add --agent claude (or leave --agent out)")
    root = state.root
    real_root = root.resolve()
    has_mcp = "mcp" in click.get_current_context().find_root().command.commands  # type: ignore[attr-defined]
    command = atlas_command()
    plan = plan_init(root, force=force, agents=chosen, mcp=has_mcp, hooks=hooks, command=command)
    if not dry_run:
        try:
            apply_init(root, plan)
        except OSError as exc:
            name = display_path(os.fsdecode(exc.filename)) if exc.filename else "a file"
            raise UsageError(f"cannot write {name}: {exc.strerror}") from None
    configs = mcp_configs(command)
    claude_add = ["claude", "mcp", "add", "atlas", "--", configs["stdio"]["command"]]
    claude_add += configs["stdio"]["args"]
    if as_json:
        json.dump(
            {
                "Version": OUTPUT_VERSION,
                "Root": display_path(str(root)),
                "DryRun": dry_run,
                "Agents": list(chosen),
                "Files": [
                    {
                        "Path": display_path(a.path),
                        "Action": a.action,
                        "Detail": display_text(a.detail),
                        "Target": (
                            display_path(a.target.relative_to(real_root).as_posix())
                            if a.target
                            else None
                        ),
                        **({"Content": a.content} if dry_run and a.content is not None else {}),
                    }
                    for a in plan
                ],
                "Command": command,
                "McpConfig": {"mcpServers": {"atlas": configs["stdio"]}},
                "McpConfigs": configs,
                "ClaudeMcpAdd": claude_add,
                "McpInstalled": has_mcp,
            },
            sys.stdout,
            indent=None if state.format == "jsonl" else 2,
            allow_nan=False,
        )
        sys.stdout.write("\n")
        return
    _print_human(plan, dry_run=dry_run, has_mcp=has_mcp, configs=configs, claude_add=claude_add)


def _print_human(
    plan: list[InitAction],
    *,
    dry_run: bool,
    has_mcp: bool,
    configs: dict[str, Any],
    claude_add: list[str],
) -> None:
    prefix = "would have " if dry_run else ""
    for item in plan:
        verb = _VERBS[item.action]
        detail = f" ({display_text(item.detail)})" if item.detail else ""
        action = verb if item.action in {"unchanged", "skipped", "linked"} else prefix + verb
        print(f"{action} {display_path(item.path)}{detail}")
        if dry_run and item.content is not None and item.path.endswith(".json"):
            print("".join(f"    {line}\n" for line in item.content.splitlines()), end="")
    print()
    if not has_mcp:
        print("The MCP server is a plugin: pip install atlas-mcp, then run atlas init again")
        print("to write .mcp.json, .cursor/mcp.json and .vscode/mcp.json.")
    print(f"MCP clients start Atlas by its absolute path: {configs['stdio']['command']}")
    print(f"Claude Code, for this machine only: {shlex.join(claude_add)}")
    print("Any other MCP client (stdio; the server's working directory is the repository,")
    print("or add --root DIR to its args):")
    print(json.dumps({"mcpServers": {"atlas": configs["stdio"]}}, indent=2))
