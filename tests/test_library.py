"""The library API: ``atlas_core.open`` and :class:`atlas_core.Repository`."""

from __future__ import annotations

import json
import re
import subprocess
import sys
from pathlib import Path

import pytest

import atlas_core
from atlas_core import AtlasError, Explanation, QueryResult, Repository, UsageError
from atlas_core.output.context import NOT_INDEXED
from atlas_core.output.formats import selection_to_dict
from atlas_core.plugin.manager import get_plugin_manager
from atlas_core.testing import run_atlas, write_repo

ROOT = Path(__file__).resolve().parent.parent

FILES = {
    "src/payments/retry.py": (
        "import time\n\n\nclass RetryPolicy:\n    attempts = 3\n\n\n"
        "def retry_with_backoff(call, policy):\n    for n in range(policy.attempts):\n"
        "        time.sleep(2 ** n)\n    return call()\n"
    ),
    "src/payments/client.py": (
        "from .retry import retry_with_backoff\n\n\ndef charge(amount):\n"
        "    return retry_with_backoff(lambda: amount, None)\n"
    ),
    "src/users/models.py": "class User:\n    name = ''\n",
    "tests/test_retry.py": "from src.payments.retry import retry_with_backoff\n",
    "README.md": "# Shop\n\nPayments with retry and backoff.\n",
}


@pytest.fixture
def repo_path(tmp_path: Path) -> Path:
    return write_repo(tmp_path / "shop", FILES, git=True)


def _open(path: Path, **kw: object) -> Repository:
    return atlas_core.open(path, manager=get_plugin_manager(load_entrypoints=False), **kw)  # type: ignore[arg-type]


def test_open_index_query_explain_render(repo_path: Path) -> None:
    with _open(repo_path) as repo:
        assert repo.root == repo_path.resolve()
        report = repo.index()
        assert report.added == len(FILES) and report.files == len(FILES)
        assert repo.index().added == 0  # incremental: nothing changed

        result = repo.query("retry with backoff", max_tokens=4000)
        assert isinstance(result, QueryResult)
        files = result.selection.files
        assert files[0].path == "src/payments/retry.py"
        assert files[0].score == 1.0 and files[0].language == "python"
        assert any(s["Name"] == "retry_with_backoff" for s in files[0].symbols)
        assert result.selection.total_tokens <= 4000

        explained = repo.explain("retry with backoff")
        assert isinstance(explained[0], Explanation)
        assert explained[0].path == files[0].path
        assert {s.signal for s in explained[0].signals} >= {"bm25f", "path"}

        document = repo.render(result, max_tokens=2000)
        assert "retry with backoff" in document.text
        assert "def retry_with_backoff" in document.text
        assert document.included[0] == "src/payments/retry.py"
        assert document.tokens <= 2000

        by_path = repo.render(["src/users/models.py"], task="users")
        assert by_path.included == ["src/users/models.py"] and "class User" in by_path.text
    assert repo.closed


def test_results_equal_the_cli_json(repo_path: Path) -> None:
    cli = run_atlas("--root", str(repo_path), "query", "retry backoff", "--format", "json")
    assert cli.code == 0, cli.stderr
    with _open(repo_path) as repo:
        result = repo.query("retry backoff")
    assert json.loads(json.dumps(selection_to_dict(result.selection))) == json.loads(cli.stdout)

    cli = run_atlas(
        "--root", str(repo_path), "query", "--seed", "src/payments/client.py",
        "--scope", "src", "--top", "3", "--format", "json",
    )  # fmt: skip
    assert cli.code == 0, cli.stderr
    with _open(repo_path) as repo:
        result = repo.query(seeds=["src/payments/client.py"], scope=["src"], top=3)
    doc = json.loads(cli.stdout)
    assert json.loads(json.dumps(selection_to_dict(result.selection))) == doc
    assert doc["Files"][0]["Path"] == "src/payments/client.py"
    assert all(f["Path"].startswith("src/") for f in doc["Files"])


def test_render_equals_the_cli_render(repo_path: Path, tmp_path: Path) -> None:
    # -v: the JSONL carries each file's signal scores, which the document's header lists
    query = run_atlas("--root", str(repo_path), "quick", "retry", "-v", "--format", "jsonl")
    selection = tmp_path / "sel.jsonl"
    selection.write_text(query.stdout)
    cli = run_atlas("--root", str(repo_path), "render", str(selection), "--max-tokens", "900")
    assert cli.code == 0, cli.stderr
    with _open(repo_path) as repo:
        result = repo.query("retry")
        assert repo.render(result, max_tokens=900).text == cli.stdout


def test_repeated_queries_reuse_the_open_reader(
    repo_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    import atlas_core.engine

    opened: list[Path] = []
    real = atlas_core.engine.open_index

    def counting(cache: Path, root: Path | None = None) -> object:
        opened.append(cache)
        return real(cache, root)

    monkeypatch.setattr(atlas_core.engine, "open_index", counting)
    with _open(repo_path) as repo:
        first = repo.query("retry")
        opens = len(opened)
        assert opens >= 1 and repo.reader_opens == 1
        for task in ("charge amount", "user model", "retry"):
            assert repo.query(task).reader is first.reader
        assert len(opened) == opens and repo.reader_opens == 1
        assert repo.index().wrote is False  # nothing changed: the reader stays
        assert repo.query("retry").reader is first.reader

        (repo_path / "src" / "payments" / "refund.py").write_text("def refund_retry():\n    pass\n")
        assert repo.index().added == 1
        again = repo.query("refund retry")
        assert again.reader is not first.reader and repo.reader_opens == 2
        assert again.selection.files[0].path == "src/payments/refund.py"

        # another process (here: the CLI) publishes a new generation: it is picked up
        (repo_path / "src" / "audit.py").write_text("def audit_log():\n    pass\n")
        assert run_atlas("--root", str(repo_path), "index").code == 0
        assert repo.query("audit log").selection.files[0].path == "src/audit.py"
        assert repo.reader_opens == 3
    with pytest.raises(UsageError, match="closed"):
        repo.query("retry")


def test_default_preset_and_config_overrides(repo_path: Path, tmp_path: Path) -> None:
    with _open(repo_path, preset="fast") as repo:
        assert repo.query("retry").selection.preset == "fast"
        assert repo.query("retry", preset="deep").selection.preset == "deep"
    table = {"presets": {"tiny": {"extends": "balanced", "top": 1}}}
    with _open(repo_path, preset="tiny", config=table) as repo:
        selection = repo.query("retry").selection
        assert selection.preset == "tiny" and len(selection.files) == 1
    toml = tmp_path / "extra.toml"
    toml.write_text('[presets.two]\nextends = "fast"\ntop = 2\n')
    (repo_path / "atlas.toml").write_text('[presets.mine]\nextends = "fast"\ntop = 3\n')
    with _open(repo_path, config=toml) as repo:
        assert len(repo.query("retry", preset="two").selection.files) == 2
        assert len(repo.query("retry", preset="mine").selection.files) == 3  # the file's too
        assert "extra.toml" in repo.settings.source and "atlas.toml" in repo.settings.source


@pytest.mark.parametrize(
    ("kwargs", "message"),
    [
        ({"preset": "nope"}, "unknown preset 'nope'"),
        ({"config": {"presets": {"x": {"extends": "missing"}}}}, "extends unknown preset"),
        ({"config": {"bogus": {}}}, r"unknown config section \[bogus\]"),
        ({"config": "/nonexistent/atlas.toml"}, "does not exist"),
        ({"config": 42}, "config must be a path to a TOML file or a dict"),
    ],
)
def test_bad_input_is_a_usage_error(
    repo_path: Path, kwargs: dict[str, object], message: str
) -> None:
    with pytest.raises(UsageError, match=message):
        _open(repo_path, **kwargs)


def test_bad_paths_and_queries(repo_path: Path, tmp_path: Path) -> None:
    with pytest.raises(UsageError, match="does not exist"):
        atlas_core.open(tmp_path / "missing")
    (tmp_path / "file.txt").write_text("x")
    with pytest.raises(UsageError, match="not a directory"):
        atlas_core.open(tmp_path / "file.txt")
    bad_toml = tmp_path / "bad.toml"
    bad_toml.write_text("[presets\n")
    with pytest.raises(UsageError, match="bad TOML"):
        _open(repo_path, config=bad_toml)
    with _open(repo_path) as repo:
        with pytest.raises(UsageError, match="the task is empty"):
            repo.query("   ")
        with pytest.raises(UsageError, match="unknown preset"):
            repo.query("retry", preset="nope")
        with pytest.raises(UsageError):
            repo.query(seeds=["no/such/file.py"])
        with pytest.raises(UsageError, match="scope must be a list of paths"):
            repo.query("retry", scope="src")  # type: ignore[arg-type]
        with pytest.raises(UsageError, match="outside"):
            repo.render(["../etc/passwd"])
        with pytest.raises(UsageError, match="unknown style"):
            repo.render(["README.md"], style="html")
    assert issubclass(UsageError, AtlasError)


def test_the_cli_goes_through_the_repository(repo_path: Path) -> None:
    from atlas_core.cli.state import AppState

    state = AppState(get_plugin_manager(load_entrypoints=False), str(repo_path))
    assert isinstance(state.repo, Repository)
    assert state.atlas is state.repo.engine  # the engine plugin commands may still use


def test_importing_atlas_core_stays_cheap() -> None:
    code = (
        "import sys, atlas_core\n"
        "heavy = [m for m in ('numpy', 'click', 'atlas_core.engine', 'atlas_core.repository')"
        " if m in sys.modules]\n"
        "assert not heavy, heavy\n"
        "assert callable(atlas_core.open) and 'atlas_core.repository' in sys.modules\n"
    )
    subprocess.run([sys.executable, "-c", code], check=True, cwd=ROOT)


def test_every_library_name_is_documented_in_the_api_guide() -> None:
    guide = (ROOT / "docs" / "api.md").read_text(encoding="utf-8")
    for name in ("open", "Repository", "QueryResult", "Selection", "SelectedFile"):
        assert name in atlas_core.__all__
    library = ["open", "Repository", "QueryResult", "Explanation", "UsageError", "AtlasError"]
    missing = [n for n in library if not re.search(rf"\b{re.escape(n)}\b", guide)]
    assert not missing, f"not in docs/api.md: {missing}"
    methods = [m for m in ("index", "query", "explain", "render", "close", "reader")]
    assert all(f"repo.{m}(" in guide for m in methods), methods
    for name in atlas_core.__all__:
        assert getattr(atlas_core, name) is not None, name


def test_plugin_warnings_reach_on_message(repo_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    import atlas_core.plugin.manager as manager_module

    real = manager_module.get_plugin_manager

    def with_warning(**kw: object) -> object:
        manager = real(load_entrypoints=False)
        manager.warnings.append("plugin acme 1.0 failed to load: ImportError: nope")
        return manager

    monkeypatch.setattr(manager_module, "get_plugin_manager", with_warning)
    said: list[str] = []
    with atlas_core.open(repo_path, on_message=said.append) as repo:
        assert repo.query("retry").selection.files
        repo.manager.warn("later problem")
    assert said == ["plugin acme 1.0 failed to load: ImportError: nope", "later problem"]


def test_render_reads_only_files_of_the_index(repo_path: Path) -> None:
    (repo_path / ".gitignore").write_text("local.yml\n")
    (repo_path / "local.yml").write_text("db_password: hunter2\n")
    with _open(repo_path) as repo:
        # as outline: the index is built when there is none, and opened once
        plain = repo.render(["src/users/models.py"], task="users")
        assert (repo_path / ".atlas").is_dir() and repo.reader_opens == 1
        assert "```python\nclass User" in plain.text
        document = repo.render(["src/users/models.py", "README.md"], task="users")
        assert document.included == ["src/users/models.py", "README.md"]
        unknown = [".git/config", ".atlas/CURRENT", "local.yml", "nope.md"]
        mixed = repo.render(["README.md", *unknown])
        assert mixed.included == ["README.md"] and repo.reader_opens == 1
        assert [(o.path, o.reason) for o in mixed.omitted] == [(p, NOT_INDEXED) for p in unknown]
        assert "hunter2" not in mixed.text and "[core]" not in mixed.text
        with pytest.raises(UsageError, match=r"^'nope\.md' is not in the index"):
            repo.render(["nope.md"])
        with pytest.raises(UsageError, match=r"none of the files is in the index .*'local\.yml'"):
            repo.render(unknown)
    # the command line renders through the same check: one line, exit 2
    cli = run_atlas("--root", str(repo_path), "render", "-", stdin="\n".join(unknown) + "\n")
    assert cli.code == 2 and cli.stdout == "" and cli.stderr.count("\n") == 1
    assert "none of the files is in the index" in cli.stderr
    cli = run_atlas("--root", str(repo_path), "render", "-", stdin="local.yml\nREADME.md\n")
    assert cli.code == 0 and "`local.yml`: not in the index" in cli.stdout
    assert "hunter2" not in cli.stdout and "# Shop" in cli.stdout


@pytest.mark.parametrize("cache", ["inside", "elsewhere"])
@pytest.mark.parametrize("how", ["deleted", "renamed"])
def test_a_root_gone_under_an_open_repository_is_an_error_and_nothing_is_created(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, cache: str, how: str
) -> None:
    """Deleted or renamed after open: every call says so in one line; nothing is indexed
    (the index is not wiped) and the root is not made again (nor its ``.atlas``)."""
    import shutil

    root = write_repo(tmp_path / "repo", FILES)
    if cache == "elsewhere":
        monkeypatch.setenv("ATLAS_CACHE_DIR", str(tmp_path / "cache"))
    repo = atlas_core.open(root)
    assert repo.query("retry backoff").selection.files
    current = (repo.cache / "CURRENT").read_text()
    if how == "deleted":
        shutil.rmtree(root)
    else:
        root.rename(tmp_path / "moved")
    calls = {
        "index": lambda: repo.index(),
        "force": lambda: repo.index(force=True),
        "query": lambda: repo.query("retry backoff"),
        "explain": lambda: repo.explain("retry"),
        "render": lambda: repo.render(["src/payments/retry.py"]),
        "reader": lambda: repo.reader(),
        "walk": lambda: repo.engine.walk(),
        "engine index": lambda: repo.engine.index(),
        "engine reader": lambda: repo.engine.reader(),
    }
    for name, call in calls.items():
        with pytest.raises(UsageError, match=r"the repository root .* no longer exists"):
            call()
        assert not root.exists(), name
    # the index of the repository as it was is kept, not replaced by an empty one
    assert (repo.cache / "CURRENT").exists() == (cache == "elsewhere")
    if cache == "elsewhere":
        assert (repo.cache / "CURRENT").read_text() == current
