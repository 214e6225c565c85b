"""A plugin implementing every hook through atlas_core.api alone, and the API's helpers."""

from __future__ import annotations

import io
import json
from collections.abc import Iterator
from pathlib import Path
from typing import Any, ClassVar, TextIO

import click
import numpy as np
import pytest

import atlas_core
from atlas_core.api import (
    PLUGIN_API,
    ROLES,
    AppState,
    Atlas,
    AtlasError,
    AtlasPluginError,
    BuildReport,
    Chunk,
    Chunker,
    Classification,
    Classifier,
    Explanation,
    FileEntry,
    FormatOptions,
    IndexView,
    OutputFormat,
    QueryContext,
    QueryOptions,
    Registrar,
    RepoFile,
    Reranker,
    Retriever,
    SelectedFile,
    Selection,
    SignalScore,
    UsageError,
    Walker,
    WalkSettings,
    common_options,
    component_config,
    confined_path,
    display_path,
    ensure_cache_dir,
    estimate_tokens,
    explanation_document,
    hookimpl,
    normalise_rel,
    normalize,
    parse_display_path,
    pass_state,
    path_candidates,
    progress_bar,
    resolve_root,
    selection_to_dict,
)
from atlas_core.plugin.manager import get_plugin_manager
from atlas_core.testing import run_atlas, write_repo


class OnlyPy(Walker):
    """Lists ``*.py`` files only."""

    name: ClassVar[str] = "onlypy"

    def walk(self, root: Path, settings: WalkSettings) -> Iterator[RepoFile]:
        for path in sorted(root.rglob("*.py")):
            st = path.stat()
            rel = path.relative_to(root).as_posix()
            yield RepoFile(rel, str(path), st.st_size, st.st_mtime_ns, st.st_ino)


class Lines(Chunker):
    """Every ``def`` line is a function (for ``.lines`` files)."""

    name: ClassVar[str] = "lines"
    languages = ("lines",)
    priority: ClassVar[int] = 50

    def chunk(self, rel: str, text: str, language: str) -> list[Chunk]:
        return [
            Chunk("function", line.split()[1], line.split()[1], n, n, line)
            for n, line in enumerate(text.splitlines(), 1)
            if line.startswith("def ")
        ]


class Reverse(Reranker, Retriever):
    """Reranks candidates in reverse order; retrieves by path length."""

    name: ClassVar[str] = "reverse"

    def rerank(self, ctx: QueryContext, candidates: np.ndarray, scores: np.ndarray) -> np.ndarray:
        return np.arange(len(candidates), dtype=np.float64)

    def retrieve(self, ctx: QueryContext) -> np.ndarray:
        return np.array([1.0 / len(p) for p in ctx.index.paths])


class Paths(OutputFormat):
    """Paths and scores, tab separated."""

    name: ClassVar[str] = "tsv"

    def write(self, selection: Selection, out: TextIO, options: FormatOptions) -> None:
        for f in selection.files:
            out.write(f"{f.path}\t{f.score}\n")


@click.command("hello")
@common_options
@pass_state
def hello(state: AppState) -> None:
    """Say how many files are indexed."""
    reader = state.atlas.reader()
    state.warn(f"{len(reader)} files")


class Everything(Classifier):
    """One plugin object implementing every hook."""

    def language(self, rel: str, head: str) -> str | None:
        return "lines" if rel.endswith(".lines") else None

    def role(self, rel: str, language: str, head: str) -> str | None:
        return "docs" if rel.startswith("notes/") else None

    @hookimpl
    def atlas_register_walkers(self, registry: Registrar[Walker]) -> None:
        registry.add(OnlyPy())

    @hookimpl
    def atlas_register_chunkers(self, registry: Registrar[Chunker]) -> None:
        registry.add(Lines())

    @hookimpl
    def atlas_register_rerankers(self, registry: Registrar[Reranker]) -> None:
        registry.add(Reverse())

    @hookimpl
    def atlas_register_fusers(self, registry: Registrar[Any]) -> None:
        pass  # nothing to add: the built-ins stay

    @hookimpl
    def atlas_register_formats(self, registry: Registrar[OutputFormat]) -> None:
        registry.add(Paths())

    @hookimpl
    def atlas_add_commands(self, cli: click.Group) -> None:
        cli.add_command(hello)


@pytest.fixture
def repo(tmp_path: Path) -> Path:
    return write_repo(
        tmp_path / "r",
        {
            "src/retry.py": "def retry():\n    pass\n",
            "notes/retry.py": "retry = 'notes'\n",
            "tool.lines": "def retry now\n",
            "README.md": "retry\n",
        },
    )


def _atlas(repo: Path) -> Atlas:
    manager = get_plugin_manager(load_entrypoints=False, extra_plugins=[("all", Everything())])
    return Atlas(repo, manager)


def test_every_hook_through_the_engine(repo: Path) -> None:
    atlas = _atlas(repo)
    files, _ = atlas.walk()
    assert len(files) == 4  # the default walker
    (repo / "atlas.toml").write_text('[pipeline]\nwalker = "onlypy"\n')
    atlas = _atlas(repo)
    assert [f.rel for f in atlas.walk()[0]] == ["notes/retry.py", "src/retry.py"]
    (repo / "atlas.toml").unlink()
    atlas = _atlas(repo)
    report = atlas.index()
    assert isinstance(report, BuildReport) and report.added == 4
    reader = atlas.reader()
    view: IndexView = reader
    assert isinstance(view, IndexView)
    i = view.ids["tool.lines"]
    assert view.languages[i] == "lines" and view.chunks(i)[0].name == "retry"
    assert view.roles[view.ids["notes/retry.py"]] == "docs"
    assert reader.entry(i) == FileEntry(i, "tool.lines", 14, "lines", "impl", 4, "ok")
    plain = atlas.query("retry", QueryOptions("fast", top=0, min_score=0.0), reader)
    reranked = atlas.query("retry", QueryOptions("fast", top=0, min_score=0.0, rerank="on"), reader)
    assert [f.path for f in reranked.selection.files] == [
        f.path for f in reversed(plain.selection.files)
    ]
    semantic = atlas.query("retry", QueryOptions("fast", semantic=True), reader)
    assert "semantic" in semantic.selection.signals


def test_format_and_command_through_the_cli(repo: Path) -> None:
    import atlas_core.plugin.manager as manager_module

    real = manager_module.get_plugin_manager

    def with_plugin(**kw: Any) -> Any:
        return real(**kw, extra_plugins=[("all", Everything())])

    mp = pytest.MonkeyPatch()
    mp.setattr(manager_module, "get_plugin_manager", with_plugin)
    try:
        result = run_atlas("--root", str(repo), "quick", "retry", "--format", "tsv")
        assert result.code == 0
        assert result.stdout.splitlines()[0].split("\t")[0].endswith("retry.py")
        hello_run = run_atlas("--root", str(repo), "hello")
        assert hello_run.code == 0 and hello_run.stderr == "atlas: warning: 4 files\n"
    finally:
        mp.undo()


def test_structured_results(repo: Path) -> None:
    atlas = _atlas(repo)
    result = atlas.query("retry", QueryOptions("fast", min_score=0.0), atlas.reader())
    doc = explanation_document(result)
    first: Explanation = result.explanations[0]
    assert doc["Files"][0] == first.to_dict()
    assert all(isinstance(s, SignalScore) for s in first.signals)
    assert [s.signal for s in first.signals] == ["bm25f", "mentions", "path"]
    selected: SelectedFile = result.selection.files[0]
    assert selection_to_dict(result.selection)["Files"][0]["Path"] == selected.path


def test_helpers() -> None:
    assert PLUGIN_API[0] == 1 and atlas_core.PLUGIN_API == PLUGIN_API
    assert "impl" in ROLES and Classification("python", "impl").role == "impl"
    assert normalize(np.array([1.0, 4.0])).tolist() == [0.25, 1.0]
    assert estimate_tokens(9) == 3
    assert normalise_rel("a/./b.py") == "a/b.py"
    assert display_path("a\nb\\c") == "a\\nb\\\\c"
    assert parse_display_path("a\\nb\\\\c") == "a\nb\\c"
    assert path_candidates("a\\nb") == ["a\nb", "a\\nb"]
    assert progress_bar("x", "files") is None or callable(progress_bar("x", "files"))
    assert issubclass(AtlasPluginError, AtlasError) and issubclass(UsageError, AtlasError)


def test_component_config_names_the_component() -> None:
    import attrs

    @attrs.define
    class Config:
        depth: int = 1

    assert component_config(Config, {"depth": 3}, "signal x").depth == 3
    with pytest.raises(UsageError, match="unknown config key 'deep' for signal x"):
        component_config(Config, {"deep": 3}, "signal x")


def test_paths_and_cache(tmp_path: Path) -> None:
    root = write_repo(tmp_path / "r", {"a.py": "a\n"})
    assert resolve_root(str(root)) == root.resolve()
    with pytest.raises(UsageError):
        resolve_root(str(root / "missing"))
    assert confined_path(root, "a.py") == root.resolve() / "a.py"
    ensure_cache_dir(root / ".atlas")
    assert (root / ".atlas").is_dir()


def test_app_state_is_what_commands_get(repo: Path) -> None:
    state = AppState(get_plugin_manager(load_entrypoints=False), str(repo))
    assert state.root == repo.resolve()
    out = io.StringIO()
    state.format = "json"
    fmt = state.output_format(out)
    assert fmt.name == "json"
    assert json.loads(json.dumps({"ok": True}))


class ShoutLanguage:
    """A module-style plugin: a plain function hook, first non-None answer wins."""

    @staticmethod
    @hookimpl
    def atlas_classify_language(rel: str, head: str) -> str | None:
        return "shout" if head.startswith("#!/usr/bin/env shout") else None


def test_a_language_hook_overrides_the_builtin_guess(tmp_path: Path) -> None:
    root = write_repo(tmp_path / "r", {"run": "#!/usr/bin/env shout\nHELLO\n", "a.py": "a\n"})
    manager = get_plugin_manager(load_entrypoints=False, extra_plugins=[("shout", ShoutLanguage)])
    atlas = Atlas(root, manager)
    atlas.index()
    reader = atlas.reader()
    assert reader.languages[reader.ids["run"]] == "shout"
    assert reader.languages[reader.ids["a.py"]] == "python"


def test_a_plugin_command_prints_json_as_atlas_commands_do(
    capsys: pytest.CaptureFixture[str],
) -> None:
    """``json_wanted`` refuses a format a table-or-JSON command cannot print; ``print_json``
    puts ``Version`` first and one line for jsonl."""
    from types import SimpleNamespace

    from atlas_core.api import OUTPUT_VERSION, UsageError, json_wanted, print_json

    assert json_wanted(SimpleNamespace(format="jsonl"))  # type: ignore[arg-type]
    assert not json_wanted(SimpleNamespace(format="human"))  # type: ignore[arg-type]
    assert json_wanted(SimpleNamespace(format="human"), True)  # type: ignore[arg-type]
    with pytest.raises(UsageError, match="prints human or json, not 'compact'"):
        json_wanted(SimpleNamespace(format="compact"))  # type: ignore[arg-type]
    print_json(SimpleNamespace(format="jsonl"), {"Path": "a.py"})  # type: ignore[arg-type]
    assert capsys.readouterr().out == json.dumps({"Version": OUTPUT_VERSION, "Path": "a.py"}) + "\n"
