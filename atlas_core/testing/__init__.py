"""Test helpers for Atlas and its plugins (opt in: ``pytest_plugins = ["atlas_core.testing"]``).

Fixtures:

- ``atlas_isolated`` (autouse): no entry-point plugins leak in unless a test asks
  (``ATLAS_LOAD_PLUGINS=""``), and no ``ATLAS_CACHE_DIR``/``ATLAS_ROOT`` from the
  developer's shell.
- ``make_repo``: ``make_repo({"src/a.py": "...", ...}, git=False)`` writes a repository
  into a temporary directory and returns its path.
- ``atlas_cli``: ``atlas_cli("--root", str(repo), "query", "task")`` runs the real CLI
  in-process and returns a :class:`CliResult` (exit code, stdout, stderr).
- ``fsynced_paths``: a list that collects the path of every file or directory fsynced
  from then on in the test (Linux: read from ``/proc/self/fd``).
- ``configured_query``: ``configured_query(repo, "task", "[signals.path]\\n...")`` indexes
  ``repo`` under that ``atlas.toml`` and runs the task (no symbol lookup), to compare a
  setting's effect on one tree and task; :func:`scores_by_path` reads a signal of the result.

For a chunker's tests, :func:`tree_sitter_chunks` chunks an indented sample with the
tree-sitter chunker (failing if the language's grammar or query does not load),
:func:`symbols_and_imports` turns chunks into what a test compares, and :func:`first_ranked`
indexes a repository and says which file a task ranks first.
"""

from __future__ import annotations

import io
import os
import subprocess
from collections.abc import Callable, Iterator
from contextlib import redirect_stderr, redirect_stdout
from pathlib import Path
from typing import TYPE_CHECKING

import attrs
import pytest

if TYPE_CHECKING:
    from collections.abc import Iterable

    from atlas_core.chunk.treesitter import TreeSitterChunker
    from atlas_core.engine import Atlas, QueryResult
    from atlas_core.index.reader import IndexReader
    from atlas_core.types import Chunk

__all__ = [
    "CliResult",
    "ConfiguredQuery",
    "atlas_cli",
    "atlas_isolated",
    "chunk_spans",
    "commit_together",
    "configured_query",
    "first_ranked",
    "fsynced_paths",
    "install_plugin",
    "make_repo",
    "plugin_site",
    "run_atlas",
    "scores_by_path",
    "symbols_and_imports",
    "tree_sitter_chunks",
    "write_repo",
]


@attrs.frozen
class CliResult:
    code: int
    stdout: str
    stderr: str

    def json_lines(self) -> list[dict[str, object]]:
        import json

        return [json.loads(line) for line in self.stdout.splitlines() if line.strip()]


def run_atlas(*args: str, stdin: str | None = None) -> CliResult:
    """Run ``atlas`` in-process with the given arguments."""
    import sys

    from atlas_core.cli import main

    out, err = io.StringIO(), io.StringIO()
    old_stdin = sys.stdin
    if stdin is not None:
        sys.stdin = io.StringIO(stdin)
    try:
        with redirect_stdout(out), redirect_stderr(err):
            code = main(list(args))
    finally:
        sys.stdin = old_stdin
    return CliResult(code, out.getvalue(), err.getvalue())


def write_repo(root: Path, files: dict[str, str | bytes], *, git: bool = False) -> Path:
    """Write ``files`` under ``root`` (and ``git init`` + commit when asked)."""
    root.mkdir(parents=True, exist_ok=True)
    for rel, content in files.items():
        path = root / rel
        path.parent.mkdir(parents=True, exist_ok=True)
        if isinstance(content, bytes):
            path.write_bytes(content)
        else:
            path.write_text(content, encoding="utf-8")
    if git:
        env = _git_env()
        subprocess.run(["git", "init", "-q"], cwd=root, check=True, env=env)
        subprocess.run(["git", "add", "-A"], cwd=root, check=True, env=env)
        subprocess.run(["git", "commit", "-qm", "init"], cwd=root, check=True, env=env)
    return root


def commit_together(root: Path, groups: list[tuple[str, ...]], message: str = "change") -> None:
    """A co-change history: one commit per group, each of its files given one more line
    (``message`` and the group's number are the commit's message)."""
    env = _git_env()
    for n, group in enumerate(groups):
        for rel in group:
            with open(root / rel, "a", encoding="utf-8") as fh:
                fh.write(f"# change {n}\n")
        subprocess.run(["git", "commit", "-qam", f"{message} {n}"], cwd=root, check=True, env=env)


def _git_env() -> dict[str, str]:
    return {
        **os.environ,
        "GIT_AUTHOR_NAME": "t",
        "GIT_AUTHOR_EMAIL": "t@example.com",
        "GIT_COMMITTER_NAME": "t",
        "GIT_COMMITTER_EMAIL": "t@example.com",
    }


@pytest.fixture(autouse=True)
def atlas_isolated(monkeypatch: pytest.MonkeyPatch) -> Iterator[None]:
    monkeypatch.setenv("ATLAS_LOAD_PLUGINS", "")
    for name in ("ATLAS_CACHE_DIR", "ATLAS_ROOT", "ATLAS_DISABLE_PLUGINS", "ATLAS_RAISE_ERRORS"):
        monkeypatch.delenv(name, raising=False)
    yield


@pytest.fixture
def make_repo(tmp_path: Path) -> Callable[..., Path]:
    counter = iter(range(1000))

    def make(files: dict[str, str | bytes], *, git: bool = False) -> Path:
        return write_repo(tmp_path / f"repo{next(counter)}", files, git=git)

    return make


@pytest.fixture
def atlas_cli() -> Callable[..., CliResult]:
    return run_atlas


def install_plugin(
    site: Path, dist: str, entry: str, source: str, module: str | None = None
) -> str:
    """Write a distribution ``dist`` into ``site`` (see :func:`plugin_site`) whose ``atlas``
    entry point ``entry`` is a module holding ``source``, so Atlas loads it through the real
    entry-point machinery (enable it with ``ATLAS_LOAD_PLUGINS``). Returns the module name."""
    module = module or f"atlas_fake_{entry.replace('-', '_')}"
    info = site / f"{dist.replace('-', '_')}-0.1.dist-info"
    info.mkdir(parents=True)
    (info / "METADATA").write_text(f"Metadata-Version: 2.1\nName: {dist}\nVersion: 0.1\n")
    (info / "entry_points.txt").write_text(f"[atlas]\n{entry} = {module}\n")
    (site / f"{module}.py").write_text(source)
    return module


@pytest.fixture
def plugin_site(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[Path]:
    """A directory on ``sys.path`` for :func:`install_plugin`; its modules are forgotten
    afterwards."""
    import importlib
    import sys

    path = tmp_path / "site"
    path.mkdir()
    monkeypatch.syspath_prepend(str(path))
    importlib.invalidate_caches()
    yield path
    for name in [m for m in sys.modules if m.startswith("atlas_fake_")]:
        del sys.modules[name]


@pytest.fixture
def fsynced_paths(monkeypatch: pytest.MonkeyPatch) -> list[str]:
    synced: list[str] = []
    real_fsync = os.fsync

    def fsync(fd: int) -> None:
        synced.append(os.readlink(f"/proc/self/fd/{fd}"))
        real_fsync(fd)

    monkeypatch.setattr(os, "fsync", fsync)
    return synced


#: ``(root, task, config)`` -> the query's result, ``atlas.toml`` holding ``config``
ConfiguredQuery = Callable[[Path, str, str], "QueryResult"]


@pytest.fixture
def configured_query() -> ConfiguredQuery:
    from atlas_core.engine import Atlas, QueryOptions
    from atlas_core.plugin.manager import get_plugin_manager

    def run(root: Path, task: str, config: str = "") -> QueryResult:
        (root / "atlas.toml").write_text(config)
        atlas = Atlas(root, get_plugin_manager())
        atlas.index()
        return atlas.query(task, QueryOptions(symbols=False), atlas.reader())

    return run


def scores_by_path(result: QueryResult, signal: str) -> dict[str, float]:
    """One signal's normalised score per file path."""
    return {rel: float(result.signal_scores[signal][i]) for rel, i in result.reader.ids.items()}


def symbols_and_imports(
    chunks: Iterable[Chunk], *, qualified: bool = True
) -> tuple[set[tuple[str, str]], list[str]]:
    """``(kind, name)`` of every symbol (its qualified name, ``Client.send``, unless
    ``qualified`` is False) and the names of the imports in order: what a chunker test
    compares with the symbols it expects."""
    chunks = list(chunks)
    symbols = {(c.kind, c.qualified if qualified else c.name) for c in chunks if c.kind != "import"}
    return symbols, [c.name for c in chunks if c.kind == "import"]


def chunk_spans(chunks: list[Chunk], qualified: str) -> list[tuple[str, int, int]]:
    """(kind, first line, last line) of each of ``chunks`` named ``qualified``."""
    return [(c.kind, c.start, c.end) for c in chunks if c.qualified == qualified]


def tree_sitter_chunks(
    rel: str, source: str, language: str, chunker: TreeSitterChunker | None = None
) -> list[Chunk]:
    """The chunks ``chunker`` (a :class:`TreeSitterChunker` with Atlas's own queries unless
    given: a language package passes its own) finds in ``source``, dedented and without
    leading blank lines, as file ``rel`` in ``language``; fails if the language's grammar
    or query does not load, rather than letting the regex fallback answer."""
    import textwrap

    from atlas_core.chunk.treesitter import TreeSitterChunker

    chunker = chunker or TreeSitterChunker()
    chunks = chunker.chunk(rel, textwrap.dedent(source).lstrip("\n"), language)
    if language in chunker.failures:
        raise AssertionError(f"{language}: {chunker.failures[language]}")
    return chunks


def first_ranked(atlas: Atlas, task: str) -> tuple[IndexReader, str]:
    """Index ``atlas`` and run ``task`` with the default options: the reader it ranked
    from (to check the file's symbols) and the path of the file selected first."""
    from atlas_core.engine import QueryOptions

    atlas.index()
    reader = atlas.reader()
    files = atlas.query(task, QueryOptions(), reader).selection.files
    if not files:
        raise AssertionError(f"the task selected no file: {task!r}")
    return reader, files[0].path
