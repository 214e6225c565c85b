"""Reads for output stay inside the validated root: `atlas_core.fsread` and its callers."""

from __future__ import annotations

import json
import os
import shutil
import socket
import threading
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest

from atlas_core.engine import Atlas, QueryOptions
from atlas_core.fsread import PathRefused, Unreadable, confined_path, read_confined
from atlas_core.index.layout import cache_dir_for, read_checked, write_checked
from atlas_core.index.reader import open_index
from atlas_core.output.context import render_context
from atlas_core.output.formats import selection_to_dict
from atlas_core.plugin.manager import get_plugin_manager
from atlas_core.testing import CliResult, write_repo

Cli = Callable[..., CliResult]

# a file too big for a small budget, so render skims it (matched symbol whole, outline)
BIG = "".join(f"def func_{i}(x):\n    return x + {i}  # MARKER\n\n" for i in range(300))


def index(root: Path) -> None:
    Atlas(root, get_plugin_manager(load_entrypoints=False)).index()


def selection(root: Path, task: str) -> list[dict[str, object]]:
    """The JSONL rows of a query, as `atlas render` reads them."""
    atlas = Atlas(root, get_plugin_manager(load_entrypoints=False))

    reader = open_index(atlas.cache)
    assert reader is not None
    result = atlas.query(task, QueryOptions(), reader)
    files: list[dict[str, object]] = selection_to_dict(result.selection)["Files"]
    return files


@pytest.fixture
def repo(tmp_path: Path) -> Path:
    return write_repo(
        tmp_path / "repo",
        {"src/big.py": BIG, "src/small.py": "def small():\n    return 1\n", "README.md": "hi\n"},
    )


# -- the read function itself -----------------------------------------------------------


def test_reads_a_file_inside_the_root(repo: Path) -> None:
    assert read_confined(repo, "src/small.py") == b"def small():\n    return 1\n"
    assert read_confined(repo, "./src//small.py").startswith(b"def small")
    assert read_confined(repo, "src/../README.md") == b"hi\n"  # stays inside: allowed


@pytest.mark.parametrize(
    ("rel", "message"),
    [
        ("/etc/passwd", "is absolute"),
        ("../outside.txt", "climbs out of it with '..'"),
        ("src/../../outside.txt", "climbs out of it with '..'"),
        ("src/small\0.py", "NUL byte"),
        ("~/outside.txt", "home-relative"),
        ("", "empty path"),
        (".", "names the repository root itself"),
    ],
)
def test_bad_paths_are_refused_with_one_clear_message(repo: Path, rel: str, message: str) -> None:
    with pytest.raises(PathRefused, match=message) as caught:
        read_confined(repo, rel)
    assert "\n" not in str(caught.value)
    with pytest.raises(PathRefused, match=message):
        confined_path(repo, rel)


def test_a_symlink_leading_outside_is_refused(repo: Path, tmp_path: Path) -> None:
    outside = tmp_path / "outside"
    outside.mkdir()
    (outside / "private.txt").write_text("private notes\n")
    (repo / "link.txt").symlink_to(outside / "private.txt")
    (repo / "linkdir").symlink_to(outside)
    for rel in ("link.txt", "linkdir/private.txt"):
        with pytest.raises(PathRefused, match="symlink to a place outside"):
            read_confined(repo, rel)
    # a symlink that stays inside is followed
    (repo / "inside.txt").symlink_to(repo / "README.md")
    assert read_confined(repo, "inside.txt") == b"hi\n"
    (repo / "srclink").symlink_to(repo / "src", target_is_directory=True)
    assert read_confined(repo, "srclink/small.py").startswith(b"def small")


def test_a_path_without_symlinks_is_read_without_resolving_it(
    repo: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Resolving links (``os.path.realpath``) is most of a read's cost: only a path
    with a symlink on the way, or one that cannot be read, is resolved."""
    import atlas_core.fsread as fsread

    resolved: list[str] = []
    real_inside = fsread._inside
    monkeypatch.setattr(
        fsread, "_inside", lambda root, rel: resolved.append(rel) or real_inside(root, rel)
    )
    assert read_confined(repo, "src/small.py").startswith(b"def small")
    assert resolved == []
    (repo / "srclink").symlink_to(repo / "src", target_is_directory=True)
    assert read_confined(repo, "srclink/small.py").startswith(b"def small")
    with pytest.raises(Unreadable, match="no such file"):
        read_confined(repo, "src/gone.py")
    assert resolved == ["srclink/small.py", "src/gone.py"]


def test_non_regular_missing_and_large_files_are_unreadable(repo: Path) -> None:
    cases = {"src": "a directory, not a file", "gone.py": "no such file"}
    cases["README.md/x"] = "no such file"
    for rel, reason in cases.items():
        with pytest.raises(Unreadable) as caught:
            read_confined(repo, rel)
        assert caught.value.reason == reason
    (repo / "a").symlink_to("b")
    (repo / "b").symlink_to("a")
    with pytest.raises(Unreadable, match="a symlink loop"):
        read_confined(repo, "a")
    doc = render_context(repo, "x", [{"Path": "a"}, {"Path": "b"}], None)
    assert [(o.path, o.reason) for o in doc.omitted] == [
        ("a", "a symlink loop"),
        ("b", "a symlink loop"),
    ]
    with socket.socket(socket.AF_UNIX) as sock:
        sock.bind(str(repo / "sock.py"))
        with pytest.raises(Unreadable, match=r"not a regular file \(a socket\)"):
            read_confined(repo, "sock.py")
    with pytest.raises(Unreadable, match="larger than the read limit of 10 bytes"):
        read_confined(repo, "src/small.py", max_bytes=10)
    assert read_confined(repo, "README.md", max_bytes=3) == b"hi\n"


@pytest.fixture
def fifo(repo: Path) -> Iterator[Path]:
    path = repo / "src" / "pipe.py"
    os.mkfifo(path)
    yield path
    # if a reader did block on it, a writer end releases it so the test run can finish
    try:
        fd = os.open(path, os.O_WRONLY | os.O_NONBLOCK)
        os.close(fd)
    except OSError:
        pass


def finishes(target: Callable[[], object], seconds: float = 20.0) -> object:
    """``target()`` run in a thread; fails the test if it is still running after ``seconds``."""
    outcome: dict[str, object] = {}

    def run() -> None:
        try:
            outcome["value"] = target()
        except BaseException as exc:  # handed to the test thread
            outcome["error"] = exc

    worker = threading.Thread(target=run, daemon=True)
    worker.start()
    worker.join(seconds)
    assert not worker.is_alive(), f"still blocked after {seconds} s"
    if "error" in outcome:
        raise outcome["error"]  # type: ignore[misc]
    return outcome["value"]


def test_a_fifo_never_blocks_the_read(repo: Path, fifo: Path) -> None:
    def read() -> object:
        with pytest.raises(Unreadable, match=r"not a regular file \(a FIFO\)"):
            read_confined(repo, "src/pipe.py")
        return True

    assert finishes(read)


# -- render and context bundles ----------------------------------------------------------


def test_render_of_a_fifo_returns_promptly_with_a_note(repo: Path, fifo: Path) -> None:
    files = [{"Path": "src/pipe.py"}, {"Path": "README.md"}]
    doc = finishes(lambda: render_context(repo, "x", files, None))
    assert doc.included == ["README.md"]  # type: ignore[attr-defined]
    assert "`src/pipe.py`: not a regular file (a FIFO)" in doc.text  # type: ignore[attr-defined]


def test_a_copied_repository_renders_its_own_contents(tmp_path: Path, repo: Path) -> None:
    index(repo)
    copy = tmp_path / "copy"
    shutil.copytree(repo, copy, symlinks=True)  # like `cp -a`: times kept, index copied too
    index(copy)  # nothing changed: the copied index may keep the original's recorded root
    (repo / "src/big.py").write_text(BIG.replace("MARKER", "ORIGINAL"))
    rows = selection(copy, "func_7")
    assert rows[0]["Path"] == "src/big.py"
    doc = render_context(copy, "func_7", rows[:1], 2500)
    assert doc.included == ["src/big.py"] and "skimmed" in doc.text  # the skim path
    assert "return x + 7  # MARKER" in doc.text
    assert "ORIGINAL" not in doc.text


def test_a_tampered_index_root_is_ignored(tmp_path: Path, repo: Path) -> None:
    elsewhere = write_repo(tmp_path / "elsewhere", {"src/big.py": BIG.replace("MARKER", "LEAK")})
    index(repo)
    rows = selection(repo, "func_7")
    cache = cache_dir_for(repo)
    meta_path = cache / (cache / "CURRENT").read_text().strip() / "meta.msgpack"
    meta = read_checked(meta_path)
    meta["root"] = str(elsewhere)
    write_checked(meta_path, meta)

    doc = render_context(repo, "func_7", rows[:1], 2500)
    assert "LEAK" not in doc.text
    if doc.included:  # skimmed from this repository's own file
        assert "return x + 7  # MARKER" in doc.text


def test_render_refuses_a_symlink_outside_from_the_cli(
    repo: Path, tmp_path: Path, atlas_cli: Cli
) -> None:
    (tmp_path / "private.txt").write_text("private notes\n")
    (repo / "notes.md").symlink_to(tmp_path / "private.txt")
    result = atlas_cli("--root", str(repo), "render", "-", stdin="notes.md\n")
    assert result.code == 2 and "private notes" not in result.stdout
    assert "symlink to a place outside" in result.stderr


@pytest.mark.parametrize(
    "stdin",
    ["src/a\0b.py\n", json.dumps({"Version": "0.3", "Query": "x"}) + '\n{"Path": "a\\u0000b"}\n'],
)
def test_a_nul_byte_in_a_path_is_one_line_and_exit_2(
    repo: Path, atlas_cli: Cli, stdin: str
) -> None:
    result = atlas_cli("--root", str(repo), "render", "-", stdin=stdin)
    assert result.code == 2, result.stderr
    assert result.stderr.count("\n") == 1 and "NUL byte" in result.stderr
    assert "Traceback" not in result.stderr and result.stdout == ""


@pytest.mark.parametrize(
    ("stdin", "message"),
    [
        ('{"Files": 3}', "'Files' must be a list of objects"),
        ('{"Files": [1]}', "'Files' must be a list of objects"),
        ('{"Version": "0.3", "Budget": {"MaxTokens": "lots"}}\nREADME.md\n', "MaxTokens"),
        ('{"Version": "0.3"}\n{"Path": "README.md"}\n{"Path": "x"\n', "line 3 is not JSON"),
    ],
)
def test_a_malformed_selection_is_one_line_and_exit_2(
    repo: Path, atlas_cli: Cli, stdin: str, message: str
) -> None:
    result = atlas_cli("--root", str(repo), "render", "-", stdin=stdin)
    assert result.code == 2 and message in result.stderr, result.stderr
    assert result.stderr.count("\n") == 1


def test_a_selection_file_name_with_a_nul_byte(repo: Path, atlas_cli: Cli) -> None:
    result = atlas_cli("--root", str(repo), "render", "sel\0.jsonl")
    assert result.code == 2 and "NUL byte" in result.stderr


def test_names_that_are_not_printable_utf8_are_escaped(repo: Path, atlas_cli: Cli) -> None:
    (repo / os.fsdecode(b"caf\xe9.py")).write_text("latin = 1\n")
    (repo / "two\nlines.py").write_text("newline = 1\n")
    files = [{"Path": os.fsdecode(b"caf\xe9.py")}, {"Path": "two\nlines.py"}]
    for style in ("markdown", "xml"):
        doc = render_context(repo, "a\ntask", files, None, style=style)
        doc.text.encode("utf-8")  # printable as UTF-8, no lone surrogates
        assert doc.included == ["caf\\xe9.py", "two\\nlines.py"]
        assert "latin = 1" in doc.text and "newline = 1" in doc.text
        assert "two\nlines" not in doc.text and "a\ntask" not in doc.text
    # the CLI reads such a name from a selection on stdin (surrogateescape) and prints it
    result = atlas_cli("--root", str(repo), "render", "-", stdin=os.fsdecode(b"caf\xe9.py\n"))
    assert result.code == 0, result.stderr
    assert "## caf\\xe9.py" in result.stdout and "latin = 1" in result.stdout
