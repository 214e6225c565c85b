"""The plugin boundary holds against hostile plugins: any BaseException, stray threads and
unusable chunker output are the plugin's failure, named, never the command's end."""

from __future__ import annotations

import json
import os
import subprocess
import sys
import threading
from collections.abc import Callable
from pathlib import Path

import pytest

from atlas_core.api import PluginFailure
from atlas_core.index.process import _CHUNKS_MAX, _NAME_MAX, _SIGNATURE_MAX
from atlas_core.plugin.guard import guarded, record_origin
from atlas_core.testing import CliResult, write_repo
from atlas_core.testing import install_plugin as install

Cli = Callable[..., CliResult]


@pytest.fixture
def repo(tmp_path: Path) -> Path:
    return write_repo(
        tmp_path / "repo",
        {
            "src/retry.py": "def retry(request):\n    return backoff(request)\n",
            "src/client.py": "class Client:\n    def send(self):\n        pass\n",
            "atlas.toml": '[presets.team]\nextends = "fast"\n'
            "signals = { bm25f = 1.0, hostile = 1.0 }\n",
        },
    )


#: a signal that raises what HOSTILE names (an expression), or starts a non-daemon thread
HOSTILE_SIGNAL = """
import os, sys, threading, time
import numpy as np
from atlas_core.api import Signal, hookimpl

class Weird(BaseException):
    pass

class Hostile(Signal):
    name = "hostile"
    def score(self, ctx):
        what = os.environ.get("HOSTILE", "")
        if what == "thread":
            threading.Thread(target=lambda: time.sleep(3600), daemon=False).start()
        elif what:
            raise eval(what)
        return np.zeros(len(ctx.index))

@hookimpl
def atlas_register_signals(registry):
    registry.add(Hostile())
"""


@pytest.mark.parametrize(
    ("raised", "shown"),
    [
        ("SystemExit(0)", "SystemExit: 0"),
        ("SystemExit(3)", "SystemExit: 3"),
        ("GeneratorExit()", "GeneratorExit: "),
        ("Weird('odd')", "Weird: odd"),
    ],
)
def test_a_base_exception_from_a_plugin_is_its_failure(
    site: Path,
    repo: Path,
    atlas_cli: Cli,
    monkeypatch: pytest.MonkeyPatch,
    raised: str,
    shown: str,
) -> None:
    install(site, "acme-hostile", "hostile", HOSTILE_SIGNAL)
    monkeypatch.setenv("ATLAS_LOAD_PLUGINS", "hostile")
    monkeypatch.setenv("HOSTILE", raised)
    result = atlas_cli("--root", str(repo), "quick", "retry", "-p", "team", "--format", "compact")
    assert result.code == 0
    assert result.stdout.splitlines()[0] == "src/retry.py"
    assert result.stderr.splitlines() == [
        f"atlas: warning: plugin acme-hostile: signal hostile failed while scoring: {shown}"
    ]


def test_ctrl_c_in_the_main_thread_still_interrupts(
    site: Path, repo: Path, atlas_cli: Cli, monkeypatch: pytest.MonkeyPatch
) -> None:
    install(site, "acme-hostile", "hostile", HOSTILE_SIGNAL)
    monkeypatch.setenv("ATLAS_LOAD_PLUGINS", "hostile")
    monkeypatch.setenv("HOSTILE", "KeyboardInterrupt()")
    result = atlas_cli("--root", str(repo), "quick", "retry", "-p", "team")
    assert result.code == 130
    assert result.stderr.strip() == "atlas: interrupted"


def test_a_keyboard_interrupt_in_another_thread_is_the_plugins() -> None:
    component = object()
    record_origin(component, "acme-hostile", "signal hostile")
    caught: list[BaseException] = []

    def run() -> None:
        try:
            with guarded(component, "scoring"):
                raise KeyboardInterrupt
        except BaseException as exc:
            caught.append(exc)

    worker = threading.Thread(target=run)
    worker.start()
    worker.join()
    assert isinstance(caught[0], PluginFailure)
    assert str(caught[0]) == (
        "plugin acme-hostile: signal hostile failed while scoring: KeyboardInterrupt: "
    )
    with pytest.raises(KeyboardInterrupt), guarded(component, "scoring"):
        raise KeyboardInterrupt


HOSTILE_HOOK = """
from atlas_core.api import hookimpl

@hookimpl
def atlas_classify_language(rel, head):
    raise SystemExit(0)
"""


def test_a_base_exception_from_a_hook_names_the_plugin(
    site: Path, repo: Path, atlas_cli: Cli, monkeypatch: pytest.MonkeyPatch
) -> None:
    install(site, "acme-hook", "hook", HOSTILE_HOOK)
    monkeypatch.setenv("ATLAS_LOAD_PLUGINS", "hook")
    (repo / "atlas.toml").unlink()
    result = atlas_cli("--root", str(repo), "index")
    assert result.code == 1
    assert result.stderr.startswith("atlas: error: plugin acme-hook: hook atlas_classify_language")
    assert result.stderr.endswith("SystemExit: 0\n")


def test_a_thread_a_plugin_leaves_running_does_not_keep_atlas_alive(site: Path, repo: Path) -> None:
    install(site, "acme-hostile", "hostile", HOSTILE_SIGNAL)
    atlas = Path(sys.executable).with_name("atlas")
    env = {
        **os.environ,
        "ATLAS_LOAD_PLUGINS": "hostile",
        "PYTHONPATH": str(site),
        "HOSTILE": "thread",
    }
    done = subprocess.run(
        [str(atlas), "--root", str(repo), "quick", "retry", "-p", "team", "--format", "json"],
        capture_output=True,
        text=True,
        env=env,
        timeout=60,
    )
    assert done.returncode == 0, done.stderr
    assert json.loads(done.stdout)["Files"][0]["Path"] == "src/retry.py"


#: a chunker for python whose result HOSTILE_CHUNK (an expression) names
HOSTILE_CHUNKER = """
import os
from atlas_core.api import Chunk, Chunker, hookimpl

class Hostile(Chunker):
    name = "hostile"
    languages = ("python",)
    priority = 100
    version = "1"

    def chunk(self, rel, text, language):
        return eval(os.environ["HOSTILE_CHUNK"])

@hookimpl
def atlas_register_chunkers(registry):
    registry.add(Hostile())
"""


#: how Atlas names a chunker's unusable output in a file's warning
HOSTILE_FAILED = "plugin acme-chunker: chunker hostile failed while chunking"


def index_with_hostile_chunks(
    site: Path, repo: Path, atlas_cli: Cli, monkeypatch: pytest.MonkeyPatch, returned: str
) -> list[str]:
    """Index ``repo`` with the hostile chunker returning ``returned`` (a Python expression
    of ``rel``) for its python files, alone; the index's problems."""
    install(site, "acme-chunker", "chunker", HOSTILE_CHUNKER)
    monkeypatch.setenv("ATLAS_LOAD_PLUGINS", "chunker")
    monkeypatch.setenv("HOSTILE_CHUNK", returned)
    (repo / "atlas.toml").unlink()
    result = atlas_cli("--root", str(repo), "index", "--format", "json")
    assert result.code == 0, result.stderr
    problems: list[str] = json.loads(result.stdout)["Problems"]
    return problems


@pytest.mark.parametrize(
    ("returned", "problem"),
    [
        ("(_ for _ in ()).throw(SystemExit(0))", "SystemExit: 0"),
        ("None", "returned NoneType, not a list of Chunk"),
        ("[('function', 'f', 'f', 1, 2, 'def f')]", "returned a tuple among its chunks"),
        ("[Chunk('function', 5, 'f', 1, 1, 'def f')]", "returned a int as a kind, name or"),
        ("[Chunk('function', 'f', 'f', 1, 1, None)]", "returned a NoneType as a kind, name"),
        ("[Chunk('function', 'f', 'f', 2**70, 2**80, 'def f')]", "returned lines 1180591620"),
        ("[Chunk('function', 'f', 'f', float('nan'), 2, 'def f')]", "returned a float start"),
        ("[Chunk('function', 'f', 'f', '1', 2, 'def f')]", "returned a str start and a int"),
        ("[Chunk('function', 'f', 'f', -50, -10, 'def f')]", "returned lines -50 to -10 for"),
        ("[Chunk('function', 'f', 'f', 2, 1, 'def f')]", "returned lines 2 to 1 for a file"),
        ("[Chunk('function', 'f', 'f', 1, 10**12, 'def f')]", "returned lines 1 to 10000000"),
    ],
)
def test_an_unusable_chunker_result_is_that_files_warning(
    site: Path,
    repo: Path,
    atlas_cli: Cli,
    monkeypatch: pytest.MonkeyPatch,
    returned: str,
    problem: str,
) -> None:
    problems = index_with_hostile_chunks(site, repo, atlas_cli, monkeypatch, returned)
    assert len(problems) == 2  # one per python file
    assert problems[0].startswith(f"{HOSTILE_FAILED} src/client.py: {problem}"), problems
    assert problems[1].startswith(f"{HOSTILE_FAILED} src/retry.py: {problem}"), problems
    for command in (("query", "retry"), ("outline", "src/retry.py"), ("map",)):
        shown = atlas_cli("--root", str(repo), *command, "--format", "json")
        assert shown.code == 0, (command, shown.stderr)
        assert "src/retry.py" in shown.stdout
    outline = json.loads(
        atlas_cli("--root", str(repo), "outline", "src/retry.py", "--format", "json").stdout
    )
    assert outline["Symbols"] == []


def test_control_characters_from_a_chunker_are_escaped(
    site: Path, repo: Path, atlas_cli: Cli, monkeypatch: pytest.MonkeyPatch
) -> None:
    install(site, "acme-chunker", "chunker", HOSTILE_CHUNKER)
    monkeypatch.setenv("ATLAS_LOAD_PLUGINS", "chunker")
    chunk = "[Chunk('function\\n', 'a\\nb', 'c\\0d', 1, 2, '\\x1b[31mred\\tx')]"
    monkeypatch.setenv("HOSTILE_CHUNK", chunk)
    (repo / "atlas.toml").unlink()
    assert atlas_cli("--root", str(repo), "index").code == 0
    shown = atlas_cli("--root", str(repo), "outline", "src/retry.py", "--format", "json")
    [symbol] = json.loads(shown.stdout)["Symbols"]
    assert (symbol["Kind"], symbol["Name"], symbol["Signature"]) == (
        "function\\n",
        "a\\nb",
        "\\x1b[31mred x",
    )
    for fmt in ("human", "compact", "context"):
        out = atlas_cli("--root", str(repo), "query", "retry", "--format", fmt).stdout
        assert "\x1b" not in out and "\0" not in out


#: a chunker for python that prints while chunking, and in a worker process writes to
#: descriptor 1 as C code would (only a worker's descriptor 1 can be redirected)
NOISY_CHUNKER = """
import os, sys
from atlas_core.api import Chunk, Chunker, hookimpl

PARENT = os.getpid()  # imported in the atlas process, before the workers are forked

class Noisy(Chunker):
    name = "noisy"
    languages = ("python",)
    priority = 100
    version = "1"

    def chunk(self, rel, text, language):
        where = "main" if os.getpid() == PARENT else "worker"
        print(f"noisy print {rel} {where}")
        sys.stdout.write(f"noisy write {rel}\\n")
        if where == "worker":
            os.write(1, f"noisy fd {rel}\\n".encode())
        return [Chunk("function", "retry", "retry", 1, 1, "def retry()")]

@hookimpl
def atlas_register_chunkers(registry):
    registry.add(Noisy())
"""


@pytest.mark.skipif((os.cpu_count() or 1) < 2, reason="the indexer forks no workers on 1 core")
def test_a_chunker_printing_in_the_workers_leaves_stdout_to_atlas(
    site: Path, tmp_path: Path
) -> None:
    from atlas_core.index.builder import _PARALLEL_MIN_FILES

    n = _PARALLEL_MIN_FILES + 12  # enough for the worker pool
    files = {f"src/m{i}.py": f"def retry_{i}(request):\n    return {i}\n" for i in range(n)}
    repo = write_repo(tmp_path / "many", files)
    install(site, "acme-noisy", "noisy", NOISY_CHUNKER)
    atlas = Path(sys.executable).with_name("atlas")
    env = {**os.environ, "ATLAS_LOAD_PLUGINS": "noisy", "PYTHONPATH": str(site)}

    def run(*args: str) -> subprocess.CompletedProcess[str]:
        done = subprocess.run(
            [str(atlas), "--root", str(repo), *args],
            capture_output=True,
            text=True,
            env=env,
            timeout=120,
        )
        assert done.returncode == 0, done.stderr
        # the workers' lines may interleave; each piece is one write
        for what in ("noisy print src/", "noisy write src/", "noisy fd src/"):
            assert done.stderr.count(what) == n, done.stderr
        assert "noisy print src/m0.py worker" in done.stderr
        return done

    # the query builds the index first
    lines = run("query", "retry", "--format", "jsonl").stdout.splitlines()
    assert lines and all(json.loads(line) for line in lines)
    report = json.loads(run("index", "--force", "--format", "json").stdout)
    assert report["Files"] == n and report["Problems"] == []


def test_a_chunker_printing_in_the_atlas_process_leaves_stdout_to_atlas(
    site: Path, repo: Path, atlas_cli: Cli, monkeypatch: pytest.MonkeyPatch
) -> None:
    install(site, "acme-noisy", "noisy", NOISY_CHUNKER)
    monkeypatch.setenv("ATLAS_LOAD_PLUGINS", "noisy")
    (repo / "atlas.toml").unlink()
    result = atlas_cli("--root", str(repo), "index", "--format", "json")  # two files: no workers
    assert result.code == 0, result.stderr
    assert json.loads(result.stdout)["Files"] == 2
    assert result.stderr.splitlines() == [
        "noisy print src/client.py main",
        "noisy write src/client.py",
        "noisy print src/retry.py main",
        "noisy write src/retry.py",
    ]


def test_past_the_chunk_cap_the_first_chunks_are_kept_with_a_warning(
    site: Path, repo: Path, atlas_cli: Cli, monkeypatch: pytest.MonkeyPatch
) -> None:
    # what a chunker run wild (a chunk per token, say) returns, for one of the two files
    many = _CHUNKS_MAX + 5
    chunks = f"[Chunk('function', f'f{{i}}', f'f{{i}}', 1, 1, 'def f') for i in range({many})]"
    returned = f"{chunks} if rel == 'src/retry.py' else []"
    problems = index_with_hostile_chunks(site, repo, atlas_cli, monkeypatch, returned)
    kept = f"returned {many} chunks, more than {_CHUNKS_MAX}: the first {_CHUNKS_MAX} are kept"
    assert problems == [f"{HOSTILE_FAILED} src/retry.py: {kept}"]
    shown = atlas_cli("--root", str(repo), "outline", "src/retry.py", "--format", "json")
    names = [symbol["Name"] for symbol in json.loads(shown.stdout)["Symbols"]]
    assert names == [f"f{i}" for i in range(_CHUNKS_MAX)]  # the first ones, in order


@pytest.mark.parametrize(
    ("returned", "problem", "kept"),
    [
        (  # names of megabytes (the file's text, say): not names, dropped; the others kept
            "[Chunk('function', 'f' * 5_000_000, 'f', 1, 2, 'def f'),"
            " Chunk('function', 'g', 'q' * 5_000, 1, 1, 'def g'),"
            " Chunk('x' * 5_000, 'k', 'k', 1, 1, 'k'),"
            f" Chunk('function', 'n' * {_NAME_MAX}, 'n', 1, 1, 'def n'),"
            " Chunk('function', 'h', 'h', 1, 1, 'def h')]",
            f"returned 3 chunks with a kind or name longer than {_NAME_MAX} characters: dropped",
            [("n" * _NAME_MAX, "def n"), ("h", "def h")],
        ),
        (  # a signature of a whole function: cut
            "[Chunk('function', 'f', 'f', 1, 2, 'def ' + 'x' * 3000),"
            " Chunk('function', 'g', 'g', 1, 1, 'def g')]",
            f"returned 1 chunk with a signature longer than {_SIGNATURE_MAX} characters:"
            f" cut to {_SIGNATURE_MAX}",
            [("f", "def " + "x" * (_SIGNATURE_MAX - 4)), ("g", "def g")],
        ),
        (  # cut, then escaped: a control character counts once
            "[Chunk('function', 'f', 'f', 1, 2, 'a\\x1b' * 600)]",
            f"returned 1 chunk with a signature longer than {_SIGNATURE_MAX} characters:"
            f" cut to {_SIGNATURE_MAX}",
            [("f", "a\\x1b" * (_SIGNATURE_MAX // 2))],
        ),
    ],
    ids=["names", "signature", "escaped-signature"],
)
def test_chunk_fields_past_the_caps_are_dropped_or_cut_with_a_warning(
    site: Path,
    repo: Path,
    atlas_cli: Cli,
    monkeypatch: pytest.MonkeyPatch,
    returned: str,
    problem: str,
    kept: list[tuple[str, str]],
) -> None:
    assert index_with_hostile_chunks(site, repo, atlas_cli, monkeypatch, returned) == [
        f"{HOSTILE_FAILED} src/client.py: {problem}",
        f"{HOSTILE_FAILED} src/retry.py: {problem}",
    ]
    shown = atlas_cli("--root", str(repo), "outline", "src/retry.py", "--format", "json")
    symbols = json.loads(shown.stdout)["Symbols"]
    assert [(s["Name"], s["Signature"]) for s in symbols] == kept


def test_the_caps_leave_the_built_in_chunkers_output_on_large_generated_files_alone(
    tmp_path: Path, atlas_cli: Cli
) -> None:
    from atlas_core.testing import tree_sitter_chunks

    # a register header (22k macros) and a module of 20k functions, each just under the
    # default 1 MiB file limit: about as dense in symbols as generated code gets
    header = "".join(f"#define REG_BLOCK_{i}_FIELD_MASK 0x{i:08x}\n" for i in range(22_000))
    module = "".join(
        f"def handler_{i}(value):\n    return value + {i}\n\n\n" for i in range(20_000)
    )
    files = {"include/regs.h": header, "src/handlers.py": module}
    repo = write_repo(tmp_path / "big", files)
    result = atlas_cli("--root", str(repo), "index", "--format", "json")
    assert result.code == 0, result.stderr
    assert json.loads(result.stdout)["Problems"] == []
    for rel, language in (("include/regs.h", "c"), ("src/handlers.py", "python")):
        expected = tree_sitter_chunks(rel, files[rel], language)
        assert len(expected) >= 20_000
        shown = atlas_cli("--root", str(repo), "outline", rel, "--format", "json")
        symbols = json.loads(shown.stdout)["Symbols"]
        assert [(s["Name"], s["Signature"]) for s in symbols] == [
            (c.name, c.signature) for c in expected
        ]
