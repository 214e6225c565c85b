"""``atlas inspect``, ``describe`` and ``plugins``: what Atlas knows and has installed."""

from __future__ import annotations

import sys
from collections import Counter
from typing import Any

import click

from atlas_core.cli.state import AppState, common_options
from atlas_core.errors import UsageError
from atlas_core.output.jsonout import OUTPUT_VERSION, dump_json, schema_list, to_pascal

__all__ = ["COMMANDS", "json_wanted", "print_json"]

pass_state = click.make_pass_decorator(AppState)


def json_wanted(state: AppState, flag: bool = False, *, auto: bool = True) -> bool:
    """Whether a command that prints a table or a JSON document prints JSON.

    ``--json`` (``flag``) and ``--format json|jsonl`` ask for it; ``auto`` gives JSON when
    stdout is not a terminal if ``auto`` is true. Any other format is a usage error.
    """
    if state.format not in {"auto", "json", "jsonl", "human"}:
        raise UsageError(f"this command prints human or json, not {state.format!r}")
    return (
        flag
        or state.format in {"json", "jsonl"}
        or (auto and state.format == "auto" and not sys.stdout.isatty())
    )


def print_json(state: AppState, data: dict[str, Any]) -> None:
    """``data`` as strict JSON with ``Version`` first: indented, or one line for jsonl."""
    indent = None if state.format == "jsonl" else 2
    dump_json({"Version": OUTPUT_VERSION, **data}, sys.stdout, indent=indent)


@click.command()
@click.option("--json", "as_json", is_flag=True, help="JSON (same as --format json).")
@click.option(
    "--files",
    "show_files",
    is_flag=True,
    help="List every file with its language, role and the evidence for the role.",
)
@click.option("--role", "roles", multiple=True, metavar="ROLE", help="With --files: only ROLE.")
@click.option(
    "--language", "languages", multiple=True, metavar="LANG", help="With --files: only LANG."
)
@click.argument("patterns", nargs=-1, metavar="[PATTERN]...")
@common_options
@pass_state
def inspect(
    state: AppState,
    as_json: bool,
    show_files: bool,
    roles: tuple[str, ...],
    languages: tuple[str, ...],
    patterns: tuple[str, ...],
) -> None:
    """Index statistics: files by language and role, terms, size on disk, skipped files.

    With --files (or a PATTERN such as 'dist/*'), how each file was classified and why, so a
    wrong role can be spotted and fixed (an ignore rule, or a plugin's classify hook).
    """
    from atlas_core.paths import display_path
    from atlas_core.rank.priors import PRIORS_SUFFIX, prior_summary

    reader = state.atlas.reader(on_message=state.warn)
    if show_files or roles or languages or patterns:
        _inspect_files(state, reader, as_json, set(roles), set(languages), patterns)
        return
    ok = [i for i, s in enumerate(reader.statuses) if s == "ok"]
    stats = reader.stats
    data: dict[str, Any] = {
        "Root": display_path(str(state.root)),
        "Index": display_path(str(reader.gen)),
        "Generation": reader.generation,
        "Files": len(reader),
        "IndexedFiles": len(ok),
        "Languages": dict(Counter(reader.languages[i] for i in ok).most_common()),
        "Roles": dict(Counter(reader.roles[i] for i in ok).most_common()),
        "Terms": stats["terms"],
        "Postings": stats["postings"],
        "SizeOnDisk": reader.size_on_disk(),
        "Skipped": stats.get("skipped", {}),
        "Undecodable": stats.get("undecodable", 0),
        "Extras": sorted(n for n in reader.extra_names() if not n.endswith(PRIORS_SUFFIX)),
        "ExtraDetails": _extra_details(state, reader),
        "PathPriorFactors": prior_summary(reader),
    }
    if json_wanted(state, as_json):
        print_json(state, data)
        return
    print(f"root        {data['Root']}")
    print(f"index       {data['Index']} ({data['SizeOnDisk'] / 1e6:.1f} MB on disk)")
    print(f"files       {data['IndexedFiles']:,} indexed of {data['Files']:,} recorded")
    print(f"terms       {data['Terms']:,} ({data['Postings']:,} postings)")
    print("languages   " + ", ".join(f"{k} {v}" for k, v in data["Languages"].items()))
    print("roles       " + ", ".join(f"{k} {v}" for k, v in data["Roles"].items()))
    skipped = dict(data["Skipped"])
    if data["Undecodable"]:
        skipped["undecodable (indexed leniently)"] = data["Undecodable"]
    print("skipped     " + (", ".join(f"{k} {v}" for k, v in skipped.items()) or "none"))
    if data["Extras"]:
        print("extras      " + ", ".join(data["Extras"]))
    for name, lines in data["PathPriorFactors"].items():
        print(f"path prior  {name}: " + "; ".join(lines))
    for name, detail in data["ExtraDetails"].items():
        print(f"{name}:")
        for key, value in detail.items():
            if isinstance(value, list) and all(isinstance(v, dict) for v in value):
                print(f"  {key}")
                for item in value:
                    first, *rest = item.items()
                    more = ", ".join(f"{k} {v}" for k, v in rest)
                    print(f"    {first[1]}" + (f"  ({more})" if more else ""))
            elif isinstance(value, dict):
                print(f"  {key}  " + ", ".join(f"{k} {v}" for k, v in value.items()))
            else:
                print(f"  {key}  {value}")


def _inspect_files(
    state: AppState,
    reader: Any,
    as_json: bool,
    roles: set[str],
    languages: set[str],
    patterns: tuple[str, ...],
) -> None:
    """One row per indexed file: path, language, role and the built-in classifier's reason."""
    from fnmatch import fnmatchcase

    from atlas_core.classify.rules import explain_role
    from atlas_core.paths import display_path, display_text

    rows = []
    for i, rel in enumerate(reader.paths):
        role, language = reader.roles[i], reader.languages[i]
        if (roles and role not in roles) or (languages and language not in languages):
            continue
        shown = display_path(rel)  # a pattern is matched as the name is shown
        if patterns and not any(
            fnmatchcase(shown, p) or fnmatchcase(shown, p.rstrip("/") + "/*") for p in patterns
        ):
            continue
        status = reader.statuses[i]
        if status != "ok":
            reason = f"not indexed ({status})"
        else:
            head = _head(reader.root / rel)
            builtin, why = explain_role(rel, language, head)
            reason = why if builtin == role else "set by a plugin"
        rows.append(
            {
                "Path": shown,
                "Language": language,
                "Role": role,
                "Reason": display_text(reason),  # may name a directory
            }
        )
    if json_wanted(state, as_json):
        print_json(state, {"Files": rows})
        return
    if not rows:
        print("no indexed file matches")
        return
    width = min(max(len(r["Path"]) for r in rows), 60)
    for r in rows:
        print(f"{r['Path']:<{width}}  {r['Language']:<11} {r['Role']:<9} {r['Reason']}")


def _head(path: Any) -> str:
    """The first 1024 bytes of a file, decoded as the indexer does ("" if unreadable)."""
    try:
        with open(path, "rb") as fh:
            return fh.read(1024).decode("utf-8", "replace")
    except OSError:
        return ""


def _extra_details(state: AppState, reader: Any) -> dict[str, Any]:
    """What each contributor with a ``describe(data)`` method says about its stored data."""
    details: dict[str, Any] = {}
    from atlas_core.errors import PluginFailure
    from atlas_core.plugin.guard import guarded

    for contributor in state.manager.registry("contributors"):
        stored = reader.extra(contributor.name)
        if stored is None:
            continue
        try:
            with guarded(contributor, "describing its data"):
                describe = getattr(contributor, "describe", None)  # optional
                described = describe(stored) if describe is not None else None
        except PluginFailure as exc:  # a plugin's bug must not break inspect
            details[contributor.name] = {"Error": str(exc)}
            continue
        if described is not None:
            details[contributor.name] = _printable(dict(described))
    return details


def _printable(data: Any) -> Any:
    """A plugin's description with every string printable (it may name files that are
    not UTF-8 or hold control characters)."""
    from atlas_core.paths import display_text

    if isinstance(data, str):
        return display_text(data)
    if isinstance(data, dict):
        return {_printable(k): _printable(v) for k, v in data.items()}
    if isinstance(data, list | tuple):
        return [_printable(v) for v in data]
    return data


def _plugin_rows(state: AppState, show_all: bool) -> list[dict[str, Any]]:
    manager = state.manager
    manager.registries  # noqa: B018 - registering components fills in failures
    rows = []
    for record in manager.records:
        if record.status == "builtin" and not show_all:
            continue
        rows.append(
            {
                "Name": record.name,
                "Dist": record.dist,
                "Version": record.version,
                "Status": record.status,
                "Hooks": record.hooks,
                "Components": record.components,
                "Error": record.error,
                "Api": record.api,
            }
        )
    return rows


@click.command()
@click.option("--all", "show_all", is_flag=True, help="Include the built-in plugins.")
@click.option("--json", "as_json", is_flag=True, help="JSON (same as --format json).")
@click.option("--check", is_flag=True, help="Exit non-zero if any plugin failed.")
@click.option("--hook", "hook", default=None, metavar="NAME", help="List a hook's implementations.")
@common_options
@pass_state
def plugins(state: AppState, show_all: bool, as_json: bool, check: bool, hook: str | None) -> None:
    """List plugins: name, version, status and the hooks they implement."""
    if hook is not None:
        _hook_implementations(state, hook, as_json)
        return
    rows = _plugin_rows(state, show_all)
    if json_wanted(state, as_json, auto=False):
        print_json(state, {"Plugins": rows})
    elif not rows:
        print("no plugins installed (built-ins: atlas plugins --all)")
    else:
        for row in rows:
            version = f" {row['Version']}" if row["Version"] else ""
            api = f"  API {row['Api']}" if row["Api"] else ""
            if not api and row["Status"] == "ok":  # loaded, unchecked (docs/plugins/index.md)
                api = "  API undeclared"
            print(f"{row['Dist']}[{row['Name']}]{version}  {row['Status']}{api}")
            if row["Hooks"]:
                print(f"    hooks: {', '.join(row['Hooks'])}")
            for kind, names in sorted(row["Components"].items()):
                print(f"    {kind}: {', '.join(names)}")
            if row["Error"]:
                print(f"    error: {row['Error']}")
    if check and any(r["Status"] == "failed" for r in rows):
        raise click.exceptions.Exit(1)


def _hook_implementations(state: AppState, hook: str, as_json: bool) -> None:
    """``atlas plugins --hook NAME``: who implements a hook, in the order Atlas calls them."""
    import attrs

    from atlas_core.plugin import hookspecs

    try:
        impls = state.manager.hook_implementations(hook)
    except KeyError:
        raise UsageError(
            f"unknown hook {hook!r} (hooks: {', '.join(sorted(hookspecs.__all__))})"
        ) from None
    if json_wanted(state, as_json, auto=False):
        rows = [{to_pascal(k): v for k, v in attrs.asdict(i).items()} for i in impls]
        print_json(state, {"Hook": hook, "Implementations": rows})
        return
    if not impls:
        print(f"{hook}: no implementations")
    for impl in impls:
        options = f"  ({', '.join(impl.options)})" if impl.options else ""
        print(f"{impl.plugin}  {impl.function}{options}")


@click.command()
@common_options
@pass_state
def describe(state: AppState) -> None:
    """Machine-readable capabilities: commands, formats, presets, components, plugins."""
    from atlas_core import __version__
    from atlas_core.config import get_converter, load_settings
    from atlas_core.engine import resolve_root
    from atlas_core.index.layout import FORMAT_VERSION
    from atlas_core.plugin import PLUGIN_API

    manager = state.manager
    try:
        settings = load_settings(resolve_root(state.root_option))
    except Exception:
        from atlas_core.config import Settings

        settings = Settings()
    ctx = click.get_current_context()
    group = ctx.parent.command if ctx.parent else None
    commands = sorted(n for n, c in getattr(group, "commands", {}).items() if not c.hidden)
    query = getattr(group, "commands", {}).get("query")
    query_options = sorted(
        o for p in getattr(query, "params", []) for o in p.opts if o.startswith("--")
    )
    converter = get_converter()
    data = {
        "Name": "atlas",
        "AtlasVersion": __version__,
        "PluginApi": list(PLUGIN_API),
        "IndexFormat": FORMAT_VERSION,
        "Commands": commands,
        "QueryOptions": query_options,
        "Formats": ["auto", *manager.registry("formats").names()],
        # field names in PascalCase; the names inside (signal weights) are kept as they are
        "Presets": {
            n: {to_pascal(k): v for k, v in converter.unstructure(p).items()}
            for n, p in settings.presets.items()
        },
        "DefaultPreset": settings.pipeline.preset,
        "Components": {
            kind: [{to_pascal(k): v for k, v in row.items()} for row in reg.describe()]
            for kind, reg in manager.registries.items()
        },
        "Plugins": _plugin_rows(state, show_all=True),
        "Schemas": schema_list(commands),
        "TokenEstimate": "ceil(bytes / 4)",
    }
    json_wanted(state)  # refuses a format other than human or json; describe is always JSON
    print_json(state, data)


COMMANDS = (inspect, plugins, describe)
