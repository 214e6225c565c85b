"""The library API: one repository, opened once, answering many queries.

:func:`open` returns a :class:`Repository`; the CLI, the MCP server and library users all
go through it. It is a thin facade over :class:`atlas_core.engine.Atlas`: it resolves and
checks the root, loads the configuration (with optional overrides), and holds one open
index reader, reopened only when a new index generation is published, so repeated
queries do not read again what has not changed. See ``docs/api.md``.
"""

from __future__ import annotations

import os
from collections.abc import Callable, Iterable, Mapping, Sequence
from functools import cached_property
from pathlib import Path
from typing import TYPE_CHECKING, Any

from atlas_core import arguments
from atlas_core.errors import AtlasError, UsageError
from atlas_core.fsread import check_root

if TYPE_CHECKING:
    from types import TracebackType

    from atlas_core.config import Settings
    from atlas_core.engine import Atlas, QueryOptions, QueryResult
    from atlas_core.index.builder import BuildReport
    from atlas_core.index.reader import IndexReader
    from atlas_core.output.context import ContextDocument
    from atlas_core.plugin.manager import AtlasPluginManager
    from atlas_core.results import Explanation
    from atlas_core.types import SelectedFile, Selection

__all__ = ["Repository", "open"]

#: what a configuration override may be: a TOML file, or a table of the same shape
ConfigSource = str | os.PathLike[str] | Mapping[str, Any] | None


def open(  # the library's entry point: atlas_core.open, as io.open
    path: str | os.PathLike[str] | None = None,
    preset: str | None = None,
    config: ConfigSource = None,
    *,
    manager: AtlasPluginManager | None = None,
    on_message: Callable[[str], None] | None = None,
) -> Repository:
    """Open the repository at ``path`` (default: found upward from the current directory,
    as git finds its work tree).

    :param preset: the preset queries use unless they name another (default: the
        configuration's, ``balanced`` out of the box).
    :param config: settings laid over the repository's own ``atlas.toml`` /
        ``[tool.atlas]``: a path to a TOML file, or a dict of the same shape
        (``{"presets": {"mine": {"extends": "fast", "top": 5}}}``).
    :param manager: the plugin manager (default: the built-ins plus installed plugins).
    :param on_message: where messages such as "rebuilding a damaged index" go (default:
        the ``atlas`` logger).
    :raises UsageError: for a path that does not exist or is not a directory, an unknown
        preset, or a bad configuration (names of signals, fusers and rerankers no plugin
        provides included).
    """
    from atlas_core.config import check_settings
    from atlas_core.engine import resolve_root

    arguments.root_path(path)
    arguments.text("preset", preset, optional=True)
    arguments.callback("on_message", on_message)
    root = resolve_root(path)
    repo = Repository(root, manager=manager, config=config, preset=preset, on_message=on_message)
    repo.settings.preset(preset)  # load the configuration and check the preset now
    # and every name it uses (signals, fusers, tables...), as the command line does
    check_settings(repo.settings, repo.manager)
    return repo


class Repository:
    """One repository: its settings, its plugins and an open index reader.

    Use it as a context manager (or call :meth:`close`) to release the index when done::

        with atlas_core.open("path/to/repo") as repo:
            for f in repo.query("add retry logic").selection.files:
                print(f.path, f.score)

    Not thread-safe: share one between threads behind a lock.
    """

    def __init__(
        self,
        root: Path,
        *,
        manager: AtlasPluginManager | None = None,
        config: ConfigSource = None,
        preset: str | None = None,
        on_message: Callable[[str], None] | None = None,
    ) -> None:
        self.root = root
        self._manager = manager
        self._config = config
        #: the preset queries use when they name none (None: the configuration's)
        self.preset = preset
        self.on_message: Callable[[str], None] = on_message or _log_message
        self._reader: IndexReader | None = None
        self._closed = False
        #: how many times an index generation was opened (reused readers do not count)
        self.reader_opens = 0

    # -- what it is made of -------------------------------------------------------

    @cached_property
    def manager(self) -> AtlasPluginManager:
        """The plugin manager: its registries hold the signals, chunkers, formats..."""
        if self._manager is not None:
            return self._manager
        from atlas_core.plugin.manager import get_plugin_manager

        manager = get_plugin_manager()
        for warning in manager.warnings:  # a plugin that failed to load, say
            self.on_message(warning)
        manager.on_warning = self.on_message
        return manager

    @cached_property
    def settings(self) -> Settings:
        """The effective settings (read on first use)."""
        from atlas_core.config import load_settings

        overrides, source = _config_table(self._config)
        if overrides is None:
            settings = load_settings(self.root)
        else:
            settings = load_settings(self.root, overrides, source)
        for warning in settings.warnings:
            self.on_message(warning)
        return settings

    @cached_property
    def engine(self) -> Atlas:
        """The pipeline underneath (:class:`atlas_core.engine.Atlas`)."""
        from atlas_core.engine import Atlas

        return Atlas(self.root, self.manager, self.settings)

    @property
    def cache(self) -> Path:
        """Where the index lives (``<root>/.atlas`` unless ``$ATLAS_CACHE_DIR`` says)."""
        return self.engine.cache

    @property
    def closed(self) -> bool:
        return self._closed

    # -- the index -------------------------------------------------------------------

    def index(
        self,
        force: bool = False,
        *,
        progress: Callable[[int, int], None] | None = None,
        enable: tuple[str, ...] = (),
        keep_existing: bool = False,
    ) -> BuildReport:
        """Bring the index up to date (incremental: only changed files are read again).

        :param force: rebuild from scratch.
        :param progress: called with (done, total) files while indexing.
        :param enable: on-demand contributors to run (``("embed",)``).
        :param keep_existing: when the index cannot be written but a usable one exists,
            keep it (with a message) instead of failing.
        :returns: what changed (``added``, ``changed``, ``deleted``, ``unchanged``,
            ``errors``...).
        """
        self._check_open()
        arguments.flag("force", force)
        arguments.flag("keep_existing", keep_existing)
        arguments.callback("progress", progress)
        enable = tuple(arguments.paths("enable", enable, "names"))
        report = self.engine.index(
            force=force,
            progress=progress,
            on_message=self.on_message,
            enable=enable,
            keep_existing=keep_existing,
        )
        if report.wrote or any(s != "fresh" for s in report.contributors.values()):
            # contributor data can change without a new generation: open the index again
            self._reader = None
        return report

    def reader(self, *, build_if_missing: bool = True) -> IndexReader:
        """The open index, built first when there is none (unless not ``build_if_missing``).

        The same reader is returned until another generation is published (by
        :meth:`index` or by another process), so what it caches is computed once.
        """
        self._check_open()
        held = self._reader
        if held is not None and self._live_generation() == held.gen.name:
            return held
        reader = self.engine.reader(build_if_missing=build_if_missing, on_message=self.on_message)
        # the previous reader is left to the garbage collector: results may still use it
        self._reader = reader
        self.reader_opens += 1
        return reader

    def _live_generation(self) -> str | None:
        from atlas_core.index.layout import read_current

        try:
            return read_current(self.engine.cache)
        except (AtlasError, OSError):
            return None  # let the engine decide (it rebuilds a damaged index)

    # -- queries -------------------------------------------------------------------

    def options(
        self,
        *,
        preset: str | None = None,
        max_tokens: int | None = None,
        max_bytes: int | None = None,
        top: int | None = None,
        min_score: float | None = None,
        seeds: Iterable[str] = (),
        diff: str | None = None,
        seed_files: bool = True,
        scope: Iterable[str] = (),
        exclude: Iterable[str] = (),
        base: str = "",
        rerank: str | None = None,
        semantic: bool = False,
        document: str | None = None,
    ) -> QueryOptions:
        """The engine's options for a query (see :meth:`query`), the preset checked."""
        from atlas_core.engine import QueryOptions

        options = QueryOptions(  # checks each option (UsageError naming it)
            preset if preset is not None else self.preset,
            max_tokens,
            max_bytes,
            min_score,
            top,
            rerank,
            semantic=semantic,
            seeds=seeds,  # made lists by QueryOptions
            diff=diff,
            seed_files=seed_files,
            scope=scope,
            exclude=exclude,
            base=base,
            document=document,
        )
        self.settings.preset(options.preset)
        return options

    def query(
        self,
        task: str = "",
        *,
        preset: str | None = None,
        max_tokens: int | None = None,
        max_bytes: int | None = None,
        top: int | None = None,
        min_score: float | None = None,
        seeds: Iterable[str] = (),
        diff: str | None = None,
        seed_files: bool = True,
        scope: Iterable[str] = (),
        exclude: Iterable[str] = (),
        base: str = "",
        rerank: str | None = None,
        semantic: bool = False,
        document: str | None = None,
    ) -> QueryResult:
        """Rank the repository's files for ``task``: what ``atlas query`` prints.

        Uses the index as it is (built first when there is none); call :meth:`index` to
        bring it up to date after files change.

        :param task: what you want to do, in plain words (may be empty with ``seeds`` or
            ``diff``).
        :param preset: ``fast``, ``balanced``, ``deep``, ``thorough`` or one from the
            configuration (default: the one :func:`open` was given, else the configuration's).
        :param max_tokens: the token budget (0: none; default: the preset's).
        :param max_bytes: a byte budget (0: none).
        :param top: at most this many files (0: no cap).
        :param min_score: leave out files scoring below this (0 to 1).
        :param seeds: files you already know matter (``path`` or ``path:line``); their
            neighbours rise and they are listed first.
        :param diff: a git revision: the files changed against it are seeds too.
        :param seed_files: list the seed files themselves (False: leave them out).
        :param scope: only files under these paths or matching these globs.
        :param exclude: never files under these paths or matching these globs.
        :param base: the directory (inside the root) seeds and scope are relative to.
        :param rerank: ``on``, ``off``, ``require`` or a reranker's name (default: as the
            preset says).
        :param semantic: also retrieve by embedding similarity (needs a reranker plugin).
        :param document: the answer is for :meth:`render` in this style (``markdown`` or
            ``xml``) within the same ``max_tokens``: each file's room includes the lines
            the document spends on it (its line in the header, its heading), so the
            document shows every file chosen (what ``--format context`` does).
        :returns: a :class:`~atlas_core.engine.QueryResult`: ``selection`` (a
            :class:`~atlas_core.types.Selection` whose ``files`` are
            :class:`~atlas_core.types.SelectedFile`), ``notes`` and ``explanations``.
        :raises UsageError: for an empty task without seeds, an unknown preset, a seed that
            is not indexed...
        """
        options = self.options(
            preset=preset,
            max_tokens=max_tokens,
            max_bytes=max_bytes,
            top=top,
            min_score=min_score,
            seeds=seeds,
            diff=diff,
            seed_files=seed_files,
            scope=scope,
            exclude=exclude,
            base=base,
            rerank=rerank,
            semantic=semantic,
            document=document,
        )
        return self.run(task, options)

    def run(self, task: str, options: QueryOptions) -> QueryResult:
        """:meth:`query` with the engine's options already built (front ends use it)."""
        self._check_open()
        task = arguments.text("the task", "" if task is None else task)
        return self.engine.query(task, options, self.reader())

    def explain(self, task: str = "", **options: Any) -> list[Explanation]:
        """Why each file of :meth:`query`'s answer scored what it did, signal by signal.

        Takes the same keyword arguments as :meth:`query`. Each
        :class:`~atlas_core.results.Explanation` has ``path``, ``score``, ``symbols`` and
        ``signals`` (``signal``, ``raw``, ``normalized``, ``weight``).
        """
        return self.query(task, **options).explanations

    # -- rendering -------------------------------------------------------------------

    def render(
        self,
        files: QueryResult | Selection | Iterable[SelectedFile | Mapping[str, Any] | str],
        *,
        task: str | None = None,
        max_tokens: int | None = None,
        style: str = "markdown",
        allow_secrets: bool = False,
    ) -> ContextDocument:
        """The files as one LLM-ready document within ``max_tokens`` (None: no limit).

        :param files: a query's result or selection, or files in order of importance:
            :class:`~atlas_core.types.SelectedFile` objects, selection rows (dicts with
            ``Path`` as Atlas prints it, :func:`~atlas_core.paths.display_path`; the file's
            own name also works), or paths relative to the root (the files' own names).
        :param task: the header's task line (default: the selection's query).
        :param style: ``markdown`` or ``xml``.
        :param allow_secrets: include credential files and do not redact secrets.
        :returns: a document with ``text``, ``included``, ``omitted``, ``redactions``,
            ``tokens`` and ``budget``. Only files of the index are read (it is built first
            when there is none); any other is omitted as not in the index.
        :raises UsageError: for a path outside the root, an unknown style, a budget too
            small for the header, or files none of which is in the index.
        """
        from atlas_core.output.context import render_context
        from atlas_core.types import Selection

        self._check_open()
        arguments.text("task", task, optional=True)
        arguments.count("max_tokens", max_tokens)
        arguments.text("style", style)
        arguments.flag("allow_secrets", allow_secrets)
        # a QueryResult is known by its selection (importing it would pull in the engine)
        given: Any = getattr(files, "selection", files)
        left_out = 0
        if isinstance(given, Selection):
            task = given.query if task is None else task
            rows: list[Any] = list(given.files)
            left_out = given.left_out  # the header counts them
        elif isinstance(given, str | bytes):
            raise UsageError("render takes a list of paths, not one string")
        elif not isinstance(given, Iterable):
            raise UsageError(
                f"render takes a query's result, a selection or a list of paths, "
                f"not {type(given).__name__}"
            )
        else:
            items = [_render_item(f) for f in given]
            # the index (built here when there is none) gives plain paths their language
            # and says which file a shown name is
            index = self.reader()
            rows = [_row(self.root, index, f) for f in items]
        return render_context(
            self.root,
            task or "",
            rows,
            max_tokens,
            style=style,
            allow_secrets=allow_secrets,
            indexed=self._indexed(),
            outline=self._outline(),
            left_out=left_out,
        )

    def _indexed(self) -> Callable[[str], bool]:
        """Whether a path is a file of the index (built first when there is none): render
        reads no other file, as outline shows no other."""
        return self.reader().ids.__contains__

    def _outline(self) -> Callable[[str], Sequence[Any]] | None:
        """Symbols for skims from the held reader (None: let the renderer open the index)."""
        reader = self._reader
        if reader is None:
            return None

        def outline(rel: str) -> Sequence[Any]:
            i = reader.ids.get(rel)
            return reader.chunks(i) if i is not None else []

        return outline

    # -- lifetime --------------------------------------------------------------------

    def close(self) -> None:
        """Release the index (results already returned stay usable). Idempotent."""
        reader, self._reader = self._reader, None
        self._closed = True
        if reader is not None:
            reader.close()

    def _check_open(self) -> None:
        if self._closed:
            raise UsageError(f"the repository {self.root} is closed")
        check_root(self.root)  # deleted or renamed since it was opened

    def __enter__(self) -> Repository:
        return self

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        self.close()

    def __repr__(self) -> str:
        state = "closed" if self._closed else "open"
        return f"<atlas_core.Repository {str(self.root)!r} ({state})>"


def _render_item(item: Any) -> Any:
    """One file to render, checked: a path, a :class:`SelectedFile` or a row with a
    ``Path``."""
    from atlas_core.types import SelectedFile

    if isinstance(item, str | SelectedFile):
        return item
    if isinstance(item, Mapping) and isinstance(_row_path(item), str):
        return item
    raise UsageError(
        "render's files must be paths, SelectedFile objects or rows with a 'Path', "
        f"not {item!r:.40} ({type(item).__name__})"
    )


def _path_row(index: IndexReader | None, path: str) -> dict[str, Any]:
    """A plain path as a selection row, with its language when the index knows it."""
    i = index.ids.get(path) if index is not None else None
    if index is None or i is None:
        return {"Path": path}
    return {"Path": path, "Language": index.languages[i]}


def _row_path(item: Any) -> Any:
    """The ``Path`` of a selection row (None for anything else)."""
    return item.get("Path") or item.get("path") if isinstance(item, Mapping) else None


def _row(root: Path, index: IndexReader | None, item: Any) -> Any:
    """An item to render as :func:`render_context` takes it: a plain path as a row, and a
    row's ``Path`` (as Atlas shows it, or the file's own name) as the file's own name: the
    first candidate the index knows, else the first that exists."""
    from atlas_core.paths import path_candidates

    if isinstance(item, str):
        return _path_row(index, item)
    shown = _row_path(item)
    if not isinstance(shown, str):
        return item
    names = path_candidates(shown)
    if len(names) == 1:
        return item
    ids = index.ids if index is not None else {}
    found = next((n for n in names if n in ids), None)
    found = found or next((n for n in names if os.path.lexists(root / n)), shown)
    return {**item, "Path" if "Path" in item else "path": found}


def _log_message(message: str) -> None:
    import logging  # only when there is something to say: start-up stays cheap

    logging.getLogger("atlas").warning("atlas: %s", message)


def _config_table(config: ConfigSource) -> tuple[dict[str, Any] | None, str]:
    """The override table of ``config`` and where it came from."""
    if config is None:
        return None, ""
    if isinstance(config, Mapping):
        return _plain(config), "config passed to atlas_core.open"
    if not isinstance(config, str | os.PathLike):
        raise UsageError(
            f"config must be a path to a TOML file or a dict, not {type(config).__name__}"
        )
    import tomllib

    path = Path(config).expanduser()
    try:
        text = path.read_text(encoding="utf-8")
    except FileNotFoundError:
        raise UsageError(f"config file {str(path)!r} does not exist") from None
    except (OSError, UnicodeDecodeError) as exc:
        raise UsageError(f"cannot read config file {str(path)!r}: {exc}") from None
    try:
        return tomllib.loads(text), str(path)
    except tomllib.TOMLDecodeError as exc:
        raise UsageError(f"bad TOML in {path}: {exc}") from None


def _plain(table: Mapping[str, Any]) -> dict[str, Any]:
    """A mapping (perhaps of mappings) as plain dicts, as TOML would give it."""
    return {str(k): _plain(v) if isinstance(v, Mapping) else v for k, v in table.items()}
