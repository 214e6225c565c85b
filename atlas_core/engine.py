"""The pipeline: walk -> classify/chunk/index -> signals -> fuse -> rerank -> select.

This is the only place components run; the CLI, tests and other front ends call it.
"""

from __future__ import annotations

import os
import time
from collections import Counter
from collections.abc import Callable
from functools import cached_property
from pathlib import Path
from typing import TYPE_CHECKING, Any

import attrs
import numpy as np

from atlas_core.components import Chunker, Note, QueryContext, Retriever, Signal, WalkSettings
from atlas_core.config import Preset, Settings, load_settings
from atlas_core.errors import (
    AtlasError,
    IndexCorruptError,
    IndexWriteError,
    PluginFailure,
    UsageError,
)
from atlas_core.index.builder import BuildReport, IndexBuilder
from atlas_core.index.layout import FORMAT_VERSION, cache_dir_for, writable
from atlas_core.index.process import FileProcessor
from atlas_core.index.reader import IndexReader, open_index
from atlas_core.plugin.guard import guarded, raise_errors
from atlas_core.plugin.manager import AtlasPluginManager
from atlas_core.rank.fusion import normalize
from atlas_core.rank.task import parse_task
from atlas_core.select.budget import select_within_budget
from atlas_core.select.symbols import matching_symbols
from atlas_core.terms import tokenize
from atlas_core.types import RepoFile, SelectedFile, Selection

if TYPE_CHECKING:
    from atlas_core.results import Explanation

__all__ = ["Atlas", "QueryOptions", "QueryResult", "resolve_root"]


def resolve_root(root: str | os.PathLike[str] | None) -> Path:
    """The repository root, checked: it must exist and be a directory."""
    raw = str(root) if root is not None else os.environ.get("ATLAS_ROOT") or "."
    path = Path(raw).expanduser()
    if not path.exists():
        raise UsageError(f"root {raw!r} does not exist")
    if not path.is_dir():
        raise UsageError(f"root {raw!r} is not a directory")
    if not os.access(path, os.R_OK | os.X_OK):
        raise UsageError(f"root {raw!r} is not readable")
    return path.resolve()


@attrs.define
class QueryOptions:
    """What the user asked for on top of the preset."""

    preset: str | None = None
    max_tokens: int | None = None
    max_bytes: int | None = None
    min_score: float | None = None
    top: int | None = None
    rerank: str | None = None  # None: as the preset says; "off"; "on"/"require"; a name
    candidates: int = 60
    semantic: bool = False  # add the reranker's whole-repository retrieval as a signal
    symbols: bool = True  # find each selected file's best-matching symbols


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
        self.cache = cache_dir_for(root)

    # -- indexing ----------------------------------------------------------------

    def walk(self) -> tuple[list[RepoFile], Counter[str]]:
        skipped: Counter[str] = Counter()
        walker = self.manager.registry("walkers").get(self.settings.pipeline.walker)
        if walker is None:
            raise UsageError(f"unknown walker {self.settings.pipeline.walker!r}")
        settings = WalkSettings(
            extra_ignore=list(self.settings.index.ignore),
            cache_dir=self.cache,
            on_skip=lambda rel, reason: skipped.update([reason]),
        )
        with guarded(walker, "walking the repository"):
            return list(walker.walk(self.root, settings)), skipped

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
            version = entry.component.version
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
        files, skipped = self.walk()
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
            return builder.update(files, skipped, force=force, on_message=on_message)
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

    def query(self, task: str, options: QueryOptions, reader: IndexReader) -> QueryResult:
        if not task or not task.strip():
            raise UsageError("the task is empty: say what you want to do, e.g. 'add retry logic'")
        timings: dict[str, float] = {}
        started = time.perf_counter()
        preset = self.settings.preset(options.preset)
        # issue-template boilerplate and stack-frame noise do not become query terms
        ctx = QueryContext(
            task,
            tokenize(parse_task(task).text),
            reader,
            self.settings.components,
            seed_signal=self.settings.pipeline.seed_signal,
        )
        failures: list[PluginFailure] = []
        signals, missing = self._signals(preset, ctx, failures)
        raw: dict[str, np.ndarray] = {}
        for signal in sorted(signals, key=lambda s: (s.stage, s.name)):
            t0 = time.perf_counter()
            try:  # an optional component: its failure is a warning, the query carries on
                with guarded(signal, "scoring"):
                    values = np.asarray(signal.score(ctx), dtype=np.float64)
                    if values.shape != (len(reader),):
                        raise AtlasError(f"returned {values.shape} scores for {len(reader)} files")
            except PluginFailure as exc:
                self._soft_failure(ctx, failures, exc)
                missing.append(signal.name)
                continue
            values[~np.isfinite(values)] = 0.0
            raw[signal.name] = values
            ctx.results[signal.name] = normalize(values)
            timings[f"signal.{signal.name}"] = time.perf_counter() - t0
        weights = dict(preset.signals)
        if options.semantic:
            self._semantic(ctx, weights, raw, failures, required=options.rerank == "require")
        fuser = self.manager.registry("fusers").get(preset.fuser)
        if fuser is None:
            raise UsageError(
                f"preset {preset.name!r} names unknown fuser {preset.fuser!r} "
                f"(installed: {', '.join(self.manager.registry('fusers').names())})"
            )
        with guarded(fuser, "fusing"):  # essential: a failure fails the query
            fused = np.asarray(fuser.fuse(dict(ctx.results), weights), dtype=np.float64)
        if not len(fused):
            fused = np.zeros(len(reader))
        fused = self._rerank(preset, options, ctx, fused, failures)
        scores = normalize(fused)
        order = np.lexsort((np.arange(len(scores)), -scores))
        chosen = select_within_budget(
            order,
            scores,
            reader.tokens,
            reader.sizes,
            max_tokens=_pick(options.max_tokens, preset.max_tokens),
            max_bytes=_pick(options.max_bytes, preset.max_bytes),
            min_score=options.min_score if options.min_score is not None else preset.min_score,
            top=_pick(options.top, preset.top),
        )
        t0 = time.perf_counter()
        symbols = (
            matching_symbols(reader, chosen, ctx.terms)
            if options.symbols and preset.symbols
            else {}
        )
        timings["symbols"] = time.perf_counter() - t0
        files = [
            SelectedFile(
                reader.paths[i],
                round(float(scores[i]), 4),
                reader.tokens[i],
                reader.languages[i],
                reader.roles[i],
                {n: round(float(v[i]), 4) for n, v in ctx.results.items()},
                symbols.get(i, []),
            )
            for i in chosen
        ]
        selection = Selection(
            query=task,
            preset=preset.name,
            budget={
                "MaxTokens": _pick(options.max_tokens, preset.max_tokens),
                "MaxBytes": _pick(options.max_bytes, preset.max_bytes),
                "Top": _pick(options.top, preset.top),
            },
            min_score=options.min_score if options.min_score is not None else preset.min_score,
            files=files,
            scanned_files=len(reader),
            signals=sorted(raw),
            missing_signals=missing,
            fuser=fuser.name,
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

    @staticmethod
    def _soft_failure(ctx: QueryContext, failures: list[PluginFailure], exc: PluginFailure) -> None:
        """An optional component failed: one warning, and the query goes on without it."""
        if raise_errors():
            raise exc
        failures.append(exc)
        ctx.note(str(exc), level="warning")

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
                    reason = signal.unavailable(ctx)
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
        except (PluginFailure, UsageError) as exc:
            if required:
                raise
            why = f"semantic retrieval skipped: {exc}"
            if isinstance(exc, PluginFailure):
                failures.append(exc)
                why = f"semantic retrieval skipped: {exc.error}" if exc.own else str(exc)
            ctx.note(why, level="warning")
            return
        if values.shape != (len(ctx.index),):
            raise AtlasError(f"reranker {retriever.name} retrieved {values.shape} scores")
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


def _pick(override: Any, default: Any) -> Any:
    if override is None:
        return default
    if isinstance(override, int | float) and override <= 0:
        return None  # 0 or negative: unlimited
    return override
