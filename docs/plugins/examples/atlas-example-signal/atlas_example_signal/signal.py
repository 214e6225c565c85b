"""The CodeOwners signal."""

from __future__ import annotations

import fnmatch
import re
from typing import ClassVar

import attrs
import numpy as np

from atlas_core.api import QueryContext, Signal, component_config

_TEAM = re.compile(r"@[\w.-]+(?:/[\w.-]+)?")


@attrs.define
class CodeOwnersConfig:
    """``[signals.codeowners]`` in atlas.toml."""

    file: str = "CODEOWNERS"


class CodeOwners(Signal):
    """Files owned by a team named in the task (``@team``) score 1, others 0."""

    name: ClassVar[str] = "codeowners"
    #: ``[signals.codeowners]``, checked when Atlas loads the configuration
    Config: ClassVar[type[CodeOwnersConfig]] = CodeOwnersConfig
    stage: ClassVar[int] = 0  # needs only the query, not other signals

    def unavailable(self, ctx: QueryContext) -> str | None:
        if not _TEAM.search(ctx.query):
            return "the task names no @team"
        if not (ctx.index.root / self._config(ctx).file).is_file():
            return f"no {self._config(ctx).file} file"
        return None

    def score(self, ctx: QueryContext) -> np.ndarray:
        teams = set(_TEAM.findall(ctx.query))
        rules = []
        text = (ctx.index.root / self._config(ctx).file).read_text(encoding="utf-8")
        for line in text.splitlines():
            parts = line.split("#", 1)[0].split()
            if len(parts) >= 2:
                rules.append((parts[0].lstrip("/"), set(parts[1:])))
        out = np.zeros(len(ctx.index))
        for i, path in enumerate(ctx.index.paths):
            owners: set[str] = set()
            for pattern, who in rules:  # the last matching rule wins, as on GitHub
                if fnmatch.fnmatch(path, pattern) or path.startswith(pattern.rstrip("*")):
                    owners = who
            out[i] = 1.0 if owners & teams else 0.0
        return out

    def _config(self, ctx: QueryContext) -> CodeOwnersConfig:
        return component_config(CodeOwnersConfig, ctx.options(self.name), self.name)
