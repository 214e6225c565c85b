"""Built-in output formats: jsonl, json, human, compact."""

from __future__ import annotations

from typing import Any

from atlas_core.plugin import hookimpl


@hookimpl
def atlas_register_formats(registry: Any) -> None:
    from atlas_core.output.formats import CompactFormat, HumanFormat, JsonFormat, JsonlFormat

    for fmt in (JsonlFormat(), JsonFormat(), HumanFormat(), CompactFormat()):
        registry.add(fmt)
