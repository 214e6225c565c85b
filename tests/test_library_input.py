"""Bad input to the library API is a one-line UsageError naming the argument, checked where
it comes in: wrong types, negative or non-finite numbers, config names at ``open()``; and a
task without a searchable word is answered with a warning."""

from __future__ import annotations

import math
from pathlib import Path
from typing import Any

import pytest

import atlas_core
from atlas_core import Repository, UsageError
from atlas_core.engine import Atlas, QueryOptions
from atlas_core.plugin.manager import get_plugin_manager
from atlas_core.testing import run_atlas, write_repo

FILES = {
    "src/payments/retry.py": "def retry_with_backoff(call):\n    return call()\n",
    "src/payments/client.py": (
        "from .retry import retry_with_backoff\n\n\ndef charge(amount):\n"
        "    return retry_with_backoff(lambda: amount)\n"
    ),
    "src/users/models.py": "class User:\n    name = ''\n",
    "README.md": "# Shop\n\nPayments with retry.\n",
}


@pytest.fixture
def repo_path(tmp_path: Path) -> Path:
    return write_repo(tmp_path / "shop", FILES, git=True)


def _open(path: Path, **kw: Any) -> Repository:
    return atlas_core.open(path, manager=get_plugin_manager(load_entrypoints=False), **kw)


@pytest.mark.parametrize(
    ("task", "options", "message"),
    [
        (123, {}, "the task must be a string, not 123"),
        (b"retry", {}, "the task must be a string"),
        (["retry"], {}, "the task must be a string"),
        ("retry", {"top": "3"}, "top must be a whole number >= 0"),
        ("retry", {"top": 2.5}, "top must be a whole number >= 0"),
        ("retry", {"top": True}, "top must be a whole number >= 0"),
        ("retry", {"top": -1}, r"top must be a whole number >= 0 \(0: no cap\), not -1"),
        ("retry", {"max_tokens": "x"}, "max_tokens must be a whole number >= 0"),
        ("retry", {"max_tokens": -5}, r"max_tokens must .* \(0: no budget\), not -5"),
        ("retry", {"max_bytes": -1}, "max_bytes must be a whole number >= 0"),
        ("retry", {"min_score": "a"}, "min_score must be a finite number >= 0"),
        ("retry", {"min_score": math.nan}, "min_score must be a finite number >= 0, not nan"),
        ("retry", {"min_score": math.inf}, "min_score must be a finite number"),
        ("retry", {"min_score": -0.5}, "min_score must be a finite number >= 0"),
        ("retry", {"scope": [1]}, "scope must be a list of paths as strings, not 1"),
        ("retry", {"exclude": 5}, "exclude must be a list of paths, not 5"),
        ("retry", {"seeds": [None]}, "seeds must be a list of paths as strings, not None"),
        ("retry", {"seeds": "src/payments/client.py"}, "give seeds=\\['src/payments/client.py'"),
        ("retry", {"diff": True}, "diff must be a git revision"),
        ("retry", {"diff": 123}, "diff must be a git revision"),
        ("retry", {"rerank": True}, "rerank must be a string or None"),
        ("retry", {"semantic": "yes"}, "semantic must be True or False"),
        ("retry", {"seed_files": None}, "seed_files must be True or False"),
        ("retry", {"base": 5}, "base must be a string"),
        ("retry", {"preset": 5}, "preset must be a string or None"),
    ],
)
def test_a_wrong_query_argument_is_a_usage_error_naming_it(
    repo_path: Path, task: Any, options: dict[str, Any], message: str
) -> None:
    with _open(repo_path) as repo:
        with pytest.raises(UsageError, match=message) as caught:
            repo.query(task, **options)
        assert "\n" not in str(caught.value)
        with pytest.raises(UsageError, match=message):
            repo.explain(task, **options)
    # checked before anything is built
    assert not (repo_path / ".atlas").exists()


def test_zero_keeps_its_meaning(repo_path: Path) -> None:
    with _open(repo_path) as repo:
        selection = repo.query("retry", max_tokens=0, max_bytes=0, top=0, min_score=0).selection
        assert selection.budget == {"MaxTokens": None, "MaxBytes": None, "Top": None}
        assert selection.files and selection.min_score == 0
        assert repo.query(None, seeds=("src/payments/client.py",)).selection.files  # type: ignore[arg-type]


@pytest.mark.parametrize(
    ("option", "value"),
    [("--top", "-1"), ("--max-tokens", "-5"), ("--max-bytes", "-1"), ("--min-score", "-0.5")],
)
def test_the_command_line_refuses_negative_numbers_too(
    repo_path: Path, option: str, value: str
) -> None:
    """``--max-tokens -5`` meant no budget: one line naming the option, exit 2."""
    result = run_atlas("--root", str(repo_path), "query", "retry", option, value)
    assert result.code == 2 and not result.stdout
    [line] = result.stderr.strip().splitlines()
    assert line.startswith("atlas: error: ") and option in line and value in line


@pytest.mark.parametrize("command", ["query", "quick"])
def test_a_bad_format_fails_before_the_query_runs(repo_path: Path, command: str) -> None:
    """Only the error: no index built, no warning about the task's words before it."""
    result = run_atlas("--root", str(repo_path), "--format", "yaml", command, "a")
    assert result.code == 2
    assert result.stderr.startswith("atlas: error: unknown format 'yaml'")
    assert len(result.stderr.splitlines()) == 1
    assert not (repo_path / ".atlas").exists()


def test_the_engine_checks_its_own_entry(repo_path: Path) -> None:
    """Front ends that build QueryOptions and call the engine get the same checks."""
    with pytest.raises(UsageError, match="top must be a whole number"):
        QueryOptions(top="3")  # type: ignore[arg-type]
    with pytest.raises(UsageError, match="max_tokens must be a whole number"):
        QueryOptions(max_tokens=-1)
    assert QueryOptions(seeds=("a.py",), scope=iter(["src"])).scope == ["src"]  # type: ignore[arg-type]
    atlas = Atlas(repo_path, get_plugin_manager(load_entrypoints=False))
    reader = atlas.reader()
    try:
        with pytest.raises(UsageError, match="the task must be a string"):
            atlas.query(123, QueryOptions(), reader)  # type: ignore[arg-type]
    finally:
        reader.close()


@pytest.mark.parametrize(
    ("call", "message"),
    [
        (lambda repo: repo.render(None), "render takes a query's result, a selection or a list"),
        (lambda repo: repo.render([123]), "render's files must be paths, SelectedFile"),
        (lambda repo: repo.render([{"Path": 5}]), "render's files must be paths"),
        (lambda repo: repo.render(["README.md"], max_tokens=-1), "max_tokens must be a whole"),
        (lambda repo: repo.render(["README.md"], max_tokens="9"), "max_tokens must be a whole"),
        (lambda repo: repo.render(["README.md"], style=None), "style must be a string"),
        (lambda repo: repo.render(["README.md"], task=1), "task must be a string or None"),
        (lambda repo: repo.render(["README.md"], allow_secrets="no"), "allow_secrets must be"),
        (lambda repo: repo.index(force="no"), "force must be True or False, not 'no'"),
        (lambda repo: repo.index(keep_existing=1), "keep_existing must be True or False"),
        (lambda repo: repo.index(enable="embed"), r"give enable=\['embed'\]"),
        (lambda repo: repo.index(progress=5), "progress must be a function or None"),
    ],
)
def test_a_wrong_render_or_index_argument_is_a_usage_error(
    repo_path: Path, call: Any, message: str
) -> None:
    with _open(repo_path) as repo, pytest.raises(UsageError, match=message):
        call(repo)
    assert not (repo_path / ".atlas").exists()  # index(force="no") built nothing


def test_render_still_takes_what_it_documents(repo_path: Path) -> None:
    with _open(repo_path) as repo:
        result = repo.query("retry")
        rows = [result.selection.files[0], {"Path": "README.md"}, "src/users/models.py"]
        assert repo.render(rows).included == [
            result.selection.files[0].path,
            "README.md",
            "src/users/models.py",
        ]


@pytest.mark.parametrize(
    ("kwargs", "message"),
    [
        ({"path": 123}, "path must be a directory's path"),
        ({"path": b"."}, "path must be a directory's path"),
        ({"preset": 5}, "preset must be a string or None, not 5"),
        ({"on_message": "stderr"}, "on_message must be a function or None"),
        (
            {"config": {"presets": {"x": {"signals": {"nope": 1}}}}},
            "unknown signal 'nope' in preset 'x'",
        ),
        (
            {"config": {"presets": {"x": {"extends": "fast", "fuser": "nope"}}}},
            "unknown fuser 'nope' in preset 'x'",
        ),
        ({"config": {"signals": {"nosuch": {"a": 1}}}}, "unknown signal 'nosuch'"),
        ({"config": {"signals": {"bm25f": {"nope": 1}}}}, "nope"),
        ({"config": {"pipeline": {"walker": "nope"}}}, "unknown walker 'nope'"),
    ],
)
def test_open_checks_its_arguments_and_the_config_names(
    repo_path: Path, kwargs: dict[str, Any], message: str
) -> None:
    path = kwargs.pop("path", repo_path)
    with pytest.raises(UsageError, match=message) as caught:
        _open(path, **kwargs)
    assert "\n" not in str(caught.value)


def test_open_accepts_names_of_shipped_plugins_not_installed(repo_path: Path) -> None:
    """As the command line: a shared config may name atlas-git's signals without it."""
    table = {"presets": {"x": {"extends": "fast", "signals": {"git_cochange": 0.5}}}}
    with _open(repo_path, config=table, preset="x") as repo:
        assert repo.query("retry").selection.preset == "x"


@pytest.mark.parametrize(
    ("task", "why"),
    [
        ("!!!", ""),
        ("\U0001f525", ""),
        ("the of and to", "common words"),
        ("a", "one-letter words"),
        ("à в", "one-letter words"),  # one-letter words of other scripts too
    ],
)
def test_a_task_without_searchable_words_warns(repo_path: Path, task: str, why: str) -> None:
    with _open(repo_path) as repo:
        result = repo.query(task)
        warnings = [n.message for n in result.notes if n.level == "warning"]
        assert len(warnings) == 1 and "the task has no searchable words" in warnings[0]
        assert why in warnings[0] and "path, history and graph only" in warnings[0]
        # with seeds there is something to rank by: no warning
        seeded = repo.query(task, seeds=["src/payments/client.py"])
        assert not [n for n in seeded.notes if "searchable" in n.message]
        assert not [n for n in repo.query("retry").notes if "searchable" in n.message]
    cli = run_atlas("--root", str(repo_path), "query", task, "--format", "compact")
    assert cli.code == 0 and cli.stdout
    assert "atlas: warning: the task has no searchable words" in cli.stderr
    explain = run_atlas("--root", str(repo_path), "explain", task)
    assert explain.code == 0 and "no searchable words" in explain.stderr


@pytest.mark.parametrize("task", ["中文任务", "修复登录错误", "получить данные", "ログイン"])
def test_a_task_in_other_scripts_is_searched(repo_path: Path, task: str) -> None:
    # every non-ASCII character separated words: such a task had none and warned
    with _open(repo_path) as repo:
        assert not [n for n in repo.query(task).notes if "searchable" in n.message]
    cli = run_atlas("--root", str(repo_path), "query", task, "--format", "compact")
    assert cli.code == 0 and "searchable" not in cli.stderr
