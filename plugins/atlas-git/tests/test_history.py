"""The ``git`` contributor: what it reads, what it keeps, and incremental updates."""

from __future__ import annotations

import json
import os
from pathlib import Path

from atlas_git.contributor import GitHistory
from atlas_git.history import FORMAT, History
from atlas_git.signals import GitRecency


def _record(reader: object) -> dict[str, object]:
    data = reader.extra("git")  # type: ignore[attr-defined]
    assert isinstance(data, dict)
    return data


def test_second_run_reads_only_the_new_commits(git_repo, pipeline) -> None:
    repo = git_repo()
    for day in range(5):
        repo.commit(day, {f"f{day}.py": f"x = {day}"})
    atlas, reader = pipeline.indexed(repo.root)
    first = _record(reader)
    assert first["status"] == "ok"
    assert (first["mode"], first["read"], first["head"]) == ("full", 5, repo.head())

    repo.commit(10, {"f0.py": "y = 1"})
    repo.commit(11, {"new.py": "z = 2", "f1.py": "w = 3"})
    atlas.index()
    second = _record(atlas.reader())
    assert (second["mode"], second["read"], second["head"]) == ("incremental", 2, repo.head())
    history = History.from_record(second)
    assert len(history) == 7
    # newest first: the last commit's files, then the one before
    newest = {history.paths[i] for i in history.files[history.offsets[0] : history.offsets[1]]}
    assert newest == {"new.py", "f1.py"}
    assert int(history.times[0]) > int(history.times[-1])


def test_nothing_new_reads_nothing_and_file_edits_remap(git_repo, pipeline, monkeypatch) -> None:
    import subprocess

    repo = git_repo()
    repo.commit(0, {"a.py": "a = 1"})
    repo.commit(1, {"b.py": "b = 1"})
    atlas, _ = pipeline.indexed(repo.root)
    # an uncommitted new file changes the index but not HEAD: git is not even started

    def no_git(*args, **kwargs):
        raise AssertionError(f"git was run: {args}")

    monkeypatch.setattr(subprocess, "run", no_git)
    monkeypatch.setattr(subprocess, "Popen", no_git)
    (repo.root / "c.py").write_text("c = 1\n")
    report = atlas.index()
    assert report.contributors["git"] == "updated"
    data = _record(atlas.reader())
    assert (data["mode"], data["read"]) == ("unchanged", 0)
    assert History.from_record(data).paths == ["b.py", "a.py"]
    # nothing changed at all: the contributor is not even asked
    assert atlas.index().contributors["git"] == "fresh"


def test_rewritten_history_is_read_again(git_repo, pipeline) -> None:
    repo = git_repo()
    repo.commit(0, {"a.py": "a = 1"})
    repo.commit(1, {"b.py": "b = 1"})
    atlas, _ = pipeline.indexed(repo.root)
    repo.git("reset", "-q", "--hard", "HEAD~1")
    repo.commit(2, {"c.py": "c = 1"})  # HEAD is no longer a descendant of the stored one
    atlas.index()
    data = _record(atlas.reader())
    assert (data["mode"], data["read"]) == ("full", 2)
    assert set(data["paths"]) == {"a.py", "c.py"}


def test_window_is_relative_to_the_newest_commit(git_repo, pipeline) -> None:
    repo = git_repo()
    repo.commit(0, {"old.py": "o = 1"})
    repo.commit(300, {"mid.py": "m = 1"})
    repo.commit(400, {"new.py": "n = 1"})
    (repo.root / "atlas.toml").write_text(
        "[contributors.git]\nlookback_days = 200\nmessage_commits = 0\n"
    )
    _, reader = pipeline.indexed(repo.root)
    data = _record(reader)
    # the commits are from 2020: a wall-clock window would have kept none of them
    assert set(data["paths"]) == {"mid.py", "new.py"}
    assert data["read"] == 2  # git was stopped at the first commit outside the window


def test_max_commits_bounds_the_history(git_repo, pipeline) -> None:
    repo = git_repo()
    for day in range(6):
        repo.commit(day, {f"f{day}.py": "x"})
    (repo.root / "atlas.toml").write_text(
        "[contributors.git]\nmax_commits = 3\nmessage_commits = 0\n"
    )
    atlas, reader = pipeline.indexed(repo.root)
    assert set(_record(reader)["paths"]) == {"f3.py", "f4.py", "f5.py"}
    repo.commit(7, {"f6.py": "x"})
    atlas.index()
    data = _record(atlas.reader())
    assert data["mode"] == "incremental"
    assert set(data["paths"]) == {"f4.py", "f5.py", "f6.py"}  # oldest dropped, table compacted


def test_commits_touching_too_many_files_are_not_kept(git_repo, pipeline) -> None:
    repo = git_repo()
    repo.commit(0, {"a.py": "a", "b.py": "b"})
    repo.commit(1, {f"fmt/f{i}.py": "x" for i in range(12)}, "reformat everything")
    (repo.root / "atlas.toml").write_text("[contributors.git]\nmax_commit_files = 10\n")
    _, reader = pipeline.indexed(repo.root)
    data = _record(reader)
    assert data["big"] == 1
    assert set(data["paths"]) == {"a.py", "b.py"}


def test_changing_the_settings_reads_the_history_again(git_repo, pipeline) -> None:
    repo = git_repo()
    repo.commit(0, {"a.py": "a"})
    repo.commit(100, {"b.py": "b"})
    atlas, _ = pipeline.indexed(repo.root)
    (repo.root / "atlas.toml").write_text(
        "[contributors.git]\nlookback_days = 10\nmessage_commits = 0\n"
    )
    atlas = pipeline.make_atlas(repo.root)
    atlas.index()
    data = _record(atlas.reader())
    assert data["mode"] == "full"
    assert data["paths"] == ["b.py"]


def test_root_inside_a_repository_sees_its_own_paths(git_repo, pipeline) -> None:
    repo = git_repo()
    repo.commit(0, {"app/src/core.py": "c", "other/x.py": "x"})
    repo.commit(1, {"app/src/core.py": "d", "app/util.py": "u"})
    atlas, reader = pipeline.indexed(repo.root / "app")
    data = _record(reader)
    assert data["prefix"] == "app/"
    assert set(data["paths"]) == {"src/core.py", "util.py"}
    history = History.from_record(data)
    assert len(history) == 2  # the commit is kept, the file outside the root is not
    scores = pipeline.by_path(reader, GitRecency().score(pipeline.context(atlas, reader)))
    assert scores["src/core.py"] > scores["util.py"] > 0


def test_git_dir_in_the_environment_is_not_followed(git_repo, pipeline, monkeypatch) -> None:
    """git sets ``GIT_DIR`` (and more) for a hook: Atlas run from one still reads the
    history of the tree it indexes, not the hook's repository."""
    own = git_repo("own")
    head = own.commit(0, {"a.py": "a", "b.py": "b"})
    other = git_repo("other")
    for day in range(3):
        other.commit(day, {"a.py": f"a{day}", "c.py": f"c{day}"})
    for name, value in (
        ("GIT_DIR", other.root / ".git"),
        ("GIT_WORK_TREE", other.root),
        ("GIT_INDEX_FILE", other.root / ".git" / "index"),
        ("GIT_OBJECT_DIRECTORY", other.root / ".git" / "objects"),
        ("GIT_CONFIG_PARAMETERS", "'core.worktree'='/nowhere'"),
    ):
        monkeypatch.setenv(name, str(value))
    _, reader = pipeline.indexed(own.root)
    data = _record(reader)
    assert (data["status"], data["head"]) == ("ok", head)
    assert len(History.from_record(data)) == 1


def _snapshot(git_dir: Path) -> dict[str, tuple[int, int]]:
    out = {}
    for base, _, names in os.walk(git_dir):
        for name in names:
            path = Path(base) / name
            stat = path.stat()
            out[str(path.relative_to(git_dir))] = (stat.st_size, stat.st_mtime_ns)
    return out


def test_the_repository_is_never_written(git_repo, pipeline) -> None:
    repo = git_repo()
    repo.commit(0, {"a.py": "a"})
    repo.commit(1, {"b.py": "b"})
    before = _snapshot(repo.root / ".git")
    atlas, _ = pipeline.indexed(repo.root)
    repo_files = _snapshot(repo.root / ".git")
    assert repo_files == before
    atlas.index(force=True)
    assert _snapshot(repo.root / ".git") == before
    assert repo.git("status", "--porcelain") == ""  # the cache dir ignores itself


def test_describe_summarises_for_inspect(git_repo, pipeline) -> None:
    repo = git_repo()
    repo.commit(0, {"a.py": "a"})
    repo.commit(30, {"a.py": "b", "b.py": "b"})
    _, reader = pipeline.indexed(repo.root)
    summary = GitHistory().describe(_record(reader))
    assert summary == {
        "Status": "ok",
        "Commits": 2,
        "FilesTouched": 2,
        "Head": repo.head()[:12],
        "LastUpdate": "full",
        "CommitsRead": 2,
        "MessageTerms": 1,
        "Span": "2020-01-01 .. 2020-01-31",
    }
    absent = {"format": FORMAT, "status": "absent", "reason": "not a git repository"}
    assert GitHistory().describe(absent) == {
        "Status": "absent",
        "Reason": "not a git repository",
    }


def test_inspect_shows_the_history(git_repo, monkeypatch) -> None:
    from atlas_core.testing import run_atlas

    monkeypatch.setenv("ATLAS_LOAD_PLUGINS", "git")
    repo = git_repo()
    repo.commit(0, {"a.py": "a"})
    assert run_atlas("--root", str(repo.root), "index").code == 0
    result = run_atlas("--root", str(repo.root), "inspect", "--json")
    assert result.code == 0
    details = json.loads(result.stdout)["ExtraDetails"]["git"]
    assert (details["Status"], details["Commits"], details["FilesTouched"]) == ("ok", 1, 1)


def _commits(history: History) -> list[tuple[int, frozenset[str]]]:
    """Each commit as (time, files), in stored order."""
    off = history.offsets
    return [
        (
            int(history.times[k]),
            frozenset(history.paths[i] for i in history.files[off[k] : off[k + 1]]),
        )
        for k in range(len(history))
    ]


def test_a_merged_older_branch_is_read_as_a_first_run_would(git_repo, pipeline, tmp_path) -> None:
    """git log lists a merged branch's commits, dated before the last indexed commit, after
    that commit: prepending them would store another order than a first run on the same
    head, and another window for recency and co-change."""
    repo = git_repo()
    for day in range(4):
        repo.commit(day, {f"m{day}.py": f"m = {day}"})
    repo.git("checkout", "-q", "-b", "side", "HEAD~2")
    repo.commit(2.5, {"side_a.py": "a = 1"})
    repo.commit(2.6, {"side_b.py": "b = 1"})
    repo.git("checkout", "-q", "main")
    repo.commit(5, {"m5.py": "m = 5"})
    atlas, _ = pipeline.indexed(repo.root)
    repo.git("merge", "-q", "--no-ff", "-m", "merge side", "side", day=6)
    atlas.index()
    updated = _record(atlas.reader())
    assert updated["mode"] == "full"

    fresh_repo = git_repo("clone")
    fresh_repo.git("pull", "-q", str(repo.root), "main")
    _, fresh_reader = pipeline.indexed(fresh_repo.root)
    fresh = _record(fresh_reader)
    assert _commits(History.from_record(updated)) == _commits(History.from_record(fresh))
