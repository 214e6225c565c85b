"""A worker's batch is opened ahead, with the kernel asked to read it, and every file closed."""

from __future__ import annotations

import os
from pathlib import Path
from typing import Any

import pytest

from atlas_core.index import process
from atlas_core.plugin.manager import get_plugin_manager


def open_fds() -> set[str]:
    return set(os.listdir("/proc/self/fd"))


@pytest.fixture
def processor() -> Any:
    chunkers: dict[str, Any] = {}
    made = process.FileProcessor(get_plugin_manager(load_entrypoints=False).hook, chunkers, 4096)
    process.set_processor(made)
    return made


@pytest.mark.skipif(not Path("/proc/self/fd").is_dir(), reason="counts descriptors in /proc")
def test_a_batch_is_advised_ahead_and_every_descriptor_closed(
    tmp_path: Path, processor: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    for name in ("a.py", "b.py", "c.txt"):
        (tmp_path / name).write_text(f"def {name[0]}_function():\n    return 1\n")
    os.mkfifo(tmp_path / "pipe.py")  # appeared after the walk: must neither block nor leak
    advised: list[tuple[int, int]] = []
    if process._FADVISE_WILLNEED is not None:
        real = os.posix_fadvise

        def record(fd: int, offset: int, length: int, advice: int) -> None:
            advised.append((offset, length))
            real(fd, offset, length, advice)

        monkeypatch.setattr(os, "posix_fadvise", record)
    batch = [(name, str(tmp_path / name)) for name in ("a.py", "pipe.py", "b.py", "c.txt")]
    before = open_fds()
    result = process.process_batch(batch)
    assert open_fds() == before
    assert [f.status for f in result.files] == ["ok", "unreadable", "ok", "ok"]
    assert result.counts.tolist()[0] > 0  # the files opened ahead were read
    if process._FADVISE_WILLNEED is not None:
        # each regular file once, up to what a read takes (the limit and one byte)
        assert advised == [(0, 4097)] * 3


def test_a_failure_in_the_batch_still_closes_what_was_opened_ahead(
    tmp_path: Path, processor: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    for name in ("a.py", "b.py"):
        (tmp_path / name).write_text("x = 1\n")

    def boom(*args: Any, **kwargs: Any) -> Any:
        raise KeyboardInterrupt

    monkeypatch.setattr(process.FileProcessor, "process", boom)
    before = open_fds() if Path("/proc/self/fd").is_dir() else set()
    with pytest.raises(KeyboardInterrupt):
        process.process_batch([(n, str(tmp_path / n)) for n in ("a.py", "b.py")])
    if Path("/proc/self/fd").is_dir():
        assert open_fds() == before
