"""``[pipeline] seed_signal = "fused"``: stage 1 is seeded from the first stage's ranking."""

from __future__ import annotations

from pathlib import Path
from typing import Any, ClassVar

import numpy as np
import pytest

from atlas_core.api import Atlas, QueryContext, QueryOptions, Signal, hookimpl
from atlas_core.components import FUSED_SEEDS
from atlas_core.config import PipelineSettings, check_settings, load_settings
from atlas_core.errors import UsageError
from atlas_core.plugin.manager import get_plugin_manager
from atlas_core.testing import write_repo


class Everywhere(Signal):
    """A stage-1 signal that runs before :class:`SeedSpy` (by name) and scores every file:
    the fused seeds must not count it."""

    name: ClassVar[str] = "a_everywhere"
    stage: ClassVar[int] = 1

    def score(self, ctx: QueryContext) -> np.ndarray:
        return np.ones(len(ctx.index))


class SeedSpy(Signal):
    """Scores nothing; records what ``ctx.seed_scores()`` gave it."""

    name: ClassVar[str] = "seedspy"
    stage: ClassVar[int] = 1
    seen: ClassVar[list[np.ndarray | None]] = []

    def score(self, ctx: QueryContext) -> np.ndarray:
        SeedSpy.seen.append(ctx.seed_scores())
        return np.zeros(len(ctx.index))


class SpyPlugin:
    @hookimpl
    def atlas_register_signals(self, registry: Any) -> None:
        registry.add(Everywhere())
        registry.add(SeedSpy())


PRESET = (
    '[presets.s]\nextends = "fast"\n'
    "signals = { bm25f = 1.0, path = 3.0, mentions = 0.5, a_everywhere = 1.0, seedspy = 1.0 }\n"
)
FILES = {
    # the text prefers the test file (it says "retry" most), the path prior the source file
    "src/backoff.py": "def backoff():\n    return 'retry'\n",
    "tests/test_loop.py": "def test_loop():\n    retry(); retry(); retry(); retry()\n",
    "src/other.py": "def other(): pass\n",
}


def _query(root: Path) -> tuple[np.ndarray | None, dict[str, np.ndarray], list[str]]:
    manager = get_plugin_manager(load_entrypoints=False, extra_plugins=[("spy", SpyPlugin())])
    atlas = Atlas(root, manager)
    SeedSpy.seen.clear()
    reader = atlas.reader()
    result = atlas.query("retry", QueryOptions("s", symbols=False), reader)
    assert len(SeedSpy.seen) == 1
    return SeedSpy.seen[0], result.signal_scores, list(reader.paths)


def test_fused_seeds_are_the_weighted_first_stage(tmp_path: Path) -> None:
    toml = f'[pipeline]\nseed_signal = "{FUSED_SEEDS}"\n' + PRESET
    root = write_repo(tmp_path / "r", {**FILES, "atlas.toml": toml})
    seen, scores, paths = _query(root)
    assert seen is not None
    # the stage-0 signals with the preset's weights, scaled to a best of 1; not a_everywhere
    expected = 1.0 * scores["bm25f"] + 3.0 * scores["path"] + 0.5 * scores["mentions"]
    expected = expected / expected.max()
    assert np.allclose(seen, expected)
    assert float(seen.max()) == pytest.approx(1.0)
    # it is not the text signal alone: the source file leads the seeds, the test file the text
    assert paths[int(np.argmax(seen))] == "src/backoff.py"
    assert paths[int(np.argmax(scores["bm25f"]))] == "tests/test_loop.py"


def test_the_default_still_seeds_from_bm25f(tmp_path: Path) -> None:
    assert PipelineSettings().seed_signal == "bm25f"
    root = write_repo(tmp_path / "r", {**FILES, "atlas.toml": PRESET})
    seen, scores, _ = _query(root)
    assert seen is not None
    assert np.array_equal(seen, scores["bm25f"])


def test_fused_is_a_known_seed_signal_and_a_typo_is_not(tmp_path: Path) -> None:
    manager = get_plugin_manager(load_entrypoints=False)
    root = write_repo(tmp_path / "r", {"atlas.toml": '[pipeline]\nseed_signal = "fused"\n'})
    check_settings(load_settings(root), manager)
    (root / "atlas.toml").write_text('[pipeline]\nseed_signal = "fuse"\n')
    with pytest.raises(UsageError, match=r"'fuse'.*'fused': the first stage's ranking"):
        check_settings(load_settings(root), manager)


def test_fuse_seeds_before_stage_0_ran_gives_no_seeds(tmp_path: Path) -> None:
    root = write_repo(tmp_path / "r", FILES)
    atlas = Atlas(root, get_plugin_manager(load_entrypoints=False))
    reader = atlas.reader()
    ctx = QueryContext("retry", ["retry"], reader, seed_signal=FUSED_SEEDS)
    assert ctx.seed_scores() is None  # stage 1 not reached
    ctx.fuse_seeds({"bm25f": 1.0})  # nothing ran: all zeros, not a division by zero
    assert ctx.seed_scores() is not None
    assert not np.any(ctx.seed_scores())
