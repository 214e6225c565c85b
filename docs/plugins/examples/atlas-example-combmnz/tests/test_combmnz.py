"""CombMNZ: the arithmetic, and a preset that uses it through the CLI."""

from __future__ import annotations

import json
from collections.abc import Callable
from pathlib import Path

import numpy as np
import pytest
from atlas_example_combmnz.fuser import CombMNZ

from atlas_core.testing import CliResult, write_repo


def test_agreement_beats_one_strong_signal() -> None:
    scores = {"a": np.array([1.0, 0.6, 0.0]), "b": np.array([0.0, 0.5, 0.2])}
    fused = CombMNZ().fuse(scores, {"a": 1.0, "b": 1.0})
    assert fused.tolist() == pytest.approx([1.0, 2.2, 0.2])
    assert int(np.argmax(fused)) == 1


def test_weights_scale_and_zero_weight_ignores_a_signal() -> None:
    scores = {"a": np.array([1.0, 0.5]), "b": np.array([0.0, 1.0])}
    assert CombMNZ().fuse(scores, {"a": 2.0, "b": 0.0}).tolist() == [2.0, 1.0]
    assert CombMNZ().fuse({}, {}).shape == (0,)


def test_a_preset_selects_it(
    tmp_path: Path, atlas_cli: Callable[..., CliResult], monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("ATLAS_LOAD_PLUGINS", "example-combmnz")
    repo = write_repo(
        tmp_path / "r",
        {
            "src/retry.py": "def retry(request):\n    return backoff(request)\n",
            "docs/retry.md": "retry retry retry retry\n",
            "atlas.toml": '[presets.mnz]\nextends = "balanced"\nfuser = "combmnz"\n',
        },
    )
    result = atlas_cli("--root", str(repo), "explain", "retry", "-p", "mnz", "--format", "json")
    assert result.code == 0, result.stderr
    doc = json.loads(result.stdout)
    assert doc["Fuser"] == "combmnz"
    assert doc["Files"][0]["Path"] == "src/retry.py"
