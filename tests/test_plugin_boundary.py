"""The plugin boundary holds against hostile plugins: any BaseException, stray threads and
unusable chunker output are the plugin's failure, named, never the command's end."""

from __future__ import annotations

import importlib
import json
import os
import subprocess
import sys
import threading
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest

from atlas_core.api import PluginFailure
from atlas_core.plugin.guard import guarded, record_origin
from atlas_core.testing import CliResult, write_repo

Cli = Callable[..., CliResult]


def install(site: Path, dist: str, entry: str, source: str) -> None:
    module = f"atlas_fake_{entry}"
    info = site / f"{dist.replace('-', '_')}-0.1.dist-info"
    info.mkdir(parents=True)
    (info / "METADATA").write_text(f"Metadata-Version: 2.1\nName: {dist}\nVersion: 0.1\n")
    (info / "entry_points.txt").write_text(f"[atlas]\n{entry} = {module}\n")
    (site / f"{module}.py").write_text(source)


@pytest.fixture
def site(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[Path]:
    path = tmp_path / "site"
    path.mkdir()
    monkeypatch.syspath_prepend(str(path))
    importlib.invalidate_caches()
    yield path
    for name in [m for m in sys.modules if m.startswith("atlas_fake_")]:
        del sys.modules[name]


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
