"""Reading ``git log``'s output: linear in its length, each token cut to a bounded size."""

from __future__ import annotations

import io
import subprocess
import sys

from atlas_git.gitcmd import MAX_TOKEN, _parse


def _log(*commits: tuple[str, int, bytes, list[bytes]]) -> bytes:
    out = b""
    for sha, when, message, paths in commits:
        out += b"\x1e%s %d\x1f%s\n\0" % (sha.encode(), when, message)
        out += b"".join(b"\n" + p + b"\0" for p in paths)
    return out


def test_commits_and_paths_are_read_across_chunk_boundaries() -> None:
    data = _log(
        ("a" * 40, 200, b"second: touch x and y", [b"x.py", b"dir/y.py"]),
        ("b" * 40, 100, b"first " * 30_000, [b"z.py"]),  # a message over several chunks
    )
    commits = list(_parse(io.BufferedReader(io.BytesIO(data), buffer_size=1000)))
    assert [(c.sha, c.time, c.paths) for c in commits] == [
        ("a" * 40, 200, ["x.py", "dir/y.py"]),
        ("b" * 40, 100, ["z.py"]),
    ]
    assert commits[0].message == "second: touch x and y"
    assert commits[1].message.startswith("first first")
    assert len(commits[1].message) < MAX_TOKEN  # cut, the rest of the commit intact


_HUGE_MESSAGE = """
from atlas_git.gitcmd import _parse

class Stream:
    # a log of one commit whose message is 400 MB long, made as it is read
    def __init__(self):
        self.parts = [b"\\x1e" + b"c" * 40 + b" 5\\x1f"]
        self.left = 400 << 20

    def read(self, n):
        if self.parts:
            return self.parts.pop()
        if self.left > 0:
            self.left -= n
            return b"w" * n
        tail = b"\\0\\nbig.py\\0" if self.left == 0 else b""
        self.left = -1
        return tail

(commit,) = _parse(Stream())
print(commit.paths[0], len(commit.message))
"""


def test_a_huge_commit_message_is_read_in_linear_time() -> None:
    """Quadratic buffering took minutes over a commit message of hundreds of megabytes (a
    hostile repository's); the deadline is for that failure only."""
    done = subprocess.run(
        [sys.executable, "-c", _HUGE_MESSAGE], capture_output=True, text=True, timeout=60
    )
    assert done.returncode == 0, done.stderr
    path, length = done.stdout.split()
    assert path == "big.py" and 0 < int(length) <= MAX_TOKEN
