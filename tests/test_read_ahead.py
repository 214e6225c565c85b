"""A worker's batch is opened ahead, with the kernel asked to read it, and every file closed."""

from __future__ import annotations

import errno
import os
from pathlib import Path
from typing import Any

import pytest

from atlas_core.index import process
from atlas_core.plugin.manager import get_plugin_manager

#: the descriptor checks read ``/proc/self/fd`` (Linux)
needs_proc = pytest.mark.skipif(
    not Path("/proc/self/fd").is_dir(), reason="counts descriptors in /proc"
)


def open_fds() -> set[str]:
    return set(os.listdir("/proc/self/fd"))


@pytest.fixture
def processor() -> Any:
    chunkers: dict[str, Any] = {}
    made = process.FileProcessor(get_plugin_manager(load_entrypoints=False).hook, chunkers, 4096)
    process.set_processor(made)
    return made


@needs_proc
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


@needs_proc
def test_a_failure_in_the_batch_still_closes_what_was_opened_ahead(
    tmp_path: Path, processor: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    for name in ("a.py", "b.py"):
        (tmp_path / name).write_text("x = 1\n")

    def boom(*args: Any, **kwargs: Any) -> Any:
        raise KeyboardInterrupt

    monkeypatch.setattr(process.FileProcessor, "process", boom)
    before = open_fds()
    with pytest.raises(KeyboardInterrupt):
        process.process_batch([(n, str(tmp_path / n)) for n in ("a.py", "b.py")])
    assert open_fds() == before


@needs_proc
def test_out_of_descriptors_the_batch_is_read_one_file_at_a_time(
    tmp_path: Path, processor: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    names = [f"m{k}.py" for k in range(6)]
    for name in names:
        (tmp_path / name).write_text("x = 1\n")
    real = process.open_regular
    before = open_fds()

    def scarce(path: str) -> int:
        # a table with room for two more files: the batch cannot all be open at once
        if len(open_fds() - before) >= 2:
            raise OSError(errno.EMFILE, "Too many open files")
        return real(path)

    monkeypatch.setattr(process, "open_regular", scarce)
    result = process.process_batch([(n, str(tmp_path / n)) for n in names])
    assert [f.status for f in result.files] == ["ok"] * len(names)
    assert open_fds() == before


@needs_proc
def test_a_low_open_file_limit_reads_one_file_at_a_time(
    tmp_path: Path, processor: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    resource = pytest.importorskip("resource")
    names = [f"m{k}.py" for k in range(8)]
    for name in names:
        (tmp_path / name).write_text("x = 1\n")
    soft, hard = resource.getrlimit(resource.RLIMIT_NOFILE)
    opened: list[int] = []
    real = process.open_regular
    monkeypatch.setattr(process, "open_regular", lambda p: opened.append(1) or real(p))
    process._room_to_read_ahead.cache_clear()
    resource.setrlimit(resource.RLIMIT_NOFILE, (64, hard))
    try:
        ahead = process._PROCESSOR.open_ahead([(n, str(tmp_path / n)) for n in names])
    finally:
        resource.setrlimit(resource.RLIMIT_NOFILE, (soft, hard))
        process._room_to_read_ahead.cache_clear()
    # `ulimit -n 40` left the files past the limit unreadable when batches were opened ahead
    assert ahead == [None] * len(names) and not opened


def test_an_index_under_a_low_open_file_limit_reads_every_file(tmp_path: Path) -> None:
    resource = pytest.importorskip("resource")
    import subprocess
    import sys

    from atlas_core.testing import write_repo

    root = write_repo(
        tmp_path / "r", {f"m{k}.py": f"def f{k}():\n    return {k}\n" for k in range(200)}
    )

    def low_limit() -> None:
        resource.setrlimit(
            resource.RLIMIT_NOFILE, (40, resource.getrlimit(resource.RLIMIT_NOFILE)[1])
        )

    done = subprocess.run(
        [str(Path(sys.executable).with_name("atlas")), "--root", str(root), "-v", "index"],
        capture_output=True,
        text=True,
        preexec_fn=low_limit,
        timeout=300,
    )
    # two workers holding whole batches open made 80 of these files "too many open files"
    assert done.returncode == 0, done.stderr
    assert "problems while indexing" not in done.stderr, done.stderr
    assert "200 added" in done.stderr + done.stdout
