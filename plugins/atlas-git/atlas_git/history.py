"""The stored history: commits (time, touched paths) newest first, in compact arrays.

The record is a plain dict so it survives msgpack; arrays are little-endian bytes so a
query turns them into numpy arrays without a Python loop.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from typing import Any

import attrs
import numpy as np

from atlas_git.gitcmd import LogCommit

__all__ = ["FORMAT", "History", "absent"]

#: bumped when the stored layout changes; older records are re-read in full
FORMAT = 1


def absent(reason: str, settings: Sequence[int] = ()) -> dict[str, Any]:
    """The record stored when there is no usable history, with the reason for ``-v``."""
    return {"format": FORMAT, "status": "absent", "reason": reason, "settings": list(settings)}


@attrs.define
class History:
    """Commits newest first: ``times[c]``, and ``files[offsets[c]:offsets[c + 1]]``
    indexes ``paths`` for the files commit ``c`` touched."""

    head: str
    head_time: int
    paths: list[str]
    times: np.ndarray  # int64, one per commit
    offsets: np.ndarray  # int64, len(times) + 1
    files: np.ndarray  # int32, path ids
    #: commits seen but not stored because they touched too many files
    big: int = 0
    #: commits git printed for the update that built this object (not stored)
    read: int = 0

    @classmethod
    def empty(cls) -> History:
        return cls("", 0, [], np.zeros(0, np.int64), np.zeros(1, np.int64), np.zeros(0, np.int32))

    @classmethod
    def from_commits(cls, head: str, commits: Iterable[LogCommit], *, max_files: int) -> History:
        """Build from commits newest first, dropping those touching more than ``max_files``."""
        table: dict[str, int] = {}
        times: list[int] = []
        counts: list[int] = []
        files: list[int] = []
        big = read = 0
        for commit in commits:
            read += 1
            if len(commit.paths) > max_files:
                big += 1
                continue
            if not commit.paths:
                continue
            times.append(commit.time)
            counts.append(len(commit.paths))
            files.extend(table.setdefault(p, len(table)) for p in commit.paths)
        offsets = np.zeros(len(times) + 1, np.int64)
        np.cumsum(counts, out=offsets[1:])
        return cls(
            head,
            max(times, default=0),
            list(table),
            np.asarray(times, np.int64),
            offsets,
            np.asarray(files, np.int32),
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
        return History(
            newer.head,
            max(newer.head_time, self.head_time),
            list(table),
            np.concatenate([newer.times, self.times]),
            np.concatenate([newer.offsets[:-1], self.offsets + newer.offsets[-1]]),
            np.concatenate([newer.files, old_files]).astype(np.int32),
            newer.big + self.big,
        )

    def trim(self, *, since: int, max_commits: int) -> History:
        """Keep at most ``max_commits`` commits not older than ``since``; compact the paths."""
        keep = int(min(max_commits, len(self)))
        old = np.flatnonzero(self.times[:keep] < since)
        if len(old):
            keep = int(old[0])
        if keep == len(self) and len(self.paths) == len(np.unique(self.files)):
            return self
        files = self.files[: int(self.offsets[keep])]
        used, compact = np.unique(files, return_inverse=True)
        return History(
            self.head,
            self.head_time,
            [self.paths[i] for i in used.tolist()],
            self.times[:keep].copy(),
            self.offsets[: keep + 1].copy(),
            compact.astype(np.int32),
            self.big,
        )

    # -- storage -------------------------------------------------------------------

    def to_record(self, ids: dict[str, int], **info: Any) -> dict[str, Any]:
        """The msgpack-able record; ``ids`` maps paths to the current index's file ids."""
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
            int(record.get("big", 0)),
        )
