"""A hostile repository: odd names, odd ignore files, 1,500 levels of nesting, FIFOs,
sockets, symlink loops, empty and large files. The walker and the CLI get through it."""

from __future__ import annotations

import os
import socket
import subprocess
import sys
from collections import Counter
from collections.abc import Iterator
from pathlib import Path

import attrs
import pytest

from atlas_core.components import WalkSettings
from atlas_core.paths import display_path
from atlas_core.walk.fs import FsWalker

DEPTH = 1500

#: regular files with odd names (bytes: some are not UTF-8), each a small Python module
ODD_NAMES = [
    b"with space.py",
    b"new\nline.py",
    b"tab\tname.py",
    b"-rf.py",
    b"--help",
    b"-",
    b"back\\slash.py",
    b"quote\"'.py",
    b"star*.py",
    b"q?.py",
    b"[br].py",
    b"#hash.py",
    b"!bang.py",
    b"unicode_\xe6\x97\xa5\xe6\x9c\xac.py",
    b"emoji_\xf0\x9f\x8e\x89.py",
    b"caf\xe9.py",
    b"\xff\xfe.py",
    b"mixed\xc3\xa9\xe9.py",
    b"ctrl\x1b[31m.py",
    b"l" * 251 + b".py",
    b".hidden.py",
    b"trailing space .py",
]

ROOT_GITIGNORE = b"".join(
    [
        b"\xef\xbb\xbf# a BOM, CRLF line ends and every odd line git accepts\r\n",
        b"!\r\n",
        b"\\\r\n",
        b"/\r\n",
        b"!/\r\n",
        b"//\r\n",
        b"[\r\n",
        b"[[:foo:]]\r\n",
        b"*.log   \r\n",
        b"\\#hash.py\r\n",
        b"\\!bang.py\r\n",
        b"ignored\xe9.py\r\n",
        b"**/build/**\r\n",
        b"a/**/b\r\n",
        b"x" * 20000 + b"\r\n",
        b"\\ \r\n",
        b"   \r\n",
        b"no final newline",
    ]
)


@attrs.define
class HostileTree:
    """What :func:`make_hostile_tree` built, for the assertions."""

    root: Path
    deep_file: str  #: relative path of the file at the bottom of the nesting
    special: int  #: FIFOs and sockets (not links to them)


def make_hostile_tree(root: Path, depth: int = DEPTH) -> HostileTree:
    """Build a tree that has broken naive walkers: see the module docstring."""
    root.mkdir(parents=True)
    base = os.fsencode(root)

    def write(rel: bytes, data: bytes) -> None:
        with open(os.path.join(base, rel), "wb") as handle:
            handle.write(data)

    body = b"def something():\n    return 'something hostile'\n"
    for name in ODD_NAMES:
        write(name, body)
    write(b"ignored\xe9.py", body)
    write(b"debug.log", b"x")
    write(b".gitignore", ROOT_GITIGNORE)
    os.mkdir(os.path.join(base, b"build"))
    write(b"build/out.py", body)
    write(b"empty.py", b"")
    write(b"zero", b"")
    write(b"large.py", b"# something large\n" + b"value = 'something'\n" * 300_000)
    write(b"binary.bin", bytes(range(256)) * 64)

    # nested ignore files that must not be read: a FIFO, a directory, a symlink
    os.mkdir(os.path.join(base, b"odd"))
    os.mkfifo(os.path.join(base, b"odd/.gitignore"))
    os.mkdir(os.path.join(base, b"odd/.atlasignore"))
    write(b"odd/kept.py", body)
    os.mkdir(os.path.join(base, b"linked"))
    os.symlink(b"../.gitignore", os.path.join(base, b"linked/.gitignore"))
    write(b"linked/kept.log", b"the root's *.log applies; the linked copy is not read")
    os.mkdir(os.path.join(base, b"dir\xff"))
    write(b"dir\xff/.gitignore", b"*\xe9.py\n!keep\xe9.py\n")
    write(b"dir\xff/gone\xe9.py", body)
    write(b"dir\xff/keep\xe9.py", body)

    # special files and links (one to a file outside the tree)
    (root.parent / "outside.py").write_bytes(body)
    os.mkfifo(os.path.join(base, b"fifo"))
    cwd = os.getcwd()
    os.chdir(root)  # a socket path is limited to about 100 bytes: bind it relative
    try:
        with socket.socket(socket.AF_UNIX) as sock:
            sock.bind("sock")
    finally:
        os.chdir(cwd)
    for target, link in [
        (b"fifo", b"to_fifo"),
        (b"/dev/null", b"to_null"),
        (b"loop_b", b"loop_a"),
        (b"loop_a", b"loop_b"),
        (b"self", b"self"),
        (b".", b"to_root_dir"),
        (b"missing", b"dangling"),
        (b"empty.py", b"to_empty.py"),
        (b"../outside.py", b"out"),
    ]:
        os.symlink(target, os.path.join(base, link))

    # deep nesting, built one level at a time (os.makedirs and Path.mkdir recurse)
    level = base
    for _ in range(depth):
        level = os.path.join(level, b"d")
        os.mkdir(level)
    with open(os.path.join(level, b"bottom.py"), "wb") as handle:
        handle.write(body)
    # special files: fifo, sock and the FIFO odd/.gitignore
    return HostileTree(root, "d/" * depth + "bottom.py", special=3)


def remove_tree(top: Path) -> None:
    """``shutil.rmtree`` without recursion (it recurses once per level before 3.12)."""
    stack = [os.fsencode(top)]
    while stack:
        path = stack[-1]
        subdirs = []
        with os.scandir(path) as it:
            for entry in it:
                if entry.is_dir(follow_symlinks=False):
                    subdirs.append(entry.path)
                else:
                    os.unlink(entry.path)
        if subdirs:
            stack.extend(subdirs)
        else:
            os.rmdir(path)
            stack.pop()


@pytest.fixture(scope="module")
def hostile(tmp_path_factory: pytest.TempPathFactory) -> Iterator[HostileTree]:
    root = tmp_path_factory.mktemp("hostile") / "tree"
    try:
        yield make_hostile_tree(root)
    finally:  # pytest's own clean-up recurses per level and would fail on this tree
        if root.exists():
            remove_tree(root)


def walk(root: Path) -> tuple[list[str], Counter[str]]:
    skipped: Counter[str] = Counter()
    settings = WalkSettings([], root / ".atlas", lambda rel, why: skipped.update([why]))
    return [f.rel for f in FsWalker().walk(root, settings)], skipped


def test_walker_gets_through_the_hostile_tree(hostile: HostileTree) -> None:
    files, skipped = walk(hostile.root)
    names = set(files)
    for raw in ODD_NAMES:
        if raw not in (b"#hash.py", b"!bang.py"):  # ignored by escaped patterns
            assert os.fsdecode(raw) in names, raw
    assert "#hash.py" not in names and "!bang.py" not in names
    assert "ignored\udce9.py" not in names and "debug.log" not in names
    assert "build/out.py" not in names and "linked/kept.log" not in names
    assert "dir\udcff/keep\udce9.py" in names and "dir\udcff/gone\udce9.py" not in names
    assert {"odd/kept.py", "empty.py", "zero", "large.py", "to_empty.py"} <= names
    assert hostile.deep_file in names
    assert files == sorted(files, key=lambda rel: rel.split("/"))
    assert skipped["special-file"] == hostile.special
    assert skipped["broken-symlink"] == 4  # two loops, the self link, the dangling one
    assert skipped["symlink-outside-root"] == 2
    for rel in files:  # each shown path is printable on one line and encodable
        shown = display_path(rel)
        assert shown.isprintable() and shown.encode("utf-8")


def test_walk_twice_gives_the_same_order(hostile: HostileTree) -> None:
    assert walk(hostile.root)[0] == walk(hostile.root)[0]


def _atlas(root: Path, *args: str) -> subprocess.CompletedProcess[str]:
    atlas = Path(sys.executable).with_name("atlas")
    return subprocess.run(
        [str(atlas), "--root", str(root), *args],
        capture_output=True,
        text=True,
        errors="replace",
        timeout=600,
    )


def test_cli_indexes_and_queries_the_hostile_tree(hostile: HostileTree) -> None:
    outputs = {}
    for command in ("index", "quick", "inspect"):
        args = [command, "something"] if command == "quick" else [command]
        done = _atlas(hostile.root, *args)
        assert "Traceback" not in done.stderr, done.stderr[-3000:]
        assert done.returncode == 0, (args, done.stdout[-2000:], done.stderr[-2000:])
        outputs[command] = done.stdout
    assert ".py" in outputs["quick"]
