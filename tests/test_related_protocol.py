"""A signal that offers ``related`` (the RelatedFiles protocol) adds its ties to the core's."""

from __future__ import annotations

from pathlib import Path
from typing import ClassVar

import numpy as np

from atlas_core.api import QueryContext, RelatedFiles, Signal, Tie, gather_ties
from atlas_core.engine import Atlas
from atlas_core.plugin.manager import get_plugin_manager


class _Buddy(Signal):
    """Ties every given file to file 0 ("buddy of"); scores nothing."""

    name: ClassVar[str] = "buddy"

    def score(self, ctx: QueryContext) -> np.ndarray:
        return np.zeros(len(ctx.index))

    def related(self, ctx: QueryContext, ids: list[int]) -> list[Tie]:
        return [Tie(0, i, "buddy of", 0.5) for i in ids if i != 0]


class _Broken(_Buddy):
    name: ClassVar[str] = "broken"

    def related(self, ctx: QueryContext, ids: list[int]) -> list[Tie]:
        raise ValueError("kaboom")


def test_related_files_protocol_adds_ties_and_fails_soft(tmp_path: Path) -> None:
    (tmp_path / "a.py").write_text("def alpha():\n    return 1\n")
    (tmp_path / "b.py").write_text("def beta():\n    return 2\n")
    atlas = Atlas(tmp_path, get_plugin_manager(load_entrypoints=False))
    atlas.index()
    reader = atlas.reader()
    assert isinstance(_Buddy(), RelatedFiles)
    ctx = QueryContext("", [], reader, {})
    given = [reader.ids["b.py"]]
    ties = gather_ties(ctx, [_Buddy(), _Broken()], given)
    assert Tie(0, given[0], "buddy of", 0.5) in ties
    assert any("kaboom" in note.message and note.level == "warning" for note in ctx.notes)


def test_task_free_helpers_of_the_public_api(tmp_path: Path) -> None:
    import subprocess

    from atlas_core.api import (
        build_map,
        centrality,
        diff_paths,
        index_report,
        outline_of,
        related_document,
        related_files,
        render_map,
        resolve_seeds,
        scope_mask,
    )

    (tmp_path / "pkg").mkdir()
    (tmp_path / "pkg" / "core.py").write_text("def engine():\n    return 1\n")
    (tmp_path / "tests").mkdir()
    (tmp_path / "tests" / "test_core.py").write_text("from pkg.core import engine\n")
    git = ["git", "-c", "user.email=a@example.com", "-c", "user.name=a"]
    subprocess.run([*git, "init", "-q"], cwd=tmp_path, check=True)
    subprocess.run([*git, "add", "pkg"], cwd=tmp_path, check=True)
    subprocess.run([*git, "commit", "-qm", "core"], cwd=tmp_path, check=True)
    atlas = Atlas(tmp_path, get_plugin_manager(load_entrypoints=False))
    atlas.index()
    reader = atlas.reader()
    seeds = resolve_seeds(reader, ["pkg/core.py:1"])
    assert [(s.id, s.line) for s in seeds] == [(reader.ids["pkg/core.py"], 1)]
    assert diff_paths(tmp_path) == ["tests/test_core.py"]  # untracked files count
    mask = scope_mask(reader, ["pkg"])
    assert mask is not None and mask.tolist() == [p.startswith("pkg/") for p in reader.paths]
    ctx = QueryContext("", [], reader, {})
    ties = gather_ties(ctx, [], [seeds[0].id])
    tests = related_files(reader, ties, [seeds[0].id], tests_only=True)
    assert [reader.paths[r.id] for r in tests] == ["tests/test_core.py"]
    doc = related_document(reader, [seeds[0].id], tests, tests_only=True)
    assert doc["Given"] == ["pkg/core.py"] and doc["Tests"] is True
    assert [(f["Path"], f["Reasons"][0]["Of"]) for f in doc["Files"]] == [
        ("tests/test_core.py", "pkg/core.py")
    ]
    report = index_report(atlas.index(force=True), forced=True)
    assert report["Rebuilt"] and report["Files"] == 2 and report["RebuiltReason"]
    scores = centrality(reader, [], {})
    text = render_map(build_map(reader, scores, max_tokens=500))
    assert "pkg/core.py" in text and "engine" in text
    assert [s["Name"] for s in outline_of(reader, "pkg/core.py")["Symbols"]] == ["engine"]
