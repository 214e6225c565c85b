"""The service behind the tools, in-process: when the index is (and is not) refreshed."""

from __future__ import annotations

import threading
from pathlib import Path

import atlas_mcp
import pytest
from atlas_mcp.service import AtlasService

from atlas_core.cli.main import build_cli
from atlas_core.engine import Atlas
from atlas_core.errors import UsageError
from atlas_core.plugin.manager import get_plugin_manager


class Clock:
    def __init__(self) -> None:
        self.now = 1000.0

    def __call__(self) -> float:
        return self.now


@pytest.fixture
def clock() -> Clock:
    return Clock()


@pytest.fixture
def service(repo: Path, clock: Clock) -> AtlasService:
    return AtlasService(repo, get_plugin_manager(load_entrypoints=False), clock=clock)


def matched(service: AtlasService, task: str) -> list[str]:
    """Files whose text matches ``task`` (the path prior alone does not count)."""
    files = service.explain(task, top=50)["Files"]
    return [f["Path"] for f in files if f["Signals"]["bm25f"]["Raw"] > 0]


def test_an_unchanged_repository_is_not_reindexed(service: AtlasService) -> None:
    service.warm()
    assert service.index_runs == 1 and service.last_refresh == "first use"
    for _ in range(5):
        assert matched(service, "retry backoff")[0] == "src/payments/retry.py"
    assert service.index_runs == 1 and service.last_refresh == ""


def test_edits_new_files_and_deletions_trigger_a_refresh(repo: Path, service: AtlasService) -> None:
    service.warm()
    (repo / "src/payments/refund.py").write_text("def refund_chargeback():\n    pass\n")
    assert matched(service, "refund chargeback") == ["src/payments/refund.py"]
    assert service.last_refresh == "src/payments changed"
    (repo / "README.md").write_text("# Payments\n\nSettlement batches.\n")
    assert matched(service, "settlement batches") == ["README.md"]
    assert service.last_refresh == "README.md was modified"
    (repo / "src/payments/refund.py").unlink()
    assert matched(service, "refund chargeback") == []
    assert service.index_runs == 4


def test_config_changes_reload_the_settings(repo: Path, service: AtlasService) -> None:
    service.warm()
    assert "night" not in service.presets()
    (repo / "atlas.toml").write_text('[presets.night]\nextends = "fast"\n')
    assert "night" in service.presets()
    service.query("retry", preset="night")
    assert service.last_refresh == "settings changed"
    (repo / "atlas.toml").write_text("[presets\n")
    with pytest.raises(UsageError, match="bad TOML"):
        service.query("retry")


def test_a_periodic_full_scan_finds_what_stat_checks_cannot(
    repo: Path, service: AtlasService, clock: Clock
) -> None:
    (repo / "vendor/empty").mkdir(parents=True)  # a directory with no indexed file
    service.warm()
    (repo / "vendor/empty/settlement.py").write_text("def settlement_batch():\n    pass\n")
    # invisible to the cheap check
    assert matched(service, "settlement batch") == []
    clock.now += service.full_scan_seconds
    assert matched(service, "settlement batch") == ["vendor/empty/settlement.py"]
    assert service.last_refresh == "periodic full scan"


def test_an_index_built_by_another_process_is_picked_up(repo: Path, service: AtlasService) -> None:
    service.warm()
    Atlas(repo, get_plugin_manager(load_entrypoints=False)).index(force=True)
    service.query("retry")
    assert service.last_refresh == "index updated by another process"
    assert service.index_runs == 1


def test_render_and_outline_refuse_what_they_must(repo: Path, service: AtlasService) -> None:
    with pytest.raises(UsageError, match="give a task"):
        service.render()
    with pytest.raises(UsageError, match="outside the repository"):
        service.outline("/etc/passwd")
    # refused before the index is even opened
    for bad in ("src/a\0b.py", "../x.py"):
        with pytest.raises(UsageError, match=r"NUL byte|climbs out"):
            service.outline(bad)
        with pytest.raises(UsageError, match=r"NUL byte|climbs out"):
            service.render(paths=["README.md", bad])
    assert service.index_runs == 0
    document = service.render(paths=["src/payments/retry.py", ".env"], max_tokens=5000)
    assert document.included == ["src/payments/retry.py"]
    assert "[REDACTED aws-access-key-id]" in document.text


def test_the_plugin_adds_the_mcp_command() -> None:
    manager = get_plugin_manager(load_entrypoints=False, extra_plugins=[("mcp", atlas_mcp)])
    assert "mcp" in build_cli(manager).commands
    assert "mcp" not in build_cli(get_plugin_manager(load_entrypoints=False)).commands


def test_listing_tools_never_waits_for_a_busy_service(service: AtlasService) -> None:
    service.warm()
    answer: list[list[str]] = []
    with service.lock:  # as while a first index of a large repository runs
        worker = threading.Thread(target=lambda: answer.append(service.presets()))
        worker.start()
        worker.join(timeout=5)
        assert not worker.is_alive()
    assert "team" in answer[0]


def test_odd_names_go_out_escaped_and_come_back(tmp_path: Path) -> None:
    """An agent gets paths as Atlas shows them (valid UTF-8, one line) and can give them
    back: a name that is not UTF-8 is not mistaken for its neighbour literally called
    what it is shown as."""
    import json
    import os

    from atlas_mcp.tools import tool_specs

    root = tmp_path / "odd"
    (root / "src").mkdir(parents=True)
    (root / "pkg").mkdir()
    for raw, body in {
        b"src/caf\xe9.py": b"def latin_cafe():\n    return 1\n",
        b"src/caf\\xe9.py": b"def literal_cafe():\n    return 2\n",
        b"src/\x1b[31mred.py": b"def red_cafe():\n    return 3\n",
        b"pkg/mod.py": b"def plain_cafe():\n    return 4\n",
    }.items():
        with open(os.path.join(os.fsencode(root), raw), "wb") as handle:
            handle.write(body)
    byte, literal, red = "src/caf\\xe9.py", "src/caf\\\\xe9.py", "src/\\x1b[31mred.py"
    service = AtlasService(root, get_plugin_manager(load_entrypoints=False))

    listed = service.query("cafe", top=0)
    paths = [f["Path"] for f in listed["Files"]]
    assert set(paths) == {byte, literal, red, "pkg/mod.py"}
    json.dumps(listed, ensure_ascii=False).encode("utf-8")
    assert {f["Path"] for f in service.explain("cafe")["Files"]} == set(paths)

    assert service.outline(byte)["Symbols"][0]["Name"] == "latin_cafe"
    assert service.outline(literal)["Symbols"][0]["Name"] == "literal_cafe"
    assert service.outline(red)["Path"] == red
    assert service.outline("pkg\\mod.py")["Path"] == "pkg/mod.py"  # a Windows separator

    document = service.render(paths=[byte, literal], max_tokens=5000)
    assert document.included == [byte, literal]
    assert f"## {byte}\n\n```python\ndef latin_cafe" in document.text
    assert f"## {literal}\n\n```python\ndef literal_cafe" in document.text

    related = tool_specs(["balanced"])["related"].run(service, {"paths": [red, byte]})
    assert related.structured is not None and related.structured["Given"] == [red, byte]
    text = json.dumps(related.structured, ensure_ascii=False) + related.text
    text.encode("utf-8")
    assert "\x1b" not in text

    with open(os.path.join(os.fsencode(root), b"src/\x1b[31mred.py"), "ab") as handle:
        handle.write(b"# one more line\n")
    assert service.outline(red)["Path"] == red
    assert service.last_refresh == f"{red} was modified"  # logged: one printable line


def test_the_help_and_the_readme_name_every_tool() -> None:
    import re

    from atlas_mcp.tools import tool_specs
    from click.testing import CliRunner

    tools = set(tool_specs(["balanced"]))
    readme = (Path(atlas_mcp.__file__).parents[1] / "README.md").read_text(encoding="utf-8")
    assert set(re.findall(r"^\| `(\w+)` \|", readme, flags=re.MULTILINE)) == tools
    manager = get_plugin_manager(load_entrypoints=False, extra_plugins=[("mcp", atlas_mcp)])
    shown = CliRunner().invoke(build_cli(manager), ["mcp", "--help"])
    assert shown.exit_code == 0, shown.output
    listed = re.search(r"Tools: ([\w, ]+)\.", " ".join(shown.output.split()))
    assert listed and set(listed.group(1).split(", ")) == tools


def test_a_budget_nothing_fits_is_not_reported_as_no_match(service: AtlasService) -> None:
    from atlas_mcp.tools import tool_specs

    query = tool_specs(service.presets())["query"]
    result = query.run(service, {"task": "retry backoff", "max_tokens": 1, "top": 1})
    assert result.structured is not None and result.structured["Files"] == []
    assert result.structured["LeftOut"] == 1
    assert result.text.startswith("No file fits the budget")
    assert "ranked files left out" in result.text and "No file matches" not in result.text


def test_render_of_a_task_shows_every_file_it_chose(service: AtlasService) -> None:
    for budget in (280, 300, 320, 340):
        doc = service.render(task="payment client retry backoff", max_tokens=budget)
        # chosen for the document: each file's room held the document's lines on it too
        assert doc.included and doc.tokens <= budget
        assert [o for o in doc.omitted if "budget" in o.reason] == [], budget
