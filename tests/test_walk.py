"""The walker honours git's ignore rules and never leaves the root."""

from __future__ import annotations

import os
from collections import Counter
from pathlib import Path

from atlas_core.components import WalkSettings
from atlas_core.testing import write_repo
from atlas_core.walk import FsWalker


def walk(root: Path, extra: list[str] | None = None) -> tuple[list[str], Counter[str]]:
    skipped: Counter[str] = Counter()
    settings = WalkSettings(extra or [], root / ".atlas", lambda rel, why: skipped.update([why]))
    return [f.rel for f in FsWalker().walk(root, settings)], skipped


def test_nested_gitignore_negation_and_directory_patterns(tmp_path: Path) -> None:
    root = write_repo(tmp_path / "r", {
        ".gitignore": "*.log\n!keep.log\nbuild/\n/only_root.txt\n",
        "a.py": "x", "debug.log": "x", "keep.log": "x",
        "build/out.py": "x", "src/build": "a file named build is not a directory",
        "only_root.txt": "x", "src/only_root.txt": "x",
        "src/.gitignore": "secret_*.py\n!secret_ok.py\n",
        "src/secret_a.py": "x", "src/secret_ok.py": "x", "src/main.py": "x",
        "src/deep/.gitignore": "!*.log\n", "src/deep/trace.log": "x",
    })
    files, _ = walk(root)
    assert "a.py" in files and "keep.log" in files
    assert "debug.log" not in files
    assert "build/out.py" not in files and "src/build" in files  # dir-only pattern
    assert "only_root.txt" not in files and "src/only_root.txt" in files  # anchored
    assert "src/secret_a.py" not in files and "src/secret_ok.py" in files  # nested + negation
    assert "src/deep/trace.log" in files  # a deeper file re-includes


def test_excluded_parent_cannot_be_reincluded(tmp_path: Path) -> None:
    root = write_repo(tmp_path / "r", {".gitignore": "logs/\n!logs/keep.txt\n",
                                        "logs/keep.txt": "x", "x.py": "x"})
    assert walk(root)[0] == [".gitignore", "x.py"]


def test_info_exclude_atlasignore_and_config_patterns(tmp_path: Path) -> None:
    root = write_repo(tmp_path / "r", {
        ".git/info/exclude": "local_only.py\n", ".git/HEAD": "ref: refs/heads/main\n",
        ".atlasignore": "fixtures/\n", "local_only.py": "x", "fixtures/big.json": "{}",
        "keep.py": "x", "notes.md": "x",
    })
    files, _ = walk(root, ["*.md"])
    assert files == [".atlasignore", "keep.py"]


def test_git_and_cache_directories_are_skipped(tmp_path: Path) -> None:
    root = write_repo(tmp_path / "r", {".git/config": "x", ".atlas/CURRENT": "x", "a.py": "x"})
    assert walk(root)[0] == ["a.py"]


def test_symlinks_stay_inside_the_root_and_never_loop(tmp_path: Path) -> None:
    outside = tmp_path / "outside.py"
    outside.write_text("secret")
    root = write_repo(tmp_path / "r", {"real.py": "x", "pkg/mod.py": "x"})
    os.symlink(root / "real.py", root / "alias.py")
    os.symlink(outside, root / "escape.py")
    os.symlink(root / "missing.py", root / "broken.py")
    os.symlink(root, root / "pkg" / "loop")
    files, skipped = walk(root)
    assert files == ["alias.py", "pkg/mod.py", "real.py"]
    assert skipped["broken-symlink"] == 1
    assert skipped["symlink-outside-root"] == 1
