"""A tree's ``.git`` file is followed only to the tree's own repository."""

from __future__ import annotations

import json
import subprocess
from pathlib import Path

import pytest

from atlas_core.gitlink import _REPOSITORY_VARS, foreign_git_dir, git_environment
from atlas_core.testing import run_atlas


def git(*args: str) -> None:
    subprocess.run(["git", *args], check=True, capture_output=True)


@pytest.fixture(autouse=True)
def no_parent_repo(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("GIT_CEILING_DIRECTORIES", str(tmp_path))
    monkeypatch.delenv("GIT_DIR", raising=False)


@pytest.fixture
def checkout(tmp_path: Path) -> Path:
    """Someone else's checkout: a repository with a work tree of its own."""
    root = tmp_path / "private"
    git("init", "-q", str(root))
    return root


def test_a_plain_repository_and_no_repository_are_the_trees_own(
    tmp_path: Path, checkout: Path
) -> None:
    assert foreign_git_dir(checkout) is None
    assert foreign_git_dir(tmp_path / "nowhere") is None


def test_a_link_to_another_checkout_is_refused(tmp_path: Path, checkout: Path) -> None:
    tree = tmp_path / "unpacked"
    tree.mkdir()
    (tree / ".git").write_text(f"gitdir: {checkout / '.git'}\n")
    assert "is not this tree's repository" in (foreign_git_dir(tree) or "")
    (tree / ".git").unlink()
    (tree / ".git").symlink_to(checkout / ".git")
    assert "is not this tree's repository" in (foreign_git_dir(tree) or "")


def test_a_bare_repository_is_refused(tmp_path: Path) -> None:
    bare = tmp_path / "server.git"
    git("init", "-q", "--bare", str(bare))
    tree = tmp_path / "unpacked"
    tree.mkdir()
    (tree / ".git").write_text(f"gitdir: {bare}\n")
    assert foreign_git_dir(tree) is not None


def test_links_git_writes_are_followed(tmp_path: Path, checkout: Path) -> None:
    (checkout / "a.py").write_text("x = 1\n")
    git("-C", str(checkout), "add", "a.py")
    git("-C", str(checkout), "-c", "user.name=t", "-c", "user.email=t@e", "commit", "-qm", "a")
    linked = tmp_path / "linked"
    git("-C", str(checkout), "worktree", "add", "-q", str(linked))
    assert foreign_git_dir(linked) is None
    separate = tmp_path / "separate"
    git("init", "-q", f"--separate-git-dir={tmp_path / 'separate-git'}", str(separate))
    assert foreign_git_dir(separate) is None
    inside = tmp_path / "inside"
    git("init", "-q", f"--separate-git-dir={inside / 'meta'}", str(inside))
    assert foreign_git_dir(inside) is None


def test_a_submodule_links_back_through_core_worktree(tmp_path: Path) -> None:
    modules = tmp_path / "super" / ".git" / "modules" / "lib"
    modules.mkdir(parents=True)
    sub = tmp_path / "super" / "lib"
    sub.mkdir()
    (modules / "config").write_text("[core]\n\tbare = false\n\tworktree = ../../../lib\n")
    (sub / ".git").write_text("gitdir: ../.git/modules/lib\n")
    assert foreign_git_dir(sub) is None
    (modules / "config").write_text("[core]\n\tworktree = ../../../elsewhere\n")
    assert foreign_git_dir(sub) is not None


def test_diff_refuses_in_one_line(tmp_path: Path, checkout: Path) -> None:
    tree = tmp_path / "unpacked"
    tree.mkdir()
    (tree / "a.py").write_text("def f():\n    pass\n")
    (tree / ".git").write_text(f"gitdir: {checkout / '.git'}\n")
    done = run_atlas("--root", str(tree), "query", "", "--diff")
    assert done.code == 2
    assert done.stderr.count("\n") == 1 and "is not this tree's repository" in done.stderr


def test_git_runs_without_the_variables_that_choose_a_repository(
    tmp_path: Path, checkout: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """git sets ``GIT_DIR`` for a hook: ``--diff`` from one still compares the tree it was
    given, and the environment every git call gets leaves out all that git itself clears
    on entering another repository."""
    (checkout / "private.py").write_text("secret = 1\n")  # untracked in the other checkout
    tree = tmp_path / "tree"
    git("init", "-q", str(tree))
    (tree / "a.py").write_text("def f():\n    pass\n")
    git("-C", str(tree), "add", "a.py")
    git("-C", str(tree), "-c", "user.name=t", "-c", "user.email=t@e", "commit", "-qm", "a")
    (tree / "a.py").write_text("def f():\n    return 1\n")
    monkeypatch.setenv("GIT_DIR", str(checkout / ".git"))
    monkeypatch.setenv("GIT_WORK_TREE", str(checkout))
    monkeypatch.setenv("GIT_CONFIG_COUNT", "1")
    monkeypatch.setenv("GIT_CONFIG_KEY_0", "core.worktree")
    monkeypatch.setenv("GIT_CONFIG_VALUE_0", str(checkout))
    done = run_atlas("--root", str(tree), "query", "", "--diff", "--format", "jsonl")
    assert done.code == 0, done.stderr
    assert json.loads(done.stdout.splitlines()[0])["Seeds"] == ["a.py"]
    env = git_environment(LC_ALL="C")
    assert env["LC_ALL"] == "C" and env["GIT_CEILING_DIRECTORIES"] == str(tmp_path)
    assert not {k for k in env if k.startswith(("GIT_DIR", "GIT_WORK", "GIT_CONFIG_"))}
    listed = subprocess.run(
        ["git", "rev-parse", "--local-env-vars"], capture_output=True, text=True, check=True
    )
    assert not set(listed.stdout.split()) - _REPOSITORY_VARS


def test_a_git_dir_from_the_environment_does_not_excuse_a_foreign_link(
    tmp_path: Path, checkout: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    tree = tmp_path / "unpacked"
    tree.mkdir()
    (tree / ".git").write_text(f"gitdir: {checkout / '.git'}\n")
    monkeypatch.setenv("GIT_DIR", str(checkout / ".git"))
    assert "is not this tree's repository" in (foreign_git_dir(tree) or "")
