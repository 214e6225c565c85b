"""The component protocols plugins implement. The pipeline calls these objects directly.

Each protocol is also a base class: subclass it to inherit the defaults of its optional
members (``Signal.stage``, ``Signal.unavailable``, ``Contributor.on_demand`` ...). A
component that does not subclass must have every required member (registration checks
it); the pipeline uses the same defaults for the optional ones it leaves out
(``OPTIONAL_MEMBERS`` in :mod:`atlas_core.plugin.registry`).
Plugin authors import these names from :mod:`atlas_core.api`.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator, Mapping, Sequence
from pathlib import Path
from typing import TYPE_CHECKING, Any, ClassVar, Literal, Protocol, TextIO, runtime_checkable

import attrs

from atlas_core.plugin import hookimpl

if TYPE_CHECKING:
    import numpy as np

    from atlas_core.rank.related import Tie
    from atlas_core.types import Chunk, RepoFile, Selection

__all__ = [
    "FUSED_SEEDS",
    "Changes",
    "Chunker",
    "Classifier",
    "Contributor",
    "FormatOptions",
    "Fuser",
    "IndexContext",
    "IndexView",
    "Note",
    "OutputFormat",
    "PriorFactor",
    "QueryContext",
    "RelatedFiles",
    "Reranker",
    "Resolver",
    "Retriever",
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
    #: called with the relative path (``""``: the root) of every directory, just before it is listed
    on_dir: Callable[[str], None] | None = None


@runtime_checkable
class Walker(Protocol):
    """Lists the files of a repository."""

    name: ClassVar[str]

    def walk(self, root: Path, settings: WalkSettings) -> Iterator[RepoFile]: ...


class Classifier:
    """Names the language and role of files: a plugin object for the two classification
    hooks. Override ``language`` and/or ``role`` (None: let the next classifier decide) and
    register an instance as a plugin (``get_plugin_manager(extra_plugins=...)``) or return
    it from your entry point module as ``classifier = MyClassifier()``."""

    def language(self, rel: str, head: str) -> str | None:
        """A lowercase language id for ``rel`` (``head``: its first 1,024 characters)."""
        return None

    def role(self, rel: str, language: str, head: str) -> str | None:
        """``impl``, ``test``, ``config``, ``docs``, ``build``, ``generated``, ``vendor``,
        ``other``, or None."""
        return None

    @hookimpl
    def atlas_classify_language(self, rel: str, head: str) -> str | None:
        return self.language(rel, head)

    @hookimpl
    def atlas_classify_role(self, rel: str, language: str, head: str) -> str | None:
        return self.role(rel, language, head)


@runtime_checkable
class Chunker(Protocol):
    """Finds symbols and imports in files of some languages."""

    name: ClassVar[str]
    #: language ids, or ``"*"`` for any language (may be set per instance)
    languages: tuple[str, ...]
    #: for each language the chunker with the highest priority wins
    priority: ClassVar[int]

    @property
    def version(self) -> str:
        """Changes when the chunker's output for a file would change (the index is then
        rebuilt)."""
        return ""

    def chunk(self, rel: str, text: str, language: str) -> list[Chunk]: ...


@runtime_checkable
class IndexView(Protocol):
    """A read-only view of one index generation, as plugins see it.

    Per-file columns are tuples indexed by file id (``0 .. len(view) - 1``) and ``ids``
    a read-only mapping: the same objects serve every query and plugin, so none may
    change them.
    """

    #: the repository root
    root: Path
    #: Atlas's cache directory; a plugin may keep its own files under ``cache / "extras"``
    cache: Path

    @property
    def paths(self) -> Sequence[str]: ...

    @property
    def languages(self) -> Sequence[str]: ...

    @property
    def roles(self) -> Sequence[str]: ...

    @property
    def tokens(self) -> Sequence[int]: ...

    @property
    def sizes(self) -> Sequence[int]: ...

    @property
    def statuses(self) -> Sequence[str]:
        """``ok``, ``large``, ``binary`` or ``unreadable``."""
        ...

    @property
    def generation(self) -> int:
        """The generation number: changes whenever the index is rewritten."""
        ...

    @property
    def fingerprint(self) -> str:
        """The indexing settings and chunkers this generation was built with."""
        ...

    @property
    def hashes(self) -> Sequence[bytes]:
        """Each file's content hash (empty for files too large to read)."""
        ...

    @property
    def ids(self) -> Mapping[str, int]:
        """Path -> file id (read-only)."""
        ...

    @property
    def stats(self) -> dict[str, Any]:
        """Corpus statistics: ``avgdl`` (per field), ``terms``, ``postings``, ``languages``."""
        ...

    @property
    def doclen(self) -> np.ndarray:
        """Per-file token counts of the three fields (file name, symbols, body): (n, 3)."""
        ...

    def __len__(self) -> int: ...

    def chunks(self, i: int) -> Sequence[Chunk]:
        """Symbols and imports of file ``i`` (a tuple)."""
        ...

    def read_text(self, i: int) -> str:
        """The current content of file ``i`` ("" when it cannot be read); a notebook's is
        the text of its cells, as indexed."""
        ...

    def extra(self, name: str) -> Any:
        """Data the contributor ``name`` stored at index time, or None."""
        ...

    def term_id(self, term: str) -> int | None:
        """The id of an indexed term, or None."""
        ...

    def postings(self, term_id: int) -> tuple[np.ndarray, np.ndarray]:
        """(file ids, term frequency per field with shape (n, 3)) of one term."""
        ...


@runtime_checkable
class Resolver(Protocol):
    """Maps a file's imports to files of the repository (for an import graph)."""

    name: ClassVar[str]
    languages: ClassVar[tuple[str, ...]]
    #: per language the resolver with the highest priority is used
    priority: ClassVar[int]

    @property
    def version(self) -> str:
        """Changes when the resolver's answers would change (the graph is then rebuilt)."""
        return ""

    def resolve(self, view: IndexView, file_id: int, imports: list[str]) -> list[str]:
        """Repository-relative paths the imports of file ``file_id`` refer to.

        The answer may depend on the file's path, language and import lines, the set of
        files and resolution config files, not on the rest of its text: a file whose
        imports did not change keeps its edges without a new call.
        """
        ...


@attrs.frozen
class Changes:
    """What an index run changed, by path."""

    added: tuple[str, ...] = ()
    changed: tuple[str, ...] = ()
    deleted: tuple[str, ...] = ()

    def __bool__(self) -> bool:
        return bool(self.added or self.changed or self.deleted)


@attrs.define
class IndexContext:
    """Everything a contributor sees at index time."""

    #: the contributor's name (``options()`` reads its table)
    component: str
    #: the repository root
    root: Path
    #: the index as just written
    index: IndexView
    #: the generation before this run, when this run wrote a new one (else None)
    previous: IndexView | None = None
    #: what this contributor stored last time (None the first time)
    previous_data: Any = None
    #: what changed since the previous generation
    changes: Changes = attrs.field(factory=Changes)
    #: every component's config table (``[contributors.<name>]`` and so on)
    settings: Mapping[str, Mapping[str, Any]] = attrs.field(factory=dict)
    #: the registered import resolvers (every plugin's)
    resolvers: Sequence[Resolver] = ()
    notes: list[Note] = attrs.field(factory=list)

    def options(self, component: str | None = None) -> dict[str, Any]:
        """The config table of ``component`` (default: this contributor)."""
        return dict(self.settings.get(component or self.component, {}))

    def resolver_for(self, language: str) -> Resolver | None:
        """The resolver with the highest priority for ``language`` (ties: larger name)."""
        best: Resolver | None = None
        for resolver in self.resolvers:
            if language in resolver.languages and (
                best is None or (resolver.priority, resolver.name) > (best.priority, best.name)
            ):
                best = resolver
        return best

    def note(self, message: str, *, level: Literal["info", "warning"] = "info") -> None:
        """Say something the user sees (``info``: under ``-v``)."""
        self.notes.append(Note(message, level, self.component))


@runtime_checkable
class Contributor(Protocol):
    """Computes per-repository data once at index time for a signal to read at query time.

    ``on_demand = "embed"`` (any word) makes it run only when the user asks
    (``atlas index --embed``) or when it has stored data before, which is then kept up to
    date incrementally.
    """

    name: ClassVar[str]
    on_demand: ClassVar[str | None] = None

    def fingerprint(self, ctx: IndexContext) -> str:
        """A cheap key: when it and the index generation are unchanged, ``contribute`` is
        skipped."""
        ...

    def contribute(self, ctx: IndexContext) -> Any:
        """Return msgpack-able data (``ctx.previous_data`` is the last stored result)."""
        ...

    def describe(self, data: Any) -> dict[str, Any] | None:
        """What ``atlas inspect`` shows about the stored ``data`` (None: nothing)."""
        return None

    def prior_factors(self, data: Any, index: IndexView) -> Sequence[PriorFactor]:
        """Files whose path prior ``data`` scales, and why (default: none).

        Called at index time, right after :meth:`contribute`, with its result and the index
        just written; the factors are stored with the data and every query on this index
        generation applies them while the plugin is loaded (``-v`` prints the reasons).

        .. versionadded:: 0.4 (plugin API 1.1)
        """
        return ()


@attrs.frozen(eq=False)  # an array field: compared by identity, never element-wise
class PriorFactor:
    """Files of one index generation whose path prior a contributor scales by ``factor``
    (``src/decNumber/`` by 0.05: a library copied in), with the ``reason`` ``-v`` shows."""

    ids: np.ndarray
    factor: float
    reason: str


@attrs.frozen
class Note:
    """A message from a query or an index run: ``info`` (shown under ``-v``) or ``warning``
    (always shown)."""

    message: str
    level: Literal["info", "warning"] = "info"
    #: the component or stage that said it ("" for the pipeline)
    source: str = ""

    def __str__(self) -> str:
        return self.message


#: ``[pipeline] seed_signal`` value that seeds stage 1 from the fused stage-0 ranking
FUSED_SEEDS = "fused"


@attrs.define
class QueryContext:
    """Everything a signal or reranker sees for one query."""

    query: str
    terms: list[str]
    index: IndexView
    settings: Mapping[str, Mapping[str, Any]] = attrs.field(factory=dict)
    #: normalised scores of the signals already computed (earlier stages)
    results: dict[str, np.ndarray] = attrs.field(factory=dict)
    notes: list[Note] = attrs.field(factory=list)
    #: the text-match signal whose best files seed graph and co-change signals
    #: (``[pipeline] seed_signal``; ``"fused"``: the first stage's fused ranking)
    seed_signal: str = "bm25f"
    #: ids of the files the user stands at (``--seed``, ``--diff``): graph and co-change
    #: signals start from them as well as from the best text matches
    seeds: list[int] = attrs.field(factory=list)
    #: with ``seed_signal = "fused"``: the stage-0 signals' weighted sum, normalised (set by
    #: :meth:`fuse_seeds` before stage 1 runs)
    fused_seeds: np.ndarray | None = None
    #: per file, the product of the contributors' :class:`PriorFactor` s (None: all 1), which
    #: the ``path`` signal multiplies its prior by (set by the engine before signals run)
    prior_factor: np.ndarray | None = None
    #: per file, the ``path`` signal's prior (with the contributors' factors and the lift of
    #: a role the task names; without its small-file factor) scaled to a best of 1; set when
    #: that signal scores (None before, or without it). The engine scales the other
    #: signals' evidence by it (``[pipeline] prior_power``)
    file_prior: np.ndarray | None = None
    #: whether the caller asked for reranking or ``--semantic`` for this query (a flag, a
    #: library or MCP argument) rather than taking the preset's: a reranker may then wait
    #: longer for its server than when it runs on a preset's behalf
    rerank_asked: bool = False

    def extra(self, name: str) -> Any:
        """Data stored at index time by the contributor called ``name`` (None if absent)."""
        return self.index.extra(name)

    def options(self, component: str) -> dict[str, Any]:
        """The config table of one component (``[signals.<name>]`` and so on)."""
        return dict(self.settings.get(component, {}))

    def seed_scores(self) -> np.ndarray | None:
        """The normalised scores of the seed signal, or None when it did not run (with
        ``seed_signal = "fused"``: the first stage's fused scores, None before stage 1)."""
        if self.seed_signal == FUSED_SEEDS:
            return self.fused_seeds
        return self.results.get(self.seed_signal)

    def fuse_seeds(self, weights: Mapping[str, float]) -> None:
        """With ``seed_signal = "fused"``, set :attr:`fused_seeds` to the weighted sum of the
        results so far (the stage-0 signals: call it before stage 1), scaled to a best of 1."""
        import numpy as np

        if self.seed_signal != FUSED_SEEDS:
            return
        total = np.zeros(len(self.index))
        for name, values in self.results.items():  # a few signals: O(files) each
            total += weights.get(name, 1.0) * values
        top = float(total.max()) if len(total) else 0.0
        self.fused_seeds = total / top if top > 0 else np.zeros(len(total))

    def note(self, message: str, *, level: Literal["info", "warning"] = "info") -> None:
        """Say something the user sees (``info``: under ``-v``; ``warning``: always)."""
        self.notes.append(Note(message, level))


@runtime_checkable
class RelatedFiles(Protocol):
    """A signal that can also say which files are tied to given ones, and why.

    ``atlas related`` lists those ties, and ``--seed``/``--diff`` lift the seeds'
    neighbours through them (the ``seeds`` signal).
    """

    def related(self, ctx: QueryContext, ids: list[int]) -> list[Tie]:
        """Ties of the files ``ids`` (``Tie(id, via, kind, strength)``, strength 0-1)."""
        ...


@runtime_checkable
class Signal(Protocol):
    """Scores every indexed file for a query.

    ``stage`` orders signals: stage 0 signals see only the query; stage 1 signals (graph
    propagation, co-change) also see the normalised results of stage 0 in ``ctx.results``.
    """

    name: ClassVar[str]
    stage: ClassVar[int] = 0

    def unavailable(self, ctx: QueryContext) -> str | None:
        """Why this signal cannot run here (missing data, no git), or None."""
        return None

    def score(self, ctx: QueryContext) -> np.ndarray:
        """One raw score per indexed file (0 = no evidence), float64."""
        ...


@runtime_checkable
class Fuser(Protocol):
    """Combines several signals' normalised scores into one score per file."""

    name: ClassVar[str]

    def fuse(self, scores: dict[str, np.ndarray], weights: dict[str, float]) -> np.ndarray:
        """One score per file from each signal's normalised scores and its weight."""
        ...


@runtime_checkable
class Reranker(Protocol):
    """Reorders the top candidates after fusion."""

    name: ClassVar[str]

    def rerank(self, ctx: QueryContext, candidates: np.ndarray, scores: np.ndarray) -> np.ndarray:
        """New scores for ``candidates`` (file ids), given their fused ``scores``."""
        ...


@runtime_checkable
class Retriever(Protocol):
    """A reranker that can also score the whole repository (``--semantic``): its scores
    are fused as the ``semantic`` signal, so files sharing no word with the task can be
    found."""

    name: ClassVar[str]

    def retrieve(self, ctx: QueryContext) -> np.ndarray:
        """One score per indexed file (0 = not retrieved)."""
        ...


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

    def write(self, selection: Selection, out: TextIO, options: FormatOptions) -> None:
        """Write ``selection`` to ``out``."""
        ...
