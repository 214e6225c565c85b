"""The MCP tools: names, descriptions and input schemas an agent can use unaided, and what
each one runs on an :class:`~atlas_mcp.service.AtlasService`."""

from __future__ import annotations

from collections.abc import Callable, Mapping
from typing import Any

import attrs

from atlas_mcp.service import DEFAULT_RENDER_TOKENS, AtlasService

__all__ = [
    "INSTRUCTIONS",
    "ToolResult",
    "ToolSpec",
    "integral_arguments",
    "tool_specs",
    "validate_arguments",
]

INSTRUCTIONS = """\
Atlas ranks this repository's files for a coding task described in plain English and
returns the most relevant ones within a token budget, offline and in milliseconds.
Call `query` before grep, find or reading files at random (give `seeds` for files you
already know, `scope` to stay in one package); then `outline` a file to see its symbols and
line ranges, or `render` to read several files as one document within a budget. `map`
sketches an unfamiliar repository; `related` (tests=true) names the tests a change affects.
The index refreshes itself when files change between calls."""


@attrs.frozen
class ToolResult:
    """What a tool returns: text for the model and, for tools that return data, the data
    itself (``structuredContent``); the text is then a compact summary of it, not a copy."""

    text: str
    structured: dict[str, Any] | None = None


@attrs.frozen
class ToolSpec:
    """One tool: what the agent sees (name, description, schema) and what it runs."""

    name: str
    title: str
    description: str
    schema: dict[str, Any]
    run: Callable[[AtlasService, Mapping[str, Any]], ToolResult]
    read_only: bool = True


def _data(data: dict[str, Any], summary: Callable[[dict[str, Any]], str]) -> ToolResult:
    """``data`` as structured content, with ``summary(data)`` as the text beside it."""
    return ToolResult(summary(data), data)


#: files (or symbols) listed one per line in a text summary; the rest are counted
_SHOWN = 25


def _more(total: int) -> list[str]:
    return [f"... and {total - _SHOWN} more (see the structured result)"] if total > _SHOWN else []


def _symbols(symbols: list[dict[str, Any]], limit: int = 3) -> str:
    shown = [f"{s['Name']} L{s['Start']}-{s['End']}" for s in symbols[:limit]]
    return ("  " + ", ".join(shown)) if shown else ""


def _query_summary(doc: dict[str, Any]) -> str:
    files = doc["Files"]
    budget = doc["Budget"].get("MaxTokens")
    head = (
        f"{len(files)} files, {doc['TotalTokens']:,}"
        + (f" of {budget:,}" if budget else "")
        + f" tokens (preset {doc['Preset']})"
    )
    if not files:
        head = (
            "No file fits the budget"  # files matched; the LeftOut line below says how many
            if doc["LeftOut"]
            else f"No file matches {doc['Query']!r} above score {doc['MinScore']}"
        )
    lines = [head + ("" if not files else ", best first:")]
    for f in files[:_SHOWN]:
        marks = (" seed" if f.get("Seed") else "") + (
            f" skim {f['SkimTokens']:,}" if f.get("Skim") else ""
        )
        lines.append(
            f"{f['Path']}  {f['Score']:.2f}  {f['Tokens']:,} tok  {f['Role']}{marks}"
            + _symbols(f.get("Symbols", []))
        )
    lines += _more(len(files))
    if doc["LeftOut"]:
        lines.append(f"{doc['LeftOut']} ranked files left out: too big for the budget")
    lines += [f"note: {n}" for n in doc.get("Notes", [])[:5]]
    return "\n".join(lines)


def _explain_summary(doc: dict[str, Any]) -> str:
    lines = [
        f"terms: {' '.join(doc['Terms']) or '(none)'}; preset {doc['Preset']}, "
        f"fuser {doc['Fuser']}"
        + (f"; missing: {', '.join(doc['MissingSignals'])}" if doc["MissingSignals"] else "")
    ]
    for f in doc["Files"][:_SHOWN]:
        scores = ", ".join(f"{k} {v['Normalized']:.2f}" for k, v in f["Signals"].items())
        lines.append(f"{f['Path']}  {f['Score']:.2f}  ({scores})")
    lines += _more(len(doc["Files"]))
    lines += [f"failed: {failure}" for failure in doc["Failures"]]
    return "\n".join(lines)


def _outline_summary(doc: dict[str, Any]) -> str:
    symbols = doc["Symbols"]
    lines = [
        f"{doc['Path']} ({doc['Language']}/{doc['Role']}, {doc['Tokens']:,} tokens): "
        f"{len(symbols)} symbols"
    ]
    for sym in symbols[: _SHOWN * 2]:
        end = f"-{sym['End']}" if sym["End"] > sym["Start"] else ""
        lines.append(
            f"{'  ' * sym.get('Depth', 0)}{sym['Kind']} {sym['Qualified']} L{sym['Start']}{end}"
        )
    if len(symbols) > _SHOWN * 2:
        lines.append(f"... and {len(symbols) - _SHOWN * 2} more (see the structured result)")
    if doc.get("Imports"):
        lines.append("imports: " + ", ".join(doc["Imports"][:12]))
    return "\n".join(lines)


def _related_summary(doc: dict[str, Any]) -> str:
    files = doc["Files"]
    lines = [f"{len(files)} files tied to {', '.join(doc['Given']) or 'nothing'}:"]
    for f in files[:_SHOWN]:
        why = "; ".join(r.get("Detail") or f"{r['Kind']} {r['Of']}" for r in f["Reasons"][:3])
        lines.append(f"{f['Path']}  {f['Strength']:.2f}  {why}")
    lines += _more(len(files))
    return "\n".join(lines)


def _index_summary(doc: dict[str, Any]) -> str:
    text = (
        f"{'Rebuilt' if doc['Rebuilt'] else 'Updated'}: {doc['Files']:,} files in "
        f"{doc['Seconds']:.2f}s ({doc['Added']} added, {doc['Changed']} changed, "
        f"{doc['Deleted']} deleted, {doc['Unchanged']} unchanged)"
    )
    if doc["Problems"]:
        text += f"; {len(doc['Problems'])} problems, first: {doc['Problems'][0]}"
    return text


def _task(purpose: str, *, required: bool = True) -> dict[str, Any]:
    """The ``task`` property; not ``required``: it may be empty (the tool says when not)."""
    return {
        "type": "string",
        **({"minLength": 1} if required else {}),
        "description": (
            f"{purpose}, in plain words, e.g. 'add retry with exponential backoff to the "
            "HTTP client'. Names of classes, functions or files you already know help."
        ),
    }


def _globs(what: str) -> dict[str, Any]:
    return {
        "type": "array",
        "items": {"type": "string", "minLength": 1},
        "maxItems": 100,
        "description": f"{what}; relative to the repository root.",
    }


def _preset(presets: list[str]) -> dict[str, Any]:
    return {
        "type": "string",
        "enum": presets,
        "description": (
            "How hard to look. 'fast': text match only; 'balanced' (default): text match "
            "on names, symbols and contents plus path hints; 'deep': adds the import graph "
            "when the atlas-graph plugin is installed; 'thorough': adds git history and "
            "reranking when their plugins are installed. Other names come from atlas.toml."
        ),
    }


def _diff(value: Any) -> str | None:
    """The ``diff`` argument: true means against HEAD, a string names the revision."""
    if value is True:
        return "HEAD"
    return value if isinstance(value, str) and value else None


def _run_query(service: AtlasService, args: Mapping[str, Any]) -> ToolResult:
    return _data(
        service.query(
            args.get("task", ""),
            preset=args.get("preset"),
            max_tokens=args.get("max_tokens"),
            top=args.get("top"),
            min_score=args.get("min_score"),
            seeds=list(args.get("seeds", [])),
            diff=_diff(args.get("diff")),
            seed_files=bool(args.get("seed_files", True)),
            scope=list(args.get("scope", [])),
            exclude=list(args.get("exclude", [])),
        ),
        _query_summary,
    )


def _run_map(service: AtlasService, args: Mapping[str, Any]) -> ToolResult:
    from atlas_core.api import build_map, centrality, render_map, scope_mask

    def run(repo: Any, reader: Any) -> str:
        scores = centrality(reader, repo.manager.registry("signals"), repo.settings.components)
        mask = scope_mask(reader, args.get("scope", []), args.get("exclude", []))
        result = build_map(
            reader,
            scores,
            max_tokens=args.get("max_tokens", 4000) or None,
            mask=mask,
            allow_secrets=service.allow_secrets,
            root_name=service.root.name,
        )
        return render_map(result)

    return ToolResult(service.with_reader(run))


def _run_related(service: AtlasService, args: Mapping[str, Any]) -> ToolResult:
    from atlas_core.api import (
        OUTPUT_VERSION,
        QueryContext,
        UsageError,
        diff_paths,
        gather_ties,
        related_document,
        related_files,
        resolve_seeds,
    )

    paths = list(args.get("paths", []))
    diff = _diff(args.get("diff"))
    if not paths and diff is None:
        raise UsageError("give paths, or diff=true for the files changed against HEAD")

    def run(repo: Any, reader: Any) -> dict[str, Any]:
        given = [s.id for s in resolve_seeds(reader, paths, noun="file")]
        if diff is not None:
            changed = resolve_seeds(
                reader, diff_paths(service.root, diff), strict=False, literal=True
            )
            given += [s.id for s in changed if s.id not in given]
        ctx = QueryContext("", [], reader, repo.settings.components)
        ctx.seeds = list(given)
        ties = gather_ties(ctx, repo.manager.registry("signals"), given)
        tests = bool(args.get("tests"))
        found = related_files(reader, ties, given, tests_only=tests)
        top = args.get("top", 20) or None
        # the same document as ``atlas related --format json``
        doc = related_document(reader, given, found[:top], tests_only=tests)
        return {"Version": OUTPUT_VERSION, **doc}

    return _data(service.with_reader(run), _related_summary)


def _run_explain(service: AtlasService, args: Mapping[str, Any]) -> ToolResult:
    doc = service.explain(args["task"], preset=args.get("preset"), top=args.get("top", 10))
    return _data(doc, _explain_summary)


def _run_render(service: AtlasService, args: Mapping[str, Any]) -> ToolResult:
    document = service.render(
        task=args.get("task", ""),
        paths=args.get("paths"),
        max_tokens=args.get("max_tokens", DEFAULT_RENDER_TOKENS),
        style=args.get("style", "markdown"),
        preset=args.get("preset"),
    )
    # the document is the answer; its header already lists what was left out and why
    return ToolResult(document.text)


def _run_outline(service: AtlasService, args: Mapping[str, Any]) -> ToolResult:
    return _data(service.outline(args["path"]), _outline_summary)


def _run_index(service: AtlasService, args: Mapping[str, Any]) -> ToolResult:
    return _data(service.index(force=bool(args.get("force", False))), _index_summary)


def tool_specs(presets: list[str]) -> dict[str, ToolSpec]:
    """Every tool, by name; ``presets`` fills the preset enum with this repository's."""
    preset = _preset(presets)
    specs = [
        ToolSpec(
            "query",
            "Rank the repository's files for a task",
            "Find the files of this repository that matter for a coding task, best first, "
            "within a token budget. Use it BEFORE grep, find or opening files at random: it "
            "searches file names, symbols and contents at once and answers in milliseconds, "
            "offline. Returns structured JSON (its text: one line per file): Files (each "
            "with Path, Score from 0 to 1 relative to the best match, Tokens = its size, "
            "Language, Role such as impl/test/config/docs, and "
            "Symbols: the functions and classes that matched the task with their Start-End "
            "lines; Skim: true when only a skim fits: matched symbols whole, signatures of the "
            "rest), TotalTokens, LeftOut (ranked files that did not fit even skimmed) and "
            "MissingSignals. Give `seeds` (files you know) or `diff` to start from where you "
            "are, `scope` to stay in one package. Next: read the top files, `outline` one, "
            "or `render` them as one document.",
            {
                "type": "object",
                "properties": {
                    "task": _task(
                        "What you are trying to do (may be empty with seeds or diff)",
                        required=False,
                    ),
                    "preset": preset,
                    "max_tokens": {
                        "type": "integer",
                        "minimum": 0,
                        "description": "Budget: the returned files' sizes add up to at most "
                        "this many tokens. 0: no budget. Default: the preset's (32000).",
                    },
                    "top": {
                        "type": "integer",
                        "minimum": 0,
                        "description": "Return at most this many files. 0: no cap.",
                    },
                    "min_score": {
                        "type": "number",
                        "minimum": 0,
                        "maximum": 1,
                        "description": "Leave out files scoring below this (0 to 1).",
                    },
                    "seeds": {
                        "type": "array",
                        "items": {"type": "string", "minLength": 1},
                        "maxItems": 100,
                        "description": "Files you already know matter, relative to the "
                        "repository root, optionally with a line ('src/app.py:120'). Their "
                        "imports, importers, tests and co-changed files rise; they are listed "
                        "first (Seed: true). The task may then be empty.",
                    },
                    "diff": {
                        "type": ["boolean", "string"],
                        "description": "true: seed with the files changed in the working "
                        "tree and index against HEAD (and untracked ones); a string: against "
                        "that git revision.",
                    },
                    "seed_files": {
                        "type": "boolean",
                        "default": True,
                        "description": "List the seed files themselves (false: leave them "
                        "out, you have them).",
                    },
                    "scope": _globs(
                        "Only files under these paths or matching these globs "
                        "('pkg/api', 'src/**/*.ts')"
                    ),
                    "exclude": _globs("Never files under these paths or matching these globs"),
                },
                "additionalProperties": False,
            },
            _run_query,
        ),
        ToolSpec(
            "map",
            "Sketch the repository without a task",
            "A task-free overview within a budget: the most central files (import-graph "
            "PageRank, role, size), each with the signatures and first lines of its principal "
            "classes and functions. Use it first in an unfamiliar repository.",
            {
                "type": "object",
                "properties": {
                    "max_tokens": {
                        "type": "integer",
                        "minimum": 0,
                        "default": 4000,
                        "description": "Budget of the map (0: none). Default 4000.",
                    },
                    "scope": _globs("Only files under these paths or matching these globs"),
                    "exclude": _globs("Never files under these paths or matching these globs"),
                },
                "additionalProperties": False,
            },
            _run_map,
        ),
        ToolSpec(
            "related",
            "Files tied to given files, or the tests a change affects",
            "List the files tied to the given ones and why: imports, importers, co-changed N "
            "times in git history, test of / implementation of, same package; strongest tie "
            "first. With tests=true, only the tests most likely affected (run them after "
            "editing). With diff=true, start from the files changed against HEAD.",
            {
                "type": "object",
                "properties": {
                    "paths": {
                        "type": "array",
                        "items": {"type": "string", "minLength": 1},
                        "maxItems": 100,
                        "description": "Files relative to the repository root.",
                    },
                    "tests": {
                        "type": "boolean",
                        "default": False,
                        "description": "Only test files, most likely affected first.",
                    },
                    "diff": {
                        "type": ["boolean", "string"],
                        "description": "true: also the files changed against HEAD; a string: "
                        "against that git revision.",
                    },
                    "top": {
                        "type": "integer",
                        "minimum": 0,
                        "default": 20,
                        "description": "At most this many files (0: all).",
                    },
                },
                "additionalProperties": False,
            },
            _run_related,
        ),
        ToolSpec(
            "render",
            "Read files as one document within a budget",
            "Get the contents of files as one Markdown (or XML-tagged) document that never "
            "exceeds max_tokens: a header (the task, the budget and tokens used, why each "
            "file was chosen, files left out and why, where secrets were redacted), then "
            "each file in full under its path. Give `task` to render the best files for it "
            "(the same ranking as `query`), or `paths` to render those files in that order. "
            "A file that does not fit is skimmed (matched symbols whole, an outline of the "
            "rest) or left out, never cut at random. Only files of the index are read: a "
            "path it lacks (ignored, .git, no such file) is listed as left out, and an error "
            "when none of the paths is indexed. Credential files (.env, private keys, "
            "keystores) are never included and secrets inside files appear as [REDACTED <kind>].",
            {
                "type": "object",
                "properties": {
                    "task": _task(
                        "The task the files are for (needed when no paths are given)",
                        required=False,
                    ),
                    "paths": {
                        "type": "array",
                        "items": {"type": "string", "minLength": 1},
                        "minItems": 1,
                        "maxItems": 500,
                        "description": "Files to render, relative to the repository root "
                        "(e.g. the Path values of a `query` result), most important first.",
                    },
                    "max_tokens": {
                        "type": "integer",
                        "minimum": 1,
                        "default": DEFAULT_RENDER_TOKENS,
                        "description": "Budget of the whole document, header included "
                        f"(tokens estimated as bytes/4). Default {DEFAULT_RENDER_TOKENS}.",
                    },
                    "style": {
                        "type": "string",
                        "enum": ["markdown", "xml"],
                        "default": "markdown",
                        "description": "markdown: a heading and a fenced code block per file; "
                        "xml: <document> tags with <source> and <document_content>.",
                    },
                    "preset": preset,
                },
                "additionalProperties": False,
            },
            _run_render,
        ),
        ToolSpec(
            "outline",
            "List a file's symbols and line ranges",
            "Show the structure of one file without reading it: its classes, functions, "
            "methods, types and other symbols with kind, qualified name, first and last line "
            "and declaration line (Signature), plus the modules it imports. Use it to read "
            "only the line ranges you need.",
            {
                "type": "object",
                "properties": {
                    "path": {
                        "type": "string",
                        "minLength": 1,
                        "description": "The file, relative to the repository root, "
                        "e.g. 'src/http/client.py'.",
                    }
                },
                "required": ["path"],
                "additionalProperties": False,
            },
            _run_outline,
        ),
        ToolSpec(
            "explain",
            "Show why files rank where they do",
            "Break a task's ranking down: the terms Atlas searched for, and for each top file "
            "every signal's raw and normalised (0-1) score: bm25f (text match on file name, "
            "symbols and contents), path (where the file lives, its role), and signals from "
            "plugins (import graph, git history). Also lists signals the preset wanted but "
            "could not run. Use it when a ranking surprises you, to rephrase the task.",
            {
                "type": "object",
                "properties": {
                    "task": _task("The task to explain"),
                    "preset": preset,
                    "top": {
                        "type": "integer",
                        "minimum": 1,
                        "maximum": 200,
                        "default": 10,
                        "description": "How many of the top files to break down (default 10).",
                    },
                },
                "required": ["task"],
                "additionalProperties": False,
            },
            _run_explain,
        ),
        ToolSpec(
            "index",
            "Refresh the index now",
            "Bring the index up to date and report how many files were added, changed and "
            "deleted. Rarely needed: every other tool already checks for changed files "
            "before it answers. Use force=true to rebuild from scratch if results look wrong.",
            {
                "type": "object",
                "properties": {
                    "force": {
                        "type": "boolean",
                        "default": False,
                        "description": "Rebuild from scratch instead of updating.",
                    }
                },
                "additionalProperties": False,
            },
            _run_index,
            read_only=False,
        ),
    ]
    return {spec.name: spec for spec in specs}


def validate_arguments(spec: ToolSpec, arguments: Mapping[str, Any]) -> str | None:
    """Why ``arguments`` do not fit the tool's schema (one line), or None."""
    import jsonschema  # type: ignore[import-untyped]

    validator = jsonschema.Draft202012Validator(spec.schema)
    errors = sorted(validator.iter_errors(dict(arguments)), key=lambda e: list(e.path))
    if not errors:
        return None
    error = errors[0]
    where = "/".join(str(p) for p in error.path)
    message: str = error.message
    return f"invalid arguments for {spec.name}: " + (f"{where}: " if where else "") + message


def integral_arguments(spec: ToolSpec, arguments: Mapping[str, Any]) -> dict[str, Any]:
    """``arguments`` with whole floats (``2.0``, which JSON Schema counts as integers) made
    ``int`` where the schema asks for an integer, so the tools never see a float there."""
    properties = spec.schema.get("properties", {})
    out = dict(arguments)
    for name, value in arguments.items():
        wanted = properties.get(name, {}).get("type")
        if wanted == "integer" and isinstance(value, float) and value.is_integer():
            out[name] = int(value)
    return out
