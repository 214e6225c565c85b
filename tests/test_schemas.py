"""Every JSON document Atlas prints matches its schema in docs/schemas/, in one key style."""

from __future__ import annotations

import copy
import importlib.util
import json
import re
import sys
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest

from atlas_core.output.jsonout import OUTPUT_VERSION, SCHEMA_BASE, SCHEMAS
from atlas_core.testing import CliResult


def _checker() -> Any:
    """tests/schema_check.py (the suite imports test files by path, not as a package)."""
    if "schema_check" not in sys.modules:
        spec = importlib.util.spec_from_file_location(
            "schema_check", Path(__file__).with_name("schema_check.py")
        )
        assert spec and spec.loader
        module = importlib.util.module_from_spec(spec)
        sys.modules["schema_check"] = module
        spec.loader.exec_module(module)
    return sys.modules["schema_check"]


_check = _checker()
SchemaError, check_schema, errors, validate = (
    _check.SchemaError,
    _check.check_schema,
    _check.errors,
    _check.validate,
)

Cli = Callable[..., CliResult]

SCHEMA_DIR = Path(__file__).resolve().parents[1] / "docs" / "schemas"
PASCAL = re.compile(r"^[A-Z][A-Za-z0-9]*$")

REPO = {
    "src/payments/retry.py": (
        "class RetryPolicy:\n"
        "    def backoff(self, attempt):\n"
        "        return 2 ** attempt\n"
        + "".join(f"\ndef helper_{n}(x):\n    return x + {n}\n" for n in range(200))
    ),
    "src/payments/client.py": "from payments.retry import RetryPolicy\n\nclass PaymentClient:\n"
    "    def charge(self):\n        return RetryPolicy().backoff(1)\n",
    "tests/test_retry.py": "from payments.retry import RetryPolicy\n\ndef test_backoff():\n"
    "    assert RetryPolicy().backoff(2) == 4\n",
    "README.md": "# Payments\n\nRetry with backoff.\n",
    "logo.png": b"\x89PNG\x00\x00",
}


def schema(name: str) -> dict[str, Any]:
    loaded: dict[str, Any] = json.loads((SCHEMA_DIR / SCHEMAS[name][0]).read_text())
    return loaded


@pytest.fixture(scope="module")
def repo(tmp_path_factory: pytest.TempPathFactory) -> Path:
    from atlas_core.testing import write_repo

    return write_repo(tmp_path_factory.mktemp("schemas") / "repo", REPO, git=True)


@pytest.fixture
def plugged(monkeypatch: pytest.MonkeyPatch) -> None:
    """The graph and git plugins on, so inspect and plugins have more than built-ins to say."""
    monkeypatch.setenv("ATLAS_LOAD_PLUGINS", "graph,git")


def run_json(atlas_cli: Cli, *args: str) -> Any:
    result = atlas_cli(*args)
    assert result.code == 0, result.stderr
    return json.loads(result.stdout)


# -- the checker itself ------------------------------------------------------------------

SAMPLE = {
    "type": "object",
    "properties": {
        "Name": {"type": "string"},
        "Count": {"type": "integer", "minimum": 0},
        "Kind": {"enum": ["a", "b"]},
        "Tags": {"type": "array", "items": {"$ref": "#/$defs/Tag"}},
        "Either": {"oneOf": [{"type": "string"}, {"type": "integer"}]},
    },
    "required": ["Name", "Count"],
    "additionalProperties": False,
    "$defs": {"Tag": {"type": "object", "properties": {"Label": {"const": "x"}}}},
}


def test_the_checker_accepts_what_fits() -> None:
    good = {"Name": "n", "Count": 3, "Kind": "a", "Tags": [{"Label": "x"}], "Either": 2}
    assert errors(good, SAMPLE) == []
    validate(good, SAMPLE)


@pytest.mark.parametrize(
    ("value", "problem"),
    [
        ({"Count": 1}, "required key 'Name' is missing"),
        ({"Name": "n", "Count": 1, "Other": 1}, "unexpected key 'Other'"),
        ({"Name": 1, "Count": 1}, "/Name: 1 is not of type string"),
        ({"Name": "n", "Count": True}, "/Count: True is not of type integer"),
        ({"Name": "n", "Count": -1}, "/Count: -1 is less than 0"),
        ({"Name": "n", "Count": 1, "Kind": "c"}, "/Kind: 'c' is not one of"),
        ({"Name": "n", "Count": 1, "Tags": [{"Label": "y"}]}, "/Tags/0/Label: 'y' is not 'x'"),
        ({"Name": "n", "Count": 1, "Either": 1.5}, "/Either: fits 0 of the oneOf"),
        ([], "/: [] is not of type object"),
    ],
)
def test_the_checker_rejects_what_does_not(value: Any, problem: str) -> None:
    found = errors(value, SAMPLE)
    assert any(problem in p for p in found), found
    with pytest.raises(AssertionError, match="does not match the schema"):
        validate(value, SAMPLE)


def test_the_checker_refuses_keywords_it_does_not_know() -> None:
    with pytest.raises(SchemaError, match="pattern"):
        errors("x", {"type": "string", "pattern": "^a"})
    with pytest.raises(SchemaError, match="maxItems"):
        check_schema({"properties": {"A": {"items": {"maxItems": 2}}}})
    with pytest.raises(SchemaError, match="names no definition"):
        check_schema({"$ref": "#/$defs/Missing"})


# -- the schema files --------------------------------------------------------------------


def test_every_schema_file_is_listed_well_formed_and_strict() -> None:
    files = {p.name for p in SCHEMA_DIR.glob("*.schema.json")}
    assert files == {file for file, _ in SCHEMAS.values()}
    for name, (file, _) in SCHEMAS.items():
        doc = schema(name)
        assert doc["$schema"] == "https://json-schema.org/draft/2020-12/schema"
        assert doc["$id"] == SCHEMA_BASE + file
        check_schema(doc)
        # one key style: every property a document may have is PascalCase, and every object
        # with fixed keys says so (additionalProperties false)
        for node in _subschemas(doc):
            for key in node.get("properties", {}):
                assert PASCAL.match(key), (file, key)
            if "properties" in node:
                assert node.get("additionalProperties") is False, (file, sorted(node["properties"]))


def _subschemas(node: Any) -> list[dict[str, Any]]:
    if not isinstance(node, dict):
        return []
    out = [node]
    for key in ("properties", "$defs"):
        for sub in node.get(key, {}).values():
            out += _subschemas(sub)
    for key in ("items", "additionalProperties"):
        out += _subschemas(node.get(key))
    for key in ("anyOf", "oneOf"):
        for sub in node.get(key, []):
            out += _subschemas(sub)
    return out


def test_describe_lists_the_schemas(atlas_cli: Cli, tmp_path: Path) -> None:
    doc = run_json(atlas_cli, "--root", str(tmp_path), "describe")
    validate(doc, schema("describe"))
    listed = {s["Name"]: s for s in doc["Schemas"]}
    # every output's schema, but config's only once the config command exists
    assert set(listed) == set(SCHEMAS) - ({"config"} - set(doc["Commands"]))
    assert {"query-jsonl", "query", "explain", "inspect", "describe", "plugins", "index"} <= set(
        listed
    )
    for name, row in listed.items():
        assert (SCHEMA_DIR.parent.parent / row["Path"]).is_file(), row
        assert row["Url"] == schema(name)["$id"]


# -- real outputs against the schemas ----------------------------------------------------


def test_query_outputs_match(repo: Path, atlas_cli: Cli, plugged: None) -> None:
    base = ("--root", str(repo))
    lines = atlas_cli(
        *base, "-v", "quick", "retry backoff", "--seed", "src/payments/client.py:4",
        "--scope", "src", "--max-tokens", "1500", "--format", "jsonl",
    )  # fmt: skip
    assert lines.code == 0, lines.stderr
    records = lines.json_lines()
    assert records[0]["Version"] == OUTPUT_VERSION and "Seeds" in records[0]
    assert any(r.get("Skim") for r in records) and any(r.get("Seed") for r in records)
    assert any("Signals" in r and "Path" in r for r in records)
    for record in records:
        validate(record, schema("query-jsonl"))
    doc = run_json(atlas_cli, *base, "query", "retry backoff", "--format", "json")
    assert doc["Files"] and doc["Version"] == OUTPUT_VERSION
    validate(doc, schema("query"))


def test_explain_inspect_index_and_plugins_match(repo: Path, atlas_cli: Cli, plugged: None) -> None:
    base = ("--root", str(repo))
    report = run_json(atlas_cli, *base, "index", "--force", "--format", "json")
    assert report["Rebuilt"] and report["Files"] == len(REPO)
    validate(report, schema("index"))
    explained = run_json(atlas_cli, *base, "explain", "retry backoff", "--format", "json")
    assert explained["Version"] == OUTPUT_VERSION
    assert explained["Files"][0]["Signals"]["bm25f"]["Raw"] > 0
    validate(explained, schema("explain"))
    stats = run_json(atlas_cli, *base, "inspect", "--format", "json")
    assert stats["ExtraDetails"] and stats["Skipped"] == {"binary": 1}
    validate(stats, schema("inspect"))
    files = run_json(atlas_cli, *base, "inspect", "--files", "--json")
    validate(files, schema("inspect-files"))
    listed = run_json(atlas_cli, "plugins", "--all", "--format", "json")
    assert {"graph", "git", "walk_fs"} <= {p["Name"] for p in listed["Plugins"]}
    validate(listed, schema("plugins"))
    assert run_json(atlas_cli, "plugins", "--all", "--json") == listed  # the alias
    hooks = run_json(atlas_cli, "plugins", "--hook", "atlas_register_signals", "--format", "json")
    assert hooks["Implementations"]
    validate(hooks, schema("plugin-hooks"))
    validate(run_json(atlas_cli, *base, "describe"), schema("describe"))


def test_the_schemas_fail_on_a_changed_document(repo: Path, atlas_cli: Cli) -> None:
    doc = run_json(atlas_cli, "--root", str(repo), "query", "retry", "--format", "json")
    validate(doc, schema("query"))
    renamed = copy.deepcopy(doc)
    renamed["Files"][0]["path"] = renamed["Files"][0].pop("Path")
    assert any("unexpected key 'path'" in p for p in errors(renamed, schema("query")))
    versionless = {k: v for k, v in doc.items() if k != "Version"}
    assert errors(versionless, schema("query")) == ["/: required key 'Version' is missing"]
    report = run_json(atlas_cli, "--root", str(repo), "index", "--format", "json")
    report["Seconds"] = "fast"
    assert errors(report, schema("index"))


def test_mcp_structured_results_match_and_the_text_is_a_summary(repo: Path) -> None:
    pytest.importorskip("atlas_mcp")
    from atlas_mcp.service import AtlasService
    from atlas_mcp.tools import tool_specs

    from atlas_core.plugin.manager import get_plugin_manager

    service = AtlasService(repo, get_plugin_manager(load_entrypoints=False))
    specs = tool_specs(service.presets())
    queried = specs["query"].run(service, {"task": "retry backoff", "max_tokens": 1500})
    validate(queried.structured, schema("query"))
    assert queried.text.splitlines()[0].startswith(f"{len(queried.structured['Files'])} files, ")
    explained = specs["explain"].run(service, {"task": "retry backoff", "top": 2})
    validate(explained.structured, schema("explain"))
    for result in (queried, explained):
        assert not result.text.lstrip().startswith("{")
        assert len(result.text) < len(json.dumps(result.structured)) / 2


def test_outline_map_and_related_match(repo: Path, atlas_cli: Cli) -> None:
    base = ("--root", str(repo), "--format", "json")
    one = run_json(atlas_cli, *base, "outline", "src/payments/client.py")
    assert one["Version"] == OUTPUT_VERSION and one["Symbols"]
    validate(one, schema("outline"))
    two = run_json(atlas_cli, *base, "outline", "src/payments/client.py", "README.md")
    assert len(two["Files"]) == 2
    validate(two, schema("outline"))
    sketch = run_json(atlas_cli, *base, "map", "--max-tokens", "300")
    assert sketch["Files"] and sketch["Files"][0]["Symbols"]
    validate(sketch, schema("map"))
    tied = run_json(atlas_cli, *base, "related", "src/payments/retry.py")
    assert tied["Files"] and tied["Files"][0]["Reasons"]
    validate(tied, schema("related"))


def test_config_matches(repo: Path, atlas_cli: Cli) -> None:
    if "config" not in run_json(atlas_cli, "--root", str(repo), "describe")["Commands"]:
        pytest.skip("no atlas config command in this build")
    doc = run_json(atlas_cli, "--root", str(repo), "config", "--format", "json")
    assert doc["Version"] == OUTPUT_VERSION and doc["Settings"]
    validate(doc, schema("config"))


def test_init_matches(atlas_cli: Cli, tmp_path: Path) -> None:
    doc = run_json(atlas_cli, "--root", str(tmp_path), "init", "--dry-run", "--format", "json")
    assert doc["Version"] == OUTPUT_VERSION and doc["DryRun"] and doc["Files"]
    validate(doc, schema("init"))
    line = atlas_cli("--root", str(tmp_path), "init", "--dry-run", "--format", "jsonl").stdout
    assert line.count("\n") == 1 and json.loads(line) == doc


# -- format handling and strict numbers -------------------------------------------------


@pytest.mark.parametrize("bad", ["nan", "inf", "-inf", "NaN", "1e999"])
def test_non_finite_numbers_are_usage_errors(repo: Path, atlas_cli: Cli, bad: str) -> None:
    result = atlas_cli("--root", str(repo), "query", "retry", "--min-score", bad)
    assert result.code == 2 and result.stdout == ""
    assert result.stderr.count("\n") == 1 and "is not a finite number" in result.stderr


def test_every_command_honours_format_json_and_refuses_the_rest(repo: Path, atlas_cli: Cli) -> None:
    base = ("--root", str(repo))
    # index prints nothing on stdout unless asked; jsonl gives the document on one line
    assert atlas_cli(*base, "index").stdout == ""
    one_line = atlas_cli(*base, "index", "--format", "jsonl").stdout
    assert one_line.count("\n") == 1 and json.loads(one_line)["Version"] == OUTPUT_VERSION
    commands = (
        ["plugins"],
        ["inspect"],
        ["index"],
        ["describe"],
        ["explain", "retry"],
        ["outline", "README.md"],
        ["map"],
        ["related", "README.md"],
    )
    for args in commands:
        assert json.loads(atlas_cli(*base, "--format", "json", *args).stdout)["Version"]
        refused = atlas_cli(*base, *args, "--format", "compact")
        assert refused.code == 2 and "prints human or json" in refused.stderr, args


def test_the_plugin_api_json_writer_is_strict_and_versioned() -> None:
    import io

    from atlas_core.api import OUTPUT_VERSION, dump_json

    out = io.StringIO()
    dump_json({"Version": OUTPUT_VERSION, "Score": 0.5}, out, indent=None)
    assert out.getvalue() == '{"Version": "0.3", "Score": 0.5}\n'
    with pytest.raises(ValueError):
        dump_json({"Score": float("nan")}, io.StringIO())
