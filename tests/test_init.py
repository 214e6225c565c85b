"""`atlas init`: instruction files for agents, never clobbering the user's own content."""

from __future__ import annotations

import json
from collections.abc import Callable
from pathlib import Path

import pytest

from atlas_core.cli.init import BEGIN, END
from atlas_core.testing import CliResult, write_repo

Cli = Callable[..., CliResult]

USER_CLAUDE = "# House rules\n\nRun `make test` before pushing.\n"


@pytest.fixture
def repo(tmp_path: Path) -> Path:
    return write_repo(tmp_path / "repo", {"src/app.py": "print('hi')\n"})


def init(atlas_cli: Cli, repo: Path, *args: str) -> CliResult:
    result = atlas_cli("init", "--root", str(repo), *args)
    assert result.code == 0, result.stderr
    return result


def actions(atlas_cli: Cli, repo: Path, *args: str) -> dict[str, str]:
    doc = json.loads(init(atlas_cli, repo, "--format", "json", *args).stdout)
    return {f["Path"]: f["Action"] for f in doc["Files"]}


def snapshot(root: Path) -> dict[str, bytes]:
    return {
        str(p.relative_to(root)): p.read_bytes()
        for p in sorted(root.rglob("*"))
        if p.is_file() and ".atlas" not in p.parts
    }


def test_writes_every_instruction_file_and_prints_the_mcp_config(
    repo: Path, atlas_cli: Cli
) -> None:
    (repo / ".github").mkdir()
    result = init(atlas_cli, repo)
    for rel in ("AGENTS.md", "CLAUDE.md", ".cursor/rules/atlas.md",
                ".github/copilot-instructions.md"):
        text = (repo / rel).read_text()
        assert "ask Atlas before grepping" in text and "atlas quick" in text, rel
        assert f"created {rel}" in result.stdout
    assert (repo / "AGENTS.md").read_text().startswith(BEGIN + "\n")
    assert (repo / ".cursor/rules/atlas.md").read_text().startswith("---\ndescription:")
    config = json.loads(result.stdout[result.stdout.index("{"): result.stdout.rindex("}") + 1])
    assert config == {
        "mcpServers": {"atlas": {"command": "atlas", "args": ["mcp", "--root", str(repo)]}}
    }
    assert "pip install atlas-mcp" in result.stdout  # the plugin is not loaded in tests


def test_copilot_instructions_only_when_github_exists(repo: Path, atlas_cli: Cli) -> None:
    assert ".github/copilot-instructions.md" not in actions(atlas_cli, repo)
    assert not (repo / ".github").exists()


def test_claude_md_keeps_the_users_content(repo: Path, atlas_cli: Cli) -> None:
    (repo / "CLAUDE.md").write_text(USER_CLAUDE)
    assert actions(atlas_cli, repo)["CLAUDE.md"] == "added-section"
    text = (repo / "CLAUDE.md").read_text()
    assert text.startswith(USER_CLAUDE + "\n" + BEGIN + "\n")
    assert text.rstrip().endswith(END)
    # the user adds more below the section; a re-run leaves every byte alone
    (repo / "CLAUDE.md").write_text(text + "\n## Later notes\nmine\n")
    before = snapshot(repo)
    assert set(actions(atlas_cli, repo).values()) == {"unchanged"}
    assert snapshot(repo) == before


def test_rerunning_is_idempotent(repo: Path, atlas_cli: Cli) -> None:
    (repo / ".github").mkdir()
    init(atlas_cli, repo)
    before = snapshot(repo)
    mtimes = {p: p.stat().st_mtime_ns for p in repo.rglob("*.md")}
    assert set(actions(atlas_cli, repo).values()) == {"unchanged"}
    assert snapshot(repo) == before
    assert {p: p.stat().st_mtime_ns for p in repo.rglob("*.md")} == mtimes


def test_nothing_that_differs_is_replaced_without_force(repo: Path, atlas_cli: Cli) -> None:
    init(atlas_cli, repo)
    rule = repo / ".cursor/rules/atlas.md"
    rule.write_text("my own cursor rule\n")
    claude = repo / "CLAUDE.md"
    edited = claude.read_text().replace("offline", "offline (edited by me)")
    claude.write_text("intro\n" + edited + "outro\n")
    done = actions(atlas_cli, repo)
    assert done[".cursor/rules/atlas.md"] == "skipped" and done["CLAUDE.md"] == "skipped"
    assert rule.read_text() == "my own cursor rule\n"
    assert "(edited by me)" in claude.read_text()
    human = init(atlas_cli, repo).stdout
    assert "skipped .cursor/rules/atlas.md (it exists with other content (--force" in human

    done = actions(atlas_cli, repo, "--force")
    assert done[".cursor/rules/atlas.md"] == "overwritten"
    assert done["CLAUDE.md"] == "updated-section"
    text = claude.read_text()
    assert "(edited by me)" not in text
    assert text.startswith("intro\n" + BEGIN) and text.endswith(END + "\noutro\n")
    assert "ask Atlas before grepping" in rule.read_text()


def test_dry_run_writes_nothing(repo: Path, atlas_cli: Cli) -> None:
    before = snapshot(repo)
    result = init(atlas_cli, repo, "--dry-run")
    assert "would have created AGENTS.md" in result.stdout
    assert snapshot(repo) == before


def test_crlf_files_stay_crlf(repo: Path, atlas_cli: Cli) -> None:
    (repo / "AGENTS.md").write_bytes(b"# Agents\r\n\r\nBe nice.\r\n")
    init(atlas_cli, repo)
    data = (repo / "AGENTS.md").read_bytes()
    assert data.startswith(b"# Agents\r\n\r\nBe nice.\r\n\r\n" + BEGIN.encode() + b"\r\n")
    assert b"\n" not in data.replace(b"\r\n", b"")
    assert actions(atlas_cli, repo)["AGENTS.md"] == "unchanged"


def test_unbalanced_markers_need_force(repo: Path, atlas_cli: Cli) -> None:
    (repo / "AGENTS.md").write_text(f"mine\n{BEGIN}\nhalf a section\n")
    assert actions(atlas_cli, repo)["AGENTS.md"] == "skipped"
    assert (repo / "AGENTS.md").read_text() == f"mine\n{BEGIN}\nhalf a section\n"
    assert actions(atlas_cli, repo, "--force")["AGENTS.md"] == "updated-section"
    text = (repo / "AGENTS.md").read_text()
    assert text.startswith(f"mine\n{BEGIN}\n") and text.count(BEGIN) == 1 and END in text


def test_never_writes_outside_the_root(repo: Path, tmp_path: Path, atlas_cli: Cli) -> None:
    elsewhere = tmp_path / "elsewhere"
    elsewhere.mkdir()
    (repo / ".cursor").symlink_to(elsewhere, target_is_directory=True)
    done = actions(atlas_cli, repo)
    assert done[".cursor/rules/atlas.md"] == "skipped"
    assert list(elsewhere.iterdir()) == []
    assert done["AGENTS.md"] == "created"
