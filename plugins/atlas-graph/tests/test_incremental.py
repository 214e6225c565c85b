"""An edit that keeps the graph reuses its PageRank; any other gives what a rebuild gives."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest

from atlas_core.engine import Atlas
from atlas_core.testing import write_repo

FILES = {
    "app/main.py": "from app import util\nfrom app import db\n\ndef main():\n    util.go()\n",
    "app/util.py": "from app import db\n\ndef go():\n    return db.query()\n",
    "app/db.py": "def query():\n    return 1\n",
    "app/__init__.py": "",
    "app/cli.py": "def cli():\n    pass\n",
}

Make = Callable[..., Atlas]


def _graph(atlas: Atlas) -> dict[str, Any]:
    with atlas.reader(build_if_missing=False) as reader:
        data = dict(reader.extra("graph"))
    data.pop("generation")
    return data


@pytest.mark.parametrize(
    ("path", "text", "same"),
    [
        ("app/util.py", "\n# a comment only\n", True),
        ("app/cli.py", "\nfrom app import main\n", False),
        ("app/util.py", "\nbad = b'\\x00\\x01'\n", True),
    ],
)
def test_edit_matches_a_rebuild(
    tmp_path: Path, graph_atlas: Make, path: str, text: str, same: bool
) -> None:
    root = write_repo(tmp_path / "r", FILES)
    atlas = graph_atlas(root)
    atlas.index()
    before = _graph(atlas)
    with open(root / path, "a") as fh:
        fh.write(text)
    assert atlas.index().contributors["graph"] == "updated"
    after = _graph(atlas)
    forced = graph_atlas(root)
    forced.cache = tmp_path / "forced"
    forced.index(force=True)
    expected = _graph(forced)
    assert after == expected
    assert (after["rank"] == before["rank"] and after["src"] == before["src"]) == same
