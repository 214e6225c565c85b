"""CLI habits: examples in every --help, shell completion, --color, quiet progress bars."""

from __future__ import annotations

import io
import os
import pty
import select
import shlex
import subprocess
import sys
import time
import warnings
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import click
import pytest

from atlas_core.cli.examples import EXAMPLES
from atlas_core.cli.init import atlas_command
from atlas_core.testing import CliResult, write_repo

Cli = Callable[..., CliResult]


@pytest.fixture
def full_cli(monkeypatch: pytest.MonkeyPatch) -> click.Group:
    """The CLI with every installed plugin's commands."""
    from atlas_core.cli.main import build_cli
    from atlas_core.plugin.manager import get_plugin_manager

    monkeypatch.delenv("ATLAS_LOAD_PLUGINS", raising=False)
    return build_cli(get_plugin_manager())


def walk(group: click.Group, prefix: str = "") -> Iterator[tuple[str, click.Command]]:
    for name, command in sorted(group.commands.items()):
        key = f"{prefix} {name}".strip()
        yield key, command
        if isinstance(command, click.Group):
            yield from walk(command, key)


def test_every_command_has_examples_in_its_help(full_cli: click.Group, atlas_cli: Cli) -> None:
    commands = dict(walk(full_cli))
    assert {"query", "init", "hook prompt", "mcp"} <= set(commands)  # plugins loaded
    missing = [name for name, command in commands.items() if not command.epilog]
    assert missing == []
    for name in ["", *commands]:
        result = atlas_cli(*name.split(), "--help")
        assert result.code == 0, (name, result.stderr)
        examples = result.stdout.partition("\n  Examples:\n    ")[2]
        assert "atlas " in examples, name


def remaining(ctx: click.Context) -> list[str]:
    """A group context's unparsed arguments (the subcommand and its own)."""
    with warnings.catch_warnings():  # click 8.2 deprecates protected_args; 9.0 merges them
        warnings.simplefilter("ignore", DeprecationWarning)
        return [*ctx.protected_args, *ctx.args]


def check_example(cli: click.Group, line: str) -> None:
    """Parse one example command line as the real CLI would, without running it."""
    for part in line.split("#")[0].replace("&&", "|").split("|"):
        argv = shlex.split(part)
        if not argv or argv[0] != "atlas":
            continue  # echo, a file redirection...
        args = [a for a in argv[1:] if a != "<" and not a.endswith(".json")] or ["--help"]
        if args in (["COMMAND", "--help"], ["--help"]):
            continue
        with cli.make_context("atlas", list(args), resilient_parsing=False) as ctx:
            command: Any = cli
            rest = remaining(ctx)
            while isinstance(command, click.Group) and rest:
                name, rest = rest[0], rest[1:]
                sub = command.get_command(ctx, name)
                assert sub is not None, (line, name)
                if isinstance(sub, click.Group):
                    sub_ctx = sub.make_context(name, rest, parent=ctx)
                    rest = remaining(sub_ctx)
                    ctx = sub_ctx
                    command = sub
                else:
                    sub.make_context(name, rest, parent=ctx)  # raises on a bad option
                    command = sub


@pytest.mark.parametrize("name", sorted(EXAMPLES))
def test_every_example_parses(full_cli: click.Group, name: str) -> None:
    commands = dict(walk(full_cli))
    if name and name not in commands:
        pytest.skip(f"{name} is not installed here")
    for line in EXAMPLES[name]:
        try:
            check_example(full_cli, line)
        except click.UsageError as exc:
            pytest.fail(f"{line!r}: {exc.format_message()}")


# -- shell completion ---------------------------------------------------------------------


def completion(env: dict[str, str]) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [atlas_command()[0]],
        env={**os.environ, "ATLAS_LOAD_PLUGINS": "", **env},
        capture_output=True,
        text=True,
        timeout=60,
    )


@pytest.mark.parametrize(
    ("shell", "marker"),
    [
        ("bash", "complete -o nosort -F _atlas_completion atlas"),
        ("zsh", "#compdef atlas"),
        ("fish", "complete --no-files --command atlas"),
    ],
)
def test_completion_scripts_for_the_console_script(shell: str, marker: str) -> None:
    done = completion({"_ATLAS_COMPLETE": f"{shell}_source"})
    assert done.returncode == 0 and marker in done.stdout, done.stderr


def test_bash_completion_completes_commands_and_choices() -> None:
    done = completion(
        {"_ATLAS_COMPLETE": "bash_complete", "COMP_WORDS": "atlas qu", "COMP_CWORD": "1"}
    )
    assert done.stdout.split() == ["plain,query", "plain,quick"]
    done = completion(
        {"_ATLAS_COMPLETE": "bash_complete", "COMP_WORDS": "atlas init --agent ", "COMP_CWORD": "3"}
    )
    assert "plain,vscode" in done.stdout.split()


# -- colour ---------------------------------------------------------------------------------


@pytest.fixture
def repo(tmp_path: Path) -> Path:
    return write_repo(tmp_path / "repo", {"src/retry.py": "def retry_with_backoff():\n    pass\n"})


def colored(atlas_cli: Cli, repo: Path, *args: str) -> bool:
    result = atlas_cli("--root", str(repo), *args)
    assert result.code == 0, result.stderr
    assert "retry.py" in result.stdout
    return "\x1b[" in result.stdout


def test_color_modes(repo: Path, atlas_cli: Cli, monkeypatch: pytest.MonkeyPatch) -> None:
    query = ("query", "retry backoff", "--format", "human")
    assert not colored(atlas_cli, repo, *query)  # auto: not a terminal
    assert colored(atlas_cli, repo, "--color", "always", *query)
    assert colored(atlas_cli, repo, *query, "--color", "always")  # after the command too
    assert not colored(atlas_cli, repo, "--color", "always", *query, "--color", "never")
    assert not colored(atlas_cli, repo, "--color", "always", *query, "--no-color")
    assert colored(atlas_cli, repo, "--no-color", *query, "--color", "always")  # later wins
    monkeypatch.setenv("NO_COLOR", "1")
    assert colored(atlas_cli, repo, *query, "--color", "always")  # an explicit flag wins
    bad = atlas_cli("--root", str(repo), *query, "--color", "sometimes")
    assert bad.code == 2 and "sometimes" in bad.stderr


def test_color_auto_follows_the_terminal_and_no_color(monkeypatch: pytest.MonkeyPatch) -> None:
    from atlas_core.cli.state import AppState

    class Tty(io.StringIO):
        def isatty(self) -> bool:
            return True

    state = AppState(manager=None)  # type: ignore[arg-type]
    assert state.color(Tty()) and not state.color(io.StringIO())
    monkeypatch.setenv("NO_COLOR", "1")
    assert not state.color(Tty())
    monkeypatch.setenv("NO_COLOR", "")  # empty: not set, per no-color.org
    assert state.color(Tty())


# -- progress bars ------------------------------------------------------------------------


def test_progress_bars_need_a_terminal_and_no_quiet(monkeypatch: pytest.MonkeyPatch) -> None:
    from atlas_core.cli.state import AppState
    from atlas_core.progress import progress_bar

    class Tty(io.StringIO):
        def isatty(self) -> bool:
            return True

    monkeypatch.delenv("TERM", raising=False)
    monkeypatch.setattr(sys, "stderr", io.StringIO())
    assert progress_bar("indexing", "files") is None  # not a terminal
    tty = Tty()
    monkeypatch.setattr(sys, "stderr", tty)
    AppState(manager=None)  # type: ignore[arg-type]
    bar = progress_bar("embedding", "chunks")  # what a plugin calls directly
    assert bar is not None
    bar(1, 2)
    assert "atlas: embedding [" in tty.getvalue()
    AppState(manager=None, quiet=True)  # type: ignore[arg-type]
    assert progress_bar("embedding", "chunks") is None
    AppState(manager=None)  # type: ignore[arg-type]
    monkeypatch.setenv("TERM", "dumb")
    assert progress_bar("embedding", "chunks") is None


def stderr_on_a_terminal(argv: list[str], cwd: Path) -> str:
    """Run ``argv`` with its stderr on a pseudo-terminal; what it wrote there."""
    leader, follower = pty.openpty()
    env = {**os.environ, "ATLAS_LOAD_PLUGINS": "", "TERM": "xterm"}
    proc = subprocess.Popen(
        argv, cwd=cwd, env=env, stdin=subprocess.DEVNULL, stdout=subprocess.DEVNULL, stderr=follower
    )
    os.close(follower)
    chunks = []
    deadline = time.monotonic() + 120
    while time.monotonic() < deadline:
        ready, _, _ = select.select([leader], [], [], 1.0)
        if ready:
            try:
                data = os.read(leader, 65536)
            except OSError:  # the other end closed
                break
            if not data:
                break
            chunks.append(data)
        elif proc.poll() is not None:
            break
    proc.wait(timeout=60)
    os.close(leader)
    assert proc.returncode == 0
    return b"".join(chunks).decode("utf-8", "replace")


def test_index_draws_its_progress_bar_only_without_q(tmp_path: Path) -> None:
    files = {f"src/m{i}.py": f"def f{i}():\n    return {i}\n" for i in range(40)}
    repo = write_repo(tmp_path / "repo", files)
    exe = atlas_command()[0]
    assert "atlas: indexing [" in stderr_on_a_terminal([exe, "index", "--force"], repo)
    assert stderr_on_a_terminal([exe, "index", "--force", "-q"], repo) == ""
    assert stderr_on_a_terminal([exe, "-q", "index", "--force"], repo) == ""
