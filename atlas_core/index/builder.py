"""Building the index incrementally: carry unchanged files, re-process the rest, in parallel."""

from __future__ import annotations

import contextlib
import io
import itertools
import operator
import os
import time
from array import array
from collections import Counter
from collections.abc import Callable, Generator, Iterable, Iterator, Mapping, Sequence
from pathlib import Path
from typing import Any

import attrs
import numpy as np

from atlas_core.components import Changes, IndexContext, IndexView, Note
from atlas_core.errors import IndexCorruptError, IndexWriteError, PluginFailure
from atlas_core.fsread import check_root, open_regular
from atlas_core.index import layout, postings
from atlas_core.index.delta import BASE_FILES, build_delta, delta_rows, wants_delta
from atlas_core.index.filestats import FileStats
from atlas_core.index.filetable import FileTable, pack_files
from atlas_core.index.layout import ARRAYS, DELTA_ARRAYS
from atlas_core.index.lock import IndexLock
from atlas_core.index.pathterms import path_arrays
from atlas_core.index.process import (
    BatchResult,
    FileProcessor,
    content_hash,
    process_batch,
    set_processor,
)
from atlas_core.index.reader import IndexReader, open_index
from atlas_core.index.vocab import Vocabulary
from atlas_core.plugin.guard import guarded, origin_of, raise_errors
from atlas_core.rank.path import PathHeuristic

__all__ = ["BuildReport", "IndexBuilder"]

_PARALLEL_MIN_FILES = 48
_BATCH = 32


@attrs.define
class BuildReport:
    """What an ``atlas index`` run did."""

    files: int = 0
    added: int = 0
    changed: int = 0
    deleted: int = 0
    unchanged: int = 0
    rebuilt_reason: str = ""
    wrote: bool = False
    seconds: float = 0.0
    errors: list[str] = attrs.field(factory=list)
    contributors: dict[str, str] = attrs.field(factory=dict)
    #: contributor name -> its failure (the same line is in ``errors``)
    failures: dict[str, PluginFailure] = attrs.field(factory=dict)
    #: what contributors said (``IndexContext.note``)
    notes: list[Note] = attrs.field(factory=list)
    #: the live generation whose file table is the files given ("" when unknown)
    generation: str = ""

    @property
    def changed_anything(self) -> bool:
        return bool(self.added or self.changed or self.deleted)


@attrs.define
class _Fresh:
    """What processing found in a file, beyond its file-table row (kept until written)."""

    symbols: bytes = b""
    terms: np.ndarray | None = None  # global term ids
    tf: np.ndarray | None = None
    undecodable: bool = False


#: the file table's columns, as the metadata stores them
_COLUMNS = ("path", "size", "mtime_ns", "ino", "hash", "language", "role", "tokens", "status")


@attrs.define
class _Plan:
    """The files of the new generation in path order, by column: a file carried from the
    old generation keeps its row's values, one to process gets them when it is processed.

    Columns rather than an object per file: at 28k files the objects and the loops that
    built and read them were a sixth of a one-file re-index.
    """

    #: the file table as stored (:data:`_COLUMNS`), one entry per file
    files: dict[str, list[Any]]
    #: each file's row in the old generation; -1 for a file processed in this run
    old_id: np.ndarray
    #: rows to process
    todo: list[int]
    #: rows processed in this run, and what was found
    fresh: dict[int, _Fresh] = attrs.field(factory=dict)

    def __len__(self) -> int:
        return len(self.old_id)

    @property
    def paths(self) -> list[str]:
        return self.files["path"]


class IndexBuilder:
    """Brings the index of one root up to date."""

    def __init__(
        self,
        root: Path,
        cache: Path,
        processor: FileProcessor,
        fingerprint: str,
        contributors: Iterable[Any] = (),
        workers: int | None = None,
        progress: Callable[[int, int], None] | None = None,
        enable: Iterable[str] = (),
        settings: Mapping[str, Mapping[str, Any]] | None = None,
        resolvers: Iterable[Any] = (),
    ) -> None:
        self.root = root
        self.cache = cache
        self.processor = processor
        self.fingerprint = fingerprint
        self.contributors = list(contributors)
        self.workers = workers or min(os.cpu_count() or 1, 8)
        self.progress = progress
        self.enable = set(enable)
        #: what contributors see besides the index: their settings and the resolvers
        self.settings = settings or {}
        self.resolvers = tuple(resolvers)
        self._previous: IndexReader | None = None
        self._changes = Changes()
        self._planned: tuple[IndexReader, _Plan, BuildReport] | None = None
        self._written_meta: dict[str, Any] | None = None

    # -- entry point -------------------------------------------------------------

    def update(
        self,
        files: FileStats,
        skipped: Counter[str],
        *,
        force: bool = False,
        on_message: Callable[[str], None] = lambda m: None,
        problems: Sequence[str] = (),
    ) -> BuildReport:
        """Bring the index up to date with ``files``; nothing is written when nothing changed.

        ``problems`` (the walk's unreadable entries) go into the report's errors when the
        index is written, as a file that cannot be read does when it is taken in.

        :raises IndexWriteError: when something must be written and cannot be.
        :raises CacheDirError: when the cache directory is not Atlas's own.
        """
        started = time.perf_counter()
        report = BuildReport(files=len(files))
        self._previous, self._changes, self._planned = None, Changes(), None
        old = None if force else self._open_previous(report, on_message)
        try:
            pending = self._pending(files, old) if old is not None else "build"
            if pending:
                report.errors.extend(problems)
                try:
                    with layout.writing(self.cache):
                        self._locked_update(files, skipped, old, report, force, on_message)
                except IndexWriteError:
                    if pending != "stats":
                        raise
                    # recording touched files' new stat only saves hashing next time
                    report.unchanged, report.changed, report.added = len(files), 0, 0
                    report.contributors = {}
            else:
                assert old is not None
                report.generation = old.gen.name
                report.unchanged = len(old)
                for contributor in self.contributors:
                    if old.extra_record(contributor.name) is not None:
                        report.contributors[contributor.name] = "fresh"
        finally:
            if old is not None:
                old.close()
        report.seconds = time.perf_counter() - started
        return report

    def _pending(self, files: FileStats, old: IndexReader) -> str:
        """What needs writing: "" (nothing), "stats" (touched files only), or "build"."""
        if _same_stats(files, old):  # the usual case, checked without a plan
            return "build" if self._contributor_work(old, BuildReport()) else ""
        scratch = BuildReport(files=len(files))
        plan = self._plan(files, old, scratch)
        self._planned = (old, plan, scratch)  # reused under the lock if still current
        if plan.todo or scratch.unchanged != len(old):
            return "build"
        if self._contributor_work(old, BuildReport()):
            return "build"
        return "stats" if len(self._stale_stats(old, plan)) else ""

    def _locked_update(
        self,
        files: FileStats,
        skipped: Counter[str],
        old: IndexReader | None,
        report: BuildReport,
        force: bool,
        on_message: Callable[[str], None],
    ) -> None:
        check_root(self.root)  # gone while it was walked: nothing may be created in it
        layout.ensure_cache_dir(self.cache)
        with IndexLock(self.cache, on_message=on_message):
            for name in layout.drop_damaged_extras(self.cache, on_message):
                if not force:  # a forced rebuild has already said the index was unusable
                    owner, _, kind = name.partition(".")  # ``git.priors``: git's prior factors
                    what = "prior factors" if kind else "stored data"
                    on_message(f"{what} of contributor {owner} was damaged; computing it again")
            if old is not None and layout.read_current(self.cache) != old.gen.name:
                # another writer published while this one waited for the lock
                old.close()
                old = self._open_previous(report, on_message)
            planned, self._planned = self._planned, None
            if planned is not None and planned[0] is old:
                plan, scratch = planned[1:]
                report.added, report.changed = scratch.added, scratch.changed
                report.unchanged = scratch.unchanged
            else:
                report.added = report.changed = report.unchanged = 0
                plan = self._plan(files, old, report)
            self._changes = _changes(plan, old)
            vocab = Vocabulary(old, changed_files=len(plan.todo))
            # a build from scratch keeps fresh files' postings and chunks in files, not memory
            with contextlib.ExitStack() as stack:
                spill = stack.enter_context(postings.Spill(self.cache)) if old is None else None
                if plan.todo:
                    self._process(plan, report, vocab, spill)
                deleted = (len(old) if old else 0) - report.unchanged - report.changed
                report.deleted = max(deleted, 0)
                if old is None or report.changed_anything:
                    gen = self._write_generation(plan, old, skipped, report, vocab, spill)
            if old is None or report.changed_anything:
                report.wrote = True
                self._previous = old  # its arrays stay readable after close
                if old is not None:
                    old.close()  # our own shared lock would keep it from being removed
                layout.remove_stale(self.cache, keep=gen.name)
                # its files were checksummed as they were written or linked
                written, self._written_meta = self._written_meta, None
                reader = IndexReader(self.cache, gen, root=self.root, verify=False, written=written)
                report.generation = gen.name
            else:
                reader = old
                report.generation = old.gen.name
                self._refresh_stat_columns(old, plan)
            try:
                self._run_contributors(reader, report)
            finally:
                if reader is not old:
                    reader.close()

    @staticmethod
    def _stale_stats(old: IndexReader, plan: _Plan) -> np.ndarray:
        """Rows of files carried with another size, time or inode than ``old`` recorded."""
        old_cols, new_cols = old.meta["files"], plan.files
        carried = np.flatnonzero(plan.old_id >= 0)
        rows = plan.old_id[carried]
        stale = np.zeros(len(carried), dtype=bool)
        for name, dtype in _STAT_TYPES.items():
            was = _stat_array(old_cols, name, dtype)[rows]
            stale |= was != np.asarray(new_cols[name], dtype=dtype)[carried]
        return carried[stale]

    @classmethod
    def _refresh_stat_columns(cls, old: IndexReader, plan: _Plan) -> None:
        """Files touched but unchanged: record their new stat so the next run skips hashing.

        Only the metadata of the live generation is replaced (atomically); nothing else moves.
        """
        stale = cls._stale_stats(old, plan).tolist()
        if not stale:
            return
        cols = old.meta["files"]
        for name in _STAT_TYPES:
            column = list(cols[name])
            for k in stale:
                column[int(plan.old_id[k])] = plan.files[name][k]
            if isinstance(cols, FileTable):
                cols.replace(name, column)  # its stored form is stale now
            else:
                cols[name] = column
        layout.write_checked(old.gen / layout.META, _stored_meta(old.meta))

    # -- planning ----------------------------------------------------------------

    def _open_previous(
        self, report: BuildReport, on_message: Callable[[str], None]
    ) -> IndexReader | None:
        try:
            old = open_index(self.cache, self.root)
            if old is not None:
                old.verify()
        except IndexCorruptError as exc:
            if not layout.writable(self.cache):
                raise IndexWriteError(
                    f"the index in {self.cache} is unusable ({exc}) and {self.cache} "
                    "is not writable"
                ) from None
            report.rebuilt_reason = str(exc)
            on_message(f"index at {self.cache} is unusable ({exc}); rebuilding")
            return None
        if old is None:
            return None
        if old.meta.get("fingerprint") != self.fingerprint:
            old.close()
            report.rebuilt_reason = "the indexing settings or plugins changed"
            on_message("indexing settings or chunker plugins changed; rebuilding the index")
            return None
        return old

    def _plan(self, files: FileStats, old: IndexReader | None, report: BuildReport) -> _Plan:
        """Decide per file: carry (stat fast path, then content hash) or re-process."""
        n = len(files)
        columns: dict[str, list[Any]] = {  # copies: the file table is changed in place
            "path": list(files.paths),
            "size": list(files.sizes),
            "mtime_ns": list(files.mtimes),
            "ino": list(files.inos),
        }
        if old is None:
            report.added += n
            columns.update(_placeholders(n))
            return _Plan(columns, np.full(n, -1, dtype=np.int64), list(range(n)))
        cols = old.meta["files"]
        if files.joined is not None and isinstance(cols, FileTable):
            cols.adopt_paths(files.paths, files.joined)  # the same paths: none decoded
        if columns["path"] == cols["path"]:  # the same files: the usual case
            old_id = np.arange(n, dtype=np.int64)
        else:
            found = map(old.ids.get, columns["path"], itertools.repeat(-1))
            old_id = np.fromiter(found, np.int64, n)
        carried = np.flatnonzero(old_id >= 0)
        rows = old_id[carried]
        same = np.ones(len(carried), dtype=bool)
        for name, dtype in _STAT_TYPES.items():
            same &= (
                _stat_array(cols, name, dtype)[rows]
                == np.asarray(columns[name], dtype=dtype)[carried]
            )
        # touched, same size: the same content carries the file too (a large file's
        # content is not hashed: its size and time decide)
        sizes, statuses, hashes = _stat_array(cols, "size", np.int64), cols["status"], cols["hash"]
        for at in np.flatnonzero(~same).tolist():
            k, i = int(carried[at]), int(rows[at])
            if statuses[i] != "large" and files.sizes[k] == int(sizes[i]):
                same[at] = self._same_content(files.abs(k), files.sizes[k], hashes[i])
        old_id[carried[~same]] = -1
        report.unchanged += int(same.sum())
        report.changed += int(len(carried) - same.sum())
        report.added += int(n - len(carried))
        todo = np.flatnonzero(old_id < 0).tolist()
        kept = np.flatnonzero(old_id >= 0)
        in_place = n == len(old) and bool((old_id[kept] == kept).all())
        ids = [] if in_place else old_id.tolist()
        for name, blank in _BLANK.items():
            values = cols[name]
            if in_place:  # every carried file in its old row: copy, then blank the rest
                column = list(values)
                for k in todo:
                    column[k] = blank
            else:
                column = [values[i] if i >= 0 else blank for i in ids]
            columns[name] = column
        return _Plan(columns, old_id, todo)

    def _same_content(self, path: str, size: int, old_hash: bytes) -> bool:
        if size > self.processor.read_limit(path):
            return False
        try:
            with open(open_regular(path), "rb") as fh:
                return content_hash(fh.read()) == old_hash
        except OSError:
            return False

    # -- processing --------------------------------------------------------------

    def _process(
        self,
        plan: _Plan,
        report: BuildReport,
        vocab: Vocabulary,
        spill: postings.Spill | None = None,
    ) -> None:
        """Process the files of ``plan.todo``, keeping only compact arrays as results arrive."""
        paths = plan.paths
        jobs = [(paths[i], str(self.root / paths[i])) for i in plan.todo]
        # closed on the way out, so an interruption stops the workers at once rather than
        # whenever the suspended generator happens to be collected (after interpreter exit
        # has started joining the pool's threads: a hang)
        batches = self._map(jobs)
        with contextlib.closing(batches):
            self._take(batches, plan, report, vocab, len(jobs), spill)

    def _take(
        self,
        batches: Iterator[BatchResult],
        plan: _Plan,
        report: BuildReport,
        vocab: Vocabulary,
        total: int,
        spill: postings.Spill | None = None,
    ) -> None:
        # worker pid -> (its numbering, its term ids -> global ids)
        remaps: dict[int, tuple[int, array[int]]] = {}
        pending = iter(plan.todo)
        columns = plan.files
        done = 0
        for batch in batches:
            epoch, remap = remaps.get(batch.pid, (-1, array("I")))
            if epoch != batch.epoch:  # the worker started a new numbering
                remap = array("I")
                remaps[batch.pid] = (batch.epoch, remap)
            if len(remap) != batch.first_new:
                raise AssertionError("a worker's new terms arrived out of order")
            remap.extend(vocab.ids_of(batch.new_terms))
            # the whole batch's postings to global ids at once (a copy: the buffer is free)
            terms = batch.terms
            if len(remap):
                terms = np.frombuffer(remap, dtype=np.uint32)[terms]
            tf = batch.tf
            ends = np.cumsum(batch.counts).tolist()
            start = 0
            for result, end in zip(batch.files, ends, strict=True):
                k = next(pending)
                assert columns["path"][k] == result.rel
                columns["hash"][k], columns["language"][k] = result.hash, result.language
                columns["role"][k], columns["tokens"][k] = result.role, result.tokens
                columns["status"][k] = result.status
                fresh = plan.fresh[k] = _Fresh(undecodable=result.undecodable)
                if spill is not None:
                    spill.add(terms[start:end], tf[start:end], result.symbols)
                else:
                    fresh.symbols, fresh.tf = result.symbols, tf[start:end]
                    fresh.terms = terms[start:end]
                report.errors.extend(result.errors)
                start = end
            done += len(batch.files)
            if self.progress:
                self.progress(done, total)

    def _map(self, jobs: list[tuple[str, str]]) -> Generator[BatchResult, None, None]:
        batches = [jobs[i : i + _BATCH] for i in range(0, len(jobs), _BATCH)]
        set_processor(self.processor)
        if len(jobs) < _PARALLEL_MIN_FILES or self.workers < 2 or not _can_fork():
            for batch in batches:
                yield process_batch(batch)
            return
        from atlas_core.index.workers import WorkerPool

        with WorkerPool(self.workers) as pool:
            yield from pool.map(process_batch, batches)

    # -- writing -----------------------------------------------------------------

    def _write_generation(
        self,
        plan: _Plan,
        old: IndexReader | None,
        skipped: Counter[str],
        report: BuildReport,
        vocab: Vocabulary,
        spill: postings.Spill | None = None,
    ) -> Path:
        if old is not None and wants_delta(plan.old_id, _fresh_count(plan), old):
            return self._write_delta(plan, old, skipped, report, vocab)
        if spill is not None:  # a build from scratch: inverted from what was spilled
            df = spill.term_counts(len(vocab))
            arrays = spill.inverted(len(plan), df)
        else:
            arrays = (
                postings.invert(plan.fresh, len(plan), len(vocab))
                if old is None
                else postings.merge(plan.fresh, plan.old_id, old, len(vocab))
            )
            df = np.diff(arrays["post_off"])
        blob, vocab_off, vocab_order, remap = vocab.finish(df)
        if remap is not None:  # unused terms dropped: kept ones keep their order
            arrays["post_off"] = postings.offsets(df[df > 0])
        arrays["vocab_off"], arrays["vocab_order"] = vocab_off, vocab_order
        if spill is not None:
            symbols, arrays["symbols_off"] = spill.symbols()
        else:
            symbols, arrays["symbols_off"] = _symbols(plan, old)
        blobs = {"vocab.bin": blob, "symbols.bin": symbols}
        n_postings = int(arrays["post_doc"].shape[0])
        return self._save(plan, blobs, arrays, old, skipped, report, n_postings)

    def _write_delta(
        self,
        plan: _Plan,
        old: IndexReader,
        skipped: Counter[str],
        report: BuildReport,
        vocab: Vocabulary,
    ) -> Path:
        """A delta generation (see :mod:`atlas_core.index.delta`): the base's postings and
        chunk records are linked, not written."""
        records = [
            plan.fresh[k].symbols if k in plan.fresh else old.symbol_record(int(plan.old_id[k]))
            for k in delta_rows(plan.old_id, old)
        ]
        parts = build_delta(plan.old_id, records, old, postings.fresh_postings(plan.fresh))
        arrays = parts.arrays
        links = set(BASE_FILES)
        if vocab.unchanged:
            links |= {"vocab.bin", "vocab_off.npy", "vocab_order.npy"}
            blobs = {}
        else:
            blob, arrays["vocab_off"], arrays["vocab_order"] = vocab.finish_kept()
            blobs = {"vocab.bin": blob}
        blobs["delta_symbols.bin"] = parts.symbols
        return self._save(
            plan, blobs, arrays, old, skipped, report, parts.postings, links=links, delta=True
        )

    def _save(
        self,
        plan: _Plan,
        blobs: dict[str, bytes],
        arrays: dict[str, np.ndarray],
        old: IndexReader | None,
        skipped: Counter[str],
        report: BuildReport,
        postings: int,
        *,
        links: set[str] | frozenset[str] = frozenset(),
        delta: bool = False,
    ) -> Path:
        generation = max(old.generation if old else 0, _last_generation(self.cache)) + 1
        tmp = self.cache / f"tmp-{generation:06d}-{os.getpid()}"
        layout.remove_generation(self.cache, tmp.name)
        tmp.mkdir()
        path_blob, path, carried = _path_data(plan, old)
        arrays.update(path)
        links = set(links)
        if carried:
            links |= {"path_vocab.bin", "path_off.npy", "path_doc.npy"}
        else:
            blobs["path_vocab.bin"] = path_blob
        if old is not None:
            for array_name in [n.removesuffix(".npy") for n in links if n.endswith(".npy")]:
                if old.inline(array_name):  # kept in the old metadata: not a file to link
                    links.discard(f"{array_name}.npy")
                    arrays[array_name] = old.array(array_name)
        sums: dict[str, list[int]] = {}
        for name in sorted(links):
            assert old is not None
            sums[name] = _link(old, tmp, name)
        for name, data in blobs.items():
            sums[name] = [len(data), layout.write_file(tmp / name, data)]
        inline: dict[str, bytes] = {}
        for name in (*ARRAYS, *DELTA_ARRAYS) if delta else ARRAYS:
            if f"{name}.npy" in links:
                continue
            if delta and name not in _DICTIONARY:
                # a delta's own arrays go into the metadata: each file of its own costs an
                # fsync (15 of them took 45-75 ms on the benchmark machine)
                buffer = io.BytesIO()
                np.save(buffer, arrays[name], allow_pickle=False)
                inline[name] = buffer.getvalue()
                continue
            with layout.CrcWriter(tmp / f"{name}.npy") as out:
                np.save(out, arrays[name], allow_pickle=False)  # type: ignore[arg-type]
            sums[f"{name}.npy"] = [out.size, out.crc]
        for name, entry in sums.items():  # see IndexReader._verified
            st = os.stat(tmp / name, follow_symlinks=False)
            entry += [st.st_ino, st.st_mtime_ns]
        doclen = arrays["doclen"]
        files = plan.files
        ok = map(operator.eq, files["status"], itertools.repeat("ok"))
        languages = Counter(itertools.compress(files["language"], ok))
        meta = {
            "generation": generation,
            "root": str(self.root),
            "fingerprint": self.fingerprint,
            "created": time.time(),
            "delta": delta,
            # [size, crc32, inode, mtime_ns] of every other file of the generation
            "checksums": sums,
            "inline": inline,
            "files": {name: files[name] for name in _COLUMNS},
            "stats": {
                "avgdl": (doclen.mean(axis=0) if len(plan) else np.zeros(3)).tolist(),
                "terms": len(arrays["vocab_off"]) - 1
                if "vocab_off" in arrays
                else len(old.array("vocab_off")) - 1  # type: ignore[union-attr]
                if old is not None
                else 0,
                "postings": postings,
                "languages": dict(languages),
                "skipped": dict(skipped + Counter(s for s in files["status"] if s != "ok")),
                "undecodable": sum(1 for f in plan.fresh.values() if f.undecodable)
                + (old.stats.get("undecodable", 0) if old and not report.rebuilt_reason else 0),
            },
        }
        previous = old.meta["files"] if old is not None else None
        stored = _stored_meta(meta, previous if isinstance(previous, FileTable) else None)
        layout.write_checked_file(tmp / layout.META, stored)
        self._written_meta = meta
        layout.fsync_dir(tmp)
        final = self.cache / layout.generation_name(generation)
        os.rename(tmp, final)  # a fresh number: nothing is there to replace
        layout.fsync_dir(self.cache)
        layout.write_current(self.cache, final.name)  # the publication: atomic and durable
        return final

    # -- contributors ------------------------------------------------------------

    def _context(self, contributor: Any, view: IndexView, stored: Any) -> IndexContext:
        return IndexContext(
            component=contributor.name,
            root=self.root,
            index=view,
            previous=self._previous if self._previous is not view else None,
            previous_data=stored.get("data") if isinstance(stored, dict) else None,
            changes=self._changes,
            settings=self.settings,
            resolvers=self.resolvers,
        )

    def _contributor_work(
        self, reader: IndexReader, report: BuildReport
    ) -> list[tuple[Any, str, dict[str, Any] | None]]:
        """The contributors whose stored data is missing or stale: (contributor, fingerprint,
        stored record)."""
        work = []
        for contributor in self.contributors:
            name = contributor.name
            stored = reader.extra_record(name)
            on_demand = getattr(contributor, "on_demand", None)  # optional
            if on_demand and on_demand not in self.enable and not stored:
                continue
            try:
                with guarded(contributor, "fingerprinting the index"):
                    key = contributor.fingerprint(self._context(contributor, reader, stored))
                fingerprint = f"{reader.generation}:{key}"
            except PluginFailure as exc:
                self._failed(name, exc, report)
                continue
            if stored and stored.get("fingerprint") == fingerprint:
                report.contributors[name] = "fresh"
                if not self._has_priors(contributor, reader):  # stored before they existed
                    self._store_priors(contributor, stored.get("data"), reader, report)
                continue
            work.append((contributor, fingerprint, stored))
        return work

    def _run_contributors(self, reader: IndexReader, report: BuildReport) -> None:
        for contributor, fingerprint, stored in self._contributor_work(reader, report):
            name = contributor.name
            ctx = self._context(contributor, reader, stored)
            try:
                with guarded(contributor, "indexing"):
                    data = contributor.contribute(ctx)
                with guarded(contributor, "storing its data"):  # what msgpack cannot hold
                    packed = layout.pack_checked_parts({"fingerprint": fingerprint, "data": data})
            except PluginFailure as exc:
                self._failed(name, exc, report)
                continue
            finally:
                report.notes.extend(ctx.notes)
            # derived data: recomputed if a crash loses it
            layout.write_atomic(
                layout.extras_dir(self.cache) / f"{name}.msgpack", packed, durable=False
            )
            report.contributors[name] = "updated"
            self._store_priors(contributor, data, reader, report)

    def _store_priors(
        self, contributor: Any, data: Any, reader: IndexReader, report: BuildReport
    ) -> None:
        """Store what ``contributor`` does to the path prior of this generation
        (``Contributor.prior_factors``); a failure is reported and stores nothing."""
        from atlas_core.rank.priors import PRIORS_SUFFIX, prior_record

        name = contributor.name
        try:
            with guarded(contributor, "giving prior factors"):
                record = prior_record(contributor, data, reader, origin_of(contributor).plugin)
        except PluginFailure as exc:
            if raise_errors():
                raise
            report.errors.append(str(exc))
            report.failures[name] = exc
            record = None
        path = layout.extras_dir(self.cache) / f"{name}{PRIORS_SUFFIX}.msgpack"
        if record is None:
            path.unlink(missing_ok=True)
        else:  # derived data, as the contributor's own
            layout.write_checked(path, {"fingerprint": "", "data": record}, durable=False)

    @staticmethod
    def _has_priors(contributor: Any, reader: IndexReader) -> bool:
        """Whether ``contributor``'s factors for this generation are stored (or it gives
        none: a contributor written for plugin API 1.0)."""
        from atlas_core.rank.priors import PRIORS_SUFFIX

        if getattr(contributor, "prior_factors", None) is None:
            return True
        stored = reader.extra(f"{contributor.name}{PRIORS_SUFFIX}")
        return isinstance(stored, dict) and stored.get("generation") == reader.generation

    @staticmethod
    def _failed(name: str, exc: PluginFailure, report: BuildReport) -> None:
        if raise_errors():
            raise exc
        report.errors.append(str(exc))
        report.failures[name] = exc
        report.contributors[name] = "failed"


#: the stat columns, as arrays for comparing (an inode can exceed a signed 64-bit int)
_STAT_TYPES = {"size": np.int64, "mtime_ns": np.int64, "ino": np.uint64}
#: a file to process, until it is processed
_BLANK: dict[str, Any] = {
    "hash": b"",
    "language": "unknown",
    "role": "other",
    "tokens": 0,
    "status": "ok",
}


def _stat_array(cols: Mapping[str, list[Any]], name: str, dtype: Any) -> np.ndarray:
    """A stat column of the file table as an array (over its stored bytes if it has them)."""
    if isinstance(cols, FileTable):
        return cols.numbers(name).astype(dtype, copy=False)
    return np.asarray(cols[name], dtype=dtype)


def _placeholders(n: int) -> dict[str, list[Any]]:
    """The columns of ``n`` files to process, before they are."""
    return {name: [blank] * n for name, blank in _BLANK.items()}


def _same_stats(files: FileStats, old: IndexReader) -> bool:
    """Whether ``files`` are exactly the indexed files, with the sizes, times and inodes
    the index recorded."""
    if len(files) != len(old):
        return False
    cols = old.meta["files"]
    if files.joined is not None and isinstance(cols, FileTable):
        cols.adopt_paths(files.paths, files.joined)  # the same paths: none decoded
    return bool(
        files.paths == cols["path"]
        and files.mtimes == cols["mtime_ns"]
        and files.sizes == cols["size"]
        and files.inos == cols["ino"]
    )


def _changes(plan: _Plan, old: IndexReader | None) -> Changes:
    """Paths added, changed and deleted since ``old``."""
    fresh = [plan.paths[i] for i in plan.todo]
    if old is not None and len(old) == len(plan) and old.meta["files"]["path"] == plan.paths:
        return Changes(changed=tuple(fresh))  # the same files: no dictionary of paths needed
    before = old.ids if old is not None else {}
    kept = set(plan.paths)
    return Changes(
        added=tuple(p for p in fresh if p not in before),
        changed=tuple(p for p in fresh if p in before),
        deleted=tuple(p for p in before if p not in kept),
    )


def _symbols(plan: _Plan, old: IndexReader | None) -> tuple[bytes, np.ndarray]:
    """Each file's chunks as its own msgpack record, so a query reads only the files it
    shows: (the records, their offsets). Carried files' records are copied as bytes."""
    parts: list[bytes] = []
    for k, i in enumerate(plan.old_id.tolist()):
        fresh = plan.fresh.get(k)
        if fresh is None and old is not None:
            parts.append(old.symbol_record(i))
        else:
            parts.append(fresh.symbols if fresh is not None else b"")
    offsets = np.zeros(len(parts) + 1, dtype=np.int64)
    np.cumsum([len(p) for p in parts], out=offsets[1:])
    return b"".join(parts), offsets


#: arrays of the term and path dictionaries: megabytes, rewritten only when the terms or the
#: set of files change, so a delta that rewrites them writes files (the next deltas link
#: them) rather than carrying them in every later metadata
_DICTIONARY = frozenset({"vocab_off", "vocab_order", "path_off", "path_doc"})


def _stored_meta(meta: dict[str, Any], previous: FileTable | None = None) -> dict[str, Any]:
    """The metadata as written: the file table in its compact form (columns equal to
    ``previous``'s are carried in their stored form)."""
    return {**meta, "files": pack_files(meta["files"], previous)}


def _link(old: IndexReader, tmp: Path, name: str) -> list[int]:
    """Carry file ``name`` of ``old`` into the new generation: a hard link (a copy where
    links are impossible). Returns its [size, crc32] as ``old`` verified it."""
    size, crc = old.checksum(name)
    try:
        os.link(name, tmp / name, src_dir_fd=old.dir_fd, follow_symlinks=False)
    except OSError:
        data = layout.read_file(name, dir_fd=old.dir_fd)
        if len(data) != size or layout.write_file(tmp / name, data) != crc:
            raise IndexCorruptError(f"index file {name} changed while being copied") from None
    return [size, crc]


def _can_fork() -> bool:
    from atlas_core.index.workers import can_fork

    return can_fork()


def _last_generation(cache: Path) -> int:
    """The highest generation number in ``cache``, live, left over or half-written."""
    numbers = [layout.generation_number(name) or 0 for name in layout.generation_dirs(cache)]
    return max(numbers, default=0)


def _path_data(plan: _Plan, old: IndexReader | None) -> tuple[bytes, dict[str, np.ndarray], bool]:
    """The path arrays, and whether the path terms were carried from ``old`` (when the
    file set is the same: only the priors of re-processed files are computed again)."""
    files = plan.files
    paths, roles, sizes, statuses = files["path"], files["role"], files["size"], files["status"]
    if old is None or old.meta["files"]["path"] != paths:  # lists (old.paths: a tuple)
        blob, arrays = path_arrays(paths, roles, sizes, statuses)
        return blob, arrays, False
    prior = np.array(old.path_prior, dtype=np.float64)
    was = _stat_array(old.meta["files"], "size", np.int64)
    resized = np.flatnonzero(was != np.asarray(sizes, np.int64))
    for k in sorted(set(plan.fresh) | set(resized.tolist())):
        prior[k] = PathHeuristic.prior(paths[k], roles[k], sizes[k], statuses[k])
    carried = {"path_off": old.array("path_off"), "path_doc": old.array("path_doc")}
    return old.path_blob, {**carried, "path_prior": prior}, True


def _fresh_count(plan: _Plan) -> int:
    """Postings of the files processed in this run."""
    return sum(len(f.terms) for f in plan.fresh.values() if f.terms is not None)
