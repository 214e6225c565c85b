"""Strict JSON for every document Atlas prints: PascalCase keys, a ``Version``, no NaN.

Every JSON document the CLI writes carries ``"Version": OUTPUT_VERSION`` (the version of the
output formats, the same as JSONL v0.3's) and is described by a JSON Schema listed in
:data:`SCHEMAS` (files under ``docs/schemas/`` in the source tree).
"""

from __future__ import annotations

import json
import re
from collections.abc import Collection
from typing import IO, Any

__all__ = [
    "OUTPUT_VERSION",
    "SCHEMAS",
    "SCHEMA_BASE",
    "dump_json",
    "index_report",
    "pascal_keys",
    "schema_list",
    "to_pascal",
]

OUTPUT_VERSION = "0.3"

#: where the schemas are published; a schema's ``$id`` is this plus its file name
SCHEMA_BASE = "https://raw.githubusercontent.com/atlas-context/atlas/main/docs/schemas/"

#: the documents Atlas prints, by name: (schema file, what prints it)
SCHEMAS: dict[str, tuple[str, str]] = {
    "query-jsonl": ("query-jsonl.schema.json", "query/quick --format jsonl (each record)"),
    "query": ("query.schema.json", "query/quick --format json"),
    "explain": ("explain.schema.json", "explain --format json"),
    "inspect": ("inspect.schema.json", "inspect --format json"),
    "inspect-files": ("inspect-files.schema.json", "inspect --files --format json"),
    "describe": ("describe.schema.json", "describe"),
    "plugins": ("plugins.schema.json", "plugins --format json"),
    "plugin-hooks": ("plugin-hooks.schema.json", "plugins --hook NAME --format json"),
    "index": ("index.schema.json", "index --format json"),
    "outline": ("outline.schema.json", "outline --format json"),
    "map": ("map.schema.json", "map --format json"),
    "related": ("related.schema.json", "related --format json"),
    "config": ("config.schema.json", "config --format json"),
    "init": ("init.schema.json", "init --format json"),
}


def schema_list(commands: Collection[str]) -> list[dict[str, str]]:
    """What ``atlas describe`` lists: the name, path in the source tree and URL of the schema
    of each output of ``commands``."""
    return [
        {
            "Name": name,
            "Output": what,
            "Path": f"docs/schemas/{file}",
            "Url": SCHEMA_BASE + file,
        }
        for name, (file, what) in SCHEMAS.items()
        if what.split()[0].split("/")[0] in commands
    ]


_WORD = re.compile(r"[_\-\s]+")


def to_pascal(key: str) -> str:
    """``max_tokens`` -> ``MaxTokens``; a key already in PascalCase is kept."""
    parts = [p for p in _WORD.split(key) if p]
    return "".join(p[0].upper() + p[1:] for p in parts) or key


def pascal_keys(data: Any) -> Any:
    """``data`` with the keys of every mapping in PascalCase (for fixed-field records only:
    never for mappings keyed by names such as signal weights)."""
    if isinstance(data, dict):
        return {to_pascal(str(k)): pascal_keys(v) for k, v in data.items()}
    if isinstance(data, list | tuple):
        return [pascal_keys(v) for v in data]
    return data


def index_report(report: Any, *, forced: bool = False) -> dict[str, Any]:
    """What ``atlas index --format json`` prints of a build report (schema: index);
    ``forced``: the rebuild was asked for (``--force``)."""
    return {
        "Files": report.files,
        "Added": report.added,
        "Changed": report.changed,
        "Deleted": report.deleted,
        "Unchanged": report.unchanged,
        "Rebuilt": bool(report.rebuilt_reason) or forced,
        "RebuiltReason": report.rebuilt_reason or ("asked (--force)" if forced else None),
        "Wrote": report.wrote,
        "Seconds": round(report.seconds, 3),
        "Contributors": dict(report.contributors),
        "Notes": [{"Level": n.level, "Message": n.message} for n in report.notes],
        "Problems": list(report.errors),
    }


def dump_json(data: Any, out: IO[str], *, indent: int | None = 2) -> None:
    """Write ``data`` as strict JSON (NaN and infinities refused) and a newline.

    The text is always valid UTF-8: paths are shown with
    :func:`~atlas_core.paths.display_path` where they are put in, and any other string
    that is not Unicode text (a task given as bytes that are not UTF-8) is shown as
    :func:`~atlas_core.paths.display_text` would.
    """
    text = json.dumps(data, indent=indent, ensure_ascii=False, allow_nan=False)
    try:
        text.encode("utf-8")
    except UnicodeEncodeError:
        text = json.dumps(_unicode(data), indent=indent, ensure_ascii=False, allow_nan=False)
    out.write(text + "\n")


def _unicode(data: Any) -> Any:
    """``data`` with each string holding a surrogate (an undecodable byte) made printable."""
    from atlas_core.paths import display_text

    if isinstance(data, str):
        try:
            data.encode("utf-8")
        except UnicodeEncodeError:
            return display_text(data)
        return data
    if isinstance(data, dict):
        return {_unicode(k): _unicode(v) for k, v in data.items()}
    if isinstance(data, list | tuple):
        return [_unicode(v) for v in data]
    return data
