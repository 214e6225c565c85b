"""Escape sequences in file contents reach a pipe as they are and a terminal made visible."""

from __future__ import annotations

import io
import os
import pty
from pathlib import Path

import pytest

from atlas_core.output.terminal import for_stream
from atlas_core.testing import write_repo

HOSTILE = "x = 1\r\nhidden\rshown\x1b]52;c;ZXZpbA==\x07\x1b[2J\x9b31m\tend\n"


class Terminal(io.StringIO):
    def isatty(self) -> bool:
        return True


def test_a_pipe_gets_the_text_unchanged() -> None:
    assert for_stream(HOSTILE, io.StringIO()) == HOSTILE


def test_a_terminal_sees_control_characters_not_their_effects() -> None:
    shown = for_stream(HOSTILE, Terminal())
    assert shown == ("x = 1\r\nhidden\\x0dshown\\x1b]52;c;ZXZpbA==\\x07\\x1b[2J\\x9b31m\tend\n")
    assert for_stream("plain\ttext\r\n", Terminal()) == "plain\ttext\r\n"


EVIL = {
    "evil.py": "def evil(s='\x1b]0;owned\x07'):\n    return s\n",
    "main.go": 'package main\n\nimport "evil\x1b]0;owned\x07"\n\nfunc Evil() {}\n',
}


@pytest.mark.parametrize(
    "command",
    [["query", "evil", "--format", "context"], ["map"], ["outline", "main.go"]],
    ids=["context", "map", "outline"],
)
def test_file_text_on_a_real_terminal(tmp_path: Path, command: list[str]) -> None:
    """Printed to a pseudo-terminal, no raw ESC of a file's arrives."""
    import subprocess
    import sys

    root = write_repo(tmp_path / "r", EVIL)
    leader, follower = pty.openpty()
    done = subprocess.run(
        [sys.executable, "-m", "atlas_core", "--root", str(root), *command, "-q", "--no-color"],
        stdout=follower, stderr=subprocess.PIPE, timeout=120, check=False,
    )  # fmt: skip
    os.close(follower)
    chunks = []
    while True:
        try:
            data = os.read(leader, 65536)
        except OSError:  # the follower is closed and everything was read
            break
        if not data:
            break
        chunks.append(data)
    os.close(leader)
    out = b"".join(chunks)
    assert done.returncode == 0, done.stderr
    assert b"\\x1b]0;owned\\x07" in out and b"\x1b" not in out, out
