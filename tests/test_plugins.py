"""Plugin loading: entry points, broken plugins, conflicts, listing, determinism."""

from __future__ import annotations

import json
from collections.abc import Callable
from pathlib import Path

import numpy as np
import pytest

from atlas_core.api import QueryContext, Signal, hookimpl
from atlas_core.engine import Atlas, QueryOptions
from atlas_core.plugin.manager import get_plugin_manager
from atlas_core.testing import CliResult, install_plugin, write_repo

Cli = Callable[..., CliResult]


GOOD_SIGNAL = '''
import numpy as np
import numpy as np

from atlas_core.api import QueryContext, Signal, hookimpl

class Shortest:
    """Prefers short files."""
    name = "shortest"
    stage = 0
    def unavailable(self, ctx):
        return None
    def score(self, ctx):
        return 1.0 / (1.0 + np.asarray(ctx.index.tokens, dtype=float))

@hookimpl
def atlas_register_signals(registry):
    registry.add(Shortest())
'''


def test_broken_plugin_is_named_and_atlas_carries_on(
    site: Path, tmp_path: Path, atlas_cli: Cli, monkeypatch: pytest.MonkeyPatch
) -> None:
    install_plugin(
        site,
        "atlas-broken",
        "broken",
        module="atlas_fake_broken",
        source="raise ImportError('needs libfoo')\n",
    )
    install_plugin(site, "atlas-good", "good", module="atlas_fake_good", source=GOOD_SIGNAL)
    monkeypatch.setenv("ATLAS_LOAD_PLUGINS", "broken,good")
    repo = write_repo(tmp_path / "r", {"a.py": "def alpha(): pass\n"})
    result = atlas_cli("--root", str(repo), "quick", "alpha", "--format", "compact")
    assert result.code == 0 and result.stdout == "a.py\n"
    warning = [line for line in result.stderr.splitlines() if "atlas-broken[broken]" in line]
    assert len(warning) == 1 and "ImportError: needs libfoo" in warning[0]
    rows = json.loads(atlas_cli("plugins", "--json").stdout)["Plugins"]
    status = {r["Name"]: r for r in rows}
    assert status["broken"]["Status"] == "failed" and "needs libfoo" in status["broken"]["Error"]
    assert status["good"]["Status"] == "ok"
    assert status["good"]["Components"] == {"signals": ["shortest"]}
    assert status["good"]["Hooks"] == ["atlas_register_signals"]
    assert atlas_cli("plugins", "--check").code == 1


def test_plugins_can_be_disabled(
    site: Path, atlas_cli: Cli, monkeypatch: pytest.MonkeyPatch
) -> None:
    install_plugin(site, "atlas-good", "good", module="atlas_fake_good", source=GOOD_SIGNAL)
    monkeypatch.delenv("ATLAS_LOAD_PLUGINS")
    monkeypatch.setenv("ATLAS_DISABLE_PLUGINS", "good")
    rows = json.loads(atlas_cli("plugins", "--json").stdout)["Plugins"]
    assert {r["Name"]: r["Status"] for r in rows}["good"] == "disabled"
    monkeypatch.delenv("ATLAS_DISABLE_PLUGINS")
    rows = json.loads(atlas_cli("--disable-plugin", "good", "plugins", "--json").stdout)["Plugins"]
    assert {r["Name"]: r["Status"] for r in rows}["good"] == "disabled"
    monkeypatch.setenv("ATLAS_LOAD_PLUGINS", "")
    rows = json.loads(atlas_cli("plugins", "--json").stdout)["Plugins"]
    assert "good" not in {r["Name"] for r in rows}


def test_unknown_plugin_names_are_warned_about_once(
    site: Path, atlas_cli: Cli, monkeypatch: pytest.MonkeyPatch
) -> None:
    install_plugin(site, "atlas-good", "good", module="atlas_fake_good", source=GOOD_SIGNAL)
    monkeypatch.setenv("ATLAS_LOAD_PLUGINS", "good,nope")
    monkeypatch.setenv("ATLAS_DISABLE_PLUGINS", "chunk_treesitter,atlas-good,nope2")
    result = atlas_cli("plugins", "--json", "--disable-plugin", "nope3")  # after the command
    assert result.code == 0, result.stderr
    assert result.stderr.splitlines() == [
        f"atlas: warning: {where} names no installed plugin: {name} "
        "(see 'atlas plugins' for the names)"
        for where, name in [
            ("ATLAS_LOAD_PLUGINS", "nope"),
            ("ATLAS_DISABLE_PLUGINS", "nope2"),
            ("--disable-plugin", "nope3"),
        ]
    ]
    monkeypatch.delenv("ATLAS_DISABLE_PLUGINS")
    rows = json.loads(atlas_cli("plugins", "--json", "--disable-plugin", "good").stdout)["Plugins"]
    assert {r["Name"]: r["Status"] for r in rows}["good"] == "disabled"


def test_disable_plugin_is_in_the_help(atlas_cli: Cli) -> None:
    assert "--disable-plugin NAME" in atlas_cli("--help").stdout


class _Dup(Signal):
    name = "bm25f"

    def score(self, ctx: QueryContext) -> np.ndarray:
        return np.zeros(len(ctx.index))


class DuplicateSignal:
    @hookimpl
    def atlas_register_signals(self, registry: object) -> None:
        registry.add(_Dup())  # type: ignore[attr-defined]


class OverridingSignal:
    @hookimpl
    def atlas_register_signals(self, registry: object) -> None:
        registry.add(_Dup(), override=True)  # type: ignore[attr-defined]


def test_name_conflicts_are_reported_and_overrides_explicit() -> None:
    manager = get_plugin_manager(load_entrypoints=False, extra_plugins=[("dup", DuplicateSignal())])
    signals = manager.registry("signals")
    assert signals.entry("bm25f").provider == "atlas-core[signal_bm25f]"  # type: ignore[union-attr]
    assert any("registered by both" in w and "local[dup]" in w for w in manager.warnings)
    manager = get_plugin_manager(
        load_entrypoints=False, extra_plugins=[("over", OverridingSignal())]
    )
    entry = manager.registry("signals").entry("bm25f")
    assert entry is not None and entry.provider == "local[over]"
    assert entry.overridden == "atlas-core[signal_bm25f]"


def test_builtins_implement_only_known_hooks() -> None:
    manager = get_plugin_manager(load_entrypoints=False)
    manager.pm.check_pending()
    assert len(manager.registry("signals")) >= 2 and len(manager.registry("fusers")) >= 2


def test_ranking_is_deterministic_whatever_the_registration_order(tmp_path: Path) -> None:
    repo = write_repo(
        tmp_path / "r", {f"m{i}.py": f"def f{i}(): return 'shared {i % 3}'\n" for i in range(12)}
    )
    results = []
    for order in ([], [("x", DuplicateSignal())]):
        manager = get_plugin_manager(load_entrypoints=False, extra_plugins=order)
        atlas = Atlas(repo, manager)
        atlas.index(force=True)
        selection = atlas.query("shared", QueryOptions(min_score=0), atlas.reader()).selection
        results.append([(f.path, f.score) for f in selection.files])
    assert results[0] == results[1] and len(results[0]) == 12


def test_builtins_can_be_disabled_except_essential_ones(tmp_path: Path, atlas_cli: Cli) -> None:
    repo = write_repo(tmp_path / "r", {"a.py": "def alpha():\n    pass\n"})
    result = atlas_cli(
        "--disable-plugin",
        "chunk_treesitter",
        "--disable-plugin",
        "walk_fs",
        "--root",
        str(repo),
        "quick",
        "alpha",
        "--format",
        "json",
    )
    assert result.code == 0, result.stderr
    assert json.loads(result.stdout)["Files"][0]["Path"] == "a.py"  # walk_fs is essential
    rows = {
        r["Name"]: r["Status"]
        for r in json.loads(
            atlas_cli("--disable-plugin", "chunk_treesitter", "plugins", "--all", "--json").stdout
        )["Plugins"]
    }
    assert rows["chunk_treesitter"] == "disabled" and rows["chunk_regex"] == "builtin"
