"""Threads of one process writing one index: their temporary files never collide, the
writer's lock excludes them as it excludes processes, and its messages say "thread"."""

from __future__ import annotations

import os
import threading
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest

import atlas_core
from atlas_core.index import layout
from atlas_core.index.lock import IndexBusyError, IndexLock
from atlas_core.plugin.manager import get_plugin_manager
from atlas_core.testing import write_repo

FILES = {f"pkg/module_{i}.py": f"def handler_{i}(request):\n    return {i}\n" for i in range(30)}


def _meanwhile(then: Callable[[], object]) -> tuple[bytes, ...]:
    """Data for ``write_atomic`` that runs ``then`` while it is being written."""

    class Parts(tuple[bytes, ...]):
        def __iter__(self) -> Iterator[bytes]:
            yield b"first half\n"
            then()
            yield b"second half\n"

    return Parts()


def test_two_writes_of_one_file_at_once_both_succeed(tmp_path: Path) -> None:
    """Two threads making sure of the cache's ``.gitignore`` wrote the same temporary name:
    "File exists", or the second removed the first's ("No such file or directory")."""
    target = tmp_path / ".gitignore"
    layout.write_atomic(target, _meanwhile(lambda: layout.write_atomic(target, b"inner\n")))
    assert target.read_bytes() == b"first half\nsecond half\n"
    assert [p.name for p in tmp_path.iterdir()] == [".gitignore"]  # no temporary left


def test_cleanup_leaves_this_process_s_writes_in_progress_alone(tmp_path: Path) -> None:
    """remove_stale (run by the lock's holder) took another thread's temporary for a
    leftover of its own process and removed it mid-write."""
    cache = tmp_path / "cache"
    layout.ensure_cache_dir(cache)
    (cache / "walk.msgpack").write_bytes(b"old")
    # a leftover of an earlier process that had this pid goes, as before
    stale = cache / f".CURRENT.{os.getpid()}.tmp"
    stale.write_bytes(b"")
    target = cache / "walk.msgpack"
    layout.write_atomic(target, _meanwhile(lambda: layout.remove_stale(cache, keep="")))
    assert target.read_bytes() == b"first half\nsecond half\n"
    assert not stale.exists()


def test_a_second_thread_waits_for_the_lock_and_says_it_is_this_process(
    tmp_path: Path,
) -> None:
    cache = tmp_path / "cache"
    layout.ensure_cache_dir(cache)
    messages: list[str] = []
    caught: list[BaseException] = []

    def contender() -> None:
        try:
            IndexLock(cache, timeout=0.2, on_message=messages.append).__enter__()
        except IndexBusyError as exc:
            caught.append(exc)

    with IndexLock(cache):
        thread = threading.Thread(target=contender)
        thread.start()
        thread.join()
    assert len(caught) == 1 and "another thread of this process" in str(caught[0])
    assert len(messages) == 1 and "waiting for another thread of this process" in messages[0]
    assert not [m for m in messages if "another atlas process" in m]
    with IndexLock(cache, timeout=0):  # released, for threads too
        pass


def test_the_thread_lock_is_released_when_taking_the_file_lock_fails(tmp_path: Path) -> None:
    cache = tmp_path / "missing" / "cache"  # no directory: the lock file cannot be made
    with pytest.raises(OSError):
        IndexLock(cache, timeout=0).__enter__()
    cache.mkdir(parents=True)
    with IndexLock(cache, timeout=0):
        pass


@pytest.mark.parametrize("trial", range(4))
def test_two_repositories_index_one_repository_from_two_threads(tmp_path: Path, trial: int) -> None:
    """The audit's repro: 4 of 10 trials failed with IndexWriteError on ``..gitignore``."""
    root = write_repo(tmp_path / "repo", FILES, git=True)
    errors: list[str] = []
    said: list[str] = []
    start = threading.Barrier(2)

    def work() -> None:
        try:
            manager = get_plugin_manager(load_entrypoints=False)
            with atlas_core.open(root, manager=manager, on_message=said.append) as repo:
                start.wait()
                report = repo.index()
                assert report.files == len(FILES)
        except Exception as exc:
            errors.append(f"{type(exc).__name__}: {exc}")

    threads = [threading.Thread(target=work) for _ in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert not errors
    assert not [m for m in said if "another atlas process" in m]
