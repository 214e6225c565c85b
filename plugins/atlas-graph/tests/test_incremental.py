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


def test_an_edit_that_keeps_the_imports_resolves_nothing(
    tmp_path: Path, graph_atlas: Make, monkeypatch: pytest.MonkeyPatch
) -> None:
    from atlas_graph.resolvers.python import PythonResolver

    calls: list[int] = []
    resolve = PythonResolver.resolve

    def counted(self: PythonResolver, view: Any, file_id: int, imports: list[str]) -> list[str]:
        calls.append(file_id)
        return resolve(self, view, file_id, imports)

    monkeypatch.setattr(PythonResolver, "resolve", counted)
    root = write_repo(tmp_path / "r", FILES)
    atlas = graph_atlas(root)
    atlas.index()
    assert calls  # the first run resolves every importing file
    calls.clear()
    with open(root / "app" / "util.py", "a") as fh:
        fh.write("\ndef more():\n    return 2\n")
    assert atlas.index().contributors["graph"] == "updated"
    assert calls == []
    with open(root / "app" / "util.py", "a") as fh:
        fh.write("\nfrom app import cli\n")
    atlas.index()
    with atlas.reader(build_if_missing=False) as reader:
        assert calls == [reader.ids["app/util.py"]]


def test_graph_data_is_written_atomically_without_fsync(
    tmp_path: Path, graph_atlas: Make, request: pytest.FixtureRequest
) -> None:
    """Derived data: a crash leaves the old, the new or a torn file that fails its
    checksum and is computed again; the generation itself is fsynced."""
    root = write_repo(tmp_path / "r", FILES)
    atlas = graph_atlas(root)
    atlas.index()
    synced = request.getfixturevalue("fsynced_paths")  # from here on
    with open(root / "app" / "util.py", "a") as fh:
        fh.write("\n# a comment only\n")
    assert atlas.index().contributors["graph"] == "updated"
    assert any("CURRENT" in p for p in synced)
    assert not [p for p in synced if "extras" in p]
    assert _graph(atlas)["src"]  # readable, with its edges
