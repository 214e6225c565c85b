"""Meta-tests of the plugin API: the import boundary, and every hook and public name is
documented in docs/plugins/ and exercised by a test."""

from __future__ import annotations

import ast
import re
from pathlib import Path

import pytest

import atlas_core.api
from atlas_core.plugin import hookspecs

ROOT = Path(__file__).resolve().parent.parent
DOCS = ROOT / "docs" / "plugins"
PLUGIN_DIRS = sorted(
    [p for p in (ROOT / "plugins").iterdir() if (p / "pyproject.toml").is_file()]
    + [p for p in (DOCS / "examples").iterdir() if (p / "pyproject.toml").is_file()]
)
ALLOWED = {"atlas_core", "atlas_core.api"}


def _sources(package_dir: Path) -> list[Path]:
    """A plugin's own source files: not its tests, scripts or build output."""
    skip = {"tests", "scripts", "build"}
    return [
        p
        for p in package_dir.rglob("*.py")
        if not skip & set(p.relative_to(package_dir).parts) and ".egg-info" not in str(p)
    ]


def _core_imports(path: Path) -> list[tuple[int, str]]:
    tree = ast.parse(path.read_text(encoding="utf-8"), str(path))
    found = []
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            found += [(node.lineno, a.name) for a in node.names]
        elif isinstance(node, ast.ImportFrom) and node.level == 0 and node.module:
            found.append((node.lineno, node.module))
    return [(n, m) for n, m in found if m == "atlas_core" or m.startswith("atlas_core.")]


@pytest.mark.parametrize("package", PLUGIN_DIRS, ids=lambda p: p.name)
def test_plugins_import_only_the_public_api(package: Path) -> None:
    bad = [
        f"{path.relative_to(ROOT)}:{line}: {module}"
        for path in _sources(package)
        for line, module in _core_imports(path)
        if module not in ALLOWED
    ]
    assert not bad, "plugins may import only atlas_core.api:\n" + "\n".join(bad)


def test_the_boundary_check_catches_a_private_import(tmp_path: Path) -> None:
    (tmp_path / "mod.py").write_text(
        "import atlas_core.engine\nfrom atlas_core.api import Signal\n"
        "def f():\n    from atlas_core.index.reader import IndexReader\n"
    )
    assert _core_imports(tmp_path / "mod.py") == [
        (1, "atlas_core.engine"),
        (2, "atlas_core.api"),
        (4, "atlas_core.index.reader"),
    ]


def _docs_text() -> str:
    return "\n".join(p.read_text(encoding="utf-8") for p in sorted(DOCS.glob("*.md")))


def _test_text() -> str:
    files = list((ROOT / "tests").rglob("*.py"))
    for package in PLUGIN_DIRS:
        files += list((package / "tests").rglob("*.py"))
    return "\n".join(p.read_text(encoding="utf-8") for p in files)


def test_every_hook_is_documented_with_its_signature() -> None:
    import inspect

    doc = (DOCS / "hooks.md").read_text(encoding="utf-8")
    for name in hookspecs.__all__:
        params = ", ".join(inspect.signature(getattr(hookspecs, name)).parameters)
        assert f"## {name}({params})" in doc, name


def test_every_hook_is_exercised_by_a_test() -> None:
    tests = _test_text()
    missing = [n for n in hookspecs.__all__ if not re.search(rf"def {n}\(", tests)]
    assert not missing, f"hooks no test implements: {missing}"


def test_every_public_api_name_is_documented() -> None:
    docs = _docs_text()
    missing = [n for n in atlas_core.api.__all__ if not re.search(rf"`{re.escape(n)}\b", docs)]
    assert not missing, f"undocumented in docs/plugins/: {missing}"


def test_every_public_api_name_is_exercised_by_a_test() -> None:
    tests = _test_text()
    missing = [n for n in atlas_core.api.__all__ if not re.search(rf"\b{re.escape(n)}\b", tests)]
    assert not missing, f"no test uses: {missing}"


def test_the_api_names_resolve() -> None:
    for name in atlas_core.api.__all__:
        assert getattr(atlas_core.api, name) is not None, name
