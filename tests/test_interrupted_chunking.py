"""A signal that arrives while a chunker runs is never taken for the chunker's own error."""

from __future__ import annotations

import os
import signal
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
