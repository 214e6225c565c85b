"""The stored history: commits (time, touched paths, message terms) newest first, in
compact arrays.

The record is a plain dict so it survives msgpack; arrays are little-endian bytes so a
query turns them into numpy arrays without a Python loop.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable, Mapping, Sequence
from typing import TYPE_CHECKING, Any

import attrs
import numpy as np

if TYPE_CHECKING:  # git itself is only run at index time, not by a query's signals
    from atlas_git.gitcmd import LogCommit

__all__ = ["FORMAT", "History", "absent"]

#: bumped when the stored layout changes, or the terms Atlas makes of a message (its
#: tokenizer); older records are re-read in full (2: commit message terms; 3: words of
#: every script, atlas-core's terms 4)
FORMAT = 3


def absent(reason: str, settings: Sequence[int] = ()) -> dict[str, Any]:
    """The record stored when there is no usable history, with the reason for ``-v``."""
    return {"format": FORMAT, "status": "absent", "reason": reason, "settings": list(settings)}


@attrs.define
class History:
    """Commits newest first: ``times[c]``, and ``files[offsets[c]:offsets[c + 1]]``
    indexes ``paths`` for the files commit ``c`` touched; its message's distinct terms
    are ``terms[term_offsets[c]:term_offsets[c + 1]]`` (ids into ``vocab``, Atlas's
    tokenizer), each occurring ``tfs`` times."""

    head: str
    head_time: int
    paths: list[str]
    times: np.ndarray  # int64, one per commit
    offsets: np.ndarray  # int64, len(times) + 1
    files: np.ndarray  # int32, path ids
    vocab: list[str] = attrs.field(factory=list)
    term_offsets: np.ndarray = attrs.field(factory=lambda: np.zeros(1, np.int64))
    terms: np.ndarray = attrs.field(factory=lambda: np.zeros(0, np.int32))  # vocab ids
    tfs: np.ndarray = attrs.field(factory=lambda: np.zeros(0, np.int32))  # per term entry
    #: commits seen but not stored because they touched too many files
    big: int = 0
    #: commits git printed for the update that built this object (not stored)
    read: int = 0

    @classmethod
    def empty(cls) -> History:
        return cls("", 0, [], np.zeros(0, np.int64), np.zeros(1, np.int64), np.zeros(0, np.int32))

    @classmethod
    def from_commits(cls, head: str, commits: Iterable[LogCommit], *, max_files: int) -> History:
        """Build from commits newest first; those touching more than ``max_files`` (and
        those touching none) are kept without files, for their messages."""
        from atlas_core.api import tokenize

        table: dict[str, int] = {}
        words: dict[str, int] = {}
        times: list[int] = []
        counts: list[int] = []
        files: list[int] = []
        n_terms: list[int] = []
        terms: list[int] = []
        tfs: list[int] = []
        big = read = 0
        for commit in commits:
            read += 1
            paths = commit.paths
            if len(paths) > max_files:
                big += 1
                paths = []  # kept for its message only: its files say too little
            times.append(commit.time)
            counts.append(len(paths))
            files.extend(table.setdefault(p, len(table)) for p in paths)
            tf = Counter(tokenize(commit.message))
            n_terms.append(len(tf))
            terms.extend(words.setdefault(t, len(words)) for t in tf)
            tfs.extend(tf.values())
        offsets = np.zeros(len(times) + 1, np.int64)
        np.cumsum(counts, out=offsets[1:])
        term_offsets = np.zeros(len(times) + 1, np.int64)
        np.cumsum(n_terms, out=term_offsets[1:])
        return cls(
            head,
            max(times, default=0),
            list(table),
            np.asarray(times, np.int64),
            offsets,
            np.asarray(files, np.int32),
            list(words),
            term_offsets,
            np.asarray(terms, np.int32),
            np.asarray(tfs, np.int32),
            big,
            read,
        )

    def __len__(self) -> int:
        return len(self.times)

    @property
    def counts(self) -> np.ndarray:
        """Files touched by each commit."""
        return np.diff(self.offsets)

    def prepend(self, newer: History) -> History:
        """``newer`` (commits after this history's head) followed by this history."""
        table = dict(zip(newer.paths, range(len(newer.paths)), strict=True))
        remap = np.asarray([table.setdefault(p, len(table)) for p in self.paths], dtype=np.int32)
        old_files = remap[self.files] if len(self.files) else self.files
        words = dict(zip(newer.vocab, range(len(newer.vocab)), strict=True))
        remap = np.asarray([words.setdefault(w, len(words)) for w in self.vocab], dtype=np.int32)
        old_terms = remap[self.terms] if len(self.terms) else self.terms
        return History(
            newer.head,
            max(newer.head_time, self.head_time),
            list(table),
            np.concatenate([newer.times, self.times]),
            np.concatenate([newer.offsets[:-1], self.offsets + newer.offsets[-1]]),
            np.concatenate([newer.files, old_files]).astype(np.int32),
            list(words),
            np.concatenate([newer.term_offsets[:-1], self.term_offsets + newer.term_offsets[-1]]),
            np.concatenate([newer.terms, old_terms]).astype(np.int32),
            np.concatenate([newer.tfs, self.tfs]).astype(np.int32),
            newer.big + self.big,
        )

    def recent(self, *, since: int, max_commits: int) -> int:
        """How many of the newest commits are at most ``max_commits`` and not older than
        ``since`` (up to the first older one): the window of recency and co-change."""
        keep = int(min(max_commits, len(self)))
        old = np.flatnonzero(self.times[:keep] < since)
        return int(old[0]) if len(old) else keep

    def trim(self, *, since: int, max_commits: int, message_commits: int = 0) -> History:
        """Keep the :meth:`recent` window, or the newest ``message_commits`` commits when
        that is more (their messages are searched however old); compact the tables."""
        keep = max(
            self.recent(since=since, max_commits=max_commits),
            int(min(message_commits, len(self))),
        )
        if (
            keep == len(self)
            # every path and term still used (bincount: np.unique would import numpy.ma)
            and np.count_nonzero(np.bincount(self.files, minlength=len(self.paths)))
            == len(self.paths)
            and np.count_nonzero(np.bincount(self.terms, minlength=len(self.vocab)))
            == len(self.vocab)
        ):
            return self
        files = self.files[: int(self.offsets[keep])]
        used, compact = np.unique(files, return_inverse=True)
        terms = self.terms[: int(self.term_offsets[keep])]
        used_terms, compact_terms = np.unique(terms, return_inverse=True)
        return History(
            self.head,
            self.head_time,
            [self.paths[i] for i in used.tolist()],
            self.times[:keep].copy(),
            self.offsets[: keep + 1].copy(),
            compact.astype(np.int32),
            [self.vocab[i] for i in used_terms.tolist()],
            self.term_offsets[: keep + 1].copy(),
            compact_terms.astype(np.int32),
            self.tfs[: len(terms)].copy(),
            self.big,
        )

    # -- storage -------------------------------------------------------------------

    def to_record(self, ids: Mapping[str, int], **info: Any) -> dict[str, Any]:
        """The msgpack-able record; ``ids`` maps paths to the current index's file ids;
        ``info`` adds ``recent`` (the commits recency and co-change use) and such."""
        current = np.asarray([ids.get(p, -1) for p in self.paths], dtype="<i4")
        return {
            "format": FORMAT,
            "status": "ok",
            "head": self.head,
            "head_time": int(self.head_time),
            "paths": self.paths,
            "times": self.times.astype("<i8").tobytes(),
            "offsets": self.offsets.astype("<i8").tobytes(),
            "files": self.files.astype("<i4").tobytes(),
            "ids": current.tobytes(),
            "vocab": self.vocab,
            "term_offsets": self.term_offsets.astype("<i8").tobytes(),
            "terms": self.terms.astype("<i4").tobytes(),
            # a term rarely occurs 65,535 times in one message: two bytes each
            "tfs": np.minimum(self.tfs, 0xFFFF).astype("<u2").tobytes(),
            "big": int(self.big),
            **info,
        }

    @classmethod
    def from_record(cls, record: dict[str, Any]) -> History:
        return cls(
            str(record["head"]),
            int(record["head_time"]),
            list(record["paths"]),
            np.frombuffer(record["times"], dtype="<i8").astype(np.int64),
            np.frombuffer(record["offsets"], dtype="<i8").astype(np.int64),
            np.frombuffer(record["files"], dtype="<i4").astype(np.int32),
            list(record["vocab"]),
            np.frombuffer(record["term_offsets"], dtype="<i8").astype(np.int64),
            np.frombuffer(record["terms"], dtype="<i4").astype(np.int32),
            np.frombuffer(record["tfs"], dtype="<u2").astype(np.int32),
            int(record.get("big", 0)),
        )
