"""The component protocols plugins implement. The pipeline calls these objects directly."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from pathlib import Path
from typing import TYPE_CHECKING, Any, ClassVar, Protocol, TextIO, runtime_checkable

import attrs

if TYPE_CHECKING:
    import numpy as np

    from atlas_core.index.reader import IndexReader
    from atlas_core.types import Chunk, RepoFile, Selection

__all__ = [
    "Chunker",
    "Contributor",
    "Fuser",
    "OutputFormat",
    "QueryContext",
    "Reranker",
    "Signal",
    "WalkSettings",
    "Walker",
]


@attrs.define
class WalkSettings:
    """What a walker needs besides the root."""

    extra_ignore: list[str] = attrs.field(factory=list)
    cache_dir: Path | None = None
    #: called with (relative path, reason) for every entry skipped for a reason worth counting
    on_skip: Callable[[str, str], None] = lambda rel, reason: None


@runtime_checkable
class Walker(Protocol):
    """Lists the files of a repository."""

    name: ClassVar[str]

    def walk(self, root: Path, settings: WalkSettings) -> Iterator[RepoFile]: ...


@runtime_checkable
class Chunker(Protocol):
    """Finds symbols and imports in files of some languages."""

    name: ClassVar[str]
    languages: ClassVar[tuple[str, ...]]  # "*" means any language
    priority: ClassVar[int]

    def chunk(self, rel: str, text: str, language: str) -> list[Chunk]: ...


@runtime_checkable
class Contributor(Protocol):
    """Computes per-repository data once at index time for a signal to read at query time.

    A contributor may set ``on_demand = "embed"`` (any word): it then runs only when the
    user asks (``atlas index --embed``) or when it has stored data before, which is then
    kept up to date incrementally.
    """

    name: ClassVar[str]

    def fingerprint(self, view: IndexReader) -> str:
        """A cheap key: when it is unchanged since the last run, ``contribute`` is skipped."""
        ...

    def contribute(self, view: IndexReader, previous: Any) -> Any:
        """Return msgpack-able data; ``previous`` is the last stored result or None."""
        ...


@attrs.define
class QueryContext:
    """Everything a signal or reranker sees for one query."""

    query: str
    terms: list[str]
    index: IndexReader
    settings: dict[str, dict[str, Any]] = attrs.field(factory=dict)
    #: normalised scores of the signals already computed (earlier stages)
    results: dict[str, np.ndarray] = attrs.field(factory=dict)
    notes: list[str] = attrs.field(factory=list)
    #: ids of the files the user stands at (``--seed``, ``--diff``): graph and co-change
    #: signals start from them as well as from the best text matches
    seeds: list[int] = attrs.field(factory=list)

    def extra(self, name: str) -> Any:
        """Data stored at index time by the contributor called ``name`` (None if absent)."""
        return self.index.extra(name)

    def options(self, component: str) -> dict[str, Any]:
        """The config table of one component (``[signals.<name>]`` and so on)."""
        return self.settings.get(component, {})

    def note(self, message: str) -> None:
        """Say something the user sees under ``-v``."""
        self.notes.append(message)


@runtime_checkable
class Signal(Protocol):
    """Scores every indexed file for a query.

    ``stage`` orders signals: stage 0 signals see only the query; stage 1 signals (graph
    propagation, co-change) also see the normalised results of stage 0 in ``ctx.results``.
    """

    name: ClassVar[str]
    stage: ClassVar[int]

    def unavailable(self, ctx: QueryContext) -> str | None:
        """Why this signal cannot run here (missing data, no git), or None."""
        ...

    def score(self, ctx: QueryContext) -> np.ndarray:
        """One raw score per indexed file (0 = no evidence), float64."""
        ...


@runtime_checkable
class Fuser(Protocol):
    """Combines several signals' normalised scores into one score per file."""

    name: ClassVar[str]

    def fuse(self, scores: dict[str, np.ndarray], weights: dict[str, float]) -> np.ndarray: ...


@runtime_checkable
class Reranker(Protocol):
    """Reorders the top candidates after fusion.

    A reranker may also offer ``retrieve(ctx) -> numpy.ndarray`` (one score per indexed
    file, 0 = not retrieved): with ``--semantic`` the pipeline fuses those scores as the
    ``semantic`` signal, so files with no word in common with the task can be found.
    """

    name: ClassVar[str]

    def rerank(
        self, ctx: QueryContext, candidates: np.ndarray, scores: np.ndarray
    ) -> np.ndarray: ...


@attrs.define
class FormatOptions:
    """Options shared by output formats."""

    color: bool = False
    verbose: bool = False
    root: Path | None = None
    extra: dict[str, Any] = attrs.field(factory=dict)


@runtime_checkable
class OutputFormat(Protocol):
    """Writes a selection for ``--format NAME``."""

    name: ClassVar[str]

    def write(self, selection: Selection, out: TextIO, options: FormatOptions) -> None: ...
