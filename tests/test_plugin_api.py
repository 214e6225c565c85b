"""Plugin API 1.0: failures name the plugin, API versions, tracing, contexts, results."""

from __future__ import annotations

import json
import sys
from collections.abc import Callable
from pathlib import Path
from typing import Any, ClassVar

import numpy as np
import pytest

from atlas_core.api import (
    Atlas,
    Changes,
    Contributor,
    IndexContext,
    PluginFailure,
    QueryContext,
    QueryOptions,
    Signal,
    hookimpl,
)
from atlas_core.plugin.manager import get_plugin_manager
from atlas_core.testing import CliResult, run_atlas, write_repo
from atlas_core.testing import install_plugin as install

Cli = Callable[..., CliResult]


RAISING_SIGNAL = """
from atlas_core.api import Signal, hookimpl

class TeamDirs(Signal):
    name = "team_dirs"
    def score(self, ctx):
        raise ValueError("kaboom")

@hookimpl
def atlas_register_signals(registry):
    registry.add(TeamDirs())
"""


@pytest.fixture
def repo(tmp_path: Path) -> Path:
    return write_repo(
        tmp_path / "repo",
        {
            "src/retry.py": "def retry(request):\n    return backoff(request)\n",
            "src/client.py": "class Client:\n    def send(self):\n        pass\n",
            "atlas.toml": '[presets.team]\nextends = "fast"\n'
            "signals = { bm25f = 1.0, team_dirs = 1.0 }\n",
        },
    )


def test_a_failing_signal_is_one_warning_naming_the_plugin(
    site: Path, repo: Path, atlas_cli: Cli, monkeypatch: pytest.MonkeyPatch
) -> None:
    install(site, "acme-signal", "acme", RAISING_SIGNAL)
    monkeypatch.setenv("ATLAS_LOAD_PLUGINS", "acme")
    result = atlas_cli("--root", str(repo), "quick", "retry", "-p", "team", "--format", "compact")
    assert result.code == 0
    assert result.stdout.splitlines()[0] == "src/retry.py"
    assert result.stderr.splitlines() == [
        "atlas: warning: plugin acme-signal: signal team_dirs failed while scoring: "
        "ValueError: kaboom"
    ]
    explained = json.loads(
        atlas_cli("--root", str(repo), "explain", "retry", "-p", "team", "--format", "json").stdout
    )
    assert explained["Failures"] == [
        "plugin acme-signal: signal team_dirs failed while scoring: ValueError: kaboom"
    ]
    assert "team_dirs" in explained["MissingSignals"]


def test_raise_errors_reraises_the_original(
    site: Path, repo: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    install(site, "acme-signal", "acme", RAISING_SIGNAL)
    monkeypatch.setenv("ATLAS_LOAD_PLUGINS", "acme")
    monkeypatch.setenv("ATLAS_RAISE_ERRORS", "1")
    with pytest.raises(ValueError, match="kaboom"):
        run_atlas("--root", str(repo), "quick", "retry", "-p", "team")


def test_an_essential_component_failing_fails_the_command(
    site: Path, repo: Path, atlas_cli: Cli, monkeypatch: pytest.MonkeyPatch
) -> None:
    install(
        site,
        "acme-fuser",
        "acmefuse",
        "from atlas_core.api import Fuser, hookimpl\n"
        "class Bad(Fuser):\n    name = 'bad'\n"
        "    def fuse(self, scores, weights):\n        return {}['missing']\n"
        "@hookimpl\ndef atlas_register_fusers(registry):\n    registry.add(Bad())\n",
    )
    monkeypatch.setenv("ATLAS_LOAD_PLUGINS", "acmefuse")
    (repo / "atlas.toml").write_text('[presets.bad]\nextends = "fast"\nfuser = "bad"\n')
    result = atlas_cli("--root", str(repo), "quick", "retry", "-p", "bad")
    assert result.code == 1 and result.stdout == ""
    assert result.stderr.splitlines() == [
        "atlas: error: plugin acme-fuser: fuser bad failed while fusing: KeyError: 'missing'"
    ]


def test_a_classify_hook_failing_in_a_worker_names_the_plugin(
    site: Path, tmp_path: Path, atlas_cli: Cli, monkeypatch: pytest.MonkeyPatch
) -> None:
    install(
        site,
        "acme-classify",
        "acmeclass",
        "from atlas_core.api import hookimpl\n"
        "@hookimpl\ndef atlas_classify_role(rel, language, head):\n"
        "    if rel == 'pkg/f40.py':\n        raise ValueError('kaboom')\n",
    )
    monkeypatch.setenv("ATLAS_LOAD_PLUGINS", "acmeclass")
    # enough files for the indexer to use its worker processes
    repo = write_repo(tmp_path / "big", {f"pkg/f{i}.py": f"x{i} = {i}\n" for i in range(80)})
    result = atlas_cli("--root", str(repo), "index")
    assert result.code == 1
    assert result.stderr.splitlines() == [
        "atlas: error: plugin acme-classify: hook atlas_classify_role failed while "
        "classifying pkg/f40.py: ValueError: kaboom"
    ]


class Recorder(Contributor):
    """Records the index context it is given."""

    name: ClassVar[str] = "recorder"
    seen: ClassVar[list[IndexContext]] = []

    def fingerprint(self, ctx: IndexContext) -> str:
        return "v1"

    def contribute(self, ctx: IndexContext) -> Any:
        Recorder.seen.append(ctx)
        ctx.note("recorded")
        runs = (ctx.previous_data or {}).get("runs", 0)
        return {"runs": runs + 1, "options": ctx.options()}


class RecorderPlugin:
    @hookimpl
    def atlas_register_contributors(self, registry: Any) -> None:
        registry.add(Recorder())


def test_contributors_get_an_index_context(tmp_path: Path) -> None:
    Recorder.seen.clear()
    root = write_repo(
        tmp_path / "r",
        {
            "a.py": "a = 1\n",
            "b.py": "b = 2\n",
            "atlas.toml": "[contributors.recorder]\ndepth = 3\n",
        },
    )

    def atlas() -> Atlas:
        manager = get_plugin_manager(
            load_entrypoints=False, extra_plugins=[("rec", RecorderPlugin())]
        )
        return Atlas(root, manager)

    report = atlas().index()
    first = Recorder.seen[-1]
    assert first.root == root and first.previous is None and first.previous_data is None
    assert first.changes == Changes(added=("a.py", "atlas.toml", "b.py"))
    assert first.options() == {"depth": 3}
    assert [n.message for n in report.notes] == ["recorded"]
    assert len(first.resolvers) == 0  # no import resolvers without atlas-graph
    (root / "b.py").write_text("b = 3\n")
    (root / "a.py").unlink()
    atlas().index()
    second = Recorder.seen[-1]
    assert second.changes == Changes(changed=("b.py",), deleted=("a.py",))
    assert second.previous is not None and "a.py" in second.previous.paths
    assert second.previous_data == {"runs": 1, "options": {"depth": 3}}
    assert second.index.paths == ("atlas.toml", "b.py")


class BadContributor(Contributor):
    name: ClassVar[str] = "bad"

    def fingerprint(self, ctx: IndexContext) -> str:
        return "x"

    def contribute(self, ctx: IndexContext) -> Any:
        raise RuntimeError("disk on fire")


class BadContributorPlugin:
    @hookimpl
    def atlas_register_contributors(self, registry: Any) -> None:
        registry.add(BadContributor())


def test_a_failing_contributor_is_named_and_the_index_carries_on(tmp_path: Path) -> None:
    root = write_repo(tmp_path / "r", {"a.py": "a = 1\n"})
    manager = get_plugin_manager(
        load_entrypoints=False, extra_plugins=[("badc", BadContributorPlugin())]
    )
    report = Atlas(root, manager).index()
    assert report.contributors["bad"] == "failed"
    assert report.errors == [
        "plugin local: contributor bad failed while indexing: RuntimeError: disk on fire"
    ]
    assert isinstance(report.failures["bad"], PluginFailure)


class SeedReader(Signal):
    """Scores nothing; records what ``ctx.seed_scores()`` gave it."""

    name: ClassVar[str] = "seedreader"
    stage: ClassVar[int] = 1
    seen: ClassVar[list[np.ndarray | None]] = []

    def score(self, ctx: QueryContext) -> np.ndarray:
        SeedReader.seen.append(ctx.seed_scores())
        return np.zeros(len(ctx.index))


class SeedPlugin:
    @hookimpl
    def atlas_register_signals(self, registry: Any) -> None:
        registry.add(SeedReader())


def test_the_seed_signal_is_a_setting(tmp_path: Path) -> None:
    files = {
        "retry.py": "def retry(): pass\n",
        "atlas.toml": '[pipeline]\nseed_signal = "path"\n[presets.s]\nextends = "fast"\n'
        "signals = { bm25f = 1.0, path = 1.0, seedreader = 1.0 }\n",
    }
    root = write_repo(tmp_path / "r", files)
    manager = get_plugin_manager(load_entrypoints=False, extra_plugins=[("seed", SeedPlugin())])
    atlas = Atlas(root, manager)
    result = atlas.query("retry", QueryOptions("s"), atlas.reader())
    assert SeedReader.seen[-1] is not None
    assert np.array_equal(SeedReader.seen[-1], result.signal_scores["path"])
    explanation = result.explanations[0]
    assert explanation.path == "retry.py"
    assert {s.signal: s.weight for s in explanation.signals} == {
        "bm25f": 1.0,
        "path": 1.0,
        "seedreader": 1.0,
        "mentions": 0.5,  # inherited from fast: a child's weights merge with its parent's
    }


def test_a_plugin_for_another_major_api_is_refused(
    site: Path, atlas_cli: Cli, monkeypatch: pytest.MonkeyPatch
) -> None:
    install(site, "acme-future", "future", 'ATLAS_PLUGIN_API = "2.0"\n' + RAISING_SIGNAL)
    install(site, "acme-now", "now", 'ATLAS_PLUGIN_API = "1.3"\n' + RAISING_SIGNAL)
    monkeypatch.setenv("ATLAS_LOAD_PLUGINS", "future,now")
    result = atlas_cli("plugins", "--json")
    rows = {r["Name"]: r for r in json.loads(result.stdout)["Plugins"]}
    assert rows["future"]["Status"] == "failed" and rows["now"]["Status"] == "ok"
    assert rows["now"]["Api"] == "1.3"
    refused = [line for line in result.stderr.splitlines() if "acme-future" in line]
    assert refused == [
        "atlas: warning: plugin acme-future[future] 0.1 refused: it is built for plugin API "
        "2.0 and this Atlas has 1.1 (install a version of the plugin made for this Atlas) "
        "(disable with ATLAS_DISABLE_PLUGINS=future)"
    ]


def test_a_component_missing_members_is_refused_at_registration() -> None:
    class Half:
        name = "half"

    class HalfPlugin:
        @hookimpl
        def atlas_register_signals(self, registry: Any) -> None:
            registry.add(Half())

    manager = get_plugin_manager(load_entrypoints=False, extra_plugins=[("half", HalfPlugin())])
    assert "half" not in manager.registry("signals")
    assert manager.warnings == [
        "plugin local[half] failed registering signals: TypeError: signal 'half' is not a "
        "Signal (missing: score); subclass atlas_core.api.Signal"
    ]


def test_tracing_covers_registration_and_component_calls(
    repo: Path, atlas_cli: Cli, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("ATLAS_TRACE_PLUGINS", "1")
    (repo / "atlas.toml").unlink()  # its preset names a signal of a plugin not installed here
    result = atlas_cli("--root", str(repo), "quick", "retry", "-p", "fast", "--format", "compact")
    assert result.code == 0
    err = result.stderr
    assert "atlas: trace: hook atlas_register_signals of atlas-core[signal_bm25f]" in err
    assert "atlas: trace: plugin atlas-core: signal bm25f scoring" in err
    assert "atlas: trace: plugin atlas-core: fuser weighted fusing" in err
    assert "atlas_add_commands [hook]" in err  # dispatch hooks: pluggy's own tracing


def test_plugins_hook_lists_implementations(atlas_cli: Cli) -> None:
    result = atlas_cli("plugins", "--hook", "atlas_classify_language")
    assert result.code == 0
    assert result.stdout.splitlines() == [
        "atlas-core[classify_default]  "
        "atlas_core.plugin.builtin.classify_default.atlas_classify_language  (trylast)"
    ]
    doc = json.loads(atlas_cli("plugins", "--hook", "atlas_register_fusers", "--json").stdout)
    assert doc["Hook"] == "atlas_register_fusers"
    rows = doc["Implementations"]
    assert [r["Plugin"] for r in rows] == ["atlas-core[fuse_rrf]", "atlas-core[fuse_weighted]"]
    bad = atlas_cli("plugins", "--hook", "atlas_nope")
    assert bad.code == 2 and bad.stderr.startswith("atlas: error: unknown hook 'atlas_nope'")


def test_per_reader_builds_once_per_reader_and_key() -> None:
    from atlas_core.api import per_reader

    class View:  # any weak-referenceable reader
        pass

    built: list[object] = []

    def build(view: View) -> list[int]:
        built.append(view)
        return [len(built)]

    first, second = View(), View()
    assert per_reader("test.key", first, build) is per_reader("test.key", first, build)
    assert per_reader("test.key", second, build) == [2]
    assert per_reader("test.other", first, build) == [3]
    assert built == [first, second, first]


UNSERIALISABLE_CONTRIBUTOR = """
from atlas_core.api import Contributor, hookimpl

class Odd(Contributor):
    name = "odd"
    def fingerprint(self, ctx):
        return "v1"
    def contribute(self, ctx):
        return {"x": object()}

@hookimpl
def atlas_register_contributors(registry):
    registry.add(Odd())
"""


def test_a_contributor_whose_data_cannot_be_stored_is_a_warning_naming_it(
    site: Path, repo: Path, atlas_cli: Cli, monkeypatch: pytest.MonkeyPatch
) -> None:
    install(site, "acme-odd", "odd", UNSERIALISABLE_CONTRIBUTOR)
    monkeypatch.setenv("ATLAS_LOAD_PLUGINS", "odd")
    (repo / "atlas.toml").unlink()
    line = (
        "plugin acme-odd: contributor odd failed while storing its data: "
        "TypeError: can not serialize 'object' object"
    )
    result = atlas_cli("--root", str(repo), "index")
    assert result.code == 0
    assert result.stderr.splitlines() == [
        f"atlas: warning: 1 problems while indexing; first: {line}"
    ]
    quick = atlas_cli("--root", str(repo), "quick", "retry", "--format", "compact")
    assert quick.code == 0 and quick.stdout.splitlines()[0] == "src/retry.py"
    manager = get_plugin_manager()
    report = Atlas(repo, manager).index(force=True)
    assert report.contributors["odd"] == "failed" and report.errors == [line]
    assert report.failures["odd"].stage == "storing its data"


WRONG_FUSER = """
import os
import numpy as np
from atlas_core.api import Fuser, hookimpl

class Wrong(Fuser):
    name = "wrong"
    def fuse(self, scores, weights):
        n = len(next(iter(scores.values())))
        return {
            "long": lambda: np.ones(n + 1),
            "short": lambda: np.ones(n - 1),
            "none": lambda: None,
            "2d": lambda: np.ones((n, 2)),
            "nan": lambda: np.full(n, np.nan),
            "inf": lambda: np.r_[np.inf, np.ones(n - 1)],
        }[os.environ["WRONG_FUSER"]]()

@hookimpl
def atlas_register_fusers(registry):
    registry.add(Wrong())
"""


@pytest.mark.parametrize(
    ("mode", "problem"),
    [
        ("long", "returned (4,) scores for 3 files"),
        ("short", "returned (2,) scores for 3 files"),
        ("none", "returned () scores for 3 files"),
        ("2d", "returned (3, 2) scores for 3 files"),
        ("nan", "returned NaN or infinite scores for 3 of 3 files"),
        ("inf", "returned NaN or infinite scores for 1 of 3 files"),
    ],
)
def test_a_fuser_returning_the_wrong_scores_fails_naming_it(
    site: Path,
    repo: Path,
    atlas_cli: Cli,
    monkeypatch: pytest.MonkeyPatch,
    mode: str,
    problem: str,
) -> None:
    install(site, "acme-fuser", "acmefuse", WRONG_FUSER)
    monkeypatch.setenv("ATLAS_LOAD_PLUGINS", "acmefuse")
    monkeypatch.setenv("WRONG_FUSER", mode)
    (repo / "atlas.toml").write_text('[presets.bad]\nextends = "fast"\nfuser = "wrong"\n')
    result = atlas_cli("--root", str(repo), "quick", "retry", "-p", "bad")
    assert (result.code, result.stdout) == (1, "")
    assert result.stderr.splitlines() == [
        f"atlas: error: plugin acme-fuser: fuser wrong failed while fusing: {problem}"
    ]


WRONG_SIGNAL = """
import os
import numpy as np
from atlas_core.api import Signal, hookimpl

class TeamDirs(Signal):
    name = "team_dirs"
    def score(self, ctx):
        n = len(ctx.index)
        return {
            "long": lambda: np.ones(n + 3),
            "none": lambda: None,
            "nan": lambda: np.full(n, np.nan),
            "inf": lambda: np.r_[np.inf, np.zeros(n - 1)],
        }[os.environ["WRONG_SIGNAL"]]()

@hookimpl
def atlas_register_signals(registry):
    registry.add(TeamDirs())
"""


@pytest.mark.parametrize(
    ("mode", "warning"),
    [
        ("long", "failed while scoring: returned (6,) scores for 3 files"),
        ("none", "failed while scoring: returned () scores for 3 files"),
        ("nan", "returned NaN or infinite scores for 3 of 3 files (counted as 0)"),
        ("inf", "returned NaN or infinite scores for 1 of 3 files (counted as 0)"),
    ],
)
def test_a_signal_returning_the_wrong_scores_is_a_warning_naming_it(
    site: Path,
    repo: Path,
    atlas_cli: Cli,
    monkeypatch: pytest.MonkeyPatch,
    mode: str,
    warning: str,
) -> None:
    install(site, "acme-signal", "acme", WRONG_SIGNAL)
    monkeypatch.setenv("ATLAS_LOAD_PLUGINS", "acme")
    monkeypatch.setenv("WRONG_SIGNAL", mode)
    result = atlas_cli("--root", str(repo), "quick", "retry", "-p", "team", "--format", "compact")
    assert result.code == 0
    assert result.stdout.splitlines()[0] == "src/retry.py"
    line = f"plugin acme-signal: signal team_dirs {warning}"
    assert result.stderr.splitlines() == [f"atlas: warning: {line}"]
    atlas = Atlas(repo, get_plugin_manager())
    notes = atlas.query("retry", QueryOptions("team"), atlas.reader()).notes
    assert [n.message for n in notes if n.level == "warning"] == [line]


WRONG_RERANKER = """
import os
import numpy as np
from atlas_core.api import Reranker, hookimpl

class Wrong(Reranker):
    name = "wrong"
    def rerank(self, ctx, candidates, scores):
        if os.environ["WRONG_RERANKER"] == "nan":
            return np.r_[np.nan, np.ones(len(candidates) - 1)]
        return np.ones(len(candidates) + 1)
    def retrieve(self, ctx):
        return np.ones(len(ctx.index) + 1)

@hookimpl
def atlas_register_rerankers(registry):
    registry.add(Wrong())
"""


@pytest.mark.parametrize(
    ("mode", "problem"),
    [
        ("long", "returned (3,) scores for 2 candidates"),
        ("nan", "returned NaN or infinite scores for 1 of 2 candidates"),
    ],
)
def test_a_reranker_returning_the_wrong_scores_is_a_warning_naming_it(
    site: Path,
    repo: Path,
    atlas_cli: Cli,
    monkeypatch: pytest.MonkeyPatch,
    mode: str,
    problem: str,
) -> None:
    install(site, "acme-rerank", "acmererank", WRONG_RERANKER)
    monkeypatch.setenv("ATLAS_LOAD_PLUGINS", "acmererank")
    monkeypatch.setenv("WRONG_RERANKER", mode)
    (repo / "atlas.toml").unlink()
    args = ("--root", str(repo), "quick", "retry", "-p", "fast", "--format", "compact")
    result = atlas_cli(*args, "--rerank", "wrong")
    assert result.code == 0
    assert result.stdout == atlas_cli(*args).stdout  # the fused ranking, not reranked
    assert result.stderr.splitlines() == [
        f"atlas: warning: plugin acme-rerank: reranker wrong failed while reranking: {problem}"
    ]
    semantic = atlas_cli(*args, "--semantic")
    assert semantic.code == 0 and semantic.stdout == result.stdout
    assert semantic.stderr.splitlines() == [
        "atlas: warning: plugin acme-rerank: reranker wrong failed while retrieving: "
        "returned (3,) scores for 2 files"
    ]


NOISY_SIGNAL = """
import numpy as np
from atlas_core.api import Signal, hookimpl

ATLAS_PLUGIN_API = "1.1"
print("noisy plugin imported")

class Noisy(Signal):
    name = "noisy"
    def score(self, ctx):
        print("noisy scoring")
        return np.zeros(len(ctx.index))

@hookimpl
def atlas_register_signals(registry):
    print("noisy registering")
    registry.add(Noisy())
"""


def test_a_plugin_printing_while_it_loads_leaves_stdout_to_atlas(
    site: Path, repo: Path, atlas_cli: Cli, monkeypatch: pytest.MonkeyPatch
) -> None:
    install(site, "acme-noisy", "noisy", NOISY_SIGNAL)
    monkeypatch.setenv("ATLAS_LOAD_PLUGINS", "noisy")
    (repo / "atlas.toml").write_text('[presets.n]\nextends = "fast"\nsignals = { noisy = 1.0 }\n')
    result = atlas_cli("--root", str(repo), "query", "retry", "-p", "n", "--format", "json")
    assert result.code == 0
    assert json.loads(result.stdout)["Files"][0]["Path"] == "src/retry.py"
    assert result.stderr.splitlines() == [
        "noisy plugin imported",
        "noisy registering",
        "noisy scoring",  # while it runs too
    ]
    del sys.modules["atlas_fake_noisy"]  # imported again: it prints again
    assert json.loads(atlas_cli("plugins", "--json").stdout)["Plugins"][0]["Name"] == "noisy"


DUCK_SIGNAL = """
import numpy as np
from atlas_core.api import hookimpl

class Duck:
    name = "duck"
    def score(self, ctx):
        return np.asarray([p.endswith("retry.py") for p in ctx.index.paths], dtype=float)

class DuckData:
    name = "duckdata"
    def fingerprint(self, ctx):
        return "v1"
    def contribute(self, ctx):
        return {"files": len(ctx.index)}

class DuckChunks:
    name = "duckchunks"
    languages = ("duckish",)
    priority = 10
    def chunk(self, rel, text, language):
        return []

@hookimpl
def atlas_register_signals(registry):
    registry.add(Duck())

@hookimpl
def atlas_register_contributors(registry):
    registry.add(DuckData())

@hookimpl
def atlas_register_chunkers(registry):
    registry.add(DuckChunks())
"""


def test_plugins_shows_the_api_each_plugin_declares(
    site: Path, atlas_cli: Cli, monkeypatch: pytest.MonkeyPatch
) -> None:
    install(site, "acme-future", "future", 'ATLAS_PLUGIN_API = "2.0"\n' + RAISING_SIGNAL)
    install(site, "acme-now", "now", 'ATLAS_PLUGIN_API = "1.1"\n' + RAISING_SIGNAL)
    install(site, "acme-duck", "duck", DUCK_SIGNAL)
    monkeypatch.setenv("ATLAS_LOAD_PLUGINS", "future,now,duck")
    rows = {r["Name"]: r for r in json.loads(atlas_cli("plugins", "--json").stdout)["Plugins"]}
    assert {name: row["Api"] for name, row in rows.items()} == {
        "duck": "",
        "future": "2.0",
        "now": "1.1",
    }
    heads = [line for line in atlas_cli("plugins").stdout.splitlines() if line.startswith("acme")]
    assert heads == [
        "acme-duck[duck] 0.1  ok  API undeclared",
        "acme-future[future] 0.1  failed  API 2.0",
        "acme-now[now] 0.1  ok  API 1.1",
    ]


def test_components_without_their_optional_members_work(
    site: Path, repo: Path, atlas_cli: Cli, monkeypatch: pytest.MonkeyPatch
) -> None:
    """What api.md lists as optional may be left out by a component that does not subclass
    its protocol: a signal's ``stage`` and ``unavailable``, a contributor's ``on_demand``
    and ``describe``, a chunker's ``version``."""
    install(site, "acme-duck", "duck", DUCK_SIGNAL)
    monkeypatch.setenv("ATLAS_LOAD_PLUGINS", "duck")
    (repo / "atlas.toml").write_text('[presets.d]\nextends = "fast"\nsignals = { duck = 5.0 }\n')
    rows = {r["Name"]: r for r in json.loads(atlas_cli("plugins", "--json").stdout)["Plugins"]}
    assert rows["duck"]["Components"] == {
        "chunkers": ["duckchunks"],
        "contributors": ["duckdata"],
        "signals": ["duck"],
    }
    assert atlas_cli("--root", str(repo), "index", "--embed").stderr == (
        "atlas: error: --embed needs an embedding plugin: pip install atlas-ollama\n"
    )
    indexed = atlas_cli("--root", str(repo), "index")
    assert (indexed.code, indexed.stderr) == (0, "")
    result = atlas_cli("--root", str(repo), "quick", "client", "-p", "d", "--format", "compact")
    assert (result.code, result.stderr) == (0, "")
    assert result.stdout.splitlines() == ["src/retry.py", "src/client.py"]
    inspected = atlas_cli("--root", str(repo), "inspect", "--format", "json")
    assert (inspected.code, inspected.stderr) == (0, "")
    assert "duckdata" in json.loads(inspected.stdout)["Extras"]
    assert json.loads(inspected.stdout)["ExtraDetails"] == {}  # no describe: nothing to say


def test_the_docs_declare_the_current_plugin_api() -> None:
    """What the docs and examples tell a new plugin to declare is this Atlas's API."""
    import re

    from atlas_core.api import PLUGIN_API

    root = Path(__file__).resolve().parent.parent
    ours = f"{PLUGIN_API[0]}.{PLUGIN_API[1]}"
    texts = [root / "README.md", root / "atlas_core" / "api.py"]
    texts += (root / "docs" / "plugins").glob("*.md")
    texts += (root / "docs" / "plugins" / "examples").glob("*/atlas_*/__init__.py")
    packages = sorted((root / "plugins").glob("*/atlas_*/__init__.py"))  # Atlas's own
    assert len(packages) >= 5
    texts += packages
    declared = {
        (path.name, version)
        for path in texts
        for version in re.findall(r'ATLAS_PLUGIN_API = "([^"]*)"', path.read_text())
    }
    assert declared and {version for _, version in declared} == {ours}, declared
    undeclared = [p.parent.name for p in packages if "ATLAS_PLUGIN_API = " not in p.read_text()]
    assert not undeclared, undeclared


MUTATING_SIGNAL = """
import numpy as np
from atlas_core.api import Signal, hookimpl

CHANGED = []

def attempt(name, change):
    try:
        change()
    except (AttributeError, TypeError):
        return
    CHANGED.append(name)

class Vandal(Signal):
    name = "team_dirs"
    def score(self, ctx):
        view = ctx.index
        attempt("paths", lambda: view.paths.reverse())
        for column in ("languages", "roles", "tokens", "sizes", "statuses", "hashes"):
            attempt(column, lambda: getattr(view, column).reverse())
        attempt("ids", lambda: view.ids.clear())
        attempt("chunks", lambda: view.chunks(view.ids["src/retry.py"]).clear())
        return np.zeros(len(view))

@hookimpl
def atlas_register_signals(registry):
    registry.add(Vandal())
"""


def test_a_plugin_cannot_change_the_index_view_for_later_queries(
    site: Path, repo: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    import atlas_core

    install(site, "acme-signal", "acme", MUTATING_SIGNAL)
    monkeypatch.setenv("ATLAS_LOAD_PLUGINS", "acme")
    with atlas_core.open(repo) as repository:
        repository.index()
        before = [(f.path, f.tokens) for f in repository.query("retry").selection.files]
        repository.query("retry", preset="team")
        assert sys.modules["atlas_fake_acme"].CHANGED == []
        after = repository.query("retry")
        assert [(f.path, f.tokens) for f in after.selection.files] == before
        assert after.selection.files[0].path == "src/retry.py"
        reader = repository.reader()
        assert reader.ids["src/retry.py"] == reader.paths.index("src/retry.py")
        assert [c.name for c in reader.chunks(reader.ids["src/retry.py"])] == ["retry"]
        assert "src/retry.py" in repository.render(after).text
