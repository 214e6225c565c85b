"""The freshness check: with inotify watches, a call stats only the few watched files."""

from __future__ import annotations

import os
import sys
from pathlib import Path

import pytest
from atlas_mcp import freshness
from atlas_mcp.freshness import WATCHED_FILES, Snapshot, stamps

from atlas_core.engine import Atlas
from atlas_core.plugin.manager import get_plugin_manager
from atlas_core.testing import write_repo

pytestmark = pytest.mark.skipif(not sys.platform.startswith("linux"), reason="inotify")


def _snapshot(root: Path) -> Snapshot:
    atlas = Atlas(root, get_plugin_manager(load_entrypoints=False))
    atlas.index()
    reader = atlas.reader()
    return Snapshot.of(root, reader, stamps(root, reader.paths))


def test_watched_snapshot_sees_edits_without_stat_ing_every_file(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    files = {f"src/m{k}.py": f"x = {k}\n" for k in range(30)}
    root = write_repo(tmp_path / "r", files)
    snap = _snapshot(root)
    assert snap.watcher is not None
    assert snap.changed() is None  # the first check stats everything
    calls: list[str] = []
    real = os.stat

    def counting(path: str, *args: object, **kwargs: object) -> os.stat_result:
        calls.append(str(path))
        return real(path, *args, **kwargs)  # type: ignore[arg-type]

    monkeypatch.setattr(freshness.os, "stat", counting)
    assert snap.changed() is None
    assert len(calls) <= len(WATCHED_FILES)
    with open(root / "src" / "m3.py", "a") as fh:  # in place: no directory changes
        fh.write("y = 1\n")
    assert snap.changed() == "src/m3.py was modified"
    assert len(calls) > 30


def test_the_cache_directory_is_not_a_change(tmp_path: Path) -> None:
    root = write_repo(tmp_path / "r", {"a.py": "x = 1\n"})
    snap = _snapshot(root)
    assert snap.changed() is None
    (root / ".atlas" / "extras").mkdir(exist_ok=True)
    os.utime(root / ".atlas")
    assert snap.changed() is None
    (root / "b.py").write_text("y = 2\n")
    assert snap.changed() == ". changed"
