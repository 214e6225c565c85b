"""Index storage safety: the cache directory, checksums, readers racing a writer, read-only
places and file names that are not UTF-8 (issue 9)."""

from __future__ import annotations

import errno
import os
import shutil
import subprocess
import sys
import threading
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest

from atlas_core.engine import Atlas, QueryOptions
from atlas_core.errors import CacheDirError, IndexCorruptError
from atlas_core.index import layout
from atlas_core.index.reader import open_index
from atlas_core.testing import CliResult, run_atlas, write_repo

FILES = {
    "src/alpha.py": "import beta\n\ndef alpha_parser():\n    return beta.beta_client()\n",
    "src/beta.py": "def beta_client():\n    return 'client'\n",
    "src/gamma.py": "class GammaStore:\n    def save(self):\n        pass\n",
    "README.md": "# Demo\n\nParser and client.\n",
}


def _tree(path: Path) -> dict[str, bytes | str]:
    """Every entry under ``path`` (not following symlinks): file bytes or the link target."""
    out: dict[str, bytes | str] = {}
    for dirpath, dirnames, filenames in os.walk(path):
        for name in dirnames + filenames:
            full = Path(dirpath) / name
            rel = str(full.relative_to(path))
            if full.is_symlink():
                out[rel] = "-> " + os.readlink(full)
            elif full.is_file():
                out[rel] = full.read_bytes()
            else:
                out[rel] = "dir"
    return out


def _one_error_line(result: CliResult, *words: str) -> None:
    assert result.code == 1, (result.code, result.stderr)
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1 and lines[0].startswith("atlas: error: "), result.stderr
    assert "internal error" not in lines[0]
    for word in words:
        assert word in lines[0], lines[0]


# -- the cache directory ---------------------------------------------------------


def test_symlinked_cache_dir_is_refused_and_its_target_untouched(tmp_path: Path) -> None:
    elsewhere = tmp_path / "elsewhere"
    (elsewhere / "gen-000001").mkdir(parents=True)
    (elsewhere / "gen-000001" / "meta.msgpack").write_bytes(b"precious")
    (elsewhere / "tmp-notes").write_text("keep me")
    (elsewhere / "CURRENT").write_text("gen-000001")
    before = _tree(elsewhere)
    root = write_repo(tmp_path / "r", FILES)
    (root / ".atlas").symlink_to("../elsewhere")
    for args in (
        ["index"],
        ["index", "--force"],
        ["query", "parser"],
        ["quick", "parser"],
        ["inspect"],
    ):
        _one_error_line(run_atlas("--root", str(root), *args), "symbolic link")
    assert _tree(elsewhere) == before
    assert (root / ".atlas").is_symlink()


def test_cache_dir_that_is_a_file_is_one_line_error(tmp_path: Path) -> None:
    root = write_repo(tmp_path / "r", {**FILES, ".atlas": "my notes\n"})
    for args in (["index"], ["query", "parser"]):
        _one_error_line(run_atlas("--root", str(root), *args), "not a directory")
    assert (root / ".atlas").read_text() == "my notes\n"


def test_cache_dir_with_foreign_entries_is_refused_and_left_alone(tmp_path: Path) -> None:
    root = write_repo(
        tmp_path / "r",
        {**FILES, ".atlas/notes.txt": "mine", ".atlas/gen-000001/data.bin": "mine too"},
    )
    before = _tree(root / ".atlas")
    for args in (["index"], ["query", "parser"]):
        _one_error_line(run_atlas("--root", str(root), *args), "did not create", "notes.txt")
    assert _tree(root / ".atlas") == before


def test_atlas_cache_dir_env_is_used_only_when_atlas_owns_it(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    root = write_repo(tmp_path / "r", FILES)
    home = tmp_path / "home"
    (home / "Documents").mkdir(parents=True)
    (home / ".bashrc").write_text("export X=1\n")
    before = _tree(home)
    monkeypatch.setenv("ATLAS_CACHE_DIR", str(home))
    _one_error_line(run_atlas("--root", str(root), "index"), "did not create")
    assert _tree(home) == before

    link = tmp_path / "link"
    link.symlink_to(home)
    monkeypatch.setenv("ATLAS_CACHE_DIR", str(link))
    _one_error_line(run_atlas("--root", str(root), "index"), "symbolic link")
    assert _tree(home) == before

    fresh = tmp_path / "cache"  # new (or empty): Atlas makes it its own
    monkeypatch.setenv("ATLAS_CACHE_DIR", str(fresh))
    assert run_atlas("--root", str(root), "-q", "index").code == 0
    assert (fresh / "CURRENT").is_file() and not (root / ".atlas").exists()
    result = run_atlas("--root", str(root), "query", "parser")
    assert result.code == 0 and result.json_lines()[1]["Path"] == "src/alpha.py"


def test_cleanup_removes_only_provable_generations(
    tmp_path: Path, make_atlas: Callable[[Path], Atlas]
) -> None:
    outside = tmp_path / "outside"
    outside.mkdir()
    (outside / "victim.txt").write_text("do not delete")
    root = write_repo(tmp_path / "r", FILES)
    atlas = make_atlas(root)
    atlas.index()
    cache = root / ".atlas"
    # stale generations: one with a file Atlas never writes, one holding a symlink outside
    odd = cache / layout.generation_name(7)
    odd.mkdir()
    (odd / "meta.msgpack").write_bytes(b"x")
    (odd / "user-file.txt").write_text("not Atlas's")
    linked = cache / layout.generation_name(8)
    linked.mkdir()
    (linked / "post_doc.npy").symlink_to(outside / "victim.txt")
    plain = cache / "tmp-000009-1"  # what a crash leaves: provably ours
    plain.mkdir()
    (plain / "vocab.bin").write_bytes(b"half")
    (root / "src" / "delta.py").write_text("def delta():\n    pass\n")
    atlas.index()
    assert (outside / "victim.txt").read_text() == "do not delete"
    assert (odd / "user-file.txt").read_text() == "not Atlas's"
    assert (linked / "post_doc.npy").is_symlink()
    assert not plain.exists()
    live = layout.read_current(cache)
    assert {n for n in layout.generation_dirs(cache) if n.startswith("gen-")} == {
        live,
        odd.name,
        linked.name,
    }
    assert "src/delta.py" in atlas.reader().paths


def test_generation_names_and_current_check_themselves(tmp_path: Path) -> None:
    name = layout.generation_name(42)
    assert layout.generation_number(name) == 42
    flipped = name[:-1] + ("0" if name[-1] != "0" else "1")
    assert layout.generation_number(flipped) is None
    assert layout.generation_number(name.replace("42", "43")) is None
    tmp_path.joinpath("CURRENT").write_text(name + "\n")
    assert layout.read_current(tmp_path) == name
    for bad in (name, name + "\n\n", flipped + "\n", "gen-000042\n", "\x00" * 20):
        tmp_path.joinpath("CURRENT").write_text(bad)
        with pytest.raises(IndexCorruptError):
            layout.read_current(tmp_path)


# -- corruption --------------------------------------------------------------------


def _damages(path: Path) -> Iterator[tuple[str, bytes]]:
    data = path.read_bytes()
    if not data:
        return
    yield "truncated", b""
    yield "halved", data[: len(data) // 2]
    for where in {0, len(data) // 2, len(data) - 1}:
        garbled = bytearray(data)
        garbled[where] ^= 0x5A
        yield f"byte {where} flipped", bytes(garbled)


def test_every_damage_of_every_file_is_rebuilt_or_harmless(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Truncate, halve or garble any file of the index (contributor data included): the next
    query either says it rebuilds, or ranks exactly as from a fresh index; never otherwise."""
    monkeypatch.setenv("ATLAS_LOAD_PLUGINS", "graph,git")
    root = write_repo(tmp_path / "r", FILES, git=True)
    query = ("--root", str(root), "--format", "jsonl", "query", "parser client store")
    assert run_atlas("--root", str(root), "-q", "index").code == 0
    expected = run_atlas(*query)
    assert expected.code == 0 and expected.stderr == ""
    cache = root / ".atlas"
    assert (cache / "extras" / "graph.msgpack").exists()
    assert (cache / "extras" / "git.msgpack").exists()
    pristine = tmp_path / "pristine"
    shutil.copytree(cache, pristine, symlinks=True)
    files = sorted(p.relative_to(pristine) for p in pristine.rglob("*") if p.is_file())
    checked = rebuilt = 0
    for rel in files:
        for damage, data in _damages(pristine / rel):
            shutil.rmtree(cache)
            shutil.copytree(pristine, cache, symlinks=True)
            (cache / rel).write_bytes(data)
            result = run_atlas(*query)
            what = f"{rel} {damage}: {result.stderr}"
            assert result.code == 0, what
            assert "internal error" not in result.stderr, what
            if result.stdout != expected.stdout:
                assert "rebuilding" in result.stderr, what
            if result.stderr:
                assert len(result.stderr.strip().splitlines()) == 1, what
                assert "rebuilding" in result.stderr, what
                rebuilt += 1
            again = run_atlas(*query)  # converged: no message, the fresh ranking
            assert (again.code, again.stdout, again.stderr) == (0, expected.stdout, ""), what
            checked += 1
    assert checked >= 60 and rebuilt >= 40


def test_damage_found_by_index_is_rebuilt_with_one_message(
    tmp_path: Path, make_atlas: Callable[[Path], Atlas]
) -> None:
    root = write_repo(tmp_path / "r", FILES)
    atlas = make_atlas(root)
    atlas.index()
    fresh = atlas.index(force=True)
    gen = atlas.reader().gen
    path = gen / "post_tf.npy"
    data = bytearray(path.read_bytes())
    data[-1] ^= 1
    path.write_bytes(bytes(data))
    with pytest.raises(IndexCorruptError):
        open_index(root / ".atlas")
    messages: list[str] = []
    report = atlas.index(on_message=messages.append)
    assert len(messages) == 1 and "post_tf.npy" in messages[0] and "rebuilding" in messages[0]
    assert report.added == fresh.added and report.rebuilt_reason


@pytest.mark.parametrize("name", ["git.msgpack", "git.priors.msgpack"])
@pytest.mark.parametrize("forced", [False, True])
def test_a_symlink_for_contributor_data_is_removed_never_followed(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, name: str, forced: bool
) -> None:
    monkeypatch.setenv("ATLAS_LOAD_PLUGINS", "graph,git")
    root = write_repo(tmp_path / "r", FILES, git=True)
    query = ("--root", str(root), "--format", "jsonl", "query", "parser client store")
    assert run_atlas("--root", str(root), "-q", "index").code == 0
    expected = run_atlas(*query)
    target = tmp_path / "target"
    target.write_text("not Atlas's\n")
    link = root / ".atlas" / "extras" / name
    link.unlink()
    link.symlink_to(target)
    result = run_atlas("--root", str(root), "index", "--force") if forced else run_atlas(*query)
    assert result.code == 0, result.stderr
    assert f"extras/{name} was a symbolic link, not a file: removed the link" in result.stderr
    if not forced:
        assert f"unusable (extras/{name} is a symbolic link, not a file); rebuilding" in (
            result.stderr
        )
    assert target.read_text() == "not Atlas's\n"
    assert link.is_file() and not link.is_symlink()
    again = run_atlas(*query)
    assert (again.code, again.stdout, again.stderr) == (0, expected.stdout, "")


def test_a_directory_for_contributor_data_is_removed_only_when_empty(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("ATLAS_LOAD_PLUGINS", "graph")
    root = write_repo(tmp_path / "r", FILES)
    query = ("--root", str(root), "--format", "jsonl", "query", "parser")
    assert run_atlas("--root", str(root), "-q", "index").code == 0
    empty = root / ".atlas" / "extras" / "x.msgpack"
    empty.mkdir()
    result = run_atlas(*query)
    assert result.code == 0 and "extras/x.msgpack was a directory, not a file" in result.stderr
    assert not empty.exists()
    full = root / ".atlas" / "extras" / "y.msgpack"
    full.mkdir()
    (full / "keep.txt").write_text("mine")
    refused = run_atlas(*query)  # the warning that it rebuilds, then the one error line
    assert refused.code == 1 and "internal error" not in refused.stderr
    last = refused.stderr.strip().splitlines()[-1]
    assert last.startswith("atlas: error: ") and "y.msgpack is a directory" in last
    assert "move it away" in last
    assert (full / "keep.txt").read_text() == "mine"


# -- readers and the writer --------------------------------------------------------


def _many_files(n: int = 120) -> dict[str, str]:
    return {
        f"pkg/mod{i}.py": f"def handler_{i}(request):\n    return request.value * {i}\n"
        for i in range(n)
    }


def test_a_generation_in_use_is_kept_until_its_reader_closes(
    tmp_path: Path, make_atlas: Callable[[Path], Atlas]
) -> None:
    root = write_repo(tmp_path / "r", FILES)
    atlas = make_atlas(root)
    atlas.index()
    reader = atlas.reader()
    (root / "src" / "delta.py").write_text("def delta():\n    pass\n")
    atlas.index()
    assert reader.gen.is_dir()  # still read: not removed
    reader.verify()
    assert reader.chunks(reader.ids["src/gamma.py"])
    newer = atlas.reader()
    assert newer.gen != reader.gen and "src/delta.py" in newer.paths
    reader.close()
    newer.close()
    (root / "src" / "delta.py").write_text("def delta2():\n    pass\n")
    atlas.index()
    assert not reader.gen.exists() and not newer.gen.exists()
    assert len([n for n in layout.generation_dirs(root / ".atlas")]) == 1


def test_a_reader_that_loses_the_race_opens_the_new_generation(
    tmp_path: Path, make_atlas: Callable[[Path], Atlas], monkeypatch: pytest.MonkeyPatch
) -> None:
    root = write_repo(tmp_path / "r", FILES)
    atlas = make_atlas(root)
    atlas.index()
    first = layout.read_current(root / ".atlas")
    (root / "src" / "delta.py").write_text("def delta():\n    pass\n")
    atlas.index()
    assert first is not None and not (root / ".atlas" / first).exists()
    real = layout.read_current
    calls = iter([first])  # what a reader saw just before the writer published

    def stale_then_real(cache: Path) -> str | None:
        return next(calls, None) or real(cache)

    monkeypatch.setattr(layout, "read_current", stale_then_real)
    reader = open_index(root / ".atlas", root)
    assert reader is not None and "src/delta.py" in reader.paths


def test_queries_never_fail_while_the_index_is_republished(tmp_path: Path) -> None:
    root = write_repo(tmp_path / "r", _many_files())
    env = {**os.environ, "ATLAS_LOAD_PLUGINS": ""}
    index = [sys.executable, "-m", "atlas_core", "--root", str(root), "-q", "index"]
    subprocess.run(index, env=env, check=True)
    stop = tmp_path / "stop"
    script = (
        "import sys, pathlib\n"
        "from atlas_core.engine import Atlas, QueryOptions\n"
        "from atlas_core.plugin.manager import get_plugin_manager\n"
        "root, stop = pathlib.Path(sys.argv[1]), pathlib.Path(sys.argv[2])\n"
        "atlas = Atlas(root, get_plugin_manager(load_entrypoints=False))\n"
        "ok = bad = 0\n"
        "while not stop.exists() or ok < 5:\n"
        "    try:\n"
        "        said = []\n"
        "        r = atlas.reader(on_message=said.append)\n"
        "        res = atlas.query('handler request value', QueryOptions(), r)\n"
        "        assert res.selection.files and not said, said\n"
        "        r.close()\n"
        "        ok += 1\n"
        "    except Exception as exc:\n"
        "        bad += 1\n"
        "        print(type(exc).__name__, exc, file=sys.stderr)\n"
        "print(ok, bad)\n"
    )
    readers = [
        subprocess.Popen(
            [sys.executable, "-c", script, str(root), str(stop)],
            env=env,
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
        )
        for _ in range(2)
    ]
    try:
        for round_ in range(12):
            (root / "pkg" / f"mod{round_}.py").write_text(
                f"def changed_{round_}(request):\n    return request\n"
            )
            subprocess.run(index, env=env, check=True)
    finally:
        stop.touch()
    for proc in readers:
        out, err = proc.communicate(timeout=120)
        ok, bad = map(int, out.split())
        assert bad == 0 and ok >= 5, err
    # generations readers held were left in place; with no reader left, they go
    (root / "pkg" / "mod0.py").write_text("def final(request):\n    return request\n")
    subprocess.run(index, env=env, check=True)
    assert len(list(layout.generation_dirs(root / ".atlas"))) == 1


def test_in_process_readers_and_writer(tmp_path: Path, make_atlas: Callable[[Path], Atlas]) -> None:
    root = write_repo(tmp_path / "r", _many_files(60))
    writer = make_atlas(root)
    writer.index()
    reader_atlas = make_atlas(root)
    failures: list[str] = []
    done = threading.Event()
    queries = 0

    def read() -> None:
        nonlocal queries
        while not done.is_set() or queries < 5:
            try:
                said: list[str] = []
                with reader_atlas.reader(on_message=said.append) as r:
                    assert not said, said
                    reader_atlas.query("handler request", QueryOptions(), r)
                queries += 1
            except Exception as exc:  # pragma: no cover - the failure being tested for
                failures.append(f"{type(exc).__name__}: {exc}")

    thread = threading.Thread(target=read)
    thread.start()
    try:
        for round_ in range(10):
            (root / "pkg" / f"mod{round_}.py").write_text(f"x_{round_} = 1\n")
            writer.index()
    finally:
        done.set()
        thread.join(60)
    assert not failures and queries >= 5


# -- read-only places --------------------------------------------------------------


@pytest.fixture
def deny_writes(monkeypatch: pytest.MonkeyPatch) -> Callable[[Path], None]:
    """Make every write under a directory fail with EACCES, as for a non-root user.

    Tests run as root, for whom chmod does not stop writes; this patches the os calls
    Atlas writes with (open for writing, mkdir, rename, replace, unlink, rmdir) and access.
    """

    def deny(place: Path) -> None:
        prefix = str(place)

        def under(path: object, dir_fd: int | None = None) -> bool:
            if dir_fd is not None:
                return True
            return os.path.abspath(os.fsdecode(path)).startswith(prefix)  # type: ignore[arg-type]

        def refuse(path: object) -> OSError:
            return PermissionError(errno.EACCES, os.strerror(errno.EACCES), os.fsdecode(path))  # type: ignore[arg-type]

        real_open, real_access = os.open, os.access
        write_flags = os.O_WRONLY | os.O_RDWR | os.O_CREAT

        def fake_open(path: object, flags: int, *args: object, **kw: object) -> int:
            if flags & write_flags and under(path, kw.get("dir_fd")):  # type: ignore[arg-type]
                raise refuse(path)
            return real_open(path, flags, *args, **kw)  # type: ignore[arg-type]

        def fake_access(path: object, mode: int, *args: object, **kw: object) -> bool:
            if mode & os.W_OK and under(path):
                return False
            return real_access(path, mode, *args, **kw)  # type: ignore[arg-type]

        def guard(real: Callable[..., object]) -> Callable[..., object]:
            def call(path: object, *args: object, **kw: object) -> object:
                if under(path, kw.get("dir_fd")):  # type: ignore[arg-type]
                    raise refuse(path)
                return real(path, *args, **kw)

            return call

        monkeypatch.setattr(os, "open", fake_open)
        monkeypatch.setattr(os, "access", fake_access)
        for name in ("mkdir", "rename", "replace", "unlink", "rmdir"):
            monkeypatch.setattr(os, name, guard(getattr(os, name)))

    return deny


def test_read_only_cache_still_answers_queries(
    tmp_path: Path, deny_writes: Callable[[Path], None]
) -> None:
    root = write_repo(tmp_path / "r", FILES)
    assert run_atlas("--root", str(root), "-q", "index").code == 0
    expected = run_atlas("--root", str(root), "query", "parser")
    cache = root / ".atlas"
    before = _tree(cache)
    os.utime(root / "src" / "beta.py", ns=(1, 1))  # touched, not changed
    deny_writes(cache)
    for args in (["query", "parser"], ["quick", "parser"]):
        result = run_atlas("--root", str(root), *args)
        assert (result.code, result.stdout, result.stderr) == (0, expected.stdout, "")
    assert run_atlas("--root", str(root), "-q", "index").code == 0  # nothing to write
    assert run_atlas("--root", str(root), "-q", "inspect").code == 0
    (root / "src" / "beta.py").write_text("def beta_changed():\n    pass\n")
    _one_error_line(run_atlas("--root", str(root), "index"), "cannot write", str(cache))
    result = run_atlas("--root", str(root), "query", "parser")
    assert (result.code, result.stdout) == (0, expected.stdout)
    # the answer is the index's, and says which file it is out of date for
    assert result.stderr.startswith("atlas: warning: src/beta.py changed since the index")
    assert len(result.stderr.splitlines()) == 1
    assert _tree(cache) == before


def test_read_only_repository_without_index_is_one_line_error(
    tmp_path: Path, deny_writes: Callable[[Path], None]
) -> None:
    root = write_repo(tmp_path / "r", FILES)
    deny_writes(root)
    for args in (["index"], ["query", "parser"], ["quick", "parser"], ["inspect"]):
        _one_error_line(run_atlas("--root", str(root), *args), str(root / ".atlas"))
    assert not (root / ".atlas").exists()


def test_read_only_damaged_index_is_never_ranked_from(
    tmp_path: Path, deny_writes: Callable[[Path], None]
) -> None:
    root = write_repo(tmp_path / "r", FILES)
    assert run_atlas("--root", str(root), "-q", "index").code == 0
    cache = root / ".atlas"
    (cache / "CURRENT").write_bytes(b"garbage")
    deny_writes(cache)
    for args in (["index"], ["query", "parser"]):
        _one_error_line(run_atlas("--root", str(root), *args), "CURRENT is damaged", "writable")


def _ro_mount_available(tmp_path: Path) -> bool:
    probe = tmp_path / "probe"
    probe.mkdir()
    cmd = f"mount --bind {probe} {probe} && mount -o remount,ro,bind {probe} {probe}"
    try:
        done = subprocess.run(["unshare", "-m", "sh", "-c", cmd], capture_output=True, timeout=20)
    except (OSError, subprocess.SubprocessError):
        return False
    return done.returncode == 0


def test_read_only_mount_for_real(tmp_path: Path) -> None:
    """A read-only bind mount in a private mount namespace: EROFS even for root."""
    if not _ro_mount_available(tmp_path):
        pytest.skip("no private mount namespace (unshare -m) to make a read-only mount")
    root = write_repo(tmp_path / "r", FILES)
    atlas = [sys.executable, "-m", "atlas_core", "--root", str(root)]
    env = {**os.environ, "ATLAS_LOAD_PLUGINS": ""}
    subprocess.run([*atlas, "-q", "index"], env=env, check=True)
    expected = subprocess.run(
        [*atlas, "query", "parser"], env=env, capture_output=True, text=True, check=True
    ).stdout

    def ro(*args: str) -> subprocess.CompletedProcess[str]:
        quoted = " ".join(f"'{a}'" for a in [*atlas, *args])
        script = f"mount --bind {root} {root} && mount -o remount,ro,bind {root} {root} && {quoted}"
        return subprocess.run(
            ["unshare", "-m", "sh", "-c", script],
            env=env,
            capture_output=True,
            text=True,
            timeout=120,
        )

    result = ro("query", "parser")
    assert (result.returncode, result.stdout, result.stderr) == (0, expected, "")
    assert ro("index").returncode == 0  # nothing changed: nothing to write
    (root / "src" / "beta.py").write_text("def beta_changed():\n    pass\n")
    result = ro("index")
    assert result.returncode == 1 and "Read-only file system" in result.stderr
    assert len(result.stderr.strip().splitlines()) == 1, result.stderr
    result = ro("quick", "parser")
    assert result.returncode == 0 and result.stdout == expected, result.stderr
    # answered from the existing index, which is out of date for the changed file
    cannot, stale = result.stderr.strip().splitlines()
    assert "existing index" in cannot and "src/beta.py changed since the index" in stale
    shutil.rmtree(root / ".atlas")
    result = ro("query", "parser")
    assert result.returncode == 1 and len(result.stderr.strip().splitlines()) == 1
    assert "not writable" in result.stderr


# -- file names that are not UTF-8 --------------------------------------------------


def test_non_utf8_file_names_work_end_to_end(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("ATLAS_LOAD_PLUGINS", "graph,git")
    root = write_repo(tmp_path / "r", FILES, git=True)
    raw = os.fsencode(root) + b"/src/caf\xe9_latte.py"
    with open(raw, "wb") as fh:
        fh.write(b"def brew_latte():\n    return 'latte'\n")
    name = os.fsdecode(b"src/caf\xe9_latte.py")
    assert "\udce9" in name
    monkeypatch.setenv("ATLAS_RAISE_ERRORS", "1")  # a failure shows its traceback
    for args in (
        ["index"],
        ["query", "brew latte"],
        ["quick", "brew latte"],
        ["inspect"],
        ["explain", "brew latte"],
        ["index", "--force"],
    ):
        result = run_atlas("--root", str(root), "--format", "json", *args)
        assert result.code == 0, (args, result.stderr)
    reader = open_index(root / ".atlas", root)
    assert reader is not None and name in reader.paths
    assert os.fsencode(reader.paths[reader.ids[name]]) == b"src/caf\xe9_latte.py"
    result = run_atlas("--root", str(root), "--format", "jsonl", "query", "brew latte")
    # JSON must be valid UTF-8: the undecodable byte is shown escaped
    assert result.json_lines()[1]["Path"] == "src/caf\\xe9_latte.py"


def test_open_index_refuses_a_foreign_cache_without_reading_it(tmp_path: Path) -> None:
    cache = tmp_path / "c"
    cache.mkdir()
    (cache / "CURRENT").symlink_to(tmp_path / "nowhere")
    with pytest.raises(CacheDirError):
        open_index(cache)
