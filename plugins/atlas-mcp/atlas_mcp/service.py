"""What the MCP tools do, without MCP: one repository (``atlas_core.Repository``) and its
index, kept fresh.

The server holds one :class:`AtlasService` for its whole life. The index is opened once;
before each call a stat-only check (:mod:`atlas_mcp.freshness`) decides whether the
incremental indexer must run, so an unchanged repository answers in milliseconds.
"""

from __future__ import annotations

import logging
import math
import os
import threading
import time
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Any, TypeVar

import atlas_core
from atlas_core.api import AtlasError, UsageError
from atlas_mcp.freshness import SETTINGS_FILES, Snapshot, stamp, stamps

__all__ = ["DEFAULT_RENDER_TOKENS", "FULL_SCAN_SECONDS", "AtlasService"]

log = logging.getLogger(__name__)
T = TypeVar("T")

#: a full incremental index at least this often, for the rare change the stat check misses
FULL_SCAN_SECONDS = 60.0
#: the render tool's budget when the caller gives none
DEFAULT_RENDER_TOKENS = 12_000


class AtlasService:
    """The tools' logic over one repository (thread-safe: one call at a time).

    :param root: the repository root (resolved).
    :param manager: the plugin manager (its signals, chunkers and contributors are used).
    :param allow_secrets: let ``render`` include credential files and unredacted secrets.
    :param full_scan_seconds: the longest time between two full incremental index runs.
    :param clock: monotonic seconds (tests replace it).
    """

    def __init__(
        self,
        root: Path,
        manager: Any,
        *,
        allow_secrets: bool = False,
        full_scan_seconds: float = FULL_SCAN_SECONDS,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        self.root = root
        self.manager = manager
        self.allow_secrets = allow_secrets
        self.full_scan_seconds = full_scan_seconds
        self.clock = clock
        self.lock = threading.Lock()
        self.repo: atlas_core.Repository | None = None
        self.reader: Any = None
        self.snapshot: Snapshot | None = None
        self._settings: tuple[Any, ...] = ()
        self._current: str | None = None
        self._last_scan = -math.inf
        self._presets = ["balanced", "deep", "fast", "thorough"]
        #: what the last freshness check found: "" (nothing), or why it re-indexed
        self.last_refresh = ""
        #: how many times the indexer ran (tests and the benchmark read it)
        self.index_runs = 0

    # -- freshness ---------------------------------------------------------------

    def warm(self) -> None:
        """Open (or build) the index now, so the first tool call does not wait for it."""
        try:
            with self.lock:
                self._fresh()
        except AtlasError as exc:  # reported again by the first call
            log.warning("atlas: could not prepare the index: %s", exc)

    def _engine(self) -> atlas_core.Repository:
        if not self.root.is_dir():  # deleted or renamed under the server: index nothing
            state = "is not a directory" if os.path.lexists(self.root) else "no longer exists"
            raise UsageError(f"the repository root {str(self.root)!r} {state}")
        settings = tuple(stamp(self.root / name) for name in SETTINGS_FILES)
        if self.repo is None or settings != self._settings:
            repo = atlas_core.Repository(self.root, manager=self.manager, on_message=_warn)
            self._presets = sorted(repo.settings.presets)  # reads atlas.toml again
            self.repo = repo  # the old one is dropped, not closed: its answers stay usable
            self._settings = settings
            self.snapshot = None
        return self.repo

    def _fresh(self) -> Any:
        """The index, brought up to date first when anything changed. Hold the lock."""
        self._engine()
        if self.snapshot is None or self.reader is None:
            self._reindex("first use" if self.reader is None else "settings changed")
        elif self._pointer() != self._current:
            self._reopen({})  # another process published a new generation
            # which may predate the latest edits: checked as our own would be
            self._refresh_if_changed("index updated by another process")
        elif self.clock() - self._last_scan >= self.full_scan_seconds:
            self._reindex("periodic full scan")
        else:
            self._refresh_if_changed("")
        return self.reader

    def _refresh_if_changed(self, unchanged: str) -> None:
        """Re-index when the snapshot finds a change; else ``last_refresh = unchanged``."""
        assert self.snapshot is not None
        reason = self.snapshot.changed()
        if reason:
            self._reindex(reason)
        else:
            self.last_refresh = unchanged

    def _pointer(self) -> str | None:
        try:
            assert self.repo is not None
            pointer: str = (self.repo.cache / "CURRENT").read_text().strip()
        except OSError:
            return None
        return pointer

    def _reindex(self, reason: str, *, force: bool = False) -> Any:
        from atlas_core.api import ensure_cache_dir

        repo = self.repo
        assert repo is not None
        # a cache dir created by this run would change the root's time: make it first
        ensure_cache_dir(repo.cache)
        before = stamps(self.root, self.reader.paths if self.reader is not None else ())
        self._last_scan = self.clock()
        report = repo.index(force)
        self.index_runs += 1
        self._reopen(before)
        self.last_refresh = reason
        log.info("atlas: re-indexed (%s): %s changed", reason, report.changed + report.added)
        return report

    def _reopen(self, before: dict[str, Any]) -> None:
        # the repository reopens the index when anything was written (a generation, or
        # contributor data), so the reader stays the same while nothing changes
        assert self.repo is not None
        self.reader = self.repo.reader()
        self._current = self._pointer()
        if not before:
            before = stamps(self.root, self.reader.paths)
        self.snapshot = Snapshot.of(self.root, self.reader, before)

    # -- tools -------------------------------------------------------------------

    def presets(self) -> list[str]:
        """The preset names this repository knows (built-in and from its config).

        Never waits: while another call holds the service (a first index can take
        seconds), the names are read from the configuration file itself.
        """
        from atlas_core.api import load_settings

        if self.lock.acquire(blocking=False):
            try:
                self._engine()
            except AtlasError:
                pass  # a broken atlas.toml: the tool call itself will say so
            finally:
                self.lock.release()
            return self._presets
        try:
            return sorted(load_settings(self.root).presets)
        except AtlasError:
            return self._presets

    def query(
        self,
        task: str,
        *,
        preset: str | None = None,
        max_tokens: int | None = None,
        top: int | None = None,
        min_score: float | None = None,
        **more: Any,
    ) -> dict[str, Any]:
        """Ranked files for ``task`` within the budget (``atlas query --format json``);
        ``more``: other query options (seeds, diff, scope)."""
        from atlas_core.api import selection_to_dict

        result = self._query(task, preset, max_tokens, top, min_score, **more)
        doc = selection_to_dict(result.selection)
        doc["Notes"] = [n.message for n in result.notes]
        return doc

    def _query(
        self,
        task: str,
        preset: str | None,
        max_tokens: int | None,
        top: int | None,
        min_score: float | None,
        **more: Any,
    ) -> Any:
        if not task.strip() and not more.get("seeds") and more.get("diff") is None:
            hint = ", or give seeds (files you know)" if "seeds" in more else ""
            raise UsageError(
                f"the task is empty: say what you want to do, e.g. 'add retry logic'{hint}"
            )
        with self.lock:
            self._fresh()
            assert self.repo is not None
            return self.repo.query(
                task, preset=preset, max_tokens=max_tokens, min_score=min_score, top=top, **more
            )

    def with_reader(self, run: Callable[[atlas_core.Repository, Any], T]) -> T:
        """``run(repo, reader)`` on a fresh index, holding the service."""
        with self.lock:
            reader = self._fresh()
            assert self.repo is not None
            return run(self.repo, reader)

    def explain(self, task: str, *, preset: str | None = None, top: int = 10) -> dict[str, Any]:
        """Each signal's raw and normalised score for the top files of ``task``."""
        from atlas_core.api import explanation_document

        return explanation_document(self._query(task, preset, 0, top, None))

    def render(
        self,
        *,
        task: str = "",
        paths: Sequence[str] | None = None,
        max_tokens: int = DEFAULT_RENDER_TOKENS,
        style: str = "markdown",
        preset: str | None = None,
    ) -> Any:
        """A context document: the best files for ``task``, or ``paths`` in that order."""
        if paths:
            # a bad path is refused before the index is touched or anything is read
            named = [_candidates(p) for p in paths]
            with self.lock:
                ids = self._fresh().ids
            rels = [_pick(names, ids) for names in named]
        elif task.strip():
            # chosen for this document: each file's room includes the document's lines on it
            selection = self._query(task, preset, max_tokens, None, None, document=style).selection
        else:
            raise UsageError("give a task to render its best files, or paths to render")
        assert self.repo is not None
        return self.repo.render(
            rels if paths else selection,
            task=task,
            max_tokens=max_tokens,
            style=style,
            allow_secrets=self.allow_secrets,
        )

    def outline(self, path: str) -> dict[str, Any]:
        """The symbols (with line ranges) and imports of one indexed file (``atlas outline``)."""
        from atlas_core.api import OUTPUT_VERSION, confined_path, outline_of

        names = _candidates(path)  # refuses NUL bytes, '..', absolute paths
        with self.lock:
            reader = self._fresh()
            rel = _pick(names, reader.ids)
            confined_path(self.root, rel)  # refuses a symlink to a place outside
            doc = outline_of(reader, rel, allow_secrets=self.allow_secrets)
        return {"Version": OUTPUT_VERSION, **doc}

    def index(self, *, force: bool = False) -> dict[str, Any]:
        """Run the incremental indexer now (``force``: rebuild from scratch): the report of
        ``atlas index --format json``."""
        from atlas_core.api import OUTPUT_VERSION, index_report

        with self.lock:
            self._engine()
            report = self._reindex("asked", force=force)
        return {"Version": OUTPUT_VERSION, **index_report(report, forced=force)}


def _candidates(path: str) -> list[str]:
    """The clean relative paths an agent's ``path`` may name, best first: the file it is
    the shown form of (``caf\\xe9.py``), the path itself, then with backslashes as
    separators (``src\\app.py``).

    :raises UsageError: when none is a path inside the root (saying why).
    """
    from atlas_core.api import normalise_rel, path_candidates

    text = path.strip()
    out: list[str] = []
    for name in [*path_candidates(text), text.replace("\\", "/")]:
        try:
            rel = normalise_rel(name)
        except UsageError:
            continue
        if rel not in out:
            out.append(rel)
    if not out:
        normalise_rel(text.replace("\\", "/"))  # raises: empty, absolute, climbs out...
    return out


def _pick(names: list[str], ids: Any) -> str:
    """The first of ``names`` the index knows (else the first: the tool says it is not)."""
    return next((n for n in names if n in ids), names[0])


def _warn(message: str) -> None:
    log.warning("atlas: %s", message)
