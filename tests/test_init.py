"""`atlas init`: instruction files for agents, never clobbering the user's own content."""

from __future__ import annotations

import json
import os
import queue
import shlex
import subprocess
import sys
import threading
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest

from atlas_core.cli.init import BEGIN, END, GUIDE, atlas_command
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
    for rel in ("AGENTS.md", ".cursor/rules/atlas.mdc", ".github/copilot-instructions.md"):
        text = (repo / rel).read_text()
        assert "ask Atlas before grepping" in text and "atlas quick" in text, rel
        assert f"created {rel}" in result.stdout
    assert "created CLAUDE.md" in result.stdout
    assert (repo / "AGENTS.md").read_text().startswith(BEGIN + "\n")
    assert (repo / ".cursor/rules/atlas.mdc").read_text().startswith("---\ndescription:")
    assert not (repo / ".cursor/rules/atlas.md").exists()
    config = json.loads(result.stdout[result.stdout.index("{") : result.stdout.rindex("}") + 1])
    assert config == {"mcpServers": {"atlas": {"command": atlas_command()[0], "args": ["mcp"]}}}
    assert "pip install atlas-mcp" in result.stdout  # the plugin is not loaded in tests
    assert not (repo / ".mcp.json").exists()  # so no client is told to start it


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
    rule = repo / ".cursor/rules/atlas.mdc"
    rule.write_text("my own cursor rule\n")
    claude = repo / "AGENTS.md"
    edited = claude.read_text().replace("offline", "offline (edited by me)")
    claude.write_text("intro\n" + edited + "outro\n")
    done = actions(atlas_cli, repo)
    assert done["CLAUDE.md"] == "unchanged"  # it imports AGENTS.md, whatever that says
    assert done[".cursor/rules/atlas.mdc"] == "skipped" and done["AGENTS.md"] == "skipped"
    assert rule.read_text() == "my own cursor rule\n"
    assert "(edited by me)" in claude.read_text()
    human = init(atlas_cli, repo).stdout
    assert "skipped .cursor/rules/atlas.mdc (it exists with other content (--force" in human

    done = actions(atlas_cli, repo, "--force")
    assert done[".cursor/rules/atlas.mdc"] == "overwritten"
    assert done["AGENTS.md"] == "updated-section"
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
        ".cursor/rules/atlas.mdc": "created",
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
    (repo / ".cursor" / "rules" / "atlas.mdc").symlink_to("../../AGENTS.md")
    done = actions(atlas_cli, repo, "--force")
    assert done[".cursor/rules/atlas.mdc"] == "skipped"
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
    assert ".cursor/rules/atlas.mdc leads through a link" in refused(atlas_cli, repo)
    assert list(elsewhere.iterdir()) == []
    assert not (repo / "AGENTS.md").exists()


def test_a_directory_link_inside_the_root_is_followed(repo: Path, atlas_cli: Cli) -> None:
    (repo / "tools" / "cursor").mkdir(parents=True)
    (repo / ".cursor").symlink_to("tools/cursor", target_is_directory=True)
    assert actions(atlas_cli, repo)[".cursor/rules/atlas.mdc"] == "created"
    assert (repo / ".cursor").is_symlink()
    assert (repo / "tools" / "cursor" / "rules" / "atlas.mdc").read_text().startswith("---\n")


def test_a_link_loop_is_refused(repo: Path, atlas_cli: Cli) -> None:
    (repo / "CLAUDE.md").symlink_to("loop.md")
    (repo / "loop.md").symlink_to("CLAUDE.md")
    assert "CLAUDE.md" in refused(atlas_cli, repo)
    assert not (repo / "AGENTS.md").exists()


@pytest.mark.parametrize(
    ("link", "target", "force"),
    [
        ("AGENTS.md", ".git/config", False),
        ("AGENTS.md", ".git/hooks/pre-commit", False),  # dangling: it would be created
        ("CLAUDE.md", ".atlas/notes.md", False),
        ("CLAUDE.md", ".hg/hgrc", False),
        ("AGENTS.md", ".svn/entries", False),
        (".cursor/rules/atlas.mdc", ".git/description", True),
        ("AGENTS.md", "sub/.git", False),  # a worktree's .git file
    ],
    ids=["git-config", "git-hook", "cache", "hg", "svn", "cursor-force", "gitfile"],
)
def test_a_link_into_git_or_the_cache_is_skipped(
    repo: Path, atlas_cli: Cli, link: str, target: str, force: bool
) -> None:
    real = repo / target
    real.parent.mkdir(parents=True, exist_ok=True)
    if not target.endswith("pre-commit"):
        real.write_text("[core]\n\tbare = false\n")
    (repo / link).parent.mkdir(parents=True, exist_ok=True)
    (repo / link).symlink_to(os.path.relpath(real, (repo / link).parent))
    before = snapshot(repo)
    doc = json.loads(
        init(atlas_cli, repo, "--format", "json", *(["--force"] if force else [])).stdout
    )
    files = {f["Path"]: f for f in doc["Files"]}
    assert files[link]["Action"] == "skipped"
    assert "which atlas init never writes" in files[link]["Detail"]
    assert f"through the link to {target}" in files[link]["Detail"]
    assert (repo / link).is_symlink()
    if target.endswith("pre-commit"):
        assert not real.exists()
    assert {k: v for k, v in snapshot(repo).items() if k in before} == before
    assert (repo / "src/app.py").exists() and len(files) > 1  # the other files are set up


def test_a_link_into_a_cache_directory_set_by_the_environment_is_skipped(
    repo: Path, atlas_cli: Cli, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("ATLAS_CACHE_DIR", str(repo / "cache"))
    (repo / "cache").mkdir()
    (repo / "AGENTS.md").symlink_to("cache/AGENTS.md")
    done = json.loads(init(atlas_cli, repo, "--format", "json").stdout)["Files"]
    assert done[0]["Action"] == "skipped" and "Atlas's cache directory" in done[0]["Detail"]
    assert list((repo / "cache").iterdir()) == []


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


def test_every_file_is_checked_before_the_first_is_written(repo: Path) -> None:
    from atlas_core.cli.init import InitRefused, apply_init, plan_init

    (repo / "CLAUDE.md").write_text(USER_CLAUDE)
    plan = plan_init(repo)
    assert [a.path for a in plan][:2] == ["AGENTS.md", "CLAUDE.md"]
    (repo / "CLAUDE.md").write_text(USER_CLAUDE + "typed meanwhile\n")
    with pytest.raises(InitRefused, match=r"CLAUDE\.md changed while atlas init ran"):
        apply_init(repo, plan)
    assert not (repo / "AGENTS.md").exists()  # planned before CLAUDE.md, not written either


# -- agents, MCP configs, the Cursor rule, one instruction text ---------------------------


@pytest.fixture
def with_mcp(monkeypatch: pytest.MonkeyPatch) -> None:
    """Load the atlas-mcp plugin: ``atlas init`` writes MCP configs only when it is there."""
    monkeypatch.setenv("ATLAS_LOAD_PLUGINS", "mcp")


def load(path: Path) -> Any:
    return json.loads(path.read_text())


def test_mcp_configs_name_the_absolute_atlas_and_no_root(
    repo: Path, atlas_cli: Cli, with_mcp: None
) -> None:
    (repo / ".github").mkdir()
    result = init(atlas_cli, repo)
    exe = atlas_command()[0]
    assert os.path.isabs(exe) and os.access(exe, os.X_OK)
    claude = load(repo / ".mcp.json")["mcpServers"]["atlas"]
    cursor = load(repo / ".cursor/mcp.json")["mcpServers"]["atlas"]
    vscode = load(repo / ".vscode/mcp.json")["servers"]["atlas"]
    assert claude == {"type": "stdio", "command": exe, "args": ["mcp"]}
    assert cursor == {"command": exe, "args": ["mcp", "--root", "${workspaceFolder}"]}
    assert vscode == {
        "type": "stdio",
        "command": exe,
        "args": ["mcp", "--root", "${workspaceFolder}"],
    }
    for written in (".mcp.json", ".cursor/mcp.json", ".vscode/mcp.json"):
        assert str(repo) not in (repo / written).read_text(), written
        assert f"created {written}" in result.stdout
    assert f"claude mcp add atlas -- {exe} mcp" in result.stdout
    assert "pip install atlas-mcp" not in result.stdout
    doc = json.loads(init(atlas_cli, repo, "--format", "json").stdout)
    assert set(doc["McpConfigs"]) == {"claude", "cursor", "vscode", "stdio"}
    assert doc["McpConfigs"]["stdio"] == {"command": exe, "args": ["mcp"]}
    assert doc["ClaudeMcpAdd"] == ["claude", "mcp", "add", "atlas", "--", exe, "mcp"]
    assert {f["Action"] for f in doc["Files"]} == {"unchanged"}


def test_atlas_command_falls_back_to_python_m_which_runs_without_path(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    import shutil

    import atlas_core.cli.init as init_module

    monkeypatch.setattr(init_module.sys, "argv", ["/somewhere/else/pytest"])
    monkeypatch.setattr(shutil, "which", lambda *a, **k: None)
    command = init_module.atlas_command()
    assert command == [os.path.abspath(sys.executable), "-m", "atlas_core"]
    done = subprocess.run(
        [*command, "--version"],
        env={"PATH": str(tmp_path), "ATLAS_LOAD_PLUGINS": ""},
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert done.returncode == 0 and done.stdout.startswith("atlas "), done.stderr


def test_the_written_mcp_config_starts_a_server_on_the_working_directory(
    tmp_path: Path, atlas_cli: Cli, with_mcp: None
) -> None:
    repo = write_repo(
        tmp_path / "proj",
        {"src/auth.py": "def login_redirect(url):\n    return url\n", "README.md": "# p\n"},
        git=True,
    )
    init(atlas_cli, repo, "--agent", "claude")
    entry = load(repo / ".mcp.json")["mcpServers"]["atlas"]
    env = {k: v for k, v in os.environ.items() if k not in {"ATLAS_ROOT", "VIRTUAL_ENV"}}
    env.update(PATH=str(tmp_path / "empty"), ATLAS_LOAD_PLUGINS="mcp")  # no atlas on PATH
    proc = subprocess.Popen(
        [entry["command"], *entry["args"]],
        cwd=repo / "src",  # a subdirectory: the repository is found upward, as git does
        env=env,
        stdin=subprocess.PIPE,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )
    messages = [
        {
            "jsonrpc": "2.0",
            "id": 1,
            "method": "initialize",
            "params": {
                "protocolVersion": "2025-06-18",
                "capabilities": {},
                "clientInfo": {"name": "t", "version": "1"},
            },
        },
        {"jsonrpc": "2.0", "method": "notifications/initialized"},
        {
            "jsonrpc": "2.0",
            "id": 2,
            "method": "tools/call",
            "params": {"name": "query", "arguments": {"task": "login redirect"}},
        },
    ]
    lines: queue.Queue[str] = queue.Queue()
    assert proc.stdin is not None and proc.stdout is not None
    threading.Thread(target=lambda: [lines.put(x) for x in proc.stdout], daemon=True).start()
    answer: dict[str, Any] = {}
    try:
        for message in messages:
            proc.stdin.write(json.dumps(message) + "\n")
            proc.stdin.flush()
            while "id" in message and answer.get("id") != message["id"]:
                answer = json.loads(lines.get(timeout=120))  # a deadline, not a sleep
    finally:
        proc.kill()
        proc.communicate()
    assert "src/auth.py" in json.dumps(answer["result"])
    assert not (repo / "src" / ".atlas").exists()  # the index went to the repository root


def test_mcp_refuses_to_index_the_home_directory_it_was_started_in(tmp_path: Path) -> None:
    home = tmp_path / "home"
    home.mkdir()
    env = {**os.environ, "HOME": str(home), "ATLAS_LOAD_PLUGINS": "mcp"}
    env.pop("ATLAS_ROOT", None)
    done = subprocess.run(
        [atlas_command()[0], "mcp"],
        cwd=home,
        env=env,
        stdin=subprocess.DEVNULL,
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert done.returncode == 2 and "not a repository" in done.stderr
    assert list(home.iterdir()) == []


def test_json_configs_keep_the_users_keys_and_are_idempotent(
    repo: Path, atlas_cli: Cli, with_mcp: None
) -> None:
    user = {
        "mcpServers": {"other": {"command": "other-server", "args": ["--x"]}},
        "extra": [1, 2],
    }
    (repo / ".mcp.json").write_text(json.dumps(user, indent=4) + "\n")
    assert actions(atlas_cli, repo)[".mcp.json"] == "added-entry"
    data = load(repo / ".mcp.json")
    assert data["mcpServers"]["other"] == user["mcpServers"]["other"]
    assert data["extra"] == [1, 2] and set(data["mcpServers"]) == {"other", "atlas"}
    assert '\n    "mcpServers"' in (repo / ".mcp.json").read_text()  # its indentation kept
    before = snapshot(repo)
    assert set(actions(atlas_cli, repo).values()) == {"unchanged"}
    assert snapshot(repo) == before

    data["mcpServers"]["atlas"]["args"] = ["mcp", "--root", "/old/absolute/root"]
    (repo / ".mcp.json").write_text(json.dumps(data))
    assert actions(atlas_cli, repo)[".mcp.json"] == "skipped"
    assert "/old/absolute/root" in (repo / ".mcp.json").read_text()
    assert actions(atlas_cli, repo, "--force")[".mcp.json"] == "updated-entry"
    data = load(repo / ".mcp.json")
    assert data["mcpServers"]["atlas"]["args"] == ["mcp"]
    assert data["mcpServers"]["other"] == user["mcpServers"]["other"]


def test_a_json_file_atlas_cannot_parse_is_left_alone(
    repo: Path, atlas_cli: Cli, with_mcp: None
) -> None:
    (repo / ".vscode").mkdir()
    jsonc = '{\n  // my servers\n  "servers": {}\n}\n'
    (repo / ".vscode/mcp.json").write_text(jsonc)
    (repo / ".cursor").mkdir()
    (repo / ".cursor/mcp.json").write_text('{"mcpServers": ["not", "an", "object"]}')
    doc = json.loads(init(atlas_cli, repo, "--format", "json", "--force").stdout)
    files = {f["Path"]: f for f in doc["Files"]}
    assert files[".vscode/mcp.json"]["Action"] == "skipped"
    assert "not plain JSON (line 2" in files[".vscode/mcp.json"]["Detail"]
    assert files[".cursor/mcp.json"]["Action"] == "skipped"
    assert (repo / ".vscode/mcp.json").read_text() == jsonc
    assert load(repo / ".cursor/mcp.json") == {"mcpServers": ["not", "an", "object"]}


@pytest.mark.parametrize(
    "text",
    [
        '{"mcpServers": {"x": "\\udc80"}}',
        '{"mcpServers": {"\\ud800": {}}}',
        "[" * 100000 + "]" * 100000,
        '{"x": NaN, "y": 1}',
        '{"x": -Infinity}',
        '{"x": 1, "y": 1e999}',
        '{"x": 1, "x": 2}',
        '{"x": ' + "9" * 5000 + "}",
    ],
    ids=["surrogate", "surrogate-key", "deep", "nan", "infinity", "overflow", "twice", "digits"],
)
def test_json_atlas_could_not_write_back_as_it_was_is_left_alone(
    repo: Path, atlas_cli: Cli, with_mcp: None, text: str
) -> None:
    (repo / ".mcp.json").write_text(text)
    for args in ([], ["--force"]):
        doc = json.loads(init(atlas_cli, repo, "--format", "json", *args).stdout)
        files = {f["Path"]: f for f in doc["Files"]}
        assert files[".mcp.json"]["Action"] == "skipped"
        assert files[".mcp.json"]["Detail"].startswith("not plain JSON (")
        assert files[".mcp.json"]["Detail"].endswith("); add Atlas's entry by hand")
        assert (repo / ".mcp.json").read_text() == text
    assert "ask Atlas before grepping" in (repo / "AGENTS.md").read_text()


def test_a_config_directory_linked_outside_the_root_is_refused(
    repo: Path, tmp_path: Path, atlas_cli: Cli, with_mcp: None
) -> None:
    elsewhere = tmp_path / "elsewhere"
    elsewhere.mkdir()
    (repo / ".vscode").symlink_to(elsewhere, target_is_directory=True)
    assert ".vscode/mcp.json leads through a link" in refused(atlas_cli, repo)
    assert list(elsewhere.iterdir()) == [] and not (repo / ".mcp.json").exists()


def test_agent_chooses_the_files(repo: Path, atlas_cli: Cli, with_mcp: None) -> None:
    (repo / ".github").mkdir()
    assert set(actions(atlas_cli, repo, "--agent", "cursor", "--dry-run")) == {
        "AGENTS.md",
        ".cursor/rules/atlas.mdc",
        ".cursor/mcp.json",
    }
    assert set(actions(atlas_cli, repo, "--agent", "vscode", "--agent", "claude")) == {
        "AGENTS.md",
        "CLAUDE.md",
        ".mcp.json",
        ".github/copilot-instructions.md",
        ".vscode/mcp.json",
    }
    assert not (repo / ".cursor").exists()
    assert len(actions(atlas_cli, repo, "--agent", "all")) == 7
    bad = atlas_cli("init", "--root", str(repo), "--agent", "emacs")
    assert bad.code == 2 and "emacs" in bad.stderr


def test_dry_run_shows_the_json_it_would_write(repo: Path, atlas_cli: Cli, with_mcp: None) -> None:
    before = snapshot(repo)
    result = init(atlas_cli, repo, "--dry-run", "--hooks")
    assert "would have created .vscode/mcp.json" in result.stdout
    assert '\n      "servers": {' in result.stdout  # the content, indented under its line
    assert "hook prompt" in result.stdout
    doc = json.loads(init(atlas_cli, repo, "--dry-run", "--format", "json").stdout)
    contents = {f["Path"]: f.get("Content") for f in doc["Files"]}
    assert json.loads(contents[".cursor/mcp.json"])["mcpServers"]["atlas"]["command"]
    assert snapshot(repo) == before


def front_matter(text: str) -> dict[str, str]:
    """The ``key: value`` lines between the leading ``---`` lines."""
    lines = text.split("\n")
    assert lines[0] == "---"
    end = lines.index("---", 1)
    fields = {}
    for line in lines[1:end]:
        key, sep, value = line.partition(":")
        assert sep and key.strip() == key, line
        fields[key] = value.strip()
    return fields


def test_the_cursor_rule_is_mdc_with_valid_front_matter(repo: Path, atlas_cli: Cli) -> None:
    init(atlas_cli, repo, "--agent", "cursor")
    text = (repo / ".cursor/rules/atlas.mdc").read_text()
    fields = front_matter(text)
    assert set(fields) == {"description", "globs", "alwaysApply"}
    assert fields["alwaysApply"] == "true" and fields["description"] and fields["globs"] == ""
    assert text.endswith(GUIDE)


def test_an_old_md_cursor_rule_is_pointed_out_not_deleted(repo: Path, atlas_cli: Cli) -> None:
    (repo / ".cursor/rules").mkdir(parents=True)
    (repo / ".cursor/rules/atlas.md").write_text("old\n")
    result = init(atlas_cli, repo)
    assert "skipped .cursor/rules/atlas.md (an older atlas init wrote it" in result.stdout
    assert (repo / ".cursor/rules/atlas.md").read_text() == "old\n"


def test_one_instruction_text_imported_where_the_tool_allows(repo: Path, atlas_cli: Cli) -> None:
    (repo / ".github").mkdir()
    init(atlas_cli, repo)
    claude = (repo / "CLAUDE.md").read_text()
    assert "\n@AGENTS.md\n" in claude and GUIDE not in claude  # Claude Code imports it
    for rel in ("AGENTS.md", ".cursor/rules/atlas.mdc", ".github/copilot-instructions.md"):
        assert (repo / rel).read_text().count(GUIDE) == 1, rel  # no import there
    package = Path(__file__).parents[1] / "atlas_core"
    line = "Before searching with grep or find, or opening files at random:"
    assert sum(f.read_text().count(line) for f in package.rglob("*.py")) == 1  # written once


def test_claude_md_holds_the_text_when_agents_md_cannot(repo: Path, atlas_cli: Cli) -> None:
    (repo / "AGENTS.md").mkdir()
    done = actions(atlas_cli, repo)
    assert done["AGENTS.md"] == "skipped"
    claude = (repo / "CLAUDE.md").read_text()
    assert GUIDE in claude and "@AGENTS.md" not in claude


# -- the Claude Code prompt hook ----------------------------------------------------------

SETTINGS = {
    "permissions": {"allow": ["Bash(make test)"]},
    "hooks": {
        "UserPromptSubmit": [{"hooks": [{"type": "command", "command": "echo mine"}]}],
        "Stop": [{"hooks": [{"type": "command", "command": "notify-send done"}]}],
    },
    "model": "opus",
}


def prompt_hooks(repo: Path) -> list[dict[str, Any]]:
    data = load(repo / ".claude/settings.local.json")
    return [h for g in data["hooks"]["UserPromptSubmit"] for h in g["hooks"]]


def test_hooks_merge_into_claude_settings_idempotently(repo: Path, atlas_cli: Cli) -> None:
    (repo / ".claude").mkdir()
    (repo / ".claude/settings.local.json").write_text(json.dumps(SETTINGS, indent=2) + "\n")
    assert ".claude/settings.local.json" not in actions(atlas_cli, repo)  # only on request
    assert actions(atlas_cli, repo, "--hooks")[".claude/settings.local.json"] == "added-entry"
    data = load(repo / ".claude/settings.local.json")
    assert data["permissions"] == SETTINGS["permissions"] and data["model"] == "opus"
    assert data["hooks"]["Stop"] == SETTINGS["hooks"]["Stop"]
    hooks = prompt_hooks(repo)
    assert hooks[0] == {"type": "command", "command": "echo mine"}
    exe = atlas_command()[0]
    assert hooks[1] == {"type": "command", "command": f"{exe} hook prompt", "timeout": 15}
    before = snapshot(repo)
    assert set(actions(atlas_cli, repo, "--hooks").values()) == {"unchanged"}
    assert set(actions(atlas_cli, repo, "--hooks", "--force").values()) == {"unchanged"}
    assert snapshot(repo) == before

    data["hooks"]["UserPromptSubmit"][1]["hooks"][0]["command"] = "/old/bin/atlas hook prompt"
    (repo / ".claude/settings.local.json").write_text(json.dumps(data))
    assert actions(atlas_cli, repo, "--hooks")[".claude/settings.local.json"] == "skipped"
    assert actions(atlas_cli, repo, "--hooks", "--force")[".claude/settings.local.json"] == (
        "updated-entry"
    )
    assert [h["command"] for h in prompt_hooks(repo)] == ["echo mine", f"{exe} hook prompt"]


def test_a_file_in_the_way_of_a_directory_is_skipped(repo: Path, atlas_cli: Cli) -> None:
    (repo / ".claude").write_text("hi\n")
    (repo / ".cursor").write_text("mine\n")
    doc = json.loads(init(atlas_cli, repo, "--format", "json", "--hooks").stdout)
    files = {f["Path"]: f for f in doc["Files"]}
    assert files[".claude/settings.local.json"]["Action"] == "skipped"
    assert (
        files[".claude/settings.local.json"]["Detail"] == ".claude is in the way (not a directory)"
    )
    assert files[".cursor/rules/atlas.mdc"]["Detail"] == ".cursor is in the way (not a directory)"
    assert (repo / ".claude").read_text() == "hi\n" and (repo / ".cursor").read_text() == "mine\n"
    assert files["AGENTS.md"]["Action"] == "created"


def test_hooks_need_claude(repo: Path, atlas_cli: Cli) -> None:
    result = atlas_cli("init", "--root", str(repo), "--agent", "cursor", "--hooks")
    assert result.code == 2 and "--hooks" in result.stderr
    assert not (repo / "AGENTS.md").exists()


def run_hook(command: str, stdin: str, cwd: Path) -> subprocess.CompletedProcess[str]:
    env = {k: v for k, v in os.environ.items() if k not in {"ATLAS_ROOT", "CLAUDE_PROJECT_DIR"}}
    return subprocess.run(
        shlex.split(command),
        input=stdin,
        cwd=cwd,
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
    )


def test_the_prompt_hook_adds_atlas_context(tmp_path: Path, atlas_cli: Cli) -> None:
    repo = write_repo(
        tmp_path / "proj",
        {
            "src/auth.py": "def login_redirect(url):\n    '''After login.'''\n    return url\n",
            "src/billing.py": "def invoice_total(items):\n    return sum(items)\n",
            ".env": "SECRET_TOKEN=abc123\n",
        },
        git=True,
    )
    init(atlas_cli, repo, "--agent", "claude", "--hooks")
    (command,) = [h["command"] for h in prompt_hooks(repo)]
    event = {
        "session_id": "s1",
        "transcript_path": str(tmp_path / "t.jsonl"),
        "cwd": str(repo / "src"),
        "hook_event_name": "UserPromptSubmit",
        "prompt": "fix the login redirect after sign-in",
    }
    done = run_hook(command, json.dumps(event), tmp_path)
    assert done.returncode == 0, done.stderr
    out = json.loads(done.stdout)["hookSpecificOutput"]
    assert out["hookEventName"] == "UserPromptSubmit"
    context = out["additionalContext"]
    assert "src/auth.py" in context and "def login_redirect" in context
    assert "abc123" not in context
    assert len(context) < 4000 * 8


@pytest.mark.parametrize(
    "stdin",
    [
        "",
        "not json",
        "[1, 2]",
        json.dumps({"prompt": 5}),
        json.dumps({"prompt": "/clear", "cwd": "."}),
        json.dumps({"prompt": "fix the login redirect", "cwd": "/nonexistent/dir"}),
    ],
    ids=["empty", "garbage", "list", "bad-prompt", "slash-command", "missing-cwd"],
)
def test_the_prompt_hook_never_fails_the_prompt(tmp_path: Path, atlas_cli: Cli, stdin: str) -> None:
    done = run_hook(f"{shlex.quote(atlas_command()[0])} hook prompt", stdin, tmp_path)
    assert (done.returncode, done.stdout) == (0, "")


def test_the_prompt_hook_stays_out_of_directories_outside_repositories(tmp_path: Path) -> None:
    plain = tmp_path / "not-a-repo"
    plain.mkdir()
    (plain / "notes.py").write_text("def login_redirect(): pass\n")
    event = json.dumps({"prompt": "login redirect", "cwd": str(plain)})
    done = run_hook(f"{shlex.quote(atlas_command()[0])} hook prompt", event, plain)
    assert (done.returncode, done.stdout) == (0, "")
    assert not (plain / ".atlas").exists()


def test_the_prompt_hook_gives_up_silently_after_its_timeout(tmp_path: Path) -> None:
    repo = write_repo(tmp_path / "proj", {"src/a.py": "def a(): pass\n"}, git=True)
    event = json.dumps({"prompt": "where is a defined", "cwd": str(repo)})
    started = time.monotonic()
    cmd = f"{shlex.quote(atlas_command()[0])} hook prompt --timeout 0.001"
    done = run_hook(cmd, event, repo)
    assert (done.returncode, done.stdout) == (0, "")
    assert time.monotonic() - started < 60


@pytest.mark.parametrize("timeout", ["inf", "nan", "0", "-1", "601", "abc"])
def test_the_prompt_hook_refuses_a_bad_timeout(tmp_path: Path, timeout: str) -> None:
    repo = write_repo(tmp_path / "proj", {"src/a.py": "def a(): pass\n"}, git=True)
    event = json.dumps({"prompt": "where is a defined", "cwd": str(repo)})
    cmd = f"{shlex.quote(atlas_command()[0])} hook prompt --timeout {timeout}"
    done = run_hook(cmd, event, repo)
    assert (done.returncode, done.stdout) == (2, "")
    assert done.stderr.startswith("atlas: error: Invalid value for '--timeout'")
    assert not (repo / ".atlas").exists()  # no child went on to index


def test_the_prompt_hooks_child_is_killed_when_waiting_fails(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    from atlas_core.cli import hook

    started: list[subprocess.Popen[bytes]] = []

    class Failing(subprocess.Popen):  # type: ignore[type-arg]
        def communicate(self, *args: Any, **kwargs: Any) -> Any:
            started.append(self)
            raise OverflowError("timeout value is too large")

    monkeypatch.setattr(subprocess, "Popen", Failing)
    with pytest.raises(OverflowError):
        hook._run([sys.executable, "-c", "import time; time.sleep(60)"], 5)
    assert started and started[0].returncode is not None  # killed and reaped


def test_the_prompt_hooks_context_holds_its_own_line_within_the_budget(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from atlas_core.cli import hook
    from atlas_core.tokens import estimate_tokens

    repo = write_repo(tmp_path / "proj", {"src/auth.py": "def login():\n    pass\n"}, git=True)

    def full_document(argv: list[str], timeout: float) -> str:
        # what ``atlas quick --format context`` gives: a document filling its budget
        budget = int(argv[argv.index("--max-tokens") + 1])
        return "x" * (4 * budget - 1) + "\n"

    monkeypatch.setattr(hook, "_run", full_document)
    for budget in (300, 4000):
        context = hook.context_for_prompt(
            {"prompt": "fix the login", "cwd": str(repo)}, max_tokens=budget, timeout=120
        )
        assert context is not None and context.startswith("Atlas ranked")
        # the line saying what follows is part of what the prompt receives
        assert estimate_tokens(len(context.encode())) == budget


def test_the_prompt_hook_ranks_prompts_starting_with_a_path_and_long_ones(tmp_path: Path) -> None:
    from atlas_core.cli.hook import context_for_prompt

    repo = write_repo(
        tmp_path / "proj", {"src/auth.py": "def login_redirect(url):\n    return url\n"}, git=True
    )
    for prompt in ("/src/auth.py: login_redirect loops", "login redirect " + "word " * 60000):
        context = context_for_prompt(
            {"prompt": prompt, "cwd": str(repo)}, max_tokens=2000, timeout=120
        )
        assert context is not None and "src/auth.py" in context, prompt[:40]
    assert (
        context_for_prompt({"prompt": "/review 12", "cwd": str(repo)}, max_tokens=2000, timeout=120)
        is None
    )


@pytest.mark.parametrize("fmt", ["compact", "context"])
@pytest.mark.parametrize("dry_run", [[], ["--dry-run"]])
def test_a_format_init_cannot_print_is_refused_before_writing(
    repo: Path, atlas_cli: Cli, fmt: str, dry_run: list[str]
) -> None:
    before = snapshot(repo)
    result = atlas_cli("init", "--root", str(repo), "--format", fmt, *dry_run)
    assert result.code == 2 and f"prints human or json, not '{fmt}'" in result.stderr
    assert result.stdout == "" and snapshot(repo) == before


def test_names_are_shown_escaped(tmp_path: Path, atlas_cli: Cli) -> None:
    from atlas_core.paths import display_path

    repo = write_repo(tmp_path / os.fsdecode(b"odd\xe9\x1b[1m"), {"src/app.py": "x = 1\n"})
    (repo / "CLAUDE.md").symlink_to("x\x1b[31mRED\nfake line.md")
    os.symlink(b"caf\xe9.md", os.path.join(os.fsencode(repo), b"AGENTS.md"))
    human = init(atlas_cli, repo, "--agent", "claude").stdout
    assert "\x1b" not in human and "\nfake line" not in human
    assert "created AGENTS.md (through the link to caf\\xe9.md)" in human
    assert "created CLAUDE.md (through the link to x\\x1b[31mRED\\nfake line.md)" in human
    assert (repo / "x\x1b[31mRED\nfake line.md").read_text().startswith(BEGIN)

    doc = json.loads(init(atlas_cli, repo, "--agent", "claude", "--format", "json").stdout)
    json.dumps(doc, ensure_ascii=False).encode("utf-8")  # no lone surrogates
    assert doc["Root"] == display_path(str(repo))
    files = {f["Path"]: f for f in doc["Files"]}
    assert files["AGENTS.md"]["Target"] == "caf\\xe9.md"
    assert files["CLAUDE.md"]["Detail"] == "through the link to x\\x1b[31mRED\\nfake line.md"


def test_markers_refused_in_an_oddly_named_file_are_shown_escaped(
    repo: Path, atlas_cli: Cli
) -> None:
    (repo / "x\x1bname.md").write_text(f"{BEGIN}\nhalf\n")
    (repo / "AGENTS.md").symlink_to("x\x1bname.md")
    assert "x\\x1bname.md:1: " in refused(atlas_cli, repo)


def test_a_file_larger_than_the_limit_is_skipped_unread(
    repo: Path, atlas_cli: Cli, monkeypatch: pytest.MonkeyPatch
) -> None:
    import atlas_core.cli.init as init_module

    monkeypatch.setattr(init_module, "MAX_FILE_BYTES", 2**20, raising=False)
    big = "# notes\n" + "x" * 2**20
    (repo / "AGENTS.md").write_text(big)
    (repo / "CLAUDE.md").write_text("y" * (2**20 - 1) + "\n")  # at the limit: edited
    done = json.loads(init(atlas_cli, repo, "--format", "json").stdout)["Files"]
    files = {f["Path"]: f for f in done}
    assert files["AGENTS.md"]["Action"] == "skipped"
    assert files["AGENTS.md"]["Detail"].startswith("it is larger than 1 MB")
    assert (repo / "AGENTS.md").read_text() == big
    assert files["CLAUDE.md"]["Action"] == "added-section"
    assert GUIDE in (repo / "CLAUDE.md").read_text()  # AGENTS.md cannot hold the text
