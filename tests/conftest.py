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
