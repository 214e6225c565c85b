"""The signals: recency ordering, co-change boosting, the big-commit discount."""

from __future__ import annotations

import numpy as np
import pytest
from atlas_git.signals import GitCochange, GitRecency

from atlas_core.errors import UsageError


def _recency(pipeline, root) -> dict[str, float]:
    atlas, reader = pipeline.indexed(root)
    return pipeline.by_path(reader, GitRecency().score(pipeline.context(atlas, reader)))


def _cochange(pipeline, root, seeds: dict[str, float]) -> dict[str, float]:
    atlas, reader = pipeline.indexed(root)
    ctx = pipeline.context(atlas, reader)
    base = np.zeros(len(reader))
    for path, value in seeds.items():
        base[reader.ids[path]] = value
    ctx.results["bm25f"] = base
    return pipeline.by_path(reader, GitCochange().score(ctx))


def test_recency_prefers_recent_and_frequent_changes(git_repo, pipeline) -> None:
    repo = git_repo()
    repo.commit(0, {"stale.py": "s", "old.py": "o", "hot.py": "h", "new.py": "n"})
    for day in (10, 20, 30):
        repo.commit(day, {"old.py": f"o{day}"})
    repo.commit(700, {"new.py": "n2"})
    for day in (690, 695, 700.5):
        repo.commit(day, {"hot.py": f"h{day}"})
    scores = _recency(pipeline, repo.root)
    assert scores["hot.py"] > scores["new.py"] > scores["old.py"] > scores["stale.py"]
    assert scores["stale.py"] > 0  # in the window, only long ago
    assert scores["new.py"] == pytest.approx(1.0, abs=0.01)  # age 0 counts 1


def test_half_life_is_configurable(git_repo, pipeline) -> None:
    repo = git_repo()
    repo.commit(0, {"a.py": "a"})
    repo.commit(10, {"b.py": "b"})
    (repo.root / "atlas.toml").write_text("[signals.git_recency]\nhalf_life_days = 10\n")
    scores = _recency(pipeline, repo.root)
    assert scores["b.py"] == pytest.approx(1.0)
    assert scores["a.py"] == pytest.approx(0.5)


def test_a_mass_change_does_not_make_every_file_recent(git_repo, pipeline) -> None:
    repo = git_repo()
    files = {f"pkg/m{i}.py": "x" for i in range(30)}
    repo.commit(0, {**files, "focused.py": "f"})
    repo.commit(50, {"focused.py": "g"})
    repo.commit(50, {name: "reformatted" for name in files}, "reformat")
    scores = _recency(pipeline, repo.root)
    # same day, but one focused commit outweighs one 30-file commit
    assert scores["focused.py"] > 3 * scores["pkg/m1.py"]


def test_cochange_boosts_the_partner_of_the_best_match(git_repo, pipeline) -> None:
    repo = git_repo()
    repo.commit(0, {"server.py": "s", "handlers.py": "h", "client.py": "c", "util.py": "u"})
    for day in range(1, 6):
        repo.commit(day, {"server.py": f"s{day}", "handlers.py": f"h{day}"})
    repo.commit(7, {"server.py": "s7", "util.py": "u7"})
    repo.commit(8, {"client.py": "c8"})
    scores = _cochange(pipeline, repo.root, {"server.py": 1.0, "client.py": 0.05})
    # handlers changed with server five times out of seven, util once, client never
    assert scores["handlers.py"] > scores["util.py"] > 0
    assert scores["client.py"] < scores["util.py"]
    assert scores["server.py"] == 0.0  # a seed is not its own partner


def test_cochange_discounts_big_commits(git_repo, pipeline) -> None:
    repo = git_repo()
    crowd = {f"lib/x{i}.py": "x" for i in range(20)}
    repo.commit(0, {"core.py": "c", "pair.py": "p", "wide.py": "w", **crowd})
    repo.commit(1, {"core.py": "c1", "pair.py": "p1"})
    repo.commit(2, {"core.py": "c2", "wide.py": "w2", **{k: "y" for k in crowd}})
    scores = _cochange(pipeline, repo.root, {"core.py": 1.0})
    assert scores["pair.py"] > 2 * scores["wide.py"] > 0


def test_cochange_ignores_weak_seeds(git_repo, pipeline) -> None:
    repo = git_repo()
    repo.commit(0, {"a.py": "a", "b.py": "b"})
    repo.commit(1, {"a.py": "a1", "b.py": "b1"})
    scores = _cochange(pipeline, repo.root, {"a.py": 0.1})
    assert scores["b.py"] > 0  # the only match is a seed, however weak
    strong = _cochange(pipeline, repo.root, {"a.py": 0.05, "b.py": 1.0})
    assert strong["b.py"] == 0.0  # a.py is below min_seed_score next to b.py
    assert strong["a.py"] > 0


def test_seed_norm_one_gives_the_confidence(git_repo, pipeline) -> None:
    repo = git_repo()
    repo.commit(0, {"a.py": "a"})
    for day in (1, 2, 3):
        repo.commit(day, {"a.py": f"a{day}", "b.py": f"b{day}"})
    (repo.root / "atlas.toml").write_text("[signals.git_cochange]\nseed_norm = 1.0\n")
    scores = _cochange(pipeline, repo.root, {"a.py": 1.0})
    assert scores["b.py"] == pytest.approx(3 / 4)  # b changed in 3 of a's 4 commits
    (repo.root / "atlas.toml").write_text("[signals.git_cochange]\nseed_norm = 0.0\n")
    assert _cochange(pipeline, repo.root, {"a.py": 1.0})["b.py"] == pytest.approx(3.0)


def test_query_ranks_the_cochanged_file_above_an_unrelated_one(git_repo, pipeline) -> None:
    repo = git_repo()
    repo.commit(
        0,
        {
            "retry.py": "def retry_request(): pass",
            "transport.py": "def send(): pass",
            "cookies.py": "def jar(): pass",
        },
    )
    for day in range(1, 5):
        repo.commit(day, {"retry.py": f"# r{day}", "transport.py": f"# t{day}"})
    repo.commit(6, {"cookies.py": "# c"})
    result = pipeline.query(repo.root, "retry request")
    paths = [f.path for f in result.selection.files]
    assert paths[0] == "retry.py"
    assert paths.index("transport.py") < paths.index("cookies.py")
    assert set(result.selection.signals) >= {"git_recency", "git_cochange"}
    assert result.selection.missing_signals == []


def test_bad_signal_config_is_a_clear_error(git_repo, pipeline) -> None:
    repo = git_repo()
    repo.commit(0, {"a.py": "a"})
    atlas, reader = pipeline.indexed(repo.root)
    ctx = pipeline.context(atlas, reader)
    ctx.results["bm25f"] = np.ones(len(reader))
    ctx.settings = {"git_cochange": {"seed": 3}}
    with pytest.raises(UsageError, match="unknown config key 'seed' for git_cochange"):
        GitCochange().score(ctx)
    # in the config file, the same mistake stops Atlas as it loads, before any query
    (repo.root / "atlas.toml").write_text("[signals.git_cochange]\nseed = 3\n")
    with pytest.raises(UsageError, match="unknown config key 'seed' for git_cochange"):
        pipeline.make_atlas(repo.root)


def test_a_record_from_an_older_index_is_mapped_by_path(git_repo, pipeline, monkeypatch) -> None:
    from atlas_git.contributor import GitHistory

    repo = git_repo()
    repo.commit(0, {"b.py": "b", "c.py": "c"})
    repo.commit(5, {"c.py": "c2"})
    atlas, _ = pipeline.indexed(repo.root)

    def broken(self, view, previous):
        raise RuntimeError("boom")

    monkeypatch.setattr(GitHistory, "contribute", broken)
    (repo.root / "a.py").write_text("a = 1\n")  # sorts first: every file id moves
    report = atlas.index()
    assert report.contributors["git"] == "failed"
    reader = atlas.reader()
    assert reader.extra("git")["generation"] != reader.generation
    scores = pipeline.by_path(reader, GitRecency().score(pipeline.context(atlas, reader)))
    assert scores["a.py"] == 0.0
    assert scores["c.py"] > scores["b.py"] > 0


def test_a_seed_drives_cochange_and_names_its_partners(git_repo, pipeline) -> None:
    repo = git_repo()
    repo.commit(0, {"api.py": "a", "api_test.py": "t", "other.py": "o", "far.py": "f"})
    for day in (1, 2, 3):
        repo.commit(day, {"api.py": f"a{day}", "api_test.py": f"t{day}"})
    repo.commit(4, {"api.py": "a4", "other.py": "o4"})
    atlas, reader = pipeline.indexed(repo.root)
    ctx = pipeline.context(atlas, reader, task="")
    ctx.results["bm25f"] = np.zeros(len(reader))  # no text match at all: the seed alone
    ctx.seeds = [reader.ids["api.py"]]
    scores = pipeline.by_path(reader, GitCochange().score(ctx))
    assert scores["api_test.py"] > scores["other.py"] > scores["far.py"] > 0
    ties = {reader.paths[t.id]: t for t in GitCochange().related(ctx, ctx.seeds)}
    assert {p: t.detail for p, t in ties.items()} == {
        "api_test.py": "co-changed 4 times",
        "other.py": "co-changed 2 times",
        "far.py": "co-changed once",
    }
    assert ties["api_test.py"].strength > ties["other.py"].strength > ties["far.py"].strength
