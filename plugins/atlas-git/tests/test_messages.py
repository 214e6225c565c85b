"""``git_messages``: earlier commit messages like the task, stored with the history."""

from __future__ import annotations

import msgpack
import numpy as np
from atlas_git.history import FORMAT, History
from atlas_git.messages import commit_votes
from atlas_git.signals import GitMessages


def _messages(pipeline, root, task: str) -> dict[str, float]:
    atlas, reader = pipeline.indexed(root)
    return pipeline.by_path(reader, GitMessages().score(pipeline.context(atlas, reader, task)))


def _repo(git_repo):
    repo = git_repo()
    repo.commit(0, {"net.py": "a", "cache.py": "b", "util.py": "c"}, "initial import")
    repo.commit(1, {"net.py": "x"}, "Retry the connection when the socket times out")
    repo.commit(2, {"cache.py": "y"}, "Evict stale cache entries on write")
    repo.commit(3, {"net.py": "z", "util.py": "u"}, "Add backoff between connection retries")
    repo.commit(4, {"util.py": "v"}, "Format the log lines")
    return repo


def test_files_of_matching_messages_rank_first(git_repo, pipeline) -> None:
    repo = _repo(git_repo)
    scores = _messages(pipeline, repo.root, "connection retries time out")
    assert scores["net.py"] > scores["util.py"] > 0
    assert scores["cache.py"] == 0.0  # its messages share no term with the task
    cache = _messages(pipeline, repo.root, "stale cache eviction")
    assert cache["cache.py"] > 0 and cache["cache.py"] == max(cache.values())


def test_a_task_no_message_shares_scores_nothing(git_repo, pipeline) -> None:
    repo = _repo(git_repo)
    scores = _messages(pipeline, repo.root, "unicode normalisation")
    assert not any(scores.values())


def test_only_the_top_commits_vote_and_wide_ones_never(git_repo, pipeline) -> None:
    repo = _repo(git_repo)
    (repo.root / "atlas.toml").write_text("[signals.git_messages]\ntop = 1\n")
    scores = _messages(pipeline, repo.root, "backoff between connection retries")
    # only the best commit votes: "Add backoff between connection retries" (net.py, util.py)
    assert scores["net.py"] == scores["util.py"] > 0
    votes = commit_votes(
        np.array([3.0, 2.0, 1.0]), np.array([60, 4, 0]), top=3, max_commit_files=50
    )
    assert votes.tolist() == [0.0, 1.0, 0.0]  # too wide, votes 2 / sqrt(4), touches nothing


def test_incremental_update_keeps_the_messages(git_repo, pipeline) -> None:
    repo = _repo(git_repo)
    atlas, _ = pipeline.indexed(repo.root)
    repo.commit(5, {"cache.py": "w"}, "Shard the cache by tenant")
    atlas.index()
    reader = atlas.reader()
    record = reader.extra("git")
    assert record["mode"] == "incremental"
    history = History.from_record(record)
    bounds = history.term_offsets
    words = [
        {history.vocab[t] for t in history.terms[bounds[c] : bounds[c + 1]]}
        for c in range(len(history))
    ]
    assert words[0] == {"shard", "cache", "tenant"}
    assert {"retry", "connection", "socket", "time"} <= words[-2]
    ctx = pipeline.context(atlas, reader, "connection retry socket")
    scores = pipeline.by_path(reader, GitMessages().score(ctx))
    assert scores["net.py"] == max(scores.values()) > 0


def test_messages_older_than_the_lookback_are_kept_for_the_signal(git_repo, pipeline) -> None:
    repo = git_repo()
    repo.commit(0, {"old.py": "a"}, "Parse the manifest lazily")
    repo.commit(1000, {"new.py": "b"}, "Rename a variable")
    scores = _messages(pipeline, repo.root, "parse manifest")
    assert scores["old.py"] > 0  # 1000 days before the newest commit, still searched
    from atlas_git.signals import GitRecency

    atlas, reader = pipeline.indexed(repo.root)
    recency = pipeline.by_path(reader, GitRecency().score(pipeline.context(atlas, reader)))
    assert recency["old.py"] == 0.0  # outside the 730-day window of recency
    assert reader.extra("git")["recent"] == 1


def test_a_record_of_the_older_format_is_read_again_in_full(git_repo, pipeline) -> None:
    repo = _repo(git_repo)
    atlas, reader = pipeline.indexed(repo.root)
    record = dict(reader.extra("git"))
    # what atlas-git 1 stored: no message terms
    for key in ("vocab", "term_offsets", "terms", "tfs", "recent"):
        del record[key]
    record["format"] = 1
    assert FORMAT == 3
    ctx = pipeline.context(atlas, reader, "connection")
    ctx_stale = type(ctx)(ctx.query, ctx.terms, _Stale(reader, record), {})
    assert "another atlas-git version" in (GitMessages().unavailable(ctx_stale) or "")
    # the contributor given the old record as its previous data reads everything again
    from atlas_git.contributor import GitHistory

    class _Ctx:
        root = repo.root
        index = reader
        previous_data = record

        @staticmethod
        def options() -> dict[str, object]:
            return {}

    fresh = GitHistory().contribute(_Ctx())  # type: ignore[arg-type]
    assert (fresh["format"], fresh["mode"], fresh["read"]) == (FORMAT, "full", 5)
    assert "retry" in fresh["vocab"]
    msgpack.packb(fresh)  # storable as it is


def test_messages_in_other_scripts_are_searched(git_repo, pipeline) -> None:
    repo = _repo(git_repo)
    repo.commit(5, {"cache.py": "w"}, "修复登录错误")
    repo.commit(6, {"util.py": "w"}, "Récupération des données")
    scores = _messages(pipeline, repo.root, "登录错误")
    assert scores["cache.py"] > 0 and scores["net.py"] == scores["util.py"] == 0
    scores = _messages(pipeline, repo.root, "récupération")
    assert scores["util.py"] > 0 and scores["net.py"] == scores["cache.py"] == 0


def test_a_record_of_the_older_tokenizer_is_read_again_in_full(git_repo, pipeline) -> None:
    # format 2 stored the terms of the tokenizer that took only ASCII letters
    repo = _repo(git_repo)
    repo.commit(5, {"cache.py": "w"}, "修复登录错误")
    _, reader = pipeline.indexed(repo.root)
    record = dict(reader.extra("git"))
    record["format"] = 2

    class _Ctx:
        root = repo.root
        index = reader
        previous_data = record

        @staticmethod
        def options() -> dict[str, object]:
            return {}

    from atlas_git.contributor import GitHistory

    fresh = GitHistory().contribute(_Ctx())  # type: ignore[arg-type]
    assert (fresh["format"], fresh["mode"]) == (FORMAT, "full")
    assert "登录" in fresh["vocab"]


class _Stale:
    """A reader whose stored git record is ``record``."""

    def __init__(self, reader, record) -> None:
        self._reader, self._record = reader, record

    def extra(self, name: str):
        return self._record if name == "git" else self._reader.extra(name)

    def __getattr__(self, name: str):
        return getattr(self._reader, name)

    def __len__(self) -> int:
        return len(self._reader)
