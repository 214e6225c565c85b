"""``atlas inspect --files``: how each file was classified, and why."""

from __future__ import annotations

import json
from collections.abc import Callable
from pathlib import Path

from atlas_core.testing import CliResult


def test_inspect_files_shows_roles_and_evidence(
    make_repo: Callable[..., Path], atlas_cli: Callable[..., CliResult]
) -> None:
    root = make_repo(
        {
            "lib/client.js": "export function get(url) {}\n",
            "dist/client.js": "// Client v1.2.3 Copyright (c) 2024\nvar a = 1;\n",
            "shell/keys.fish": "function __keys_parse\nend\n",
            "tests/test_x.py": "def test_x():\n    pass\n",
        }
    )
    result = atlas_cli("--root", str(root), "inspect", "--files", "--json")
    assert result.code == 0, result.stderr
    rows = {r["Path"]: r for r in json.loads(result.stdout)["Files"]}
    assert rows["dist/client.js"]["Role"] == "generated"
    assert "Client v1.2.3" in rows["dist/client.js"]["Reason"]
    assert (rows["shell/keys.fish"]["Language"], rows["shell/keys.fish"]["Role"]) == (
        "fish",
        "impl",
    )
    only = atlas_cli("--root", str(root), "--format", "human", "inspect", "--role", "generated")
    assert only.stdout.split()[:3] == ["dist/client.js", "javascript", "generated"]
    assert "lib/client.js" not in only.stdout
    pattern = atlas_cli("--root", str(root), "--format", "human", "inspect", "shell/")
    assert "shell/keys.fish" in pattern.stdout and "dist/" not in pattern.stdout
    none = atlas_cli("--root", str(root), "--format", "human", "inspect", "nothing/*")
    assert none.code == 0 and "no indexed file matches" in none.stdout
