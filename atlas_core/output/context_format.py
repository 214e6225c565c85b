"""The ``context`` output format: a query's answer as one document for an LLM."""

from __future__ import annotations

from typing import ClassVar, TextIO

from atlas_core.components import FormatOptions
from atlas_core.errors import AtlasError
from atlas_core.types import Selection

__all__ = ["ContextFormat"]


class ContextFormat:
    """The chosen files' contents within the query's token budget (``--format context``).

    Reads ``style`` (``markdown`` or ``xml``) and ``allow_secrets`` from
    ``FormatOptions.extra``; see :func:`atlas_core.output.context.render_context`.
    """

    name: ClassVar[str] = "context"

    def write(self, selection: Selection, out: TextIO, options: FormatOptions) -> None:
        from atlas_core.output.context import render_context

        if options.root is None:
            raise AtlasError("the context format needs the repository root")
        document = render_context(
            options.root,
            selection.query,
            selection.files,
            selection.budget.get("MaxTokens"),
            style=str(options.extra.get("style") or "markdown"),
            allow_secrets=bool(options.extra.get("allow_secrets")),
            omit_refused=True,  # ranked from the index: a file now leading out is left out
            left_out=selection.left_out,
        )
        from atlas_core.output.terminal import for_stream

        out.write(for_stream(document.text, out))
