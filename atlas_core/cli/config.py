"""``atlas config``: the effective configuration and where each value came from."""

from __future__ import annotations

import json
import os
import sys
from typing import Any

import attrs
import click

from atlas_core.cli.state import AppState, common_options
from atlas_core.errors import UsageError

__all__ = ["COMMANDS", "Row", "effective_rows"]

pass_state = click.make_pass_decorator(AppState)

#: environment variables Atlas reads, with the key they set and their default
ENVIRONMENT: tuple[tuple[str, str, str], ...] = (
    ("ATLAS_LOCK_TIMEOUT", "lock_timeout", "120"),
    ("ATLAS_LOAD_PLUGINS", "load_plugins", "every installed plugin"),
    ("ATLAS_DISABLE_PLUGINS", "disable_plugins", ""),
    ("ATLAS_RAISE_ERRORS", "raise_errors", ""),
    ("ATLAS_TRACE_PLUGINS", "trace_plugins", ""),
    ("NO_COLOR", "no_color", ""),
)


@attrs.frozen
class Row:
    """One effective value: its dotted key, the value, where it came from and exactly where
    (a file's path, an environment variable, a flag; ``""`` for a default)."""

    key: str
    value: Any
    origin: str  # default, pyproject.toml, atlas.toml, environment, flag
    source: str = ""

    def to_json(self) -> dict[str, Any]:
        return {"Key": self.key, "Value": self.value, "Origin": self.origin, "Source": self.source}


def effective_rows(
    state: AppState, root_origin: tuple[str, str], preset: str | None
) -> tuple[list[Row], dict[str, str]]:
    """Every effective setting of the repository at ``state.root`` with its origin (or one
    preset's), and the config files read."""
    from atlas_core.config import check_settings, load_settings
    from atlas_core.index.layout import cache_dir_for

    root = state.root
    settings = load_settings(root)
    for warning in settings.warnings:
        state.warn(warning)
    check_settings(settings, state.manager)

    def of(key: str, value: Any) -> Row:
        origin = settings.origin(key)
        return Row(key, value, origin, settings.files.get(origin, ""))

    if preset is not None:
        return _preset_rows(settings.preset(preset), of), settings.files
    rows = [Row("root", str(root), *root_origin)]
    cache_env = os.environ.get("ATLAS_CACHE_DIR")
    rows.append(
        Row("cache_dir", str(cache_dir_for(root)), "environment", "ATLAS_CACHE_DIR")
        if cache_env
        else Row("cache_dir", str(cache_dir_for(root)), "default")
    )
    for var, key, default in ENVIRONMENT:
        value = os.environ.get(var)
        if value is not None:
            rows.append(Row(key, value, "environment", var))
        elif key == "no_color" and state.no_color:
            rows.append(Row(key, "1", "flag", "--no-color"))
        elif default:
            rows.append(Row(key, default, "default"))
    for section in ("index", "pipeline"):
        values = attrs.asdict(getattr(settings, section))
        rows.extend(of(f"{section}.{k}", v) for k, v in values.items())
    for chosen in settings.presets.values():
        rows.extend(_preset_rows(chosen, of))
    rows.extend(_component_rows(state, settings, of))
    return rows, settings.files


def _preset_rows(preset: Any, of: Any) -> list[Row]:
    prefix = f"presets.{preset.name}"
    rows: list[Row] = []
    for field in attrs.fields(type(preset)):
        if field.name == "name":
            continue
        value = getattr(preset, field.name)
        if field.name == "signals":
            rows.extend(of(f"{prefix}.signals.{s}", w) for s, w in value.items())
        else:
            rows.append(of(f"{prefix}.{field.name}", value))
    return rows


def _component_rows(state: AppState, settings: Any, of: Any) -> list[Row]:
    """Each component table: a component's typed settings (defaults too), else the keys set."""
    from atlas_core.config import COMPONENT_SECTIONS, structure_component_config
    from atlas_core.engine import SeedConfig

    rows: list[Row] = []
    for section in COMPONENT_SECTIONS:
        registry = state.manager.registry(section)
        tables = settings.tables.get(section, {})
        configs: dict[str, Any] = {
            name: getattr(registry.get(name), "Config", None) for name in registry.names()
        }
        if section == "signals":
            configs["seeds"] = SeedConfig
        for name in sorted({*configs, *tables}):
            table = tables.get(name, {})
            cls = configs.get(name)
            if cls is not None and attrs.has(cls):
                values = attrs.asdict(structure_component_config(cls, table, name))
                rows.extend(of(f"{section}.{name}.{k}", v) for k, v in values.items())
            else:
                rows.extend(of(f"{section}.{name}.{k}", v) for k, v in table.items())
    return rows


def _root_origin(state: AppState, ctx: click.Context) -> tuple[str, str]:
    from click.core import ParameterSource

    if state.root_option is None:
        return "default", "found upward from the current directory"
    if ctx.get_parameter_source("root") == ParameterSource.COMMANDLINE:
        return "flag", "--root"
    parent = ctx.parent
    if parent is not None and parent.get_parameter_source("root") == ParameterSource.ENVIRONMENT:
        return "environment", "ATLAS_ROOT"
    return "flag", "--root"


def _show(value: Any) -> str:
    if value is None:
        return "none"
    if isinstance(value, str):
        return json.dumps(value)
    return json.dumps(value) if isinstance(value, bool | list | dict) else str(value)


def _human(rows: list[Row], files: dict[str, str]) -> str:
    from atlas_core.paths import display_path

    origins = [
        r.origin + (f":{r.source}" if r.origin in {"environment", "flag"} else "") for r in rows
    ]
    wide = max((len(o) for o in origins), default=0)
    key_wide = max((len(r.key) for r in rows), default=0)
    lines = [f"# {label}: {display_path(path)}" for label, path in files.items()]
    lines += [
        f"{o:<{wide}}  {r.key:<{key_wide}}  {_show(r.value)}".rstrip()
        for o, r in zip(origins, rows, strict=True)
    ]
    return "\n".join(lines) + "\n"


@click.command("config")
@click.option(
    "--preset",
    "preset",
    default=None,
    metavar="NAME",
    help="Show one preset, resolved through extends.",
)
@common_options
@pass_state
@click.pass_context
def config(ctx: click.Context, state: AppState, preset: str | None) -> None:
    """Show the effective configuration and where each value came from.

    Each value's origin is default, pyproject.toml ([tool.atlas]), atlas.toml (which
    overrides [tool.atlas] key by key), environment or flag, as with git config
    --show-origin. The names in the configuration are checked against the installed
    plugins: a mistake is an error (exit 2).

    \b
    Examples:
      atlas config
      atlas config --preset balanced
      atlas config --format json
    """
    from atlas_core.output.formats import JSONL_VERSION
    from atlas_core.paths import display_path

    if state.format not in {"auto", "human", "json", "jsonl"}:
        raise UsageError(f"atlas config prints human or json, not {state.format!r}")
    rows, files = effective_rows(state, _root_origin(state, ctx), preset)
    if state.format in {"json", "jsonl"}:
        doc: dict[str, Any] = {
            "Version": JSONL_VERSION,
            "Root": display_path(str(state.root)),
            "Files": [
                {"Origin": label, "Path": display_path(path)} for label, path in files.items()
            ],
            "Settings": [r.to_json() for r in rows],
        }
        if preset is not None:
            doc["Preset"] = preset
        from atlas_core.output.jsonout import dump_json

        dump_json(doc, sys.stdout, indent=2 if state.format == "json" else None)
        return
    sys.stdout.write(_human(rows, files))


COMMANDS = (config,)
