"""No usable history: the signals are absent, say why under -v, and nothing fails."""

from __future__ import annotations

import shutil
import subprocess
from pathlib import Path

import pytest

from atlas_core.engine import QueryOptions
from atlas_core.testing import run_atlas

FILES = {"src/retry.py": "def retry_request():\n    pass\n", "src/other.py": "x = 1\n"}


def _write(root: Path) -> Path:
    for rel, text in FILES.items():
        (root / rel).parent.mkdir(parents=True, exist_ok=True)
        (root / rel).write_text(text)
    return root


def _assert_absent(pipeline, root: Path, reason: str) -> None:
    atlas = pipeline.make_atlas(root)
    report = atlas.index()
    assert not report.errors
    result = atlas.query("retry request", QueryOptions(preset="gittest"), atlas.reader())
    assert result.selection.files[0].path == "src/retry.py"
    assert set(result.selection.missing_signals) == {"git_recency", "git_cochange"}
    notes = "\n".join(n.message for n in result.notes)
    assert f"signal git_recency is unavailable: {reason}" in notes
    assert f"signal git_cochange is unavailable: {reason}" in notes


def test_not_a_repository(tmp_path: Path, pipeline) -> None:
    _assert_absent(pipeline, _write(tmp_path / "plain"), "not a git repository")


def test_repository_without_commits(git_repo, pipeline) -> None:
    repo = git_repo()
    _write(repo.root)
    _assert_absent(pipeline, repo.root, "the git repository has no commits yet")


def test_shallow_clone(git_repo, tmp_path: Path, pipeline) -> None:
    repo = git_repo("origin")
    _write(repo.root)
    repo.commit(0, {"src/retry.py": "# a"})
    repo.commit(1, {"src/retry.py": "# b"})
    clone = tmp_path / "shallow"
    subprocess.run(
        ["git", "clone", "-q", "--depth", "1", f"file://{repo.root}", str(clone)], check=True
    )
    _assert_absent(pipeline, clone, "shallow clone: the history is cut short")


def test_git_missing(git_repo, tmp_path: Path, monkeypatch: pytest.MonkeyPatch, pipeline) -> None:
    repo = git_repo()
    _write(repo.root)
    repo.commit(0, {"src/retry.py": "# a"})
    empty = tmp_path / "bin"
    empty.mkdir()
    monkeypatch.setenv("PATH", str(empty))
    assert shutil.which("git") is None
    _assert_absent(pipeline, repo.root, "git is not installed (not found on PATH)")


def test_git_installed_later_is_noticed(
    git_repo, tmp_path: Path, monkeypatch: pytest.MonkeyPatch, pipeline
) -> None:
    repo = git_repo()
    _write(repo.root)
    repo.commit(0, {"src/retry.py": "# a"})
    with monkeypatch.context() as patch:
        patch.setenv("PATH", str(tmp_path))
        atlas = pipeline.make_atlas(repo.root)
        atlas.index()
        assert atlas.reader().extra("git")["status"] == "absent"
    atlas = pipeline.make_atlas(repo.root)
    assert atlas.index().contributors["git"] == "updated"
    assert atlas.reader().extra("git")["status"] == "ok"


def test_cli_verbose_says_why(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("ATLAS_LOAD_PLUGINS", "git")
    root = _write(tmp_path / "plain")
    quiet = run_atlas(
        "--root", str(root), "quick", "retry request", "-p", "thorough", "--format", "jsonl"
    )
    assert quiet.code == 0
    assert quiet.stderr == ""
    assert quiet.json_lines()[1]["Path"] == "src/retry.py"
    loud = run_atlas(
        "--root", str(root), "-v", "quick", "retry request", "-p", "thorough", "--format", "jsonl"
    )
    assert loud.code == 0
    assert "signal git_recency is unavailable: not a git repository" in loud.stderr
    assert "signal git_cochange is unavailable: not a git repository" in loud.stderr
    assert "contributor git: fresh" in loud.stderr  # nothing changed since the first run


def test_cli_with_history(git_repo, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("ATLAS_LOAD_PLUGINS", "git")
    repo = git_repo()
    _write(repo.root)
    repo.commit(0, {"src/retry.py": "# a", "src/other.py": "# b"})
    result = run_atlas(
        "--root",
        str(repo.root),
        "-v",
        "quick",
        "retry request",
        "-p",
        "thorough",
        "--format",
        "jsonl",
    )
    assert result.code == 0
    assert "git_recency is unavailable" not in result.stderr
    assert "signal.git_recency" in result.stderr  # it ran (timings line)
    top = result.json_lines()[1]
    assert top["Path"] == "src/retry.py"
    assert top["Signals"]["git_recency"] > 0


def test_cli_without_the_plugin_thorough_still_runs(tmp_path: Path) -> None:
    root = _write(tmp_path / "plain")
    result = run_atlas(
        "--root", str(root), "-v", "quick", "retry request", "-p", "thorough", "--format", "jsonl"
    )
    assert result.code == 0
    assert "signal git_recency is not installed (preset thorough)" in result.stderr


def test_cli_bad_config_is_one_line(git_repo, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("ATLAS_LOAD_PLUGINS", "git")
    repo = git_repo()
    _write(repo.root)
    repo.commit(0, {"src/retry.py": "# a"})
    (repo.root / "atlas.toml").write_text("[signals.git_recency]\nhalf_life = 3\n")
    result = run_atlas("--root", str(repo.root), "quick", "retry", "-p", "thorough")
    assert result.code == 2
    assert result.stderr.strip().count("\n") == 0
    assert "unknown config key 'half_life' for git_recency" in result.stderr


def test_broken_repository_is_absent_with_gits_message(git_repo, pipeline) -> None:
    repo = git_repo()
    _write(repo.root)
    repo.commit(0, {"src/retry.py": "# a"})
    repo.commit(1, {"src/other.py": "# b"})
    tree = repo.git("rev-parse", "HEAD~1^{tree}")
    (repo.root / ".git" / "objects" / tree[:2] / tree[2:]).unlink()  # git log must fail
    atlas = pipeline.make_atlas(repo.root)
    assert not atlas.index().errors
    data = atlas.reader().extra("git")
    assert data["status"] == "absent"
    assert data["reason"].startswith("git log failed: ")
    assert f"unable to read tree {tree}" in data["reason"]


def test_a_git_file_naming_another_checkout_is_not_followed(git_repo, tmp_path, pipeline) -> None:
    """An unpacked archive's ``.git`` file may name any repository on the machine: its
    history is not read (the signals are absent and say why)."""
    private = git_repo("private")
    private.commit(0, {"secret.py": "x = 1"}, message="a private commit")
    tree = _write(tmp_path / "unpacked")
    (tree / ".git").write_text(f"gitdir: {private.root / '.git'}\n")
    why = f"{tree / '.git'} points at {private.root / '.git'}, which is not this tree's repository"
    _assert_absent(pipeline, tree, why)


def test_a_linked_work_tree_reads_its_repository(git_repo, tmp_path, pipeline) -> None:
    repo = git_repo()
    _write(repo.root)
    repo.commit(0, dict.fromkeys(FILES, "# edit"))
    linked = tmp_path / "linked"
    repo.git("worktree", "add", "-q", str(linked))
    atlas, reader = pipeline.indexed(linked)
    result = atlas.query("retry request", QueryOptions(preset="gittest"), reader)
    assert not result.selection.missing_signals
