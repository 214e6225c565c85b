"""A hostile repository: odd names, odd ignore files, 1,500 levels of nesting, FIFOs,
sockets, symlink loops, empty and large files. The walker and the CLI get through it."""

from __future__ import annotations

import json
import os
import socket
import subprocess
import sys
from collections import Counter
from collections.abc import Callable, Iterator, Sequence
from pathlib import Path
from typing import Any, ClassVar

import attrs
import numpy as np
import pytest

from atlas_core.api import (
    Chunk,
    Chunker,
    Contributor,
    IndexContext,
    IndexView,
    PriorFactor,
    hookimpl,
)
from atlas_core.components import WalkSettings
from atlas_core.paths import display_path
from atlas_core.testing import CliResult
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


# -- odd names through every command -----------------------------------------------------

#: files whose names are not UTF-8, hold control characters or a backslash; two of them
#: would look alike if a backslash were not doubled
ODD_FILES = {
    b"src/caf\xe9.py": b"def latin_cafe():\n    return 'the byte'\n",
    b"src/caf\\xe9.py": b"def literal_cafe():\n    return 'a backslash'\n",
    b"src/new\nline.py": b"def newline_cafe():\n    return 1\n",
    b"src/tab\tname.py": b"def tab_cafe():\n    return 2\n",
    b"src/\x1b[31mred\x1b[0m.py": b"def red_cafe():\n    return 3\n",
    b"src/plain.py": b"def plain_cafe():\n    return 4\n",
    b"lib\xff/mod.py": b"def lib_cafe():\n    return 5\n",
}
SHOWN = {raw: display_path(os.fsdecode(raw)) for raw in ODD_FILES}
BYTE, LITERAL, RED = (
    SHOWN[b"src/caf\xe9.py"],
    SHOWN[b"src/caf\\xe9.py"],
    SHOWN[b"src/\x1b[31mred\x1b[0m.py"],
)


@pytest.fixture
def odd(tmp_path: Path) -> Path:
    """The :data:`ODD_FILES` in a root whose own name is odd too (shown in Root, Files...)."""
    root = tmp_path / os.fsdecode(b"odd\xe9\x1b[1m")
    (root / "src").mkdir(parents=True)
    (root / os.fsdecode(b"lib\xff")).mkdir()
    for raw, body in ODD_FILES.items():
        with open(os.path.join(os.fsencode(root), raw), "wb") as handle:
            handle.write(body)
    (root / "atlas.toml").write_text("[index]\nmax_file_bytes = 100000\n")
    return root


#: every command that prints paths, with the arguments that make it print the odd ones
COMMANDS = [
    ("query", "cafe"),
    ("map",),
    ("explain", "cafe"),
    ("inspect",),
    ("inspect", "--files"),
    ("outline", BYTE, LITERAL, RED),
    ("related", BYTE, RED),
    ("config",),
]


def _strings(data: object) -> list[str]:
    if isinstance(data, str):
        return [data]
    if isinstance(data, dict):
        return [s for k, v in data.items() for s in (*_strings(k), *_strings(v))]
    if isinstance(data, list):
        return [s for v in data for s in _strings(v)]
    return []


@pytest.mark.parametrize("args", COMMANDS, ids=lambda args: " ".join(args[:2]))
@pytest.mark.parametrize("fmt", ["json", "jsonl"])
def test_json_is_utf8_and_shows_odd_names_escaped(
    odd: Path, atlas_cli: Callable[..., CliResult], args: tuple[str, ...], fmt: str
) -> None:
    result = atlas_cli("--root", str(odd), *args, "--format", fmt)
    assert result.code == 0, result.stderr
    result.stdout.encode("utf-8")  # raises for an undecodable byte left in
    docs = result.json_lines() if fmt == "jsonl" else [json.loads(result.stdout)]
    strings = [s for doc in docs for s in _strings(doc)]
    if args[0] in {"query", "explain", "inspect", "outline"} and args != ("inspect",):
        assert set(SHOWN.values()) & set(strings), strings
    for raw in ODD_FILES:  # a name that is not printable is never given as it is
        assert os.fsdecode(raw).isprintable() or os.fsdecode(raw) not in strings
    assert not [s for s in strings if "\x1b" in s or "\udce9" in s]


@pytest.mark.parametrize("args", [*COMMANDS, ("query", "cafe", "--format", "compact")])
def test_human_output_holds_no_control_character(
    odd: Path, atlas_cli: Callable[..., CliResult], args: tuple[str, ...]
) -> None:
    result = atlas_cli("--root", str(odd), "--format", "human", *args)
    assert result.code == 0, result.stderr
    assert [c for c in result.stdout if not c.isprintable() and c != "\n"] == []
    result.stdout.encode("utf-8")


def test_map_shows_odd_directories_escaped(odd: Path, atlas_cli: Callable[..., CliResult]) -> None:
    doc = json.loads(atlas_cli("--root", str(odd), "map", "--format", "json").stdout)
    assert set(doc["Directories"]) == {"src/", "lib\\xff/", "."}
    human = atlas_cli("--root", str(odd), "map", "--format", "human").stdout
    assert "lib\\xff/ 1" in human.splitlines()[1]


def test_a_selection_renders_before_there_is_an_index(odd: Path) -> None:
    """Without an index, render builds one first (it reads only files of the index), and a
    row's shown name is read back as the file it was shown for."""
    import atlas_core

    with atlas_core.open(odd) as repo:
        document = repo.render([{"Path": LITERAL}, {"Path": BYTE}, {"Path": RED}])
    assert document.included == [LITERAL, BYTE, RED]
    assert "def literal_cafe" in document.text and "def latin_cafe" in document.text
    assert (odd / ".atlas").is_dir()


def test_inspect_and_explain_show_one_line_per_file(
    odd: Path, atlas_cli: Callable[..., CliResult]
) -> None:
    files = atlas_cli("--root", str(odd), "--format", "human", "inspect", "--files").stdout
    shown = sorted(line.split("  ")[0] for line in files.splitlines())
    assert shown == sorted([*SHOWN.values(), "atlas.toml"])
    explained = atlas_cli("--root", str(odd), "--format", "human", "explain", "cafe").stdout
    assert {line.split()[1] for line in explained.splitlines()[3:] if "↳" not in line} == set(
        SHOWN.values()
    )


@pytest.mark.parametrize("fmt", ["jsonl", "json", "compact"])
def test_a_query_renders_the_files_it_named(
    odd: Path, atlas_cli: Callable[..., CliResult], fmt: str
) -> None:
    """query -> render picks the very files the query listed, though the shown name of
    caf<0xE9>.py is the literal name of its neighbour."""
    query = atlas_cli("--root", str(odd), "query", "cafe", "--format", fmt)
    assert query.code == 0, query.stderr
    rendered = atlas_cli("--root", str(odd), "render", "-", stdin=query.stdout)
    assert rendered.code == 0, rendered.stderr
    text = rendered.stdout
    fence = "```" if fmt == "compact" else "```python"  # plain paths: no language
    assert f"## {BYTE}\n\n{fence}\ndef latin_cafe" in text
    assert f"## {LITERAL}\n\n{fence}\ndef literal_cafe" in text
    assert f"## {RED}\n\n{fence}\ndef red_cafe" in text
    assert text.count("\n## ") == len(ODD_FILES)


def test_inspect_patterns_match_names_as_shown(
    odd: Path, atlas_cli: Callable[..., CliResult]
) -> None:
    def matched(*patterns: str) -> list[str]:
        result = atlas_cli("--root", str(odd), "inspect", *patterns, "--format", "json")
        assert result.code == 0, result.stderr
        return sorted(f["Path"] for f in json.loads(result.stdout)["Files"])

    assert matched(BYTE) == [BYTE]
    assert matched(LITERAL) == [LITERAL]
    assert matched("src/*\\x1b*") == [RED]
    assert matched("lib\\xff") == ["lib\\xff/mod.py"]
    assert matched("src/p*") == ["src/plain.py"]


def test_seed_outline_and_related_take_a_shown_name(
    odd: Path, atlas_cli: Callable[..., CliResult]
) -> None:
    def symbols(name: str) -> list[str]:
        result = atlas_cli("--root", str(odd), "outline", name, "--format", "json")
        assert result.code == 0, result.stderr
        return [s["Name"] for s in json.loads(result.stdout)["Symbols"]]

    assert symbols(BYTE) == ["latin_cafe"]
    assert symbols(LITERAL) == ["literal_cafe"]
    assert symbols(RED) == ["red_cafe"]
    assert symbols("src/new\nline.py") == ["newline_cafe"]  # the name itself works too
    for name in (BYTE, LITERAL, f"{RED}:1"):
        seeded = atlas_cli("--root", str(odd), "query", "--seed", name, "--format", "jsonl")
        assert seeded.code == 0, seeded.stderr
        seeds = [f["Path"] for f in seeded.json_lines()[1:-1] if f.get("Seed")]
        assert seeds == [name.removesuffix(":1")]
    related = atlas_cli("--root", str(odd), "related", LITERAL, "--format", "json")
    assert related.code == 0, related.stderr
    assert json.loads(related.stdout)["Given"] == [LITERAL]
    missing = atlas_cli("--root", str(odd), "outline", "src/caf\\xe8.py")
    assert missing.code == 2 and missing.stderr.startswith("atlas: error: ")
    assert "Traceback" not in missing.stderr


@pytest.mark.parametrize("fmt", ["json", "jsonl"])
def test_a_task_that_is_not_utf8_still_gives_utf8_json(
    odd: Path, atlas_cli: Callable[..., CliResult], fmt: str
) -> None:
    task = os.fsdecode(b"caf\xe9 cafe")  # as Python reads such an argument
    result = atlas_cli("--root", str(odd), "query", task, "--format", fmt)
    assert result.code == 0, result.stderr
    result.stdout.encode("utf-8")
    header = result.json_lines()[0] if fmt == "jsonl" else json.loads(result.stdout)
    assert header["Query"] == "caf\\xe9 cafe"


class _FailingChunker(Chunker):
    """Fails on every Python file, so indexing reports each file by name."""

    name: ClassVar[str] = "failing"
    languages = ("python",)
    priority: ClassVar[int] = 1000

    def chunk(self, rel: str, text: str, language: str) -> list[Chunk]:
        raise RuntimeError("cannot read this one")


class _NamingContributor(Contributor):
    """Says things about files in its own words, naming them as they are."""

    name: ClassVar[str] = "naming"

    def fingerprint(self, ctx: IndexContext) -> str:
        return "v1"

    def contribute(self, ctx: IndexContext) -> Any:
        return {"paths": list(ctx.index.paths)}

    def prior_factors(self, data: Any, index: IndexView) -> Sequence[PriorFactor]:
        red = index.ids[os.fsdecode(b"src/\x1b[31mred\x1b[0m.py")]
        return [PriorFactor(np.array([red]), 0.5, f"{index.paths[red]} is odd")]

    def describe(self, data: Any) -> dict[str, Any]:
        return {"Files": data["paths"]}


class _OddPlugin:
    @hookimpl
    def atlas_register_chunkers(self, registry: Any) -> None:
        registry.add(_FailingChunker())

    @hookimpl
    def atlas_register_contributors(self, registry: Any) -> None:
        registry.add(_NamingContributor())


def test_messages_and_plugin_words_name_odd_files_printably(
    odd: Path, atlas_cli: Callable[..., CliResult], monkeypatch: pytest.MonkeyPatch
) -> None:
    """Indexing problems, a plugin's reasons (-v, inspect) and its description in inspect
    are printable, one line each, and valid UTF-8."""
    from atlas_core.plugin import manager as manager_module

    plain = manager_module.get_plugin_manager

    def with_odd_plugin(**kw: Any) -> Any:
        return plain(**kw, extra_plugins=[("odd", _OddPlugin())])

    monkeypatch.setattr(manager_module, "get_plugin_manager", with_odd_plugin)

    def printable(text: str) -> bool:
        text.encode("utf-8")
        return all(c.isprintable() or c == "\n" for c in text)

    index = atlas_cli("--root", str(odd), "index", "--format", "json", "-v")
    assert index.code == 0, index.stderr
    problems = json.loads(index.stdout)["Problems"]
    assert len(problems) == len(ODD_FILES) and printable(index.stdout + index.stderr)
    assert any(f"chunking {BYTE}" in p for p in problems), problems
    assert any(f"chunking {RED}" in p for p in problems), problems
    query = atlas_cli("--root", str(odd), "query", "cafe", "-v", "--format", "compact")
    assert query.code == 0, query.stderr
    assert f"{RED} is odd: path prior x0.5 (1 files)" in query.stderr
    assert printable(query.stderr)
    human = atlas_cli("--root", str(odd), "inspect", "--format", "human").stdout
    assert printable(human) and f"path prior  naming: {RED} is odd" in human
    inspect = atlas_cli("--root", str(odd), "inspect", "--format", "json")
    assert inspect.code == 0 and printable(inspect.stdout), inspect.stdout
    strings = _strings(json.loads(inspect.stdout))
    assert BYTE in strings and not [s for s in strings if not s.isprintable()]


def test_diff_names_files_as_they_are(odd: Path, atlas_cli: Callable[..., CliResult]) -> None:
    """--diff gets the files' own names from git: the changed file literally named as the
    0xE9 file is shown is that file, not the other."""
    env = {**os.environ, "GIT_AUTHOR_NAME": "t", "GIT_AUTHOR_EMAIL": "t@example.com"}
    env |= {"GIT_COMMITTER_NAME": "t", "GIT_COMMITTER_EMAIL": "t@example.com"}
    for command in (["init", "-q"], ["add", "-A"], ["commit", "-qm", "odd"]):
        subprocess.run(["git", *command], cwd=odd, check=True, env=env)
    with open(os.path.join(os.fsencode(odd), b"src/caf\\xe9.py"), "ab") as handle:
        handle.write(b"# changed\n")
    seeded = atlas_cli("--root", str(odd), "query", "--diff", "--format", "jsonl")
    assert seeded.code == 0, seeded.stderr
    assert [f["Path"] for f in seeded.json_lines()[1:-1] if f.get("Seed")] == [LITERAL]
    related = atlas_cli("--root", str(odd), "related", "--diff", "--format", "json")
    assert related.code == 0, related.stderr
    assert json.loads(related.stdout)["Given"] == [LITERAL]
