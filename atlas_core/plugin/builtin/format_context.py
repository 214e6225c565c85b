"""Built-in output format: context (file contents for an LLM, within the budget)."""

from __future__ import annotations

from typing import Any

from atlas_core.plugin import hookimpl


@hookimpl
def atlas_register_formats(registry: Any) -> None:
    from atlas_core.output.context_format import ContextFormat

    registry.add(ContextFormat())
