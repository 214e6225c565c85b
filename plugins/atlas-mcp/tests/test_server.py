"""End to end: ``atlas mcp`` in its own process, driven by the SDK's own stdio client."""

from __future__ import annotations

import json
import shutil
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest

from atlas_core.index.process import estimate_tokens

Talk = Callable[..., None]


def text(result: Any) -> str:
    return "".join(getattr(block, "text", "") for block in result.content)


def test_tools_describe_themselves(repo: Path, talk: Talk) -> None:
    seen: dict[str, Any] = {}

    async def scenario(client: Any) -> None:
        seen["tools"] = (await client.list_tools()).tools

    talk(repo, scenario)
    tools = {t.name: t for t in seen["tools"]}
    assert set(tools) == {"query", "render", "outline", "explain", "index", "map", "related"}
    for tool in tools.values():
        schema = tool.input_schema
        assert len(tool.description) > 150, tool.name  # usable without our docs
        assert schema["type"] == "object" and schema["additionalProperties"] is False
        for name, prop in schema["properties"].items():
            assert len(prop.get("description", "")) > 20, (tool.name, name)
        assert "anyOf" not in schema and "oneOf" not in schema  # some clients reject them
    assert "required" not in tools["query"].input_schema  # seeds alone may be enough
    assert {"seeds", "diff", "scope", "exclude"} <= set(tools["query"].input_schema["properties"])
    assert tools["outline"].input_schema["required"] == ["path"]
    # the preset enum is this repository's: built-ins plus the one from its atlas.toml
    presets = tools["query"].input_schema["properties"]["preset"]["enum"]
    assert {"fast", "balanced", "deep", "thorough", "team"} <= set(presets)
    assert tools["query"].annotations.read_only_hint is True
    assert tools["index"].annotations.read_only_hint is False


def test_query_ranks_files_with_scores_tokens_and_symbols(repo: Path, talk: Talk) -> None:
    async def scenario(client: Any) -> None:
        result = await client.call_tool("query", {"task": "retry backoff policy", "top": 3})
        assert not result.is_error, text(result)
        doc = result.structured_content
        # the text is a compact summary for the model, not the JSON again
        summary = text(result).splitlines()
        assert summary[0].startswith(f"{len(doc['Files'])} files, {doc['TotalTokens']:,} of ")
        assert summary[1].startswith("src/payments/retry.py  1.00  ")
        assert "RetryPolicy.backoff L2-3" in summary[1] and "{" not in text(result)
        assert len(text(result)) < len(json.dumps(doc)) / 2
        first = doc["Files"][0]
        assert first["Path"] == "src/payments/retry.py" and first["Score"] == 1.0
        assert first["Tokens"] > 0 and first["Language"] == "python"
        symbols = {s["Name"]: (s["Start"], s["End"]) for s in first["Symbols"]}
        assert symbols["RetryPolicy.backoff"] == (2, 3)
        assert len(doc["Files"]) <= 3 and doc["Preset"] == "balanced"

        team = await client.call_tool("query", {"task": "payment client", "preset": "team"})
        assert team.structured_content["Budget"]["MaxTokens"] == 900

    talk(repo, scenario)


def test_changes_between_calls_are_seen_without_asking(repo: Path, talk: Talk) -> None:
    current = repo / ".atlas" / "CURRENT"

    async def paths(client: Any, task: str) -> list[str]:
        result = await client.call_tool("query", {"task": task, "min_score": 0.5})
        assert not result.is_error, text(result)
        return [f["Path"] for f in result.structured_content["Files"]]

    async def scenario(client: Any) -> None:
        assert "src/ledger/reconcile.py" not in await paths(client, "reconcile ledger entries")
        generation = current.read_text()
        for _ in range(3):  # nothing changed: the index is not rebuilt
            await paths(client, "retry backoff")
        assert current.read_text() == generation

        # a new file in a new directory
        (repo / "src/ledger").mkdir()
        (repo / "src/ledger/reconcile.py").write_text("def reconcile_ledger_entries():\n    pass\n")
        assert (await paths(client, "reconcile ledger entries"))[0] == "src/ledger/reconcile.py"

        # an edit inside an existing file, same directory, no new file
        client_py = repo / "src/payments/client.py"
        added = "\ndef refund_chargeback_dispute():\n    pass\n"
        client_py.write_text(client_py.read_text() + added)
        assert (await paths(client, "refund chargeback dispute"))[0] == "src/payments/client.py"

        # a deletion
        (repo / "src/ledger/reconcile.py").unlink()
        assert "src/ledger/reconcile.py" not in await paths(client, "reconcile ledger entries")

    talk(repo, scenario)


def test_an_index_from_another_process_is_checked_for_later_edits(repo: Path, talk: Talk) -> None:
    from atlas_core.engine import Atlas
    from atlas_core.plugin.manager import get_plugin_manager

    retry = repo / "src/payments/retry.py"
    original = retry.read_text()

    async def symbols(client: Any, task: str) -> list[str]:
        result = await client.call_tool("query", {"task": task, "top": 1})
        assert not result.is_error, text(result)
        first = result.structured_content["Files"][0]
        assert first["Path"] == "src/payments/retry.py"
        return [s["Name"] for s in first["Symbols"]]

    async def scenario(client: Any) -> None:
        assert "RetryPolicy" in await symbols(client, "retry backoff")
        retry.write_text(original + "\ndef first_zebra_marker():\n    pass\n")
        Atlas(repo, get_plugin_manager(load_entrypoints=False)).index()  # another process
        retry.write_text(original + "\ndef second_zebra_marker_edit():\n    pass\n")
        found = await symbols(client, "zebra marker")
        assert "second_zebra_marker_edit" in found and "first_zebra_marker" not in found

    talk(repo, scenario)


@pytest.mark.parametrize("style", ["markdown", "xml"])
def test_render_never_leaks_secrets_and_keeps_the_budget(
    repo: Path, talk: Talk, planted: tuple[str, ...], style: str
) -> None:
    async def scenario(client: Any) -> None:
        by_task = await client.call_tool(
            "render",
            {"task": "payments retry token client", "max_tokens": 2000, "style": style},
        )
        by_paths = await client.call_tool(
            "render",
            {"paths": [".env", "src/payments/retry.py", "src/payments/client.py"], "style": style},
        )
        tiny = await client.call_tool(
            "render", {"paths": ["src/payments/client.py", "README.md"], "max_tokens": 110}
        )
        for result in (by_task, by_paths, tiny):
            assert not result.is_error, text(result)
            body = text(result)
            assert not any(secret in body for secret in planted)
        assert "class RetryPolicy" in text(by_task)
        assert "[REDACTED aws-access-key-id]" in text(by_task)
        assert "[REDACTED github-token]" in text(by_paths)
        assert "PAYMENTS_RETRY_TOKEN" not in text(by_paths)
        assert "environment file" in text(by_paths)
        assert estimate_tokens(len(text(by_task).encode())) <= 2000
        assert estimate_tokens(len(text(tiny).encode())) <= 110
        assert "PaymentClient" not in text(tiny) and "src/payments/client.py" in text(tiny)
        if style == "xml":
            assert "<source>src/payments/retry.py</source>" in text(by_paths)

        outline = await client.call_tool("outline", {"path": "src/payments/client.py"})
        signatures = [s["Signature"] for s in outline.structured_content["Symbols"]]
        assert 'def connect(token="[REDACTED github-token]"):' in signatures
        assert text(outline).startswith("src/payments/client.py (python/impl, ")
        assert "\nclass PaymentClient L" in text(outline) and "REDACTED" not in text(outline)
        env = await client.call_tool("outline", {"path": ".env"})
        assert env.is_error and "secret file" in text(env)

    talk(repo, scenario)


def test_allow_secrets_is_a_server_flag(repo: Path, talk: Talk) -> None:
    async def scenario(client: Any) -> None:
        result = await client.call_tool("render", {"paths": [".env"]})
        assert "PAYMENTS_RETRY_TOKEN" in text(result)

    talk(repo, scenario, args=("--allow-secrets",))


def test_outline_lists_symbols_with_line_ranges(repo: Path, talk: Talk) -> None:
    async def scenario(client: Any) -> None:
        result = await client.call_tool("outline", {"path": "./src/payments/client.py"})
        doc = result.structured_content
        assert doc["Path"] == "src/payments/client.py" and doc["Language"] == "python"
        rows = {(s["Kind"], s["Qualified"], s["Start"], s["End"]) for s in doc["Symbols"]}
        assert ("method", "PaymentClient.charge", 4, 5) in rows
        assert any(q == "PaymentClient" and k == "class" for k, q, _, _ in rows)
        assert doc["Imports"] == ["payments.retry"]

    talk(repo, scenario)


def test_failures_are_tool_errors_and_the_server_lives_on(repo: Path, talk: Talk) -> None:
    async def scenario(client: Any) -> None:
        cases = [
            ("query", {"task": 3}, "task: 3 is not of type 'string'"),
            ("query", {}, "the task is empty"),
            ("query", {"task": ""}, "the task is empty: say what you want to do"),
            ("query", {"task": "", "seeds": []}, "or give seeds (files you know)"),
            ("explain", {"task": ""}, "task: '' should be non-empty"),
            ("query", {"seeds": ["src/nope.py"]}, "seed 'src/nope.py' is not an indexed file"),
            ("related", {}, "give paths, or diff=true"),
            ("related", {"paths": ["src/nope.py"]}, "file 'src/nope.py' is not an indexed file"),
            ("query", {"task": "x", "preset": "nope"}, "preset: 'nope' is not one of"),
            ("query", {"task": "x", "colour": "red"}, "Additional properties"),
            ("query", {"task": "   "}, "the task is empty"),
            ("render", {}, "give a task to render its best files, or paths"),
            ("render", {"paths": ["../../etc/passwd"]}, "refusing path outside the repository"),
            ("render", {"paths": ["/etc/passwd"]}, "refusing path outside the repository"),
            ("render", {"task": "x", "max_tokens": 5}, "cannot hold even the document's header"),
            ("outline", {"path": "../secret.txt"}, "refusing path outside the repository"),
            ("outline", {"path": "src/nope.py"}, "'src/nope.py' is not in the index"),
            ("render", {"paths": ["src/nope.py"]}, "'src/nope.py' is not in the index"),
            ("frobnicate", {}, "unknown tool 'frobnicate'"),
        ]
        for name, args, message in cases:
            result = await client.call_tool(name, args)
            assert result.is_error, (name, args)
            assert message in text(result), (name, args, text(result))
        ok = await client.call_tool("query", {"task": "retry"})
        assert not ok.is_error

    talk(repo, scenario)


def test_explain_and_index(repo: Path, talk: Talk) -> None:
    async def scenario(client: Any) -> None:
        explained = await client.call_tool("explain", {"task": "retry backoff", "top": 2})
        doc = explained.structured_content
        assert text(explained).startswith("terms: backoff retry; preset balanced, fuser ")
        assert "\nsrc/payments/retry.py  1.00  (bm25f " in text(explained)
        assert doc["Terms"] == ["backoff", "retry"]
        assert len(doc["Files"]) <= 2 and doc["Files"][0]["Path"] == "src/payments/retry.py"
        signals = doc["Files"][0]["Signals"]
        assert set(signals) == set(doc["Signals"]) >= {"bm25f", "path"}
        assert signals["bm25f"]["Raw"] > 0 and 0 < signals["bm25f"]["Normalized"] <= 1

        (repo / "src/payments/refund.py").write_text("def refund():\n    pass\n")
        updated = await client.call_tool("index", {})
        report = updated.structured_content
        assert report["Added"] == 1 and report["Files"] == 7
        assert text(updated).startswith("Updated: 7 files in ") and "(1 added, " in text(updated)
        forced = await client.call_tool("index", {"force": True})
        again = forced.structured_content
        assert again["Rebuilt"] is True and again["Files"] == 7
        assert text(forced).startswith("Rebuilt: 7 files in ")

    talk(repo, scenario)


def test_the_modern_protocol_works_too(repo: Path, talk: Talk) -> None:
    async def scenario(client: Any) -> None:
        assert len((await client.list_tools()).tools) == 7
        result = await client.call_tool("query", {"task": "retry backoff"})
        assert result.structured_content["Files"][0]["Path"] == "src/payments/retry.py"

    talk(repo, scenario, mode="auto")


def test_seeds_scope_map_and_related(repo: Path, talk: Talk) -> None:
    async def scenario(client: Any) -> None:
        seeded = await client.call_tool("query", {"seeds": ["src/payments/retry.py:3"]})
        assert not seeded.is_error, text(seeded)
        files = seeded.structured_content["Files"]
        assert files[0]["Path"] == "src/payments/retry.py" and files[0]["Seed"] is True
        assert files[0]["Symbols"][0]["Name"] == "RetryPolicy.backoff"  # the seed's line
        paths = [f["Path"] for f in files]
        # its test (by name) and its importer rise with no task at all
        assert "tests/test_retry.py" in paths and "src/payments/client.py" in paths
        # an empty task with seeds is what the seeds' description promises
        empty = await client.call_tool("query", {"task": "", "seeds": ["src/payments/retry.py"]})
        assert not empty.is_error, text(empty)
        assert [f["Path"] for f in empty.structured_content["Files"]] == paths
        by_paths = await client.call_tool("render", {"task": "", "paths": ["README.md"]})
        assert not by_paths.is_error and "# Payments" in text(by_paths), text(by_paths)
        hidden = await client.call_tool(
            "query", {"seeds": ["src/payments/retry.py"], "seed_files": False}
        )
        shown = [f["Path"] for f in hidden.structured_content["Files"]]
        assert shown and "src/payments/retry.py" not in shown

        scoped = await client.call_tool("query", {"task": "retry backoff", "scope": ["tests"]})
        assert [f["Path"] for f in scoped.structured_content["Files"]] == ["tests/test_retry.py"]
        excluded = await client.call_tool(
            "query", {"task": "retry backoff", "exclude": ["tests", "*.md"]}
        )
        got = {f["Path"] for f in excluded.structured_content["Files"]}
        assert got and not got & {"tests/test_retry.py", "README.md"}

        sketch = await client.call_tool("map", {"max_tokens": 300})
        assert "src/payments/client.py" in text(sketch) and "class PaymentClient" in text(sketch)
        assert estimate_tokens(len(text(sketch).encode())) <= 300

        tied = await client.call_tool("related", {"paths": ["src/payments/retry.py"]})
        rows = {f["Path"]: f for f in tied.structured_content["Files"]}
        kinds = {r["Kind"] for r in rows["tests/test_retry.py"]["Reasons"]}
        assert "test of" in kinds
        assert text(tied).startswith(f"{len(rows)} files tied to src/payments/retry.py:\n")
        assert "\ntests/test_retry.py  " in text(tied)
        tests = await client.call_tool(
            "related", {"paths": ["src/payments/retry.py"], "tests": True}
        )
        assert [f["Path"] for f in tests.structured_content["Files"]] == ["tests/test_retry.py"]

    talk(repo, scenario)


def test_render_reads_only_files_of_the_index(repo: Path, talk: Talk) -> None:
    (repo / ".gitignore").write_text("local.yml\n")
    (repo / "local.yml").write_text("db_password: hunter2\n")
    unknown = [".git/config", ".atlas/CURRENT", "local.yml", "nope.md"]
    (repo / ".git").mkdir()
    (repo / ".git/config").write_text("[core]\n\tbare = false\n")

    async def scenario(client: Any) -> None:
        await client.call_tool("index", {})  # .atlas/CURRENT exists
        refused = await client.call_tool("render", {"paths": unknown})
        assert refused.is_error, text(refused)
        assert text(refused).startswith("none of the files is in the index (no such file, or ")
        mixed = await client.call_tool("render", {"paths": ["README.md", *unknown]})
        assert not mixed.is_error, text(mixed)
        body = text(mixed)
        assert "# Payments" in body and "hunter2" not in body and "bare = false" not in body
        for path in unknown:
            assert f"- `{path}`: not in the index (no such file, or ignored)" in body

    talk(repo, scenario)


@pytest.mark.parametrize("how", ["deleted", "renamed"])
def test_a_root_gone_under_the_server_is_an_error_and_nothing_is_created(
    repo: Path, talk: Talk, how: str
) -> None:
    """Each tool says the root no longer exists; nothing is indexed or made again (the
    old root's ``.atlas`` included), and the server lives on."""

    async def scenario(client: Any) -> None:
        ok = await client.call_tool("query", {"task": "retry backoff"})
        assert not ok.is_error and ok.structured_content["Files"], text(ok)
        if how == "deleted":
            shutil.rmtree(repo)
        else:
            repo.rename(repo.with_name("moved"))
        calls = [
            ("query", {"task": "retry backoff"}),
            ("map", {}),
            ("index", {}),
            ("related", {"paths": ["src/payments/retry.py"]}),
            ("outline", {"path": "src/payments/retry.py"}),
            ("render", {"paths": ["src/payments/retry.py"]}),
            ("explain", {"task": "retry"}),
        ]
        for name, args in calls:
            result = await client.call_tool(name, args)
            assert result.is_error, (name, text(result))
            assert "the repository root" in text(result) and "no longer exists" in text(result)
            assert not repo.exists(), name

    talk(repo, scenario)
