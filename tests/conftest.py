from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import pytest

from atlas_core.engine import Atlas
from atlas_core.plugin.manager import get_plugin_manager


@pytest.fixture
def make_atlas() -> Callable[[Path], Atlas]:
    """An engine over ``root`` with built-in plugins only."""

    def make(root: Path) -> Atlas:
        return Atlas(root, get_plugin_manager(load_entrypoints=False))

    return make


#: files in other languages beside the one a language's ranking test is about
DECOYS = {
    "src/other.py": "def unrelated():\n    return 1\n",
    "src/main.go": "package main\n\nfunc main() {}\n",
    "README.md": "# Project\n\nA small project.\n",
}


@pytest.fixture
def rank_beside_decoys(
    tmp_path: Path, make_atlas: Callable[[Path], Atlas]
) -> Callable[[dict[str, str], str], tuple[list[str], str]]:
    """``rank(files, task)``: index ``files`` (the first is the one under test) beside
    :data:`DECOYS` and run ``task``; the names of that file's chunks, and the file ranked
    first."""

    def rank(files: dict[str, str], task: str) -> tuple[list[str], str]:
        from atlas_core.testing import first_ranked, write_repo

        path = next(iter(files))
        root = write_repo(tmp_path / "r", {**files, **DECOYS})
        reader, first = first_ranked(make_atlas(root), task)
        return [c.name for c in reader.chunks(reader.ids[path])], first

    return rank


@pytest.fixture
def site(plugin_site: Path) -> Path:
    """Where the plugin tests install their fake distributions (``install_plugin``)."""
    return plugin_site
