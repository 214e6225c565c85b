#!/usr/bin/env python3
"""Build and check Atlas's distributions: a wheel and an sdist of the core and of every plugin.

usage: distcheck.py [OUTDIR]          (run by scripts/dist; default OUTDIR: dist/)
       distcheck.py --check FILE...   (check built wheels and sdists only)

Each package is built the way ``python -m build`` does it, without build isolation: the sdist
from the source tree, then the wheel from the unpacked sdist (so a file missing from the sdist
breaks the wheel too, and no stale ``build/`` directory leaks into it). The interpreter running
this needs setuptools>=77.

The check stands in for ``twine check`` with the standard library only: the metadata has its
required fields (name, version, summary, authors, license expression, classifiers, project
URLs, Python requirement), the long description is non-empty markdown whose links are absolute
(relative links break on a package index page), every License-File is inside the archive,
no published requirement pins an exact version, and a wheel's RECORD matches its contents.
"""

from __future__ import annotations

import base64
import email.parser
import email.policy
import hashlib
import re
import shutil
import subprocess
import sys
import tarfile
import tempfile
import zipfile
from email.message import Message
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent

_BUILD = (
    "import sys\n"
    "from setuptools import build_meta\n"
    "name = build_meta.build_{kind}(sys.argv[1])\n"
    "print('BUILT:' + name)\n"
)
_LINK = re.compile(r"\]\(\s*<?([^)\s>]*)")  # [text](target)
_REF = re.compile(r"^\s{0,3}\[[^\]]+\]:\s*<?(\S+?)>?(?:\s|$)", re.M)  # [label]: target
_HTML = re.compile(r"""\b(?:href|src)\s*=\s*["']([^"']*)["']""", re.I)
_ABSOLUTE = re.compile(r"^(?:https?://|mailto:|#)")
_FENCE = re.compile(r"^(```|~~~).*?^\1", re.M | re.S)
_CODE_SPAN = re.compile(r"`[^`\n]*`")


def package_dirs() -> list[Path]:
    """The core, then every plugin under plugins/ that has a pyproject.toml."""
    plugins = sorted(p.parent for p in (ROOT / "plugins").glob("*/pyproject.toml"))
    return [ROOT, *plugins]


def _build(kind: str, source: Path, outdir: Path) -> Path:
    proc = subprocess.run(
        [sys.executable, "-c", _BUILD.format(kind=kind), str(outdir)],
        cwd=source,
        capture_output=True,
        text=True,
        check=False,
    )
    found = [ln[6:] for ln in proc.stdout.splitlines() if ln.startswith("BUILT:")]
    if proc.returncode != 0 or not found:
        tail = "\n".join((proc.stdout + proc.stderr).splitlines()[-20:])
        raise SystemExit(f"distcheck: building the {kind} of {source} failed:\n{tail}")
    return outdir / found[-1]


def build(source: Path, outdir: Path) -> tuple[Path, Path]:
    """Build the sdist of ``source``, then the wheel from the unpacked sdist."""
    sdist = _build("sdist", source, outdir)
    with tempfile.TemporaryDirectory(prefix="atlas-dist-") as tmp:
        with tarfile.open(sdist) as tar:
            tar.extractall(tmp, filter="data")
        (top,) = Path(tmp).iterdir()
        wheel = _build("wheel", top, outdir)
    return sdist, wheel


def parse_metadata(text: str) -> Message:
    """A METADATA or PKG-INFO file as a message: headers, and the description as the body."""
    return email.parser.Parser(policy=email.policy.compat32).parsestr(text)


def relative_links(markdown: str) -> list[str]:
    """Link targets in ``markdown`` (outside code) that would break on a package index page."""
    text = _CODE_SPAN.sub("", _FENCE.sub("", markdown))
    targets = _LINK.findall(text) + _REF.findall(text) + _HTML.findall(text)
    return [t for t in targets if not _ABSOLUTE.match(t)]


def check_metadata(meta: Message, name: str, version: str) -> list[str]:
    """Problems with one distribution's core metadata (empty when it is release-ready)."""
    problems: list[str] = []
    for field in ("Metadata-Version", "Name", "Version", "Summary", "Requires-Python"):
        if not (meta.get(field) or "").strip():
            problems.append(f"no {field}")
    mv = tuple(int(p) for p in re.findall(r"\d+", meta.get("Metadata-Version", "0")))
    if mv < (2, 4):
        problems.append(f"Metadata-Version {meta.get('Metadata-Version')} is older than 2.4")
    if _norm(meta.get("Name", "")) != _norm(name) or meta.get("Version") != version:
        problems.append(f"metadata says {meta.get('Name')} {meta.get('Version')}")
    if not (meta.get("Author") or meta.get("Author-email")):
        problems.append("no Author or Author-email")
    if not meta.get("License-Expression"):
        problems.append("no License-Expression")
    if not meta.get_all("License-File"):
        problems.append("no License-File")
    classifiers = meta.get_all("Classifier") or []
    if not classifiers:
        problems.append("no Classifier")
    problems += [
        f"license classifier beside License-Expression: {c}"
        for c in classifiers
        if c.startswith("License ::")
    ]
    urls = meta.get_all("Project-URL") or []
    if not urls:
        problems.append("no Project-URL")
    for entry in urls:
        label, _, url = entry.partition(",")
        if not url.strip().startswith("https://"):
            problems.append(f"Project-URL {label!r} is not an https URL: {url.strip()!r}")
    for req in meta.get_all("Requires-Dist") or []:
        if re.search(r"(?<![<>!~=])===?(?!=)", req.split(";")[0]):
            problems.append(f"published requirement pins an exact version: {req}")
    ctype = meta.get("Description-Content-Type", "")
    if not ctype.startswith("text/markdown"):
        problems.append(f"Description-Content-Type is {ctype!r}, not text/markdown")
    body = meta.get_payload()
    description = body if isinstance(body, str) else ""
    if not description.strip():
        problems.append("empty long description")
    problems += [f"relative link in the description: {t!r}" for t in relative_links(description)]
    return problems


def _norm(name: str) -> str:
    return re.sub(r"[-_.]+", "_", name).lower()


def _license_problems(meta: Message, members: set[str], prefix: str) -> list[str]:
    problems = []
    for lic in meta.get_all("License-File") or []:
        if prefix + lic not in members:
            problems.append(f"License-File {lic} is not in the archive (looked for {prefix}{lic})")
    return problems


def check_wheel(path: Path) -> list[str]:
    """Problems with a built wheel (empty when it is release-ready)."""
    parts = path.name.removesuffix(".whl").split("-")
    if len(parts) not in (5, 6):
        return [f"not a wheel file name: {path.name}"]
    name, version = parts[:2]
    try:
        zf = zipfile.ZipFile(path)
    except (OSError, zipfile.BadZipFile) as exc:
        return [f"not a zip file: {exc}"]
    with zf:
        members = set(zf.namelist())
        info = f"{name}-{version}.dist-info/"
        for required in ("METADATA", "WHEEL", "RECORD"):
            if info + required not in members:
                return [f"no {info}{required}"]
        meta = parse_metadata(zf.read(info + "METADATA").decode("utf-8"))
        problems = check_metadata(meta, name, version)
        problems += _license_problems(meta, members, info + "licenses/")
        problems += _record_problems(zf, info + "RECORD", members)
        for member in members:
            top = member.split("/")[0]
            if top in {"tests", "test"} or "__pycache__" in member or member.endswith(".pyc"):
                problems.append(f"stray file in the wheel: {member}")
    return problems


def _record_problems(zf: zipfile.ZipFile, record: str, members: set[str]) -> list[str]:
    problems = []
    listed = set()
    for line in zf.read(record).decode("utf-8").splitlines():
        if not line.strip():
            continue
        member, digest, _size = line.rsplit(",", 2)
        listed.add(member)
        if member == record:
            continue
        if member not in members:
            problems.append(f"RECORD lists a missing file: {member}")
            continue
        algo, _, want = digest.partition("=")
        got = base64.urlsafe_b64encode(hashlib.new(algo, zf.read(member)).digest())
        if got.rstrip(b"=").decode() != want:
            problems.append(f"RECORD hash mismatch: {member}")
    problems += [
        f"file not in RECORD: {m}" for m in sorted(members - listed) if not m.endswith("/")
    ]
    return problems


def check_sdist(path: Path) -> list[str]:
    """Problems with a built sdist (empty when it is release-ready)."""
    try:
        with tarfile.open(path) as tar:
            return _sdist_problems(tar, path.name.removesuffix(".tar.gz"))
    except (OSError, tarfile.TarError) as exc:
        return [f"not a readable tar.gz file: {exc}"]


def _sdist_problems(tar: tarfile.TarFile, stem: str) -> list[str]:
    name, _, version = stem.rpartition("-")
    if not name or not version:
        return [f"not an sdist file name: {stem}.tar.gz"]
    members = {m.name: m for m in tar.getmembers()}
    problems = [
        f"member outside {stem}/: {m}"
        for m in members
        if (m != stem and not m.startswith(stem + "/")) or ".." in m.split("/")
    ]
    problems += [
        f"stray file in the sdist: {m}"
        for m in members
        if "__pycache__" in m or m.endswith(".pyc") or "/.atlas/" in m
    ]
    for required in ("PKG-INFO", "pyproject.toml"):
        if f"{stem}/{required}" not in members:
            problems.append(f"no {required}")
    if problems:
        return problems
    raw = tar.extractfile(members[f"{stem}/PKG-INFO"])
    if raw is None:
        return ["PKG-INFO is not a regular file"]
    meta = parse_metadata(raw.read().decode("utf-8"))
    problems += check_metadata(meta, name, version)
    problems += _license_problems(meta, set(members), stem + "/")
    return problems


def check(paths: list[Path]) -> int:
    """Check each wheel and sdist; print one line per file and the problems; 0 if all pass."""
    failed = 0
    for path in paths:
        if path.name.endswith(".whl"):
            problems = check_wheel(path)
        elif path.name.endswith(".tar.gz"):
            problems = check_sdist(path)
        else:
            problems = ["neither a wheel nor an sdist"]
        print(f"{'ok    ' if not problems else 'FAILED'} {path.name}")
        for problem in problems:
            print(f"       {problem}")
        failed += bool(problems)
    return 1 if failed else 0


def main(argv: list[str]) -> int:
    if argv[:1] == ["--check"]:
        return check([Path(a) for a in argv[1:]])
    if len(argv) > 1 or (argv and argv[0].startswith("-")):
        print("usage: scripts/dist [OUTDIR]", file=sys.stderr)
        return 2
    outdir = Path(argv[0]) if argv else ROOT / "dist"
    outdir.mkdir(parents=True, exist_ok=True)
    built = []
    with tempfile.TemporaryDirectory(prefix="atlas-dist-") as tmp:
        for source in package_dirs():
            built += build(source, Path(tmp))
        for path in built:
            # replace this package's earlier builds, leave anything else in OUTDIR alone
            dist_name = path.name.split("-")[0]
            for old in outdir.glob(f"{dist_name}-*"):
                if old.name.endswith((".whl", ".tar.gz")):
                    old.unlink()
        for path in built:
            shutil.move(path, outdir / path.name)
    return check([outdir / p.name for p in built])


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
