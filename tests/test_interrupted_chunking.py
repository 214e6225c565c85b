"""A signal that arrives while a chunker runs is never taken for the chunker's own error."""

from __future__ import annotations

import os
import signal
import time
from pathlib import Path
from typing import Any

import pytest

from atlas_core.index.process import FileProcessor, signals_deferred


class Interrupted(SystemExit):
    """What the index lock's SIGTERM handler raises."""


class SwallowingChunker:
    """Like tree-sitter building a query: any exception raised inside becomes its own error."""

    name = "swallowing"

    def __init__(self) -> None:
        self.calls = 0

    def chunk(self, rel: str, text: str, language: str) -> list[Any]:
        self.calls += 1
        try:
            os.kill(os.getpid(), signal.SIGTERM)  # arrives "during" the chunker's C code
            return []
        except BaseException as exc:
            raise ValueError("Invalid predicate: regular expression error") from exc


@pytest.fixture
def raising_sigterm() -> Any:
    def handler(signum: int, frame: Any) -> None:
        raise Interrupted(143)

    previous = signal.signal(signal.SIGTERM, handler)
    yield
    signal.signal(signal.SIGTERM, previous)


def test_sigterm_during_chunking_interrupts_instead_of_degrading_the_file(
    tmp_path: Path, raising_sigterm: Any
) -> None:
    from atlas_core.plugin.manager import get_plugin_manager

    source = tmp_path / "a.py"
    source.write_text("class A:\n    pass\n")
    chunker = SwallowingChunker()
    processor = FileProcessor(get_plugin_manager().hook, {"*": chunker}, 1 << 20)
    # without the deferral the handler's exception is raised inside the chunker, turned
    # into a ValueError, recorded as a chunking error, and the file is indexed without
    # symbols while the interruption is lost
    with pytest.raises(Interrupted):
        processor.process("a.py", str(source))
    assert chunker.calls == 1


def test_deferred_signals_arrive_when_the_block_ends(raising_sigterm: Any) -> None:
    reached = []
    with pytest.raises(Interrupted), signals_deferred():
        os.kill(os.getpid(), signal.SIGTERM)
        reached.append("end of block")
    assert reached == ["end of block"]


def test_a_signal_taken_by_another_thread_is_held_too(raising_sigterm: Any) -> None:
    # the kernel gives a process's signal to any thread not blocking it (numpy's BLAS
    # threads): Python then runs the handler in the main thread, inside the block
    import threading

    ready, done = threading.Event(), threading.Event()
    other = threading.Thread(target=lambda: (ready.set(), done.wait(10)))
    other.start()  # started before the block: SIGTERM is not blocked in it
    try:
        ready.wait(10)
        reached = []
        with pytest.raises(Interrupted), signals_deferred():
            assert other.ident is not None
            signal.pthread_kill(other.ident, signal.SIGTERM)
            for _ in range(20):  # the other thread takes it when it is next scheduled
                time.sleep(0.025)
                reached.append(len(reached))
            reached.append("end of block")
        assert reached[-1] == "end of block"
    finally:
        done.set()
        other.join(10)
