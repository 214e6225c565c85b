"""The walker honours git's ignore rules exactly, never leaves the root and survives
hostile trees (deep nesting, special files, vanishing entries, non-UTF-8 names)."""

from __future__ import annotations

import os
import shutil
import socket
import subprocess
import sys
import threading
from collections import Counter
from collections.abc import Iterator
from pathlib import Path
from typing import Any, ClassVar

import pytest

import atlas_core
from atlas_core.api import hookimpl
from atlas_core.components import WalkSettings
from atlas_core.plugin.manager import get_plugin_manager
from atlas_core.testing import write_repo
from atlas_core.types import RepoFile
from atlas_core.walk.fs import FsWalker


def walk(root: Path, extra: list[str] | None = None) -> tuple[list[str], Counter[str]]:
    skipped: Counter[str] = Counter()
    settings = WalkSettings(extra or [], root / ".atlas", lambda rel, why: skipped.update([why]))
    return [f.rel for f in FsWalker().walk(root, settings)], skipped


def test_nested_gitignore_negation_and_directory_patterns(tmp_path: Path) -> None:
    root = write_repo(
        tmp_path / "r",
        {
            ".gitignore": "*.log\n!keep.log\nbuild/\n/only_root.txt\n",
            "a.py": "x",
            "debug.log": "x",
            "keep.log": "x",
            "build/out.py": "x",
            "src/build": "a file named build is not a directory",
            "only_root.txt": "x",
            "src/only_root.txt": "x",
            "src/.gitignore": "secret_*.py\n!secret_ok.py\n",
            "src/secret_a.py": "x",
            "src/secret_ok.py": "x",
            "src/main.py": "x",
            "src/deep/.gitignore": "!*.log\n",
            "src/deep/trace.log": "x",
        },
    )
    files, _ = walk(root)
    assert "a.py" in files and "keep.log" in files
    assert "debug.log" not in files
    assert "build/out.py" not in files and "src/build" in files  # dir-only pattern
    assert "only_root.txt" not in files and "src/only_root.txt" in files  # anchored
    assert "src/secret_a.py" not in files and "src/secret_ok.py" in files  # nested + negation
    assert "src/deep/trace.log" in files  # a deeper file re-includes


def test_excluded_parent_cannot_be_reincluded(tmp_path: Path) -> None:
    root = write_repo(
        tmp_path / "r", {".gitignore": "logs/\n!logs/keep.txt\n", "logs/keep.txt": "x", "x.py": "x"}
    )
    assert walk(root)[0] == [".gitignore", "x.py"]


def test_info_exclude_atlasignore_and_config_patterns(tmp_path: Path) -> None:
    root = write_repo(
        tmp_path / "r",
        {
            ".git/info/exclude": "local_only.py\n",
            ".git/HEAD": "ref: refs/heads/main\n",
            ".atlasignore": "fixtures/\n",
            "local_only.py": "x",
            "fixtures/big.json": "{}",
            "keep.py": "x",
            "notes.md": "x",
        },
    )
    files, _ = walk(root, ["*.md"])
    assert files == [".atlasignore", "keep.py"]


def test_git_and_cache_directories_are_skipped(tmp_path: Path) -> None:
    root = write_repo(tmp_path / "r", {".git/config": "x", ".atlas/CURRENT": "x", "a.py": "x"})
    assert walk(root)[0] == ["a.py"]


def test_a_git_file_is_skipped_like_the_directory(tmp_path: Path) -> None:
    """A linked work tree or a submodule has a ``.git`` file (``gitdir: /abs/path``): it is
    git's, not the project's, at any depth and of any type (as ``.hg`` and ``.svn``)."""
    root = write_repo(
        tmp_path / "r",
        {
            ".git": f"gitdir: {tmp_path}/main/.git/worktrees/r\n",
            "lib/.git": "gitdir: ../.git/modules/lib\n",
            "lib/.hg": "x",
            "lib/b.py": "x",
            "a.py": "x",
        },
    )
    os.symlink(root / "a.py", root / "lib" / ".svn")
    files, skipped = walk(root)
    assert files == ["a.py", "lib/b.py"]
    assert not skipped


def test_a_symlink_cannot_show_what_the_walk_keeps_out(tmp_path: Path) -> None:
    """``.git/config`` (remote credentials) and Atlas's cache are never read through a link."""
    root = write_repo(
        tmp_path / "r",
        {".git/config": "[remote]\nurl = https://u:token@host/r", ".atlas/CURRENT": "g1"},
    )
    (root / "real.py").write_text("x")
    os.symlink(root / ".git" / "config", root / "config.txt")
    os.symlink(".atlas/CURRENT", root / "current.txt")
    os.symlink(root / "real.py", root / "alias.py")
    (root / "sub").mkdir()
    (root / "sub" / ".git").write_text("gitdir: /elsewhere/.git/modules/sub\n")
    os.symlink("sub/.git", root / "gitfile.txt")  # a submodule's .git is a file
    files, skipped = walk(root)
    assert files == ["alias.py", "real.py"]
    assert skipped["symlink-into-skipped-directory"] == 3


def test_symlinks_stay_inside_the_root_and_never_loop(tmp_path: Path) -> None:
    outside = tmp_path / "outside.py"
    outside.write_text("secret")
    root = write_repo(tmp_path / "r", {"real.py": "x", "pkg/mod.py": "x"})
    os.symlink(root / "real.py", root / "alias.py")
    os.symlink(outside, root / "escape.py")
    os.symlink(root / "missing.py", root / "broken.py")
    os.symlink(root, root / "pkg" / "loop")
    files, skipped = walk(root)
    assert files == ["alias.py", "pkg/mod.py", "real.py"]
    assert skipped["broken-symlink"] == 1
    assert skipped["symlink-outside-root"] == 1


# -- git's own answer on odd-but-legal ignore lines ------------------------------------

#: names in the comparison tree (bytes: some are not UTF-8)
GIT_NAMES = [
    b"a",
    b"b",
    b"c ",
    b"c",
    b"d\t",
    b"d",
    b"#e",
    b"!f",
    b"f",
    b"g\\",
    b" ",
    b"  x",
    b"x ",
    b"h\r",
    b"h",
    b"caf\xe9.py",
    b"caf\xc3\xa9.py",
    b"x.py",
    b"y.txt",
    b"sp ace",
    b"[ab]",
    b"a*b",
    b"a?b",
    b"axb",
    b"!",
    b"#",
    b"]",
    b"A",
    b"Zz",
    b"v\x0bv",
    b"-",
    b"^",
    b"-rf",
    b"\xff\xfe",
    b"new\nline",
    b"tab\tname",
    b"u\xe2\x80\x83sp",
    b"dir/a",
    b"dir/sub/a",
    b"dir/sub/deep/x.py",
    b"dir/sub/deep/more/file",
    b"sub/dir/x",
    b"dir2/x.py",
    b"q/b/c/d.py",
    b"foo/bar",
    b"foo/x/bar",
    b"foo/x/y/bar",
    b"foobar",
    b"foo/barz",
]

#: each is tried alone, after a BOM with CRLF, as a negation after "*", and without a
#: final newline
ODD_PATTERNS = [
    b"!",
    b"\\",
    b"/",
    b"!/",
    b"//",
    b"/*",
    b"*/",
    b"/**",
    b"**/",
    b"**",
    b"***",
    b"!**",
    b"a**b",
    b"**/a",
    b"a/**",
    b"dir/**/x.py",
    b"foo/**/bar",
    b"dir/**/",
    b"**/sub/**",
    b"*a*b",
    b"*a*a*",
    b"*?*?*",
    b"[!a]*[!a]*",
    b"**/**",
    b"**/**/x.py",
    b"dir/**/**/x.py",
    b"foo/**/x/**/bar",
    b"*/**/*",
    b"**/*/**/a",
    b"**\\/**\\/bar",
    b"c\\ ",
    b"c\\  ",
    b"d\t",
    b"d\\\t",
    b"\\#e",
    b"\\!f",
    b"!f",
    b"h\r",
    b"caf\xe9.py",
    b"caf\xc3\xa9.py",
    b"caf?.py",
    b"caf??.py",
    b" ",
    b"\\ ",
    b"  x",
    b"x \\ ",
    b"g\\\\",
    b"g\\\\ ",
    b"sp ace   ",
    b"[",
    b"[]",
    b"[!]",
    b"[a-",
    b"[z-a]",
    b"a[]b",
    b"\\[ab]",
    b"[]]",
    b"[!]]",
    b"[^a]",
    b"[]-a]",
    b"[a-]",
    b"[\\a-c]",
    b"[a\\-z]",
    b"[\\]]",
    b"[[:alpha:]]",
    b"[[:foo:]]",
    b"[[:]",
    b"[[::]",
    b"[[:space:]]*",
    b"*[[:space:]]*",
    b"[[:punct:]]*",
    b"*[[:upper:]]*",
    b"[[:cntrl:]]",
    b"[\xc3][\xa9]*",
    b"[!a-z]",
    b"a\\*b",
    b"a\\?b",
    b"a?b",
    b"?",
    b"??",
    b"dir?sub",
    b"dir[/]sub",
    b"dir\\/sub",
    b"**\\/a",
    b"dir/",
    b"/dir/",
    b"dir",
    b"dir/*",
    b"dir/sub/",
    b"*/deep/",
    b"/dir/**",
    b"*.py",
    b"!*.py",
    b"\\\\",
    b"-rf",
    b"\xff\xfe",
    b"tab\tname",
    b"u\xe2\x80\x83sp",
    b"x" * 5000,
    b"*" * 300,
    b"a/" * 300,
    b"#",
    b"\\#",
    b"\\!",
    b"!\\!",
    b"!!",
    b"!a/",
]


def _build_git_tree(root: Path, gitignore: bytes, nested: bytes | None = None) -> None:
    subprocess.run(["git", "init", "-q", str(root)], check=True)
    base = os.fsencode(root)
    for name in GIT_NAMES:
        path = os.path.join(base, name)
        os.makedirs(os.path.dirname(path), exist_ok=True)
        Path(os.fsdecode(path)).write_bytes(b"x")
    Path(root, ".gitignore").write_bytes(gitignore)
    if nested is not None:
        Path(root, "dir", ".gitignore").write_bytes(nested)


def _git_untracked(root: Path) -> list[str]:
    """What git lists as untracked and not ignored (its walk with its ignore rules)."""
    out = subprocess.run(
        ["git", "-c", "core.excludesFile=/dev/null", "ls-files", "-o", "--exclude-standard", "-z"],
        cwd=root,
        capture_output=True,
        check=True,
    ).stdout
    return sorted(os.fsdecode(name) for name in out.split(b"\0") if name)


def _git_ignored(root: Path, paths: list[str]) -> set[str]:
    """Which of ``paths`` ``git check-ignore`` calls ignored."""
    done = subprocess.run(
        ["git", "-c", "core.excludesFile=/dev/null", "check-ignore", "--stdin", "-z"],
        cwd=root,
        input=b"".join(os.fsencode(p) + b"\0" for p in paths),
        capture_output=True,
    )
    assert done.returncode in (0, 1), done.stderr
    return {os.fsdecode(name) for name in done.stdout.split(b"\0") if name}


@pytest.mark.skipif(shutil.which("git") is None, reason="needs git")
def test_odd_ignore_lines_match_git_exactly(tmp_path: Path) -> None:
    mismatches = []
    for n, pattern in enumerate(ODD_PATTERNS):
        bom_crlf = b"\xef\xbb\xbf" + pattern + b"\r\n"
        variants = [pattern + b"\n", bom_crlf, b"*\n!" + pattern, pattern]
        for k, gitignore in enumerate(variants):
            root = tmp_path / f"p{n}-{k}"
            _build_git_tree(root, gitignore)
            ours = sorted(walk(root)[0])
            if ours != _git_untracked(root):
                mismatches.append((gitignore, sorted(set(ours) ^ set(_git_untracked(root)))))
    assert mismatches == []


@pytest.mark.skipif(shutil.which("git") is None, reason="needs git")
def test_many_odd_lines_together_agree_with_git_check_ignore(tmp_path: Path) -> None:
    lines = b"\r\n".join(p for p in ODD_PATTERNS if b"\n" not in p)
    root = tmp_path / "r"
    _build_git_tree(root, b"\xef\xbb\xbf" + lines, nested=b"!a\n\\\n!\nsub/\n!*.py\n")
    files, _ = walk(root)
    every = [
        os.fsdecode(os.path.relpath(os.path.join(d, f), os.fsencode(root)))
        for d, _dirs, names in os.walk(os.fsencode(root))
        if b"/.git" not in d
        for f in names
    ]
    ignored = _git_ignored(root, every)
    assert ignored and len(ignored) < len(every)  # the comparison means something
    assert sorted(files) == sorted(set(every) - ignored) == _git_untracked(root)


def test_pattern_bytes_match_name_bytes(tmp_path: Path) -> None:
    """A non-UTF-8 pattern matches the name it was written for; ``?`` is one byte."""
    root = tmp_path / "r"
    root.mkdir()
    for name in (b"caf\xe9.py", b"caf\xc3\xa9.py", b"na\xefve.txt", b"keep.py"):
        Path(os.fsdecode(os.path.join(os.fsencode(root), name))).write_bytes(b"x")
    Path(root, ".gitignore").write_bytes(b"caf\xe9.py\nna?ve.txt\n")
    files, _ = walk(root)
    assert files == [".gitignore", "caf\u00e9.py", "keep.py"]


def test_config_patterns_with_odd_lines_are_not_errors(tmp_path: Path) -> None:
    root = write_repo(tmp_path / "r", {"a.md": "x", "b.py": "x", "c.txt": "x"})
    assert walk(root, ["!", "\\", "/", "[", "*.md   ", "# comment"])[0] == ["b.py", "c.txt"]


def test_ignore_file_symlink_fifo_and_directory_are_not_read(tmp_path: Path) -> None:
    """As git (2.32+): a symlinked .gitignore is not followed; a FIFO is never opened."""
    root = write_repo(
        tmp_path / "r", {"rules": "*.py\n", "a.py": "x", "sub/b.py": "x", "other/c.py": "x"}
    )
    os.symlink(root / "rules", root / ".gitignore")
    os.mkfifo(root / "sub" / ".gitignore")
    (root / "other" / ".atlasignore").mkdir()
    result: list[list[str]] = []
    thread = threading.Thread(target=lambda: result.append(walk(root)[0]), daemon=True)
    thread.start()
    thread.join(timeout=30)
    assert not thread.is_alive(), "walking opened a FIFO"
    # the link itself is a file inside the root, so it is listed (git lists it too)
    assert result == [[".gitignore", "a.py", "other/c.py", "rules", "sub/b.py"]]


# -- deep, special, vanishing ----------------------------------------------------------


def test_order_is_by_name_depth_first_with_files_and_directories_interleaved(
    tmp_path: Path,
) -> None:
    root = write_repo(
        tmp_path / "r",
        {
            "b/z.py": "x",
            "a.py": "x",
            "b.py": "x",
            "a/y.py": "x",
            "a/b/c.py": "x",
            "a-b.py": "x",
            "a/a.py": "x",
        },
    )
    files = walk(root)[0]
    assert files == ["a/a.py", "a/b/c.py", "a/y.py", "a-b.py", "a.py", "b/z.py", "b.py"]
    assert files == sorted(files, key=lambda rel: rel.split("/"))


def test_fifos_sockets_and_links_to_them_are_skipped_never_opened(tmp_path: Path) -> None:
    root = write_repo(tmp_path / "r", {"a.py": "x", "empty.py": ""})
    os.mkfifo(root / "pipe")
    server = socket.socket(socket.AF_UNIX)
    try:
        server.bind(str(root / "sock"))
        os.symlink(root / "pipe", root / "to_pipe")
        os.symlink("/dev/null", root / "to_null")
        os.symlink(root / "loop1", root / "loop2")
        os.symlink(root / "loop2", root / "loop1")
        os.symlink("self", root / "self")
        files, skipped = walk(root)
    finally:
        server.close()
    assert files == ["a.py", "empty.py"]
    assert skipped["special-file"] == 2
    assert skipped["broken-symlink"] == 3  # the loops and the self link
    assert skipped["symlink-outside-root"] == 1


def test_entries_that_vanish_mid_walk_are_counted(tmp_path: Path) -> None:
    root = write_repo(tmp_path / "r", {"a/x.py": "x", "b/y.py": "x", "z.py": "x"})
    skipped: Counter[str] = Counter()
    walker = FsWalker().walk(root, WalkSettings([], None, lambda rel, why: skipped.update([why])))
    assert next(walker).rel == "a/x.py"
    shutil.rmtree(root / "b")
    (root / "z.py").unlink()
    assert list(walker) == []
    assert skipped == Counter({"vanished": 2})


def test_unreadable_directories_are_counted(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    root = write_repo(tmp_path / "r", {"locked/x.py": "x", "open/y.py": "x"})
    real_scandir = os.scandir

    def scandir(path: str) -> Any:
        if str(path).endswith("locked"):
            raise PermissionError(13, "Permission denied", path)
        return real_scandir(path)

    monkeypatch.setattr("atlas_core.walk.fs.os.scandir", scandir)
    files, skipped = walk(root)
    assert files == ["open/y.py"]
    assert skipped == Counter({"unreadable": 1})
    named: list[tuple[str, str]] = []
    settings = WalkSettings([], None, lambda rel, why: named.append((rel, why)))
    assert [f.rel for f in FsWalker().walk(root, settings)] == ["open/y.py"]
    assert named == [("locked/", "unreadable")]  # a directory's name ends in "/"


def test_non_utf8_names_are_surrogate_escaped_and_consistent(tmp_path: Path) -> None:
    root = tmp_path / "r"
    (root / "d\udcff").mkdir(parents=True)  # the directory b"d\xff"
    Path(os.fsdecode(os.fsencode(root) + b"/d\xff/caf\xe9.py")).write_text("x")
    Path(os.fsdecode(os.fsencode(root) + b"/d\xff/.gitignore")).write_bytes(b"*\xe9.txt\n")
    Path(os.fsdecode(os.fsencode(root) + b"/d\xff/caf\xe9.txt")).write_text("x")
    settings = WalkSettings([], None)
    found = list(FsWalker().walk(root, settings))
    assert [f.rel for f in found] == ["d\udcff/.gitignore", "d\udcff/caf\udce9.py"]
    assert os.fsencode(found[1].abs).endswith(b"/d\xff/caf\xe9.py")
    assert Path(found[1].abs).read_text() == "x"


BACKTRACKING_IGNORES = (
    b"**/**/**/**/**/**/**/**/**/**/x\n"
    b"**/d/**/d/**/d/**/d/**/d/**/d/**/d/**/z\n"
    b"*a*a*a*a*a*a*a*a*a*a*b\n"
    b"d/**/*a*a*a*a*a*a*a*a*b/**/q\n"
)

_WALK_IN_CHILD = """
import sys
from pathlib import Path
from atlas_core.components import WalkSettings
from atlas_core.walk.fs import FsWalker
root = Path(sys.argv[1])
print(len([f.rel for f in FsWalker().walk(root, WalkSettings([], None))]))
"""


def test_ignore_patterns_that_backtrack_do_not_wedge_the_walk(tmp_path: Path) -> None:
    """Many stars against a long name, many ``**/`` against a deep path: a naive regex
    takes exponential time (minutes at depth 50); the walk must finish at once."""
    root = tmp_path / "r"
    deep = root.joinpath(*["d"] * 80)
    deep.mkdir(parents=True)
    (deep / "x").write_text("x")  # ignored by the first pattern
    (deep / "kept.py").write_text("x")
    (deep / ("a" * 200 + "c")).write_text("x")  # matches none, after a long search
    (deep / ("a" * 200 + "b")).write_text("x")  # ignored
    (root / ".gitignore").write_bytes(BACKTRACKING_IGNORES)
    done = subprocess.run(
        [sys.executable, "-c", _WALK_IN_CHILD, str(root)],
        capture_output=True,
        text=True,
        timeout=120,  # a deadline for the failure only: it takes well under a second
    )
    assert done.returncode == 0, done.stderr
    files, _ = walk(root)
    assert int(done.stdout) == len(files) == 3
    assert sorted(Path(f).name for f in files) == [".gitignore", "a" * 200 + "c", "kept.py"]


@pytest.mark.skipif(shutil.which("git") is None, reason="needs git")
def test_long_ignore_files_keep_git_precedence_across_regex_chunks(tmp_path: Path) -> None:
    """Thousands of lines, repeated lines and negations far apart: the last matching line
    decides, as in git, however the patterns are grouped into regexes."""
    lines = [b"*.py", b"dir/"]
    lines += [b"nothing%d*" % i for i in range(700)]
    lines += [b"!x.py", b"*.py", b"!keep*.py"] * 3  # repeated: the last copies count
    lines += [b"nothing-else%d" % i for i in range(700)]
    lines += [b"!dir/", b"dir/sub/", b"!caf?.py"]
    root = tmp_path / "r"
    _build_git_tree(root, b"\n".join(lines) + b"\n")
    for name in ("keep1.py", "keep2.txt", "dir/keep.py", "dir/sub/keep.py"):
        Path(root, name).parent.mkdir(parents=True, exist_ok=True)
        Path(root, name).write_bytes(b"x")
    files, _ = walk(root)
    assert "keep1.py" in files and "x.py" not in files  # the comparison means something
    assert sorted(files) == _git_untracked(root)


class _LooseWalker:
    """A plugin walker that gives whatever ``paths`` holds (some of them not the root's)."""

    name = "loose"
    paths: ClassVar[list[str]] = []

    def walk(self, root: Path, settings: WalkSettings) -> Iterator[RepoFile]:
        for rel in self.paths:
            yield RepoFile(rel, str(root / "src/app.py"), 10, 1, 0)


class _LoosePlugin:
    @hookimpl
    def atlas_register_walkers(self, registry: Any) -> None:
        registry.add(_LooseWalker())


def test_a_plugin_walker_cannot_make_atlas_read_outside_the_root(tmp_path: Path) -> None:
    """Entries a plugin walker gives that lead outside the root, into .git or the cache, or
    are malformed or repeated are left out (counted, one warning naming the plugin); none
    is read, indexed or rendered."""
    outside = write_repo(tmp_path / "outside", {"secret.py": "def outside_secret(): pass\n"})
    root = write_repo(
        tmp_path / "repo",
        {
            "src/app.py": "def app_main(): pass\n",
            ".git/config": "[core]\n\trepositoryformatversion = 0\n",
            "atlas.toml": '[pipeline]\nwalker = "loose"\n',
        },
    )
    os.symlink(outside / "secret.py", root / "src/link.py")
    os.symlink(root / ".git/config", root / "src/config.py")
    secret = str(outside / "secret.py")
    _LooseWalker.paths = [
        "src/app.py",
        secret,
        "../outside/secret.py",
        "src/../../outside/secret.py",
        "./src/app.py",
        "src//app.py",
        "src/link.py",
        "src/config.py",
        ".git/config",
        ".atlas/CURRENT",
        "src/app.py",
        "a\0b.py",
        "",
    ]
    messages: list[str] = []
    manager = get_plugin_manager(extra_plugins=[("loose", _LoosePlugin())])
    manager.on_warning = messages.append
    with atlas_core.open(root, manager=manager) as repo:
        report = repo.index()
        assert report.files == 1 and not report.errors, report
        reader = repo.reader()
        assert list(reader.paths) == ["src/app.py"]
        assert reader.term_id("outside") is None
        assert reader.term_id("repositoryformatversion") is None
        found = repo.query("outside secret app main").selection.files
        assert [f.path for f in found] == ["src/app.py"]
        warned = [m for m in messages if "walker loose" in m]
        assert len(warned) == 1 and "\n" not in warned[0], messages
        assert "12 paths Atlas does not index" in warned[0], warned
        assert "walker walker" not in warned[0] and "not a clean path" in warned[0], warned
        files, skipped = repo.engine.walk()
    assert [f.rel for f in files] == ["src/app.py"]
    assert skipped == Counter(
        {"invalid-path": 7, "outside-root": 1, "skipped-directory": 3, "duplicate": 1}
    )
