"""Every tool's structured result, as a client receives it, matches the schema of the same
command's JSON in docs/schemas/ (the README: "Every JSON document carries Version")."""

from __future__ import annotations

import json
from collections.abc import Callable
from pathlib import Path
from typing import Any

import jsonschema  # type: ignore[import-untyped]
import pytest

from atlas_core.api import OUTPUT_VERSION

SCHEMAS = Path(__file__).resolve().parents[3] / "docs" / "schemas"

#: arguments for each tool, more than one call where the document changes shape
CALLS: dict[str, list[dict[str, Any]]] = {
    "query": [
        {"task": "retry backoff", "top": 3},
        {"task": "", "seeds": ["src/payments/retry.py:2"], "scope": ["src"]},
    ],
    "explain": [{"task": "retry backoff", "top": 2}],
    "outline": [{"path": "src/payments/client.py"}],
    "related": [
        {"paths": ["src/payments/retry.py"]},
        {"paths": ["src/payments/retry.py"], "tests": True},
    ],
    "index": [{}, {"force": True}],
    "map": [{"max_tokens": 300}],
    "render": [{"paths": ["README.md"]}],
}
#: the tools whose answer is a document (text), not data
TEXT_ONLY = {"map", "render"}


@pytest.mark.skipif(not SCHEMAS.is_dir(), reason="not run from the source tree")
def test_every_structured_result_matches_its_schema(repo: Path, talk: Callable[..., None]) -> None:
    results: dict[str, list[Any]] = {}

    async def scenario(client: Any) -> None:
        tools = [t.name for t in (await client.list_tools()).tools]
        assert set(tools) == set(CALLS), "a new tool needs its calls here"
        for name in tools:
            results[name] = [await client.call_tool(name, args) for args in CALLS[name]]

    talk(repo, scenario)
    for name, answers in results.items():
        for args, result in zip(CALLS[name], answers, strict=True):
            assert not result.is_error, (name, args, result.content)
            doc = result.structured_content
            if name in TEXT_ONLY:
                assert doc is None, name
                continue
            schema = json.loads((SCHEMAS / f"{name}.schema.json").read_text())
            validator = jsonschema.Draft202012Validator(schema)
            problems = [
                f"/{'/'.join(map(str, e.path))}: {e.message}" for e in validator.iter_errors(doc)
            ]
            assert not problems, (name, args, problems)
            assert doc["Version"] == OUTPUT_VERSION
    related = results["related"][1].structured_content
    assert related["Tests"] is True and related["Files"]
    assert results["index"][1].structured_content["RebuiltReason"]
