"""The ``git`` contributor: reads commit history at index time, incrementally."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import TYPE_CHECKING, Any, ClassVar

import attrs

from atlas_core.api import Contributor, component_config

if TYPE_CHECKING:
    from atlas_core.api import IndexContext, IndexView, PriorFactor
    from atlas_git.gitcmd import LogCommit
    from atlas_git.history import History

__all__ = ["GitHistory"]

DAY = 86_400

#: the config's ranges (Atlas's converter rejects nan and inf)
_COUNT = attrs.validators.ge(0)
_SHARE = [attrs.validators.ge(0.0), attrs.validators.le(1.0)]


class GitHistory(Contributor):
    """Stores, per commit of the recent history, its time, the files it touched and its
    message's terms.

    The first run reads the history with one streaming ``git log``; later runs read only
    the commits after the stored HEAD when it is an ancestor of the current one.
    """

    name: ClassVar[str] = "git"

    @attrs.define
    class Config:
        #: how far back to read, in days before the newest commit (not the wall clock)
        lookback_days: int = attrs.field(default=730, validator=_COUNT)
        #: at most this many commits are read and kept
        max_commits: int = attrs.field(default=5000, validator=_COUNT)
        #: commits touching more files (mass renames, reformatting) are not stored
        max_commit_files: int = attrs.field(default=100, validator=_COUNT)
        #: the newest commits whose messages (and files) are kept for ``git_messages``,
        #: however old: recency and co-change still see only the window above
        message_commits: int = attrs.field(default=2000, validator=_COUNT)
        #: a directory inside the source tree with a licence of its own is a library copied
        #: in when the stored commits touch it less than this share of what its share of
        #: the files would suggest (``atlas inspect`` lists those found) ...
        vendored_max_share: float = attrs.field(default=0.25, validator=_SHARE)
        #: ... and its files' path prior is multiplied by this (1.0 turns the check off):
        #: evidence is not a name, so less than a ``vendor/`` directory's 0.05, and a task
        #: that names the library's own code still finds it
        vendored_factor: float = attrs.field(default=0.3, validator=_SHARE)

    def config(self, ctx: IndexContext) -> GitHistory.Config:
        """The ``[contributors.git]`` table of the repository's config, typed."""
        return component_config(self.Config, ctx.options(), f"contributor {self.name}")

    def fingerprint(self, ctx: IndexContext) -> str:
        """HEAD (read from ``.git`` without running git when possible) and the settings."""
        import shutil

        from atlas_git.gitcmd import read_head
        from atlas_git.history import FORMAT

        cfg = self.config(ctx)
        found = "git" if shutil.which("git") else "nogit"
        vendored = f"{cfg.vendored_max_share!r}:{cfg.vendored_factor!r}"
        return f"{FORMAT}:{found}:{_settings(cfg)}:{vendored}:{read_head(ctx.root)}"

    def contribute(self, ctx: IndexContext) -> dict[str, Any]:
        from atlas_git.gitcmd import (
            GitUnavailable,
            RepoState,
            head_from_files,
            is_ancestor,
            repo_state,
        )
        from atlas_git.history import FORMAT, History, absent
        from atlas_git.vendored import quiet_subtrees

        view, previous = ctx.index, ctx.previous_data
        root = ctx.root
        cfg = self.config(ctx)
        settings = _settings(cfg)
        usable = (
            isinstance(previous, dict)
            and previous.get("format") == FORMAT
            and previous.get("status") == "ok"
            and previous.get("settings") == settings
        )
        try:
            if usable and not previous["prefix"] and previous["head"] == head_from_files(root):
                # only the work tree changed (the usual case): no git process at all
                state = RepoState(previous["head"], "", shallow=False)
            else:
                state = repo_state(root)
            if state.shallow:
                return absent(
                    "shallow clone: the history is cut short (git fetch --unshallow)", settings
                )
            old = None
            if usable and previous.get("prefix") == state.prefix:
                old = History.from_record(previous)
            if old is not None and old.head == state.head:
                history, mode, read = old, "unchanged", 0
            elif old is not None and is_ancestor(root, old.head, state.head):
                newer = _read(root, state.head, old.head, cfg, bool(state.prefix))
                if _interleaves(newer, old):
                    # a full log orders some new commits after old ones (a merged branch
                    # older than the last indexed commit): read it as a first run would
                    history = _read(root, state.head, None, cfg, bool(state.prefix))
                    mode, read = "full", history.read
                else:
                    history, mode, read = old.prepend(newer), "incremental", newer.read
            else:
                history = _read(root, state.head, None, cfg, bool(state.prefix))
                mode, read = "full", history.read
        except GitUnavailable as exc:
            return absent(str(exc), settings)
        since = history.head_time - cfg.lookback_days * DAY
        history = history.trim(
            since=since, max_commits=cfg.max_commits, message_commits=cfg.message_commits
        )
        return history.to_record(
            view.ids,
            recent=history.recent(since=since, max_commits=cfg.max_commits),
            generation=view.generation,
            settings=settings,
            prefix=state.prefix,
            mode=mode,
            read=int(read),
            vendored=(
                quiet_subtrees(view, history, max_share=cfg.vendored_max_share)
                if cfg.vendored_factor != 1.0
                else []
            ),
            vendored_factor=float(cfg.vendored_factor),
        )

    def prior_factors(self, data: Any, index: IndexView) -> list[PriorFactor]:
        """Libraries copied into the source tree (:mod:`atlas_git.vendored`)."""
        from atlas_git.history import FORMAT
        from atlas_git.vendored import prior_factors

        if not isinstance(data, dict) or data.get("format") != FORMAT:
            return []
        return prior_factors(data, index)

    def describe(self, data: Any) -> dict[str, Any]:
        """What ``atlas inspect`` shows: the history window and the last update."""
        import time

        import numpy as np

        from atlas_git.history import FORMAT, History

        if not isinstance(data, dict) or data.get("format") != FORMAT:
            return {"Status": "no git history in this index (run 'atlas index')"}
        if data.get("status") != "ok":
            return {"Status": "absent", "Reason": data.get("reason", "")}
        history = History.from_record(data)
        out: dict[str, Any] = {
            "Status": "ok",
            "Commits": len(history),
            "FilesTouched": int((np.frombuffer(data["ids"], dtype="<i4") >= 0).sum()),
            "Head": history.head[:12],
            "LastUpdate": data.get("mode"),
            "CommitsRead": data.get("read", 0),
            "MessageTerms": len(history.vocab),
        }
        if len(history):
            day = "%Y-%m-%d"
            oldest, newest = int(history.times.min()), int(history.head_time)
            out["Span"] = (
                f"{time.strftime(day, time.gmtime(oldest))} .. "
                f"{time.strftime(day, time.gmtime(newest))}"
            )
        if history.big:
            out["BigCommitsSkipped"] = history.big
        if data.get("vendored"):
            from atlas_core.api import display_path
            from atlas_git.vendored import MAX_REASONS

            found = data["vendored"]
            out["VendoredDirs"] = [
                f"{display_path(item['dir'])} (its own {item['licence']}; {item['commits']} of "
                f"{item['window']} commits; path prior x{data.get('vendored_factor', 1.0):g})"
                for item in found[:MAX_REASONS]
            ] + ([f"... and {len(found) - MAX_REASONS} more"] if len(found) > MAX_REASONS else [])
        return out


def _settings(cfg: GitHistory.Config) -> list[int]:
    return [
        int(cfg.lookback_days),
        int(cfg.max_commits),
        int(cfg.max_commit_files),
        int(cfg.message_commits),
    ]


def _interleaves(newer: History, old: History) -> bool:
    """Whether ``git log`` of the new head would not list every new commit before the old
    ones: it walks newest committer date first, so a new commit dated no later than the
    newest old one may come after some of them. Prepending would then give an order, and a
    window, that a first run on the same head would not."""
    return bool(len(newer) and len(old) and int(newer.times.min()) <= int(old.times.max()))


def _read(
    root: Path, head: str, exclude: str | None, cfg: GitHistory.Config, subdir: bool
) -> History:
    """Read the commits of ``head`` not in ``exclude``, up to the lookback window."""
    from atlas_git.gitcmd import stream_log
    from atlas_git.history import History

    most = max(cfg.max_commits, cfg.message_commits)
    commits = stream_log(root, head=head, exclude=exclude, max_count=most, subdir=subdir)
    try:
        return History.from_commits(
            head,
            _window(commits, cfg.lookback_days * DAY, cfg.message_commits),
            max_files=cfg.max_commit_files,
        )
    finally:
        commits.close()  # stops git when the window ended early


def _window(commits: Iterator[LogCommit], lookback: int, at_least: int) -> Iterator[LogCommit]:
    """Stop at the first commit older than ``lookback`` seconds before the newest one, once
    ``at_least`` commits were given."""
    cutoff: int | None = None
    for n, commit in enumerate(commits):
        if cutoff is None:
            cutoff = commit.time - lookback
        elif commit.time < cutoff and n >= at_least:
            return
        yield commit
