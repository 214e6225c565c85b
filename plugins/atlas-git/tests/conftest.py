"""Small real git repositories with controlled commit dates."""

from __future__ import annotations

import os
import subprocess
from collections.abc import Callable
from pathlib import Path
from typing import Any

import atlas_git
import numpy as np
import pytest

from atlas_core.components import QueryContext
from atlas_core.config import Preset, load_settings
from atlas_core.engine import Atlas, QueryOptions, QueryResult
from atlas_core.plugin.manager import get_plugin_manager
from atlas_core.terms import tokenize

#: 2020-01-01: far enough in the past that a wall-clock window would see nothing
EPOCH = 1_577_836_800
DAY = 86_400


class GitRepo:
    """A work tree whose commits are made at ``EPOCH + day`` days."""

    def __init__(self, root: Path) -> None:
        self.root = root
        root.mkdir(parents=True, exist_ok=True)
        self.git("init", "-q", "-b", "main")

    def git(self, *args: str, day: float = 0.0) -> str:
        stamp = f"@{int(EPOCH + day * DAY)} +0000"
        env = {
            **os.environ,
            "GIT_AUTHOR_NAME": "t",
            "GIT_AUTHOR_EMAIL": "t@example.com",
            "GIT_COMMITTER_NAME": "t",
            "GIT_COMMITTER_EMAIL": "t@example.com",
            "GIT_AUTHOR_DATE": stamp,
            "GIT_COMMITTER_DATE": stamp,
        }
        done = subprocess.run(
            ["git", "-C", str(self.root), *args],
            check=True,
            capture_output=True,
            text=True,
            env=env,
        )
        return done.stdout.strip()

    def commit(self, day: float, files: dict[str, str], message: str = "change") -> str:
        """Write ``files`` (appending to existing ones) and commit them at ``day``."""
        for rel, text in files.items():
            path = self.root / rel
            path.parent.mkdir(parents=True, exist_ok=True)
            old = path.read_text(encoding="utf-8") if path.exists() else ""
            path.write_text(old + text + "\n", encoding="utf-8")
        self.git("add", "--", *files, day=day)
        self.git("commit", "-q", "-m", message, day=day)
        return self.git("rev-parse", "HEAD")

    def head(self) -> str:
        return self.git("rev-parse", "HEAD")


@pytest.fixture(autouse=True)
def no_parent_repo(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """Never let git find a repository above the test's directory."""
    monkeypatch.setenv("GIT_CEILING_DIRECTORIES", str(tmp_path))
    for name in ("GIT_DIR", "GIT_WORK_TREE", "GIT_INDEX_FILE"):
        monkeypatch.delenv(name, raising=False)


@pytest.fixture
def git_repo(tmp_path: Path) -> Callable[[str], GitRepo]:
    def make(name: str = "repo") -> GitRepo:
        return GitRepo(tmp_path / name)

    return make


GIT_PRESET = Preset(
    "gittest",
    {"bm25f": 1.0, "path": 0.35, "git_recency": 0.1, "git_cochange": 0.25},
    "weighted",
    None,
    None,
    0.0,
    None,
)


class Pipeline:
    """Runs the pipeline in-process with the git plugin registered."""

    @staticmethod
    def make_atlas(root: Path, *, plugin: bool = True) -> Atlas:
        extra = [("git", atlas_git)] if plugin else []
        manager = get_plugin_manager(load_entrypoints=False, extra_plugins=extra)
        settings = load_settings(root)
        settings.presets[GIT_PRESET.name] = GIT_PRESET
        return Atlas(root, manager, settings)

    @staticmethod
    def indexed(root: Path) -> tuple[Atlas, Any]:
        """Index ``root`` and return the engine and a fresh reader."""
        atlas = Pipeline.make_atlas(root)
        report = atlas.index()
        assert not report.errors, report.errors
        return atlas, atlas.reader()

    @staticmethod
    def context(atlas: Atlas, reader: Any, task: str = "task") -> QueryContext:
        return QueryContext(task, tokenize(task), reader, atlas.settings.components)

    @staticmethod
    def by_path(reader: Any, scores: np.ndarray) -> dict[str, float]:
        return {p: float(scores[i]) for i, p in enumerate(reader.paths)}

    @staticmethod
    def query(root: Path, task: str) -> QueryResult:
        atlas = Pipeline.make_atlas(root)
        atlas.index()
        return atlas.query(task, QueryOptions(preset=GIT_PRESET.name), atlas.reader())


@pytest.fixture
def pipeline() -> Pipeline:
    return Pipeline()
