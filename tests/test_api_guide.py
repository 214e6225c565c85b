"""The examples of docs/api.md run, in order, against the repository the guide describes."""

from __future__ import annotations

import ast
import re
import sys
from pathlib import Path

import pytest

from atlas_core.testing import write_repo

GUIDE = Path(__file__).resolve().parent.parent / "docs" / "api.md"

#: the repository the guide says its examples run in
FILES = {
    "src/payments/retry.py": (
        "import time\n\n\nclass RetryPolicy:\n    attempts = 3\n    base_delay = 0.5\n\n\n"
        "def retry_with_backoff(call, policy):\n"
        '    """Call again with exponential backoff until it succeeds."""\n'
        "    for attempt in range(policy.attempts):\n"
        "        try:\n            return call()\n        except OSError:\n"
        "            time.sleep(policy.base_delay * 2**attempt)\n    return call()\n"
    ),
    "src/payments/client.py": (
        "from src.payments.retry import RetryPolicy, retry_with_backoff\n\n\n"
        "def charge(customer, amount):\n"
        "    return retry_with_backoff(lambda: (customer, amount), RetryPolicy())\n"
    ),
    "src/users/models.py": "class User:\n    name = ''\n    email = ''\n",
    "tests/test_retry.py": (
        "from src.payments.retry import RetryPolicy, retry_with_backoff\n\n\n"
        "def test_retry():\n    assert retry_with_backoff(lambda: 1, RetryPolicy()) == 1\n"
    ),
    "README.md": "# Shop\n\nA small shop: users, and payments with retry.\n",
}


def examples() -> list[str]:
    """The guide's ```python blocks, in order."""
    text = GUIDE.read_text(encoding="utf-8")
    return re.findall(r"^```python\n(.*?)^```$", text, flags=re.DOTALL | re.MULTILINE)


def test_the_guide_has_examples_of_each_part() -> None:
    code = "\n".join(examples())
    for call in (
        "atlas_core.open(",
        "repo.index(",
        "repo.query(",
        "repo.explain(",
        "repo.render(",
        "seeds=",
        "scope=",
        "with atlas_core.open(",
        "UsageError",
    ):
        assert call in code, call  # fmt: skip
    assert len(examples()) >= 8


def test_the_guide_examples_run(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    root = write_repo(tmp_path / "shop", FILES, git=True)
    monkeypatch.chdir(root)
    namespace: dict[str, object] = {"__name__": "api_guide"}
    for number, code in enumerate(examples(), 1):
        try:
            exec(compile(code, f"docs/api.md example {number}", "exec"), namespace)
        except Exception as exc:
            raise AssertionError(f"docs/api.md example {number} failed: {exc!r}\n{code}") from exc
    # the examples ran against this repository, and left what they said they would
    assert (root / "src" / "payments" / "refund.py").is_file()


def test_a_failing_example_is_reported(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """The extraction finds the blocks the test runs: a broken one would fail it."""
    guide = tmp_path / "guide.md"
    guide.write_text("text\n\n```python\nassert 1 == 2\n```\n\n```\nnot python\n```\n")
    monkeypatch.setitem(globals(), "GUIDE", guide)
    assert examples() == ["assert 1 == 2\n"]
    with pytest.raises(AssertionError):
        exec(examples()[0], {})


def test_the_readme_library_example_runs(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    readme = (GUIDE.parent.parent / "README.md").read_text(encoding="utf-8")
    section = readme.split("\n## Library\n", 1)[1].split("\n## ", 1)[0]
    (code,) = re.findall(r"^```python\n(.*?)^```$", section, flags=re.DOTALL | re.MULTILINE)
    monkeypatch.chdir(write_repo(tmp_path / "shop", FILES, git=True))
    exec(compile(code, "README.md Library example", "exec"), {"__name__": "readme"})
    printed = capsys.readouterr().out
    assert printed.startswith("1.00 src/payments/retry.py ['retry_with_backoff'")
    assert "# Context for: add retry with backoff" in printed


def test_the_guide_examples_import_only_what_atlas_installs() -> None:
    """``scripts/install`` installs Atlas and its plugins, not pytest: an example that
    imports it fails for a reader who runs it."""
    imported: set[str] = set()
    for code in examples():
        for node in ast.walk(ast.parse(code)):
            if isinstance(node, ast.Import):
                imported.update(alias.name.split(".")[0] for alias in node.names)
            elif isinstance(node, ast.ImportFrom) and node.module:
                imported.add(node.module.split(".")[0])
    outside = sorted(imported - set(sys.stdlib_module_names) - {"atlas_core"})
    assert not outside, f"docs/api.md examples import {outside}"


def test_the_readme_presets_table_lists_each_preset_s_signals() -> None:
    from atlas_core.config import BUILTIN_PRESETS

    readme = (GUIDE.parent.parent / "README.md").read_text(encoding="utf-8")
    table = readme.split("\n## Presets\n", 1)[1].strip().split("\n\n", 1)[0]
    rows = {
        m[1]: dict(re.findall(r"(\w+) (\d+(?:\.\d+)?)", m[2].split("(", 1)[0]))
        for m in re.finditer(r"^\| `(\w+)`[^|]*\| ([^|]*) \|", table, flags=re.MULTILINE)
    }
    for name in ("fast", "balanced"):
        listed = {signal: float(weight) for signal, weight in rows[name].items()}
        assert listed == BUILTIN_PRESETS[name].signals, name
    deep = dict(BUILTIN_PRESETS["balanced"].signals, graph=0.1)
    assert rows["deep"] == {"graph": "0.1"} and BUILTIN_PRESETS["deep"].signals == deep
