"""`atlas init`: instruction files for agents, never clobbering the user's own content."""

from __future__ import annotations

import json
import os
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
    for rel in (
        "AGENTS.md",
        "CLAUDE.md",
        ".cursor/rules/atlas.md",
        ".github/copilot-instructions.md",
    ):
        text = (repo / rel).read_text()
        assert "ask Atlas before grepping" in text and "atlas quick" in text, rel
        assert f"created {rel}" in result.stdout
    assert (repo / "AGENTS.md").read_text().startswith(BEGIN + "\n")
    assert (repo / ".cursor/rules/atlas.md").read_text().startswith("---\ndescription:")
    config = json.loads(result.stdout[result.stdout.index("{") : result.stdout.rindex("}") + 1])
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


def refused(atlas_cli: Cli, repo: Path, *args: str) -> str:
    """Run ``atlas init`` expecting a refusal; its one-line error."""
    result = atlas_cli("init", "--root", str(repo), *args)
    assert result.code == 1, (result.code, result.stdout, result.stderr)
    assert result.stdout == ""
    lines = result.stderr.splitlines()
    assert len(lines) == 1 and lines[0].startswith("atlas: error: "), result.stderr
    return lines[0]


@pytest.mark.parametrize(
    ("text", "line", "problem"),
    [
        (f"mine\n{BEGIN}\nhalf a section\nmore of mine\n", 2, f"{BEGIN} without an {END}"),
        (f"mine\n\nold text\n{END}\nmore of mine\n", 4, f"{END} without a {BEGIN}"),
        (f"{BEGIN}\na\n{END}\nmine\n{BEGIN}\nb\n", 5, f"a second {BEGIN} (the first is on line 1)"),
        (f"{BEGIN}\na\n{END}\nmine\n{END}\n", 5, f"a second {END} (the first is on line 3)"),
        (f"mine\n{END}\nmiddle\n{BEGIN}\n", 2, f"{END} comes before the {BEGIN}"),
    ],
    ids=["begin-without-end", "end-without-begin", "two-begins", "two-ends", "end-first"],
)
@pytest.mark.parametrize("force", [False, True], ids=["plain", "force"])
def test_unbalanced_markers_are_refused_and_the_file_untouched(
    repo: Path, atlas_cli: Cli, text: str, line: int, problem: str, force: bool
) -> None:
    (repo / ".github").mkdir()
    (repo / "CLAUDE.md").write_bytes(text.encode())
    before = snapshot(repo)
    error = refused(atlas_cli, repo, *(["--force"] if force else []))
    assert f"CLAUDE.md:{line}: {problem}" in error
    assert snapshot(repo) == before  # nothing written, the other files not created either
    assert refused(atlas_cli, repo, "--dry-run") == error


def test_markers_are_checked_in_the_file_a_link_names(repo: Path, atlas_cli: Cli) -> None:
    (repo / "docs").mkdir()
    (repo / "docs" / "AI.md").write_text(f"notes\n{BEGIN}\nno end\n")
    (repo / "CLAUDE.md").symlink_to("docs/AI.md")
    assert "docs/AI.md:2: " in refused(atlas_cli, repo, "--force")
    assert (repo / "CLAUDE.md").is_symlink()
    assert (repo / "docs" / "AI.md").read_text() == f"notes\n{BEGIN}\nno end\n"


def test_a_claude_md_link_to_agents_md_stays_a_link(repo: Path, atlas_cli: Cli) -> None:
    (repo / "AGENTS.md").write_text(USER_CLAUDE)
    (repo / "CLAUDE.md").symlink_to("AGENTS.md")
    done = actions(atlas_cli, repo)
    assert done == {
        "AGENTS.md": "added-section",
        "CLAUDE.md": "linked",
        ".cursor/rules/atlas.md": "created",
    }
    assert (repo / "CLAUDE.md").is_symlink() and os.readlink(repo / "CLAUDE.md") == "AGENTS.md"
    text = (repo / "AGENTS.md").read_text()
    assert text.startswith(USER_CLAUDE) and text.count(BEGIN) == 1 and text.count(END) == 1
    assert "kept the link CLAUDE.md (the same file as AGENTS.md)" in init(atlas_cli, repo).stdout
    for args in ((), ("--force",)):
        assert set(actions(atlas_cli, repo, *args).values()) <= {"unchanged", "linked"}
        assert (repo / "CLAUDE.md").is_symlink()
        assert (repo / "AGENTS.md").read_text() == text


def test_two_links_to_one_file_get_one_section(repo: Path, atlas_cli: Cli) -> None:
    (repo / ".github").mkdir()
    (repo / "docs").mkdir()
    (repo / "docs" / "agents.md").write_text(USER_CLAUDE)
    (repo / "AGENTS.md").symlink_to("docs/agents.md")
    (repo / "CLAUDE.md").symlink_to("docs/agents.md")
    (repo / ".github" / "copilot-instructions.md").symlink_to("../AGENTS.md")  # a chain
    doc = json.loads(init(atlas_cli, repo, "--format", "json").stdout)
    files = {f["Path"]: (f["Action"], f["Target"]) for f in doc["Files"]}
    assert files["AGENTS.md"] == ("added-section", "docs/agents.md")
    assert files["CLAUDE.md"] == ("linked", None)
    assert files[".github/copilot-instructions.md"] == ("linked", None)
    text = (repo / "docs" / "agents.md").read_text()
    assert text.startswith(USER_CLAUDE) and text.count(BEGIN) == 1 and text.count(END) == 1
    for rel in ("AGENTS.md", "CLAUDE.md", ".github/copilot-instructions.md"):
        assert (repo / rel).is_symlink(), rel
    assert set(actions(atlas_cli, repo).values()) == {"unchanged", "linked"}


def test_a_dangling_link_inside_the_root_is_followed(repo: Path, atlas_cli: Cli) -> None:
    (repo / "CLAUDE.md").symlink_to("docs/claude.md")  # neither docs/ nor the file exists
    assert actions(atlas_cli, repo)["CLAUDE.md"] == "created"
    assert (repo / "CLAUDE.md").is_symlink()
    assert (repo / "docs" / "claude.md").read_text().startswith(BEGIN + "\n")


def test_a_cursor_rule_that_is_the_same_file_as_a_section_is_left_alone(
    repo: Path, atlas_cli: Cli
) -> None:
    (repo / "AGENTS.md").write_text(USER_CLAUDE)
    (repo / ".cursor" / "rules").mkdir(parents=True)
    (repo / ".cursor" / "rules" / "atlas.md").symlink_to("../../AGENTS.md")
    done = actions(atlas_cli, repo, "--force")
    assert done[".cursor/rules/atlas.md"] == "skipped"
    assert (repo / "AGENTS.md").read_text().startswith(USER_CLAUDE)  # not overwritten whole


@pytest.mark.parametrize("force", [False, True], ids=["plain", "force"])
def test_a_link_outside_the_root_is_refused(
    repo: Path, tmp_path: Path, atlas_cli: Cli, force: bool
) -> None:
    elsewhere = tmp_path / "elsewhere.md"
    elsewhere.write_text("someone else's file\n")
    (repo / "CLAUDE.md").symlink_to(elsewhere)
    before = snapshot(repo)
    error = refused(atlas_cli, repo, *(["--force"] if force else []))
    assert "CLAUDE.md leads through a link to" in error and "outside the repository" in error
    assert elsewhere.read_text() == "someone else's file\n"
    assert snapshot(repo) == before and (repo / "CLAUDE.md").is_symlink()


def test_a_directory_link_outside_the_root_is_refused(
    repo: Path, tmp_path: Path, atlas_cli: Cli
) -> None:
    elsewhere = tmp_path / "elsewhere"
    elsewhere.mkdir()
    (repo / ".cursor").symlink_to(elsewhere, target_is_directory=True)
    assert ".cursor/rules/atlas.md leads through a link" in refused(atlas_cli, repo)
    assert list(elsewhere.iterdir()) == []
    assert not (repo / "AGENTS.md").exists()


def test_a_directory_link_inside_the_root_is_followed(repo: Path, atlas_cli: Cli) -> None:
    (repo / "tools" / "cursor").mkdir(parents=True)
    (repo / ".cursor").symlink_to("tools/cursor", target_is_directory=True)
    assert actions(atlas_cli, repo)[".cursor/rules/atlas.md"] == "created"
    assert (repo / ".cursor").is_symlink()
    assert (repo / "tools" / "cursor" / "rules" / "atlas.md").read_text().startswith("---\n")


def test_a_link_loop_is_refused(repo: Path, atlas_cli: Cli) -> None:
    (repo / "CLAUDE.md").symlink_to("loop.md")
    (repo / "loop.md").symlink_to("CLAUDE.md")
    assert "CLAUDE.md" in refused(atlas_cli, repo)
    assert not (repo / "AGENTS.md").exists()


def test_a_failed_write_leaves_the_file_whole(
    repo: Path, atlas_cli: Cli, monkeypatch: pytest.MonkeyPatch
) -> None:
    (repo / "CLAUDE.md").write_text(USER_CLAUDE)
    (repo / "CLAUDE.md").chmod(0o640)

    def no_space(src: object, dst: object) -> None:
        raise OSError(28, "No space left on device", str(dst))

    monkeypatch.setattr(os, "replace", no_space)
    result = atlas_cli("init", "--root", str(repo))
    assert result.code != 0 and "No space left on device" in result.stderr
    assert len(result.stderr.splitlines()) == 1
    assert (repo / "CLAUDE.md").read_text() == USER_CLAUDE
    assert not list(repo.rglob(".atlas-init-*"))  # no temporary file left behind
    monkeypatch.undo()
    init(atlas_cli, repo)
    assert (repo / "CLAUDE.md").stat().st_mode & 0o777 == 0o640
    assert (repo / "CLAUDE.md").read_text().startswith(USER_CLAUDE)


def test_a_file_changed_after_planning_is_not_overwritten(repo: Path) -> None:
    from atlas_core.cli.init import InitRefused, apply_init, plan_init

    (repo / "CLAUDE.md").write_text(USER_CLAUDE)
    plan = plan_init(repo)
    (repo / "CLAUDE.md").write_text(USER_CLAUDE + "typed meanwhile\n")
    with pytest.raises(InitRefused, match=r"CLAUDE\.md changed while atlas init ran"):
        apply_init(repo, plan)
    assert (repo / "CLAUDE.md").read_text() == USER_CLAUDE + "typed meanwhile\n"
