"""Start-up cost: ``atlas query`` imports only what a query needs.

Each case runs the command in a fresh interpreter (with every installed plugin loaded) and
lists the modules it imported: the indexer, the chunkers and tree-sitter, the commands not
run and the standard-library modules only they need must not be among them.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
from collections.abc import Callable
from pathlib import Path

import pytest

from atlas_core.testing import write_repo

#: modules no query needs (each costs start-up time, some of them a lot)
HEAVY = (
    "atlas_core.index.builder",
    "atlas_core.index.process",
    "atlas_core.index.workers",
    "atlas_core.index.walkcache",
    "atlas_core.chunk",
    "atlas_core.cli.init",
    "atlas_core.cli.hook",
    "atlas_core.classify.rules",
    "tomllib",
    "tree_sitter",
    "tree_sitter_language_pack",
    "lzma",
    "bz2",
    "tempfile",
    "shutil",
    "subprocess",
    "logging",
    "concurrent.futures",
    "atlas_mcp.command",
    "atlas_graph.command",
    "atlas_graph.contributor",
    "atlas_graph.resolvers.python",
    "atlas_git.gitcmd",
    "atlas_ollama.cli",
    "atlas_ollama.reranker",
)

_PROBE = """
import gc, json, sys
import atlas_core.cli.main
cli = sys.modules["atlas_core.cli.main"]  # the package's "main" is the function
seen = []
real_main = cli._main
cli._main = lambda argv: seen.append(gc.get_threshold()) or real_main(argv)
code = cli.main(sys.argv[2:])
with open(sys.argv[1], "w") as fh:
    json.dump({"code": code, "modules": sorted(sys.modules), "gc": seen[0]}, fh)
"""


def _imported(tmp_path: Path, *args: str) -> list[str]:
    out = tmp_path / "modules.json"
    env = dict(os.environ)
    env.pop("ATLAS_LOAD_PLUGINS", None)  # every installed plugin, as a user has them
    proc = subprocess.run(
        [sys.executable, "-c", _PROBE, str(out), *args],
        capture_output=True,
        env=env,
        timeout=120,
        check=False,
    )
    assert proc.returncode == 0, proc.stderr.decode()
    found = json.loads(out.read_text())
    assert found["code"] == 0, proc.stderr.decode()
    modules: list[str] = found["modules"]
    _thresholds.append(found["gc"])
    return modules


_thresholds: list[list[int]] = []


@pytest.fixture
def indexed(tmp_path: Path, atlas_cli: Callable[..., object]) -> Path:
    root = write_repo(
        tmp_path / "repo",
        {
            "src/app.py": "import os\n\ndef retry_request(url):\n    return os.getenv(url)\n",
            "src/util.js": "export function retry() { return 1 }\n",
            "README.md": "# Demo\nRetries are handled in src/app.py.\n",
        },
    )
    env = dict(os.environ)
    env.pop("ATLAS_LOAD_PLUGINS", None)
    subprocess.run(
        [sys.executable, "-m", "atlas_core", "--root", str(root), "-q", "index"],
        env=env,
        check=True,
        capture_output=True,
        timeout=300,
    )
    return root


def _heavy(modules: list[str]) -> list[str]:
    return [m for m in modules if any(m == h or m.startswith(f"{h}.") for h in HEAVY)]


def test_query_imports_no_heavy_module(indexed: Path, tmp_path: Path) -> None:
    modules = _imported(tmp_path, "--root", str(indexed), "query", "retry", "--format", "json")
    assert "atlas_core.engine" in modules  # the probe really ran a query
    assert _heavy(modules) == []


def test_a_command_collects_cycles_rarely(indexed: Path, tmp_path: Path) -> None:
    """The command raises the collector's threshold (see atlas_core.cli.main); importing
    the command line, as plugins and tests do, leaves it alone."""
    import gc

    before = gc.get_threshold()
    import atlas_core.cli  # noqa: F401

    assert gc.get_threshold() == before
    _thresholds.clear()
    _imported(tmp_path, "--root", str(indexed), "query", "retry", "--format", "json")
    assert _thresholds[0][0] >= 100 * 700


def test_the_probe_sees_heavy_modules(indexed: Path, tmp_path: Path) -> None:
    """The check can fail: a command that needs them does import them."""
    modules = _imported(tmp_path, "--root", str(indexed), "index", "--force", "-q")
    assert "atlas_core.index.builder" in _heavy(modules)


def test_lazy_command_is_imported_when_looked_up(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    import click

    from atlas_core.api import lazy_command
    from atlas_core.cli.lazy import LazyCommands

    (tmp_path / "lazyprobe_cmd.py").write_text(
        "import click\n\n@click.command('hello')\ndef hello():\n    click.echo('hi')\n"
    )
    monkeypatch.syspath_prepend(str(tmp_path))
    loaded: list[str] = []
    group = click.Group("atlas")
    group.commands = LazyCommands(group.commands, on_load=lambda name, cmd: loaded.append(name))
    group.add_command(lazy_command("hello", "lazyprobe_cmd:hello"))
    assert "lazyprobe_cmd" not in sys.modules
    assert "hello" in group.commands and loaded == []
    with click.Context(group) as ctx:
        command = group.get_command(ctx, "hello")
    assert loaded == ["hello"]
    assert command is sys.modules["lazyprobe_cmd"].hello
    assert dict(group.commands.items()) == {"hello": command}
    monkeypatch.delitem(sys.modules, "lazyprobe_cmd")


def test_an_edit_loads_only_the_grammar_it_needs(indexed: Path, tmp_path: Path) -> None:
    """The language pack's own import loads three large grammars; one is loaded instead."""
    (indexed / "src" / "app.py").write_text("def retry_twice():\n    return 2\n")
    modules = _imported(tmp_path, "--root", str(indexed), "index", "-q")
    assert "tree_sitter_language_pack.bindings.python" in modules  # the file was chunked
    assert "tree_sitter_language_pack" not in modules
    assert "tree_sitter_c_sharp" not in modules


#: what only a query uses: signals, task parsing, the embedder's settings and cache
QUERY_ONLY = (
    "atlas_core.rank.task",
    "atlas_core.rank.mentions",
    "atlas_core.rank.bm25f",
    "atlas_git.signals",
    "atlas_graph.signals",
    "atlas_ollama.config",
    "atlas_ollama.store",
)


def test_an_index_run_imports_no_signal(indexed: Path, tmp_path: Path) -> None:
    """Settings are checked without registering the signals (their modules are the
    query's); the check still catches a misspelled signal (tests/test_config.py)."""
    (indexed / "src" / "app.py").write_text("def retry_twice():\n    return 2\n")
    modules = _imported(tmp_path, "--root", str(indexed), "index", "-q")
    assert "atlas_core.index.builder" in modules  # the probe really indexed
    assert [m for m in QUERY_ONLY if m in modules] == []
    query = _imported(tmp_path, "--root", str(indexed), "query", "retry", "--format", "json")
    assert [m for m in QUERY_ONLY[:5] if m not in query] == []  # the list names real modules


def test_an_interrupt_after_the_command_ends_the_process_quietly() -> None:
    """Once the console script's command is done, Ctrl-C takes its default action (no
    traceback from the interpreter's shutdown); ``main(argv)`` called in a process that
    goes on leaves the handler alone."""
    probe = (
        "import signal, sys\n"
        "import atlas_core.cli.main\n"
        "cli = sys.modules['atlas_core.cli.main']\n"
        "cli.main(['--version'])\n"
        "kept = signal.getsignal(signal.SIGINT) is signal.default_int_handler\n"
        "sys.argv = ['atlas', '--version']\n"
        "cli._end_process = lambda code: None\n"  # the process would end there
        "cli.main()\n"
        "print(kept, signal.getsignal(signal.SIGINT) == signal.SIG_DFL)\n"
    )
    assert _console_probe(probe)[-2:] == ["True", "True"]


def test_the_console_script_leaves_its_objects_to_the_process_exit() -> None:
    """Once the console script's command is done, its objects are frozen, so Python's
    shutdown collection does not scan them; ``main(argv)`` called in a process that goes
    on leaves the collector as it was."""
    probe = (
        "import gc, sys\n"
        "import atlas_core.cli.main\n"
        "cli = sys.modules['atlas_core.cli.main']\n"
        "cli.main(['--version'])\n"
        "kept = gc.get_freeze_count()\n"
        "sys.argv = ['atlas', '--version']\n"
        "cli._end_process = lambda code: None\n"  # the process would end there
        "cli.main()\n"
        "print(kept, gc.get_freeze_count() > 1000, gc.get_threshold()[0])\n"
    )
    assert _console_probe(probe)[-3:] == ["0", "True", "700"]


def test_the_console_script_keeps_numpy_to_one_blas_thread() -> None:
    """OpenBLAS starting a thread per core costs a query more than its ranking; the console
    script asks for one (a user's own setting wins), and ``main(argv)`` in a process that
    goes on leaves the environment alone."""
    probe = (
        "import os, sys\n"
        "import atlas_core.cli.main\n"
        "cli = sys.modules['atlas_core.cli.main']\n"
        "cli.main(['--version'])\n"
        "kept = os.environ.get('OPENBLAS_NUM_THREADS', 'unset')\n"
        "sys.argv = ['atlas', '--version']\n"
        "cli._end_process = lambda code: None\n"  # the process would end there
        "cli.main()\n"
        "print(kept, os.environ.get('OPENBLAS_NUM_THREADS'))\n"
    )
    env = {k: v for k, v in os.environ.items() if k != "OPENBLAS_NUM_THREADS"}
    assert _console_probe(probe, env)[-2:] == ["unset", "1"]
    assert _console_probe(probe, {**env, "OPENBLAS_NUM_THREADS": "4"})[-2:] == ["4", "4"]


def _console_probe(probe: str, env: dict[str, str] | None = None) -> list[str]:
    """The words ``probe`` prints, run in a fresh interpreter (it calls ``main`` both ways)."""
    proc = subprocess.run(
        [sys.executable, "-c", probe],
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
        env=env,
    )
    assert proc.returncode == 0, proc.stderr
    return proc.stdout.split()


def test_an_interrupt_inside_a_callback_reaches_the_command() -> None:
    """A Ctrl-C landing in a callback Python cannot raise from (an import's module-lock
    callback) is delivered again to the command, not printed as "Exception ignored"."""
    probe = (
        "import sys, time, weakref\n"
        "import atlas_core.cli.main\n"
        "cli = sys.modules['atlas_core.cli.main']\n"
        "cli._interrupts_from_callbacks()\n"
        "class Box: pass\n"
        "def callback(_): raise KeyboardInterrupt\n"
        "box = Box(); ref = weakref.ref(box, callback)\n"
        "try:\n"
        "    del box\n"
        "    time.sleep(5)\n"
        "    print('lost')\n"
        "except KeyboardInterrupt:\n"
        "    print('interrupted')\n"
    )
    proc = subprocess.run(
        [sys.executable, "-c", probe], capture_output=True, text=True, timeout=120, check=False
    )
    assert proc.stdout.split() == ["interrupted"]
    assert "Exception ignored" not in proc.stderr


def test_an_interrupt_while_the_console_script_starts_is_one_line() -> None:
    """A Ctrl-C in the first milliseconds, before the command's own handling is in place,
    is "atlas: interrupted" and 130, not a traceback (the fault harness's kill part found
    one at 19 ms)."""
    probe = (
        "import sys\n"
        "import atlas_core.cli.main\n"
        "cli = sys.modules['atlas_core.cli.main']\n"
        "def interrupted():\n"
        "    raise KeyboardInterrupt\n"
        "cli._interrupts_from_callbacks = interrupted\n"
        "ended = []\n"
        "cli._end_process = ended.append\n"  # the process would end there
        "sys.argv = ['atlas', '--version']\n"
        "print(cli.main(), ended)\n"
    )
    proc = subprocess.run(
        [sys.executable, "-c", probe], capture_output=True, text=True, timeout=120, check=False
    )
    assert proc.stdout.split() == ["130", "[130]"], proc.stderr
    assert proc.stderr == "atlas: interrupted\n"
