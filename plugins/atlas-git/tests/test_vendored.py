"""A library copied into the source tree: licensed, and rarely touched by the project's own
commits. Its files' path prior is multiplied by the vendor role's; a maintained fork's is not."""

from __future__ import annotations

from pathlib import Path

import pytest
from atlas_git.contributor import GitHistory

BODY = "def parse_number(text):\n    return float(text)\n"


def _project(git_repo, *, fork_commits: int, total: int = 30):
    """``src/app/`` worked on by every commit; ``src/decnum/`` (licensed, copied in on day
    0) touched again by ``fork_commits`` of them."""
    repo = git_repo()
    files = {f"src/app/mod{i}.py": f"x{i} = {i}" for i in range(6)}
    files |= {"src/decnum/LICENSE": "ICU License", "src/decnum/number.py": BODY}
    files |= {"src/app/numbers.py": BODY}
    repo.commit(0, files, "import decnum")
    for day in range(1, total):
        change = {f"src/app/mod{day % 6}.py": f"y{day}"}
        if day <= fork_commits:
            change["src/decnum/number.py"] = f"# fix {day}"
        repo.commit(day, change, f"change {day}")
    return repo


def _path_score(result, rel: str) -> float:
    return float(result.raw_scores["path"][result.reader.paths.index(rel)])


def test_a_licensed_directory_the_history_leaves_alone_is_demoted(git_repo, pipeline) -> None:
    repo = _project(git_repo, fork_commits=0)
    result = pipeline.query(repo.root, "parse number")
    copied, own = (
        _path_score(result, "src/decnum/number.py"),
        _path_score(result, "src/app/numbers.py"),
    )
    # the same prior (a file two directories down, under src/) but for the factor
    assert copied == pytest.approx(GitHistory.Config().vendored_factor * own)
    assert result.selection.files[0].path == "src/app/numbers.py"
    notes = [n.message for n in result.notes]
    assert (
        "src/decnum/ is a library copied in (its own LICENSE; 1 of the last 30 commits touch "
        "it): path prior x0.3 (2 files)"
    ) in notes
    described = GitHistory().describe(result.reader.extra("git"))
    assert described["VendoredDirs"] == [
        "src/decnum/ (its own LICENSE; 1 of 30 commits; path prior x0.3)"
    ]


def test_a_fork_the_project_works_on_keeps_its_prior(git_repo, pipeline) -> None:
    repo = _project(git_repo, fork_commits=12)
    result = pipeline.query(repo.root, "parse number")
    assert _path_score(result, "src/decnum/number.py") == _path_score(result, "src/app/numbers.py")
    assert "VendoredDirs" not in GitHistory().describe(result.reader.extra("git"))


def test_a_short_history_says_nothing(git_repo, pipeline) -> None:
    repo = _project(git_repo, fork_commits=0, total=10)
    result = pipeline.query(repo.root, "parse number")
    assert _path_score(result, "src/decnum/number.py") == _path_score(result, "src/app/numbers.py")


def test_factor_one_turns_the_check_off(git_repo, pipeline) -> None:
    repo = _project(git_repo, fork_commits=0)
    Path(repo.root, "atlas.toml").write_text("[contributors.git]\nvendored_factor = 1.0\n")
    result = pipeline.query(repo.root, "parse number")
    assert _path_score(result, "src/decnum/number.py") == _path_score(result, "src/app/numbers.py")
    assert not result.reader.extra("git")["vendored"]


def test_a_new_file_in_the_copied_library_is_demoted_too(git_repo, pipeline) -> None:
    """The ids are worked out for each index generation, not only when HEAD moves."""
    repo = _project(git_repo, fork_commits=0)
    pipeline.query(repo.root, "parse number")
    (repo.root / "src/decnum/extra.py").write_text(BODY)  # not committed
    result = pipeline.query(repo.root, "parse number")
    # neither name holds a task word; both are small files two directories down
    assert _path_score(result, "src/decnum/extra.py") == pytest.approx(
        GitHistory.Config().vendored_factor * _path_score(result, "src/app/mod0.py")
    )


def test_many_copied_libraries_are_grouped(git_repo, pipeline) -> None:
    """A tree with hundreds of licensed directories (an unreviewed one, say): each is
    checked, and -v and atlas inspect name ten and sum up the rest."""
    repo = git_repo()
    files = {f"src/app/mod{i}.py": f"x{i} = {i}" for i in range(6)}
    for k in range(300):
        files |= {f"src/libs/l{k}/LICENSE": "MIT", f"src/libs/l{k}/number.py": BODY}
    repo.commit(0, files, "import libraries")
    for day in range(1, 30):
        repo.commit(day, {f"src/app/mod{day % 6}.py": f"y{day}"}, f"change {day}")
    result = pipeline.query(repo.root, "parse number")
    notes = [n.message for n in result.notes if "copied in" in n.message]
    assert (
        len(notes) == 11
        and notes[-1] == "290 more libraries copied in: path prior x0.3 (580 files)"
    )
    described = GitHistory().describe(result.reader.extra("git"))["VendoredDirs"]
    assert len(described) == 11 and described[-1] == "... and 290 more"


def test_damaged_prior_factors_are_computed_again(git_repo, pipeline) -> None:
    repo = _project(git_repo, fork_commits=0)
    pipeline.query(repo.root, "parse number")
    (repo.root / ".atlas/extras/git.priors.msgpack").write_bytes(b"garbage")
    result = pipeline.query(repo.root, "parse number")
    copied = _path_score(result, "src/decnum/number.py")
    assert copied == pytest.approx(
        GitHistory.Config().vendored_factor * _path_score(result, "src/app/numbers.py")
    )


def test_an_odd_directory_name_is_shown_escaped(git_repo, pipeline) -> None:
    """A backslash and an escape sequence in the copied library's name are shown as
    Atlas shows paths, in -v and in atlas inspect."""
    repo = git_repo()
    odd = "src/dec\\num\x1b[31m"
    files = {f"src/app/mod{i}.py": f"x{i} = {i}" for i in range(6)}
    files |= {f"{odd}/LICENSE": "ICU License", f"{odd}/number.py": BODY}
    repo.commit(0, files, "import decnum")
    for day in range(1, 30):
        repo.commit(day, {f"src/app/mod{day % 6}.py": f"y{day}"}, f"change {day}")
    result = pipeline.query(repo.root, "parse number")
    shown = "src/dec\\\\num\\x1b[31m/"
    assert any(n.message.startswith(f"{shown} is a library copied in") for n in result.notes)
    described = GitHistory().describe(result.reader.extra("git"))
    assert described["VendoredDirs"][0].startswith(f"{shown} (its own LICENSE;")
