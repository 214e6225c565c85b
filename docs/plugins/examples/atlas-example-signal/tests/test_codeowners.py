"""The plugin-author guide's example plugin works through its real entry point."""

from __future__ import annotations

import json
from collections.abc import Callable
from importlib import metadata
from pathlib import Path

import pytest

from atlas_core.testing import CliResult, write_repo

pytestmark = pytest.mark.skipif(
    not any(ep.name == "example-signal" for ep in metadata.entry_points(group="atlas")),
    reason="docs example not installed (scripts/test installs it)",
)


def test_example_signal_boosts_the_named_teams_files(
    tmp_path: Path, atlas_cli: Callable[..., CliResult], monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("ATLAS_LOAD_PLUGINS", "example-signal")
    repo = write_repo(
        tmp_path / "r",
        {
            "CODEOWNERS": "billing/ @payments-team\nsearch/ @search-team\n",
            "billing/charge.py": "def charge(card):\n    return gateway.send(card)\n",
            "search/retry.py": "def retry(query):\n    return index.lookup(query)\n",
            "atlas.toml": '[presets.team]\nextends = "balanced"\n'
            "signals = { bm25f = 1.0, codeowners = 2.0 }\n",
        },
    )
    rows = json.loads(atlas_cli("plugins", "--json").stdout)["Plugins"]
    assert rows[0]["Components"] == {"signals": ["codeowners"]}
    plain = atlas_cli(
        "--root", str(repo), "quick", "retry", "--format", "compact", "--min-score", "0"
    )
    assert plain.stdout.splitlines()[0] == "search/retry.py"
    team = atlas_cli(
        "--root",
        str(repo),
        "quick",
        "retry for @payments-team",
        "-p",
        "team",
        "--format",
        "compact",
        "--min-score",
        "0",
    )
    assert team.stdout.splitlines()[0] == "billing/charge.py"
    quiet = atlas_cli(
        "--root", str(repo), "-v", "quick", "retry", "-p", "team", "--format", "compact"
    )
    assert "signal codeowners is unavailable: the task names no @team" in quiet.stderr
