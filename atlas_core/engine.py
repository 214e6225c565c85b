"""The pipeline: walk -> classify/chunk/index -> signals -> fuse -> rerank -> select.

This is the only place components run; the CLI, tests and other front ends call it.
"""

from __future__ import annotations

import os
import time
from collections import Counter
from collections.abc import Callable
from functools import cached_property, partial
from pathlib import Path
from typing import TYPE_CHECKING, Any

import attrs
import numpy as np

from atlas_core import arguments
from atlas_core.components import Chunker, Note, QueryContext, Retriever, Signal, WalkSettings
from atlas_core.config import (
    WEIGHT,
    Preset,
    Settings,
    check_settings,
    configured,
    load_settings,
)
from atlas_core.errors import (
    AtlasError,
    IndexCorruptError,
    IndexWriteError,
    PluginFailure,
    UsageError,
)
from atlas_core.fsread import check_root
from atlas_core.index.layout import FORMAT_VERSION, cache_dir_for, writable
from atlas_core.index.reader import IndexReader, open_index
from atlas_core.paths import display_path, quoted_path
from atlas_core.plugin.guard import guarded, origin_of, output_failure, raise_errors
from atlas_core.plugin.manager import AtlasPluginManager
from atlas_core.rank.fusion import normalize
from atlas_core.types import RepoFile, SelectedFile, Selection

# The query's own modules (task parsing, seeds, selection, skims) are imported by the
# methods that use them: an ``atlas index`` run never needs them (some 5 ms of start-up).
if TYPE_CHECKING:
    from atlas_core.index.builder import BuildReport
    from atlas_core.index.walkcache import WalkRecorder
    from atlas_core.rank.seeds import Seed
    from atlas_core.results import Explanation

__all__ = [
    "Atlas",
    "QueryOptions",
    "QueryResult",
    "changed_since_indexed",
    "find_root",
    "relative_base",
    "resolve_root",
    "stale_note",
    "unindexed_note",
]


def resolve_root(root: str | os.PathLike[str] | None) -> Path:
    """The repository root, checked: it must exist and be a directory.

    Without ``root`` (and without ``$ATLAS_ROOT``) it is found as git finds its work tree:
    the nearest of the current directory and its ancestors that holds ``.atlas/``,
    ``.git`` or ``atlas.toml``, else the current directory itself.
    """
    if root is not None and not str(root):  # ``--root "$REPO"`` with REPO unset
        raise UsageError("root '' does not exist (for the current directory, say '.')")
    explicit = str(root) if root is not None else os.environ.get("ATLAS_ROOT")
    raw = explicit or "."
    path = Path(raw).expanduser()
    if not path.exists():
        raise UsageError(f"root {quoted_path(raw)} does not exist")
    if not path.is_dir():
        raise UsageError(f"root {quoted_path(raw)} is not a directory")
    if not os.access(path, os.R_OK | os.X_OK):
        raise UsageError(f"root {quoted_path(raw)} is not readable")
    path = path.resolve()
    return path if explicit else find_root(path)


def find_root(start: Path) -> Path:
    """The nearest of ``start`` and its ancestors with ``.atlas/``, ``.git`` or
    ``atlas.toml``, else ``start``."""
    for candidate in (start, *start.parents):
        try:
            if (
                (candidate / ".atlas").is_dir()
                or (candidate / ".git").exists()
                or (candidate / "atlas.toml").is_file()
            ):
                return candidate
        except OSError:  # an unreadable ancestor: stop where git would
            break
    return start


def relative_base(root: Path, cwd: Path | None = None) -> str:
    """The current directory as a path inside ``root`` (``""``: the root, or outside it)."""
    try:
        here = (cwd or Path.cwd()).resolve()
        rel = here.relative_to(root)
    except (OSError, ValueError):
        return ""
    return "" if str(rel) == "." else rel.as_posix()


def _valid(check: Callable[..., Any], *extra: Any) -> Callable[[Any, Any, Any], None]:
    """An attrs validator: ``check(name, value, *extra)`` (see :mod:`atlas_core.arguments`)."""

    def validate(instance: Any, attribute: Any, value: Any) -> None:
        check(attribute.name, value, *extra)

    return validate


def _seeds_list(value: Any) -> list[str]:
    return arguments.paths("seeds", value)


def _scope_list(value: Any) -> list[str]:
    return arguments.paths("scope", value)


def _exclude_list(value: Any) -> list[str]:
    return arguments.paths("exclude", value)


_OPTIONAL_TEXT = _valid(partial(arguments.text, optional=True))


def _style(instance: Any, attribute: Any, value: Any) -> None:
    """An attrs validator: None or a context document's style."""
    if arguments.text(attribute.name, value, optional=True) is None:
        return  # the query's usual case: nothing more to import
    from atlas_core.output.context import STYLES

    if value not in STYLES:
        raise UsageError(
            f"{attribute.name} must be one of {', '.join(map(repr, STYLES))} or None, not {value!r}"
        )


@attrs.define
class QueryOptions:
    """What the user asked for on top of the preset.

    A wrong type or a negative number is a :class:`UsageError` naming the option.
    """

    preset: str | None = attrs.field(default=None, validator=_OPTIONAL_TEXT)
    max_tokens: int | None = attrs.field(
        default=None, validator=_valid(arguments.count, "0: no budget")
    )
    max_bytes: int | None = attrs.field(
        default=None, validator=_valid(arguments.count, "0: no budget")
    )
    min_score: float | None = attrs.field(default=None, validator=_valid(arguments.fraction))
    top: int | None = attrs.field(default=None, validator=_valid(arguments.count, "0: no cap"))
    #: None: as the preset says; "off"; "on"/"require"; a name
    rerank: str | None = attrs.field(default=None, validator=_OPTIONAL_TEXT)
    candidates: int = attrs.field(default=60, validator=_valid(arguments.count))
    #: add the reranker's whole-repository retrieval as a signal
    semantic: bool = attrs.field(default=False, validator=_valid(arguments.flag))
    #: find each selected file's best-matching symbols
    symbols: bool = attrs.field(default=True, validator=_valid(arguments.flag))
    #: files the user stands at: ``path`` or ``path:line``
    seeds: list[str] = attrs.field(factory=list, converter=_seeds_list)
    #: a git revision: the files changed against it (working tree and index) are seeds too
    diff: str | None = attrs.field(
        default=None,
        validator=_valid(partial(arguments.text, optional=True, what="a git revision (a string)")),
    )
    #: list the seed files first (False: leave them out, the user has them)
    seed_files: bool = attrs.field(default=True, validator=_valid(arguments.flag))
    #: only files matching one of these (paths or globs) ...
    scope: list[str] = attrs.field(factory=list, converter=_scope_list)
    #: ... and none of these
    exclude: list[str] = attrs.field(factory=list, converter=_exclude_list)
    #: where seeds and scope patterns are relative to (the current directory in the repo)
    base: str = attrs.field(default="", validator=_valid(arguments.text))
    #: a file too big for what is left of the budget may be given as its skim
    skim: bool = attrs.field(default=True, validator=_valid(arguments.flag))
    #: the answer is for a context document of this style (``markdown`` or ``xml``) within
    #: the same budget: each file's room includes what the document spends on it (its line
    #: in the header, its heading and fence), so the document shows every file chosen
    document: str | None = attrs.field(default=None, validator=_style)


@attrs.define
class QueryResult:
    """A selection plus what explain needs: every signal's raw and normalised scores,
    typed notes and the plugin failures the query carried on without."""

    selection: Selection
    order: np.ndarray
    fused: np.ndarray
    signal_scores: dict[str, np.ndarray]
    raw_scores: dict[str, np.ndarray]
    reader: IndexReader
    notes: list[Note]
    timings: dict[str, float]
    failures: list[PluginFailure] = attrs.field(factory=list)
    weights: dict[str, float] = attrs.field(factory=dict)

    @cached_property
    def explanations(self) -> list[Explanation]:
        """Why each selected file scored what it did, per signal."""
        from atlas_core.results import explain

        return explain(self)


class Atlas:
    """One repository, its settings and its plugins."""

    def __init__(
        self, root: Path, manager: AtlasPluginManager, settings: Settings | None = None
    ) -> None:
        self.root = root
        self.manager = manager
        self.settings = settings if settings is not None else load_settings(root)
        check_settings(self.settings, manager)  # names and tables, before anything runs
        self.cache = cache_dir_for(root)

    # -- indexing ----------------------------------------------------------------

    def walk(
        self, recorder: WalkRecorder | None = None, problems: list[str] | None = None
    ) -> tuple[list[RepoFile], Counter[str]]:
        """The repository's files, and how many entries were skipped for each reason.

        :param problems: gets a line for each entry skipped as unreadable (a directory that
            cannot be listed, ``rel`` ending in ``/``, or an entry that cannot be stat'ed),
            as the indexer reports a file it cannot read.
        """
        skipped: Counter[str] = Counter()
        walker = self.manager.registry("walkers").get(self.settings.pipeline.walker)
        if walker is None:
            raise UsageError(f"unknown walker {self.settings.pipeline.walker!r}")

        def on_skip(rel: str, reason: str) -> None:
            skipped[reason] += 1
            if reason == "unreadable" and problems is not None:
                problems.append(
                    f"{rel}: directory cannot be read; nothing under it is indexed"
                    if rel.endswith("/")
                    else f"{rel}: cannot be read"
                )

        settings = WalkSettings(
            extra_ignore=list(self.settings.index.ignore),
            cache_dir=self.cache,
            on_skip=on_skip,
            on_dir=recorder.on_dir if recorder is not None else None,
        )
        check_root(self.root)
        with guarded(walker, "walking the repository"):
            files = list(walker.walk(self.root, settings))
        if not _built_in(walker):  # the built-in walker confines itself
            files = self._confine(walker, files, skipped)
        return files, skipped

    def _confine(
        self, walker: object, files: list[RepoFile], skipped: Counter[str]
    ) -> list[RepoFile]:
        """A plugin walker's files without those Atlas must never read: outside the root
        (by name or through a symlink), in ``.git`` or the cache, malformed, or repeated.

        Each one left out is counted as skipped; one warning names the plugin.
        """
        from atlas_core.walk.fs import ALWAYS_SKIPPED_DIRS

        real_root = os.path.realpath(self.root)
        real_cache = os.path.realpath(self.cache)
        seen: set[str] = set()
        kept: list[RepoFile] = []
        dropped: list[str] = []

        def why(rel: object) -> tuple[str, str] | None:
            if not isinstance(rel, str) or not rel or "\0" in rel:
                return "invalid-path", "not a path"
            parts = rel.split("/")
            if os.path.isabs(rel) or any(p in ("", ".", "..") for p in parts):
                return "invalid-path", "not a clean path relative to the root"
            if rel in seen:
                return "duplicate", "given twice"
            target = os.path.realpath(os.path.join(real_root, rel))
            if os.path.commonpath([real_root, target]) != real_root or target == real_root:
                return "outside-root", "outside the repository"
            inside = os.path.relpath(target, real_root).split(os.sep)
            if ALWAYS_SKIPPED_DIRS.intersection(parts + inside) or (
                os.path.commonpath([real_cache, target]) == real_cache
            ):
                return "skipped-directory", "in a directory Atlas never indexes"
            return None

        for f in files:
            rel = getattr(f, "rel", None)
            problem = why(rel)
            if problem is None:
                seen.add(str(rel))
                kept.append(f)
                continue
            skipped[problem[0]] += 1
            dropped.append(f"{display_path(str(rel))} ({problem[1]})")
        if dropped:
            origin = origin_of(walker)
            more = f" and {len(dropped) - 3} more" if len(dropped) > 3 else ""
            self.manager.warn(
                f"plugin {origin.plugin}: {origin.component} gave {len(dropped)} "
                f"paths Atlas does not index (left out): {', '.join(dropped[:3])}{more}"
            )
        return kept

    def _walk_key(self) -> str | None:
        """What the built-in walk depends on besides the tree (None: another walker)."""
        walker = self.manager.registry("walkers").get(self.settings.pipeline.walker)
        if walker is None or not _built_in(walker):
            return None
        return repr((str(self.root), str(self.cache), list(self.settings.index.ignore)))

    def chunker_map(self) -> dict[str, Chunker]:
        """For each language, the registered chunker with the highest priority."""
        best: dict[str, Chunker] = {}
        for chunker in self.manager.registry("chunkers"):
            for lang in chunker.languages:
                current = best.get(lang)
                if current is None or (chunker.priority, chunker.name) > (
                    current.priority,
                    current.name,
                ):
                    best[lang] = chunker
        return best

    def fingerprint(self) -> str:
        """Changes whenever a setting or plugin that shapes the index changes."""
        from atlas_core import __version__
        from atlas_core.classify.rules import CLASSIFY_VERSION
        from atlas_core.terms import TERMS_VERSION

        parts = [
            f"atlas={__version__}",
            f"terms={TERMS_VERSION}",
            f"classify={CLASSIFY_VERSION}",
            f"format={FORMAT_VERSION}",
            f"max={self.settings.index.max_file_bytes}",
        ]
        hook = self.manager.pm.hook
        for caller in (hook.atlas_classify_language, hook.atlas_classify_role):
            parts.extend(f"{caller.name}:{impl.plugin_name}" for impl in caller.get_hookimpls())
        for entry in self.manager.registry("chunkers").entries():
            version = getattr(entry.component, "version", "")  # optional
            parts.append(f"{entry.provider}:{entry.component.name}:{version}")
        return "|".join(parts)

    def index(
        self,
        *,
        force: bool = False,
        progress: Callable[[int, int], None] | None = None,
        on_message: Callable[[str], None] = lambda m: None,
        enable: tuple[str, ...] = (),
        keep_existing: bool = False,
    ) -> BuildReport:
        """Bring the index up to date; ``enable`` turns on on-demand contributors.

        With ``keep_existing``, an index that cannot be written (a read-only cache) but
        exists and is usable is kept as it is, with one message, instead of failing.
        """
        # imported here: a query never builds, and these pull in the whole indexer
        from atlas_core.index.builder import BuildReport, IndexBuilder
        from atlas_core.index.filestats import FileStats
        from atlas_core.index.process import FileProcessor
        from atlas_core.index.walkcache import WalkRecorder, cached_walk, rebind

        check_root(self.root)  # before anything is walked or written (the cache: created)
        key = self._walk_key()
        cached = cached_walk(self.root, self.cache, key) if key and not force else None
        recorder = WalkRecorder(self.root, key) if key and cached is None else None
        walked: list[RepoFile] = []
        problems: list[str] = []
        if cached is not None:
            files, skipped = cached, Counter[str]()
        else:
            walked, skipped = self.walk(recorder, problems)
            files = FileStats.of(self.root, walked)
        processor = FileProcessor(
            self.manager.hook, self.chunker_map(), self.settings.index.max_file_bytes
        )
        builder = IndexBuilder(
            self.root,
            self.cache,
            processor,
            self.fingerprint(),
            self.manager.registry("contributors"),
            progress=progress,
            enable=enable,
            settings=self.settings.components,
            resolvers=self.manager.registry("resolvers"),
        )
        try:
            report = builder.update(
                files, skipped, force=force, on_message=on_message, problems=problems
            )
            if recorder is not None and report.generation:
                recorder.save(self.cache, report.generation, walked, skipped)
            elif cached is not None and report.wrote and report.generation:
                rebind(self.cache, report.generation)
            return report
        except IndexWriteError as exc:
            if not keep_existing or not self._usable():
                raise
            on_message(f"{exc}; answering from the existing index")
            return BuildReport(files=len(files))

    def _usable(self) -> bool:
        try:
            reader = open_index(self.cache, self.root)
        except AtlasError:
            return False
        if reader is None:
            return False
        reader.close()
        return True

    def reader(
        self, *, build_if_missing: bool = True, on_message: Callable[[str], None] = lambda m: None
    ) -> IndexReader:
        """The index, built first when there is none or it cannot be trusted.

        Nothing is written when a usable index exists. A damaged index is never ranked
        from: it is rebuilt, or, when that is impossible, the error says so in one line.
        """
        check_root(self.root)
        try:
            reader = open_index(self.cache, self.root)
        except IndexCorruptError as exc:
            if not build_if_missing:
                raise
            self._need_writable(f"the index in {self.cache} is unusable ({exc})")
            on_message(f"index at {self.cache} is unusable ({exc}); rebuilding")
            self.index(force=True, on_message=on_message)
            reader = open_index(self.cache, self.root)
        if reader is None:
            if not build_if_missing:
                raise AtlasError(f"no index in {self.cache}; run 'atlas index' first")
            self._need_writable(f"there is no index in {self.cache} yet")
            self.index(on_message=on_message)
            reader = open_index(self.cache, self.root)
        if reader is None:  # pragma: no cover - index() always publishes one
            raise AtlasError("indexing produced no index")
        return reader

    def _need_writable(self, why: str) -> None:
        if not writable(self.cache):
            raise IndexWriteError(f"{why} and {self.cache} is not writable")

    # -- querying ----------------------------------------------------------------

    def seeds(
        self, options: QueryOptions, reader: IndexReader, unindexed: list[str] | None = None
    ) -> list[Seed]:
        """The seed files of ``options``: ``--seed`` paths, then the ``--diff`` files.

        :param unindexed: gets the files ``--diff`` found that exist but are not in the
            index (new since it was built, ignored, or binary).
        """
        from atlas_core.rank.seeds import diff_paths, resolve_seeds

        seeds = resolve_seeds(reader, options.seeds, options.base)
        if options.diff is not None:
            changed = diff_paths(self.root, options.diff)
            known = {s.id for s in seeds}
            for seed in resolve_seeds(reader, changed, strict=False, literal=True):
                if seed.id not in known:
                    seeds.append(seed)
            if unindexed is not None:
                unindexed.extend(
                    p
                    for p in changed
                    if p not in reader.ids and os.path.lexists(os.path.join(self.root, p))
                )
        return seeds

    def query(self, task: str, options: QueryOptions, reader: IndexReader) -> QueryResult:
        from atlas_core.output.skim import short_skim, skim_tokens
        from atlas_core.rank.task import parse_task
        from atlas_core.select.budget import select_ranked
        from atlas_core.select.scope import scope_mask
        from atlas_core.select.symbols import matching_symbols
        from atlas_core.terms import tokenize

        timings: dict[str, float] = {}
        started = time.perf_counter()
        task = arguments.text("the task", "" if task is None else task)
        unindexed: list[str] = []
        seeds = self.seeds(options, reader, unindexed)
        if not task.strip() and not seeds:
            if options.diff is not None:
                if unindexed:
                    raise UsageError(
                        "the task is empty and --diff found no changed indexed file: "
                        f"{unindexed_note(unindexed)}; run 'atlas index' (or use 'atlas "
                        "quick'), or say what you want to do"
                    )
                raise UsageError(
                    "the task is empty and --diff found no changed indexed file: say what "
                    "you want to do"
                )
            raise UsageError("the task is empty: say what you want to do, e.g. 'add retry logic'")
        preset = self.settings.preset(options.preset)
        # issue-template boilerplate and stack-frame noise do not become query terms
        words = parse_task(task).text
        ctx = QueryContext(
            task,
            tokenize(words),
            reader,
            self.settings.components,
            seed_signal=self.settings.pipeline.seed_signal,
            seeds=[s.id for s in seeds],
            rerank_asked=options.rerank is not None or bool(options.semantic),
        )
        if not ctx.terms and not seeds:
            ctx.note(_no_words(words), level="warning")
        if unindexed:  # the change an agent is making may be in them: not seeds
            ctx.note(
                f"--diff: {unindexed_note(unindexed)}; run 'atlas index', or use 'atlas quick'"
            )
        failures: list[PluginFailure] = []
        signals, missing = self._signals(preset, ctx, failures)
        if any(s.name == "path" for s in signals):
            ctx.prior_factor = self._prior_factor(ctx, reader)
        raw: dict[str, np.ndarray] = {}
        for signal in sorted(signals, key=lambda s: (_stage(s), s.name)):
            if _stage(signal) > 0 and ctx.fused_seeds is None:  # stage 0 is done
                ctx.fuse_seeds(preset.signals)
            t0 = time.perf_counter()
            try:  # an optional component: its failure is a warning, the query carries on
                with guarded(signal, "scoring"):
                    values = np.asarray(signal.score(ctx), dtype=np.float64)
                    _check_scores(signal, "scoring", values, len(reader), finite=False)
            except PluginFailure as exc:
                self._soft_failure(ctx, failures, exc)
                missing.append(signal.name)
                continue
            bad = ~np.isfinite(values)
            if bad.any():  # the others are still evidence: kept, with a warning
                origin = origin_of(signal)
                ctx.note(
                    f"plugin {origin.plugin}: {origin.component} returned NaN or infinite "
                    f"scores for {int(bad.sum())} of {len(values)} files (counted as 0)",
                    level="warning",
                )
                values[bad] = 0.0
            raw[signal.name] = values
            ctx.results[signal.name] = normalize(values)
            timings[f"signal.{signal.name}"] = time.perf_counter() - t0
        evidence = [name for name in ctx.results if name != "path"]  # what the prior scales
        weights = dict(preset.signals)
        if seeds:
            t0 = time.perf_counter()
            self._seed_signal(ctx, weights, raw)
            timings["signal.seeds"] = time.perf_counter() - t0
        if options.semantic:
            self._semantic(ctx, weights, raw, failures, required=options.rerank == "require")
        fuser = self.manager.registry("fusers").get(preset.fuser)
        if fuser is None:
            raise UsageError(
                f"preset {preset.name!r} names unknown fuser {preset.fuser!r} "
                f"(installed: {', '.join(self.manager.registry('fusers').names())})"
            )
        inputs = self._prior_scaled(ctx, evidence)
        with guarded(fuser, "fusing"):  # essential: a failure fails the query
            fuse = configured(fuser, "fusers", self.settings).fuse  # its [fusers.<name>]
            fused = np.asarray(fuse(inputs, weights), dtype=np.float64)
            if not ctx.results and fused.shape == (0,):  # no signal ran: nothing to fuse
                fused = np.zeros(len(reader))
            _check_scores(fuser, "fusing", fused, len(reader))  # no ranking comes of NaN
        mask = scope_mask(reader, options.scope, options.exclude, options.base)
        if mask is not None:
            fused = np.where(mask, fused, 0.0)
        seed_ids = [s.id for s in seeds if mask is None or mask[s.id]]
        seed_fused = fused[seed_ids].copy() if seed_ids else np.zeros(0)
        if seeds:  # listed first, or left out: never ranked among the others
            fused[[s.id for s in seeds]] = 0.0
        fused = self._rerank(preset, options, ctx, fused, failures)
        scores = normalize(fused)
        order = np.lexsort((np.arange(len(scores)), -scores))
        if seed_ids:
            best = float(fused.max()) if len(fused) else 0.0
            seed_scores = np.minimum(seed_fused / best, 1.0) if best > 0 else np.ones(len(seed_ids))
            scores = scores.copy()
            scores[seed_ids] = np.round(seed_scores, 4)
        max_tokens = _pick(options.max_tokens, preset.max_tokens)
        max_bytes = _pick(options.max_bytes, preset.max_bytes)
        # for a context document: what it spends besides the files' contents
        content_tokens = max_tokens
        frame: Callable[[int, bool], int] | None = None
        if options.document is not None:
            from atlas_core.output.context import document_frame

            shape = document_frame(options.document, task, max_tokens)
            if max_tokens is not None:  # the header and footer are paid for first
                content_tokens = max(0, max_tokens - shape.fixed)

            def file_frame(i: int, skimmed: bool) -> int:
                return shape.file(reader.path(i), skimmed)

            frame = file_frame
        min_score = options.min_score if options.min_score is not None else preset.min_score
        want_symbols = options.symbols and preset.symbols
        lines = {s.id: s.line for s in seeds if s.line}
        skim_symbols: dict[int, list[dict[str, Any]]] = {}
        scanned = set(seed_ids) | set(order[:_BODY_SCAN].tolist())
        texts: dict[int, str] = {}  # a file's symbols and its skim read it once

        def read_text(i: int) -> str:
            text = texts.get(i)
            if text is None:
                text = texts[i] = reader.read_text(i)
            return text

        asked: dict[int, list[dict[str, Any]]] = {}

        def skim_symbols_of(i: int) -> list[dict[str, Any]]:
            """The symbols a skim of file ``i`` shows whole (or, short, marks)."""
            if i not in asked:
                # as for whole files, only the best few have their symbol bodies scanned
                scan = 1 if i in scanned else 0
                found = (
                    matching_symbols(reader, [i], ctx.terms, scan_bodies=scan, read_text=read_text)
                    if want_symbols
                    else {}
                )
                asked[i] = _with_seed_line(reader, i, lines.get(i, 0), found.get(i, []))
            return asked[i]

        def skim(i: int, room: int | None) -> tuple[int, int] | None:
            if room is not None and room < _skim_floor(reader, i):
                return None  # cannot fit: spare reading the file
            symbols = skim_symbols_of(i)
            text = _skim_of(reader, i, symbols, read_text)
            if text is None:
                return None
            skim_symbols[i] = symbols
            nbytes = len(text.encode())
            return skim_tokens(text), nbytes

        def short(i: int, room: int | None, room_bytes: int | None) -> tuple[int, int, int] | None:
            source = _skim_source(reader, i, read_text)
            if source is None:
                return None

            def fits(text: str) -> bool:
                return (room is None or skim_tokens(text) <= room) and (
                    room_bytes is None or len(text.encode()) <= room_bytes
                )

            symbols = skim_symbols_of(i)
            cut = short_skim(source, symbols, reader.chunks(i), fits)
            if cut is None:
                return None
            skim_symbols[i] = symbols
            return skim_tokens(cut[0]), len(cut[0].encode()), cut[1]

        budgeted = select_ranked(
            order,
            scores,
            reader.tokens,
            reader.sizes,
            max_tokens=content_tokens,
            max_bytes=max_bytes,
            min_score=min_score,
            top=_pick(options.top, preset.top),
            skim=skim if options.skim else None,
            first=seed_ids if options.seed_files else (),
            frame=frame,
            short=short if options.skim else None,
        )
        t0 = time.perf_counter()
        whole = [p.index for p in budgeted.picks if p.skim_tokens is None]
        symbols = (
            matching_symbols(reader, whole, ctx.terms, read_text=read_text) if want_symbols else {}
        )
        for i, line in lines.items():
            if i in whole:
                symbols[i] = _with_seed_line(reader, i, line, symbols.get(i, []))
        symbols.update(skim_symbols)
        timings["symbols"] = time.perf_counter() - t0
        stale = changed_since_indexed(self.root, reader, [p.index for p in budgeted.picks])
        if stale:  # contents are read now, sizes and lines come from the index
            ctx.note(stale_note(stale), level="warning")
        seed_set = set(seed_ids)
        files = [
            SelectedFile(
                reader.path(p.index),
                round(float(scores[p.index]), 4),
                reader.tokens[p.index],
                reader.file_field("language", p.index),
                reader.file_field("role", p.index),
                {n: round(float(v[p.index]), 4) for n, v in inputs.items()},
                symbols.get(p.index, []),
                p.skim_tokens,
                p.index in seed_set,
                p.skim_lines,
            )
            for p in budgeted.picks
        ]
        selection = Selection(
            query=task,
            preset=preset.name,
            budget={
                "MaxTokens": max_tokens,
                "MaxBytes": max_bytes,
                "Top": _pick(options.top, preset.top),
            },
            min_score=min_score,
            files=files,
            scanned_files=len(reader),
            signals=sorted(raw),
            missing_signals=missing,
            fuser=fuser.name,
            left_out=budgeted.left_out,
            seeds=[s.path for s in seeds],
            scope={"Scope": list(options.scope), "Exclude": list(options.exclude)}
            if options.scope or options.exclude
            else {},
        )
        timings["query"] = time.perf_counter() - started
        return QueryResult(
            selection,
            order,
            scores,
            dict(ctx.results),
            raw,
            reader,
            ctx.notes,
            timings,
            failures,
            weights,
        )

    def _prior_factor(self, ctx: QueryContext, reader: IndexReader) -> np.ndarray | None:
        """The contributors' factors on the path prior (``Contributor.prior_factors``, stored
        at index time) from the plugins loaded now."""
        from atlas_core.rank.priors import contributed_factor

        return contributed_factor(reader, self.manager.loaded_dists(), ctx.note)

    def _prior_scaled(self, ctx: QueryContext, names: list[str]) -> dict[str, np.ndarray]:
        """The signals' normalised scores as the fuser weighs them: those of ``names`` (the
        preset's signals but the path signal) times each file's prior to the power
        ``[pipeline] prior_power``, so that evidence in a test or a doc counts for less
        than the same evidence in code; the others (``seeds``, ``semantic``) as they are."""
        inputs = dict(ctx.results)
        power = self.settings.pipeline.prior_power
        if power and ctx.file_prior is not None:
            scale = ctx.file_prior**power
            for name in names:
                inputs[name] = inputs[name] * scale
        return inputs

    @staticmethod
    def _soft_failure(ctx: QueryContext, failures: list[PluginFailure], exc: PluginFailure) -> None:
        """An optional component failed: one warning, and the query goes on without it."""
        if raise_errors():
            raise exc
        failures.append(exc)
        ctx.note(str(exc), level="warning")

    def _seed_signal(
        self, ctx: QueryContext, weights: dict[str, float], raw: dict[str, np.ndarray]
    ) -> None:
        """The ``seeds`` signal: how strongly each file is tied to the seed files.

        Each kind of tie counts its strength times its factor in ``KIND_FACTORS``. Without
        a task it weighs at least 1.0, and the signals that know nothing of the seeds (path
        prior, centrality, recency) keep ``BARE_DAMP`` of their weight.
        """
        from atlas_core.config import structure_component_config
        from atlas_core.rank.related import (  # only with seeds
            KIND_FACTORS,
            gather_ties,
            tie_scores,
        )

        config = structure_component_config(SeedConfig, ctx.options("seeds"), "seeds")
        ties = gather_ties(ctx, self.manager.registry("signals"), ctx.seeds)
        values = tie_scores(len(ctx.index), ties, ctx.seeds, KIND_FACTORS)
        raw["seeds"] = values
        ctx.results["seeds"] = normalize(values)
        weights["seeds"] = config.weight
        if not ctx.terms:  # the seeds are all there is to go on
            weights["seeds"] = max(config.weight, 1.0)
            for name in list(weights):
                if name not in {"seeds", "graph", "git_cochange", "semantic"}:
                    weights[name] *= BARE_DAMP

    def _signals(
        self, preset: Preset, ctx: QueryContext, failures: list[PluginFailure]
    ) -> tuple[list[Signal], list[str]]:
        registry = self.manager.registry("signals")
        chosen: list[Signal] = []
        missing: list[str] = []
        for name in preset.signals:
            signal = registry.get(name)
            if signal is None:
                missing.append(name)
                ctx.note(f"signal {name} is not installed (preset {preset.name})")
                continue
            try:
                with guarded(signal, "checking whether it can run"):
                    unavailable = getattr(signal, "unavailable", None)  # optional
                    reason = unavailable(ctx) if unavailable is not None else None
            except PluginFailure as exc:
                self._soft_failure(ctx, failures, exc)
                missing.append(name)
                continue
            if reason:
                missing.append(name)
                ctx.note(f"signal {name} is unavailable: {reason}")
                continue
            chosen.append(signal)
        return chosen, missing

    def _semantic(
        self,
        ctx: QueryContext,
        weights: dict[str, float],
        raw: dict[str, np.ndarray],
        failures: list[PluginFailure],
        required: bool = False,
    ) -> None:
        """Fuse a reranker's whole-repository retrieval as the ``semantic`` signal.

        A retrieval failure keeps the lexical answer (with a note) unless ``required``.
        """
        registry = self.manager.registry("rerankers")
        retriever = next((r for r in registry if isinstance(r, Retriever)), None)
        if retriever is None:
            raise AtlasError(
                "--semantic needs a reranker that can retrieve (pip install atlas-ollama)"
            )
        try:
            with guarded(retriever, "retrieving"):
                values = np.asarray(retriever.retrieve(ctx), dtype=np.float64)
                _check_scores(retriever, "retrieving", values, len(ctx.index), finite=False)
        except (PluginFailure, UsageError) as exc:
            if required:
                raise
            why = f"semantic retrieval skipped: {exc}"
            if isinstance(exc, PluginFailure):
                failures.append(exc)
                why = f"semantic retrieval skipped: {exc.error}" if exc.own else str(exc)
            ctx.note(why, level="warning")
            return
        values[~np.isfinite(values)] = 0.0
        raw["semantic"] = values
        ctx.results["semantic"] = normalize(np.maximum(values, 0.0))
        weights.setdefault("semantic", weights.get(ctx.seed_signal, 1.0))

    def _rerank(
        self,
        preset: Preset,
        options: QueryOptions,
        ctx: QueryContext,
        fused: np.ndarray,
        failures: list[PluginFailure],
    ) -> np.ndarray:
        wanted = options.rerank if options.rerank is not None else preset.rerank
        if not wanted or wanted == "off":
            return fused
        registry = self.manager.registry("rerankers")
        required = wanted == "require"
        if wanted in {"auto", "on", "require"}:
            names = registry.names()
            if not names:
                if wanted != "auto":
                    message = "no reranker is installed (pip install atlas-ollama)"
                    if required:
                        raise AtlasError(message)
                    ctx.note(message)
                return fused
            reranker = registry.get(names[0])
            assert reranker is not None
        else:
            reranker = registry.get(wanted)
            if reranker is None:
                raise UsageError(f"unknown reranker {wanted!r}")
        order = np.lexsort((np.arange(len(fused)), -fused))
        candidates = order[: options.candidates]
        candidates = candidates[fused[candidates] > 0]
        if not len(candidates):
            return fused
        try:
            with guarded(reranker, "reranking"):
                new = np.asarray(
                    reranker.rerank(ctx, candidates, fused[candidates]), dtype=np.float64
                )
                _check_scores(reranker, "reranking", new, len(candidates), of="candidates")
        except (PluginFailure, UsageError) as exc:  # its own error, or its bad config
            if required:
                raise
            reason = str(exc)
            if isinstance(exc, PluginFailure):
                failures.append(exc)
                reason = exc.error
            if isinstance(exc, PluginFailure) and not exc.own:  # a bug: always say so
                ctx.note(str(exc), level="warning")
            elif wanted == "auto":  # a preset's "when available": no warning, -v says why
                ctx.note(f"reranker {reranker.name} not used: {reason}")
            else:
                ctx.note(f"reranker {reranker.name} skipped: {reason}", level="warning")
            return fused
        out = fused.copy()
        # reranked candidates stay above every other file
        floor = float(fused[order[len(candidates)]]) if len(order) > len(candidates) else 0.0
        top = float(fused[candidates].max())
        new_norm = normalize(new - new.min() + 1e-9) if len(new) else new
        out[candidates] = floor + 1e-6 + new_norm * max(top - floor, 1e-6)
        return out


#: a seed without a task: the share of their weight the signals that know nothing of the
#: seeds (path prior, centrality, recency) keep. Chosen by folds (``scripts/seed_tune.py``):
#: all 39 keep them whole (the path prior is what sets a neighbour's test below its code)
BARE_DAMP = 1.0


@attrs.define
class SeedConfig:
    """``[signals.seeds]``: how much the seeds' neighbours count."""

    #: weight of the ``seeds`` signal in the fusion (bm25f weighs 1.0, path 1.5; chosen by
    #: folds, ``scripts/seed_tune.py``)
    weight: float = attrs.field(default=0.5, validator=WEIGHT)


def _built_in(walker: Any) -> bool:
    """Whether ``walker`` is Atlas's own file-system walker."""
    return bool(walker.name == "fs" and type(walker).__module__ == "atlas_core.walk.fs")


def _stage(signal: Signal) -> int:
    """A signal's ``stage`` (optional: 0)."""
    return int(getattr(signal, "stage", 0))


def _check_scores(
    component: object,
    stage: str,
    values: np.ndarray,
    n: int,
    *,
    of: str = "files",
    finite: bool = True,
) -> None:
    """Raise the failure of ``component`` unless ``values`` holds one score per file (or
    candidate), each a number when ``finite``."""
    if values.shape != (n,):
        raise output_failure(component, stage, f"returned {values.shape} scores for {n} {of}")
    bad = int(np.count_nonzero(~np.isfinite(values))) if finite else 0
    if bad:
        raise output_failure(
            component, stage, f"returned NaN or infinite scores for {bad} of {n} {of}"
        )


def _with_seed_line(
    reader: IndexReader, i: int, line: int, symbols: list[dict[str, Any]]
) -> list[dict[str, Any]]:
    """``symbols`` with the symbol around the seed's line first (the user pointed at it)."""
    if not line:
        return symbols
    around = [c for c in reader.chunks(i) if c.kind != "import" and c.start <= line <= c.end]
    if not around:
        return symbols
    chunk = min(around, key=lambda c: c.end - c.start)
    name = chunk.qualified or chunk.name
    rest = [s for s in symbols if (s.get("Name"), s.get("Start")) != (name, chunk.start)]
    row = {
        "Name": name,
        "Kind": chunk.kind,
        "Start": chunk.start,
        "End": chunk.end,
        "Matched": [],
        "Seed": True,
    }
    return [row, *rest]


#: files (from the top of the ranking) whose skims show symbols matched in their bodies
_BODY_SCAN = 10


def _skim_floor(reader: IndexReader, i: int) -> int:
    """A lower bound of the tokens a skim of file ``i`` takes: every symbol up to the
    outline's limit appears in it, as an outline line or as its own declaration line (the
    shortest ones counted, with a little slack for odd signatures)."""
    from atlas_core.output.skim import SKIM_MAX_OUTLINE

    # from the raw records: most files asked are never skimmed (no Chunk objects for them)
    sizes = [len(r[5]) + 1 if len(r) > 5 else 1 for r in reader.chunk_rows(i) if r[0] != "import"]
    if len(sizes) > SKIM_MAX_OUTLINE:
        sizes = sorted(sizes)[:SKIM_MAX_OUTLINE]
    return max(1, int(sum(sizes) * 0.9) // 4)


def _skim_of(
    reader: IndexReader,
    i: int,
    symbols: list[dict[str, Any]],
    read_text: Callable[[int], str] | None = None,
) -> str | None:
    """The skim of file ``i`` (see :func:`atlas_core.output.skim.skim_text`), or None."""
    from atlas_core.output.skim import skim_text

    text = _skim_source(reader, i, read_text)
    if text is None:
        return None
    return skim_text(text, symbols, reader.chunks(i)) or None


def _skim_source(
    reader: IndexReader, i: int, read_text: Callable[[int], str] | None = None
) -> str | None:
    """The text of file ``i`` to skim, or None (binary, unreadable, gone)."""
    if reader.file_field("status", i) not in {"ok", "large"}:
        return None
    try:
        return (read_text or reader.read_text)(i)
    except (AtlasError, OSError):
        return None


def changed_since_indexed(root: Path, reader: IndexReader, ids: list[int]) -> list[str]:
    """The files of ``ids`` that changed since the index was built, or are gone: the index's
    sizes, symbols and lines of them are stale.

    A ``stat`` each; a file only touched (another time, the same size) is read and its
    content compared with the index's hash, as indexing does.
    """
    out = []
    for i in ids:
        rel = reader.path(i)
        try:
            st = os.stat(os.path.join(root, rel))
        except OSError:
            out.append(rel)
            continue
        resized = st.st_size != reader.file_field("size", i)
        touched = st.st_mtime_ns != reader.file_field("mtime_ns", i)
        if resized or (touched and not _same_content(root, rel, reader.file_field("hash", i))):
            out.append(rel)
    return out


def _same_content(root: Path, rel: str, indexed: bytes) -> bool:
    """Whether file ``rel`` still has the content the index hashed (no hash: cannot tell)."""
    from atlas_core.fsread import read_confined
    from atlas_core.index.process import content_hash  # rare: a touched file

    if not indexed:  # too large to hash
        return False
    try:
        return content_hash(read_confined(root, rel)) == indexed
    except AtlasError:
        return False


def stale_note(paths: list[str]) -> str:
    """The warning for files changed (or gone) since the index was built."""
    named = ", ".join(display_path(p) for p in paths[:3])
    more = f" and {len(paths) - 3} more" if len(paths) > 3 else ""
    what = named if len(paths) == 1 else f"{len(paths)} files ({named}{more})"
    return (
        f"{what} changed since the index was built: the sizes, symbols and line numbers "
        "shown are the index's; run 'atlas index', or use 'atlas quick'"
    )


def unindexed_note(paths: list[str]) -> str:
    """What to say of changed files ``--diff`` found that are not in the index."""
    named = ", ".join(display_path(p) for p in paths[:3])
    more = f" and {len(paths) - 3} more" if len(paths) > 3 else ""
    what = f"{named} is" if len(paths) == 1 else f"{len(paths)} changed files ({named}{more}) are"
    return f"{what} not in the index (new since it was built, ignored, or binary)"


def _no_words(words: str) -> str:
    """The warning for a task none of whose ``words`` is searched (the ranking is then not
    by what it says)."""
    if any(c.isalpha() for c in words):
        why = " (one-letter words and common words such as 'the' are left out)"
    else:
        why = ""
    return (
        f"the task has no searchable words{why}: the ranking is by path, history and graph "
        "only; say what the code does, or give seeds"
    )


def _pick(override: Any, default: Any) -> Any:
    if override is None:
        return default
    if isinstance(override, int | float) and override <= 0:
        return None  # 0 or negative: unlimited
    return override
