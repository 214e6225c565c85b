"""The on-disk index: incremental updates, odd files, crash and corruption recovery."""

from __future__ import annotations

import os
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest

from atlas_core.engine import Atlas
from atlas_core.errors import IndexCorruptError
from atlas_core.index.reader import open_index
from atlas_core.testing import write_repo

FILES = {
    "src/alpha.py": "def alpha():\n    return 'alpha'\n",
    "src/beta.py": "def beta():\n    return 'beta'\n",
    "README.md": "# Demo\n",
}


def test_cache_dir_is_ignored_by_git_and_the_walk(
    tmp_path: Path, make_atlas: Callable[[Path], Atlas]
) -> None:
    root = write_repo(tmp_path / "r", FILES)
    atlas = make_atlas(root)
    atlas.index()
    assert (root / ".atlas" / ".gitignore").read_text().splitlines()[-1] == "*"
    assert not any(p.startswith(".atlas") for p in atlas.reader().paths)


def test_incremental_add_modify_delete(tmp_path: Path, make_atlas: Callable[[Path], Atlas]) -> None:
    root = write_repo(tmp_path / "r", FILES)
    atlas = make_atlas(root)
    first = atlas.index()
    assert (first.added, first.changed, first.deleted) == (3, 0, 0)
    again = atlas.index()
    assert (again.added, again.changed, again.deleted, again.unchanged) == (0, 0, 0, 3)
    assert not again.wrote
    (root / "src" / "gamma.py").write_text("def gamma():\n    return 'gamma'\n")
    (root / "src" / "alpha.py").write_text("def alpha_renamed():\n    return 'omega'\n")
    (root / "src" / "beta.py").unlink()
    report = atlas.index()
    assert (report.added, report.changed, report.deleted, report.unchanged) == (1, 1, 1, 1)
    reader = atlas.reader()
    assert reader.paths == ("README.md", "src/alpha.py", "src/gamma.py")
    assert reader.term_id("beta") is None or not len(reader.postings(reader.term_id("beta"))[0])
    docs, _ = reader.postings(reader.term_id("omega"))
    assert [reader.paths[d] for d in docs] == ["src/alpha.py"]
    docs, _ = reader.postings(reader.term_id("gamma"))
    assert [reader.paths[d] for d in docs] == ["src/gamma.py"]


def test_touched_but_unchanged_file_is_not_reprocessed(
    tmp_path: Path, make_atlas: Callable[[Path], Atlas]
) -> None:
    root = write_repo(tmp_path / "r", FILES)
    atlas = make_atlas(root)
    atlas.index()
    path = root / "src" / "alpha.py"
    os.utime(path, ns=(1, 1))
    report = atlas.index()
    assert (report.changed, report.unchanged) == (0, 3) and not report.wrote
    reader = atlas.reader()  # the new stat is recorded: the next run takes the fast path
    assert reader.meta["files"]["mtime_ns"][reader.ids["src/alpha.py"]] == 1


def test_force_rebuilds(tmp_path: Path, make_atlas: Callable[[Path], Atlas]) -> None:
    root = write_repo(tmp_path / "r", FILES)
    atlas = make_atlas(root)
    atlas.index()
    report = atlas.index(force=True)
    assert report.added == 3 and report.wrote


def test_binary_large_and_undecodable_files(
    tmp_path: Path, make_atlas: Callable[[Path], Atlas]
) -> None:
    root = write_repo(
        tmp_path / "r",
        {
            "logo.png": b"\x89PNG\r\n\x1a\n\x00\x00binary",
            "big.py": "x = 1\n" * 400_000,
            "latin1.py": "name = 'caf\xe9'\n".encode("latin-1"),
            "ok.py": "def ok():\n    pass\n",
        },
    )
    atlas = make_atlas(root)
    atlas.index()
    reader = atlas.reader()
    status = dict(zip(reader.paths, reader.statuses, strict=True))
    assert status == {"big.py": "large", "latin1.py": "ok", "logo.png": "binary", "ok.py": "ok"}
    assert reader.stats["undecodable"] == 1
    assert reader.stats["skipped"] == {"binary": 1, "large": 1}
    assert reader.term_id("caf") is not None


def test_unreadable_file_is_counted_not_fatal(
    tmp_path: Path, make_atlas: Callable[[Path], Atlas]
) -> None:
    if os.geteuid() == 0:
        pytest.skip("root can read any file")
    root = write_repo(tmp_path / "r", {"a.py": "x", "secret.py": "y"})
    (root / "secret.py").chmod(0)
    atlas = make_atlas(root)
    report = atlas.index()
    assert report.errors and "secret.py" in report.errors[0]


def test_unreadable_directories_are_reported_and_counted_as_files_are(
    tmp_path: Path, make_atlas: Callable[[Path], Atlas], monkeypatch: pytest.MonkeyPatch
) -> None:
    from atlas_core.index import process

    root = write_repo(tmp_path / "r", {"a.py": "x", "locked/b.py": "y", "secret.py": "z"})
    real_scandir, real_read = os.scandir, process._read

    def scandir(path: Any) -> Any:  # what listing a directory without read permission does
        if str(path).endswith("locked"):
            raise PermissionError(13, "Permission denied", path)
        return real_scandir(path)

    def read(path: str, limit: int, opened: int | None = None) -> tuple[bytes, int]:
        if path.endswith("secret.py"):
            raise PermissionError(13, "Permission denied", path)
        return real_read(path, limit, opened)

    monkeypatch.setattr(os, "scandir", scandir)
    monkeypatch.setattr(process, "_read", read)
    atlas = make_atlas(root)
    report = atlas.index()
    assert report.errors == [
        "locked/: directory cannot be read; nothing under it is indexed",
        "secret.py: Permission denied",
    ]
    assert atlas.reader().stats["skipped"] == {"unreadable": 2}
    assert atlas.index().errors == []  # said when taken in, as for the file


def test_interrupted_index_leaves_previous_generation_live(
    tmp_path: Path, make_atlas: Callable[[Path], Atlas]
) -> None:
    root = write_repo(tmp_path / "r", FILES)
    atlas = make_atlas(root)
    atlas.index()
    live = (root / ".atlas" / "CURRENT").read_text()
    # what a crash mid-write leaves behind: a half-written temporary generation
    stray = root / ".atlas" / "tmp-000099-1"
    stray.mkdir()
    (stray / "meta.msgpack").write_bytes(b"partial")
    assert (root / ".atlas" / "CURRENT").read_text() == live
    assert open_index(root / ".atlas") is not None
    (root / "src" / "new.py").write_text("def fresh():\n    pass\n")
    atlas.index()
    assert not stray.exists()
    assert "src/new.py" in atlas.reader().paths


@pytest.mark.parametrize(
    "damage", ["meta-bytes", "truncated-array", "missing-generation", "old-format"]
)
def test_corrupted_index_is_rebuilt_with_a_message(
    tmp_path: Path, damage: str, make_atlas: Callable[[Path], Atlas]
) -> None:
    root = write_repo(tmp_path / "r", FILES)
    atlas = make_atlas(root)
    atlas.index()
    cache = root / ".atlas"
    gen = cache / (cache / "CURRENT").read_text().strip()
    if damage == "meta-bytes":
        data = bytearray((gen / "meta.msgpack").read_bytes())
        data[-5] ^= 0xFF
        (gen / "meta.msgpack").write_bytes(bytes(data))
    elif damage == "truncated-array":
        path = gen / "post_doc.npy"
        path.write_bytes(path.read_bytes()[:-4])
    elif damage == "missing-generation":
        (cache / "CURRENT").write_text("gen-999999")
    else:
        data = bytearray((gen / "meta.msgpack").read_bytes())
        data[9:11] = (1).to_bytes(2, "little")
        (gen / "meta.msgpack").write_bytes(bytes(data))
    with pytest.raises(IndexCorruptError):
        open_index(cache)
    messages: list[str] = []
    report = atlas.index(on_message=messages.append)
    assert report.added == 3 and report.rebuilt_reason
    assert messages and "rebuilding" in messages[0]
    assert sorted(atlas.reader().paths) == sorted(FILES)


def test_two_concurrent_index_runs_leave_a_valid_index(tmp_path: Path) -> None:
    import subprocess
    import sys

    files = {
        f"pkg/mod{i}.py": f"def function_{i}(value):\n    return value * {i}\n" for i in range(300)
    }
    root = write_repo(tmp_path / "r", files)
    env = {**os.environ, "ATLAS_LOAD_PLUGINS": ""}
    cmd = [sys.executable, "-m", "atlas_core", "--root", str(root), "-q", "index", "--force"]
    runs = [subprocess.Popen(cmd, env=env, stderr=subprocess.PIPE) for _ in range(2)]
    for run in runs:
        _, err = run.communicate(timeout=120)
        assert run.returncode == 0, err
    reader = open_index(root / ".atlas")
    assert reader is not None and len(reader.paths) == 300
    term = reader.term_id("value")
    assert term is not None
    docs, _ = reader.postings(term)
    assert len(docs) == 300
    assert len([p for p in (root / ".atlas").iterdir() if p.name.startswith("gen-")]) == 1


def test_dictionary_stays_sorted_and_complete_across_incremental_updates(
    tmp_path: Path, make_atlas: Callable[[Path], Atlas]
) -> None:
    import random

    rng = random.Random(7)
    words = [
        f"{a}{b}"
        for a in ("alpha", "beta", "gamma", "delta", "omega")
        for b in ("Parser", "Client", "Store", "Queue", "Cache", "Index")
    ]
    root = write_repo(
        tmp_path / "r", {f"m{i}.py": " ".join(rng.sample(words, 5)) for i in range(40)}
    )
    atlas = make_atlas(root)
    atlas.index()
    for round_ in range(4):
        for i in rng.sample(range(40), 3):
            (root / f"m{i}.py").write_text(" ".join(rng.sample(words, 4)) + f" round{round_}x")
        atlas.index()
        reader = atlas.reader()
        vocab = reader.vocabulary()
        ordered = [vocab[i] for i in reader.array("vocab_order").tolist()]
        assert ordered == sorted(ordered, key=lambda t: t.encode())
        for term in {*vocab, f"round{round_}x"}:
            tid = reader.term_id(term)
            assert tid is not None and vocab[tid] == term
        for i in range(40):
            text = (root / f"m{i}.py").read_text()
            docs, _ = reader.postings(reader.term_id(text.split()[0].lower()) or 0)
            assert reader.ids[f"m{i}.py"] in docs.tolist()


def _postings_by_term(atlas: Atlas) -> dict[str, list[tuple[str, list[int]]]]:
    reader = atlas.reader()
    out = {}
    for term in reader.vocabulary():
        tid = reader.term_id(term)
        assert tid is not None
        docs, tf = reader.postings(tid)
        out[term] = [(reader.paths[d], t) for d, t in zip(docs.tolist(), tf.tolist(), strict=True)]
    reader.close()
    return out


def test_workers_starting_new_term_numberings_give_the_same_index(
    tmp_path: Path, make_atlas: Callable[[Path], Atlas], monkeypatch: pytest.MonkeyPatch
) -> None:
    from atlas_core.index import process

    files = {
        f"pkg{i % 7}/mod{i}.py": f"def handler{i}(retryCount, http2Client):\n"
        f"    return Shared{i % 5}Store.fetch_{i % 11}(retryCount)\n"
        for i in range(120)
    }
    a = tmp_path / "a"
    b = tmp_path / "b"
    write_repo(a, files)
    write_repo(b, files)
    plain = make_atlas(a)
    plain.index()
    expected = _postings_by_term(plain)
    monkeypatch.setattr(process, "_TERMS_MAX", 8)
    monkeypatch.setattr(process, "_IDENTS_MAX", 8)
    small = make_atlas(b)
    small.index()  # every batch of every worker starts a new numbering
    assert _postings_by_term(small) == expected
    assert len(expected) > 50
    table = process.TermTable()
    process.field_frequencies(table, ("a", "", "fooBar bazQux oneTwo threeFour"))
    assert table.full
    table.reset()
    assert (table.epoch, table.terms, table.take_new()) == (1, [], (0, []))


def _crc_calls(monkeypatch: pytest.MonkeyPatch) -> list[int]:
    import zlib

    from atlas_core.index import reader as reader_module

    calls: list[int] = []
    crc32 = zlib.crc32

    def counting(data: bytes, value: int = 0) -> int:
        calls.append(len(data))
        return crc32(data, value)

    monkeypatch.setattr(reader_module.zlib, "crc32", counting)
    return calls


def test_files_unwritten_since_publication_are_not_checksummed_again(
    tmp_path: Path, make_atlas: Callable[[Path], Atlas], monkeypatch: pytest.MonkeyPatch
) -> None:
    root = write_repo(tmp_path / "r", FILES)
    atlas = make_atlas(root)
    atlas.index()
    gen = atlas.reader().gen
    meta = gen / "meta.msgpack"
    times = [p.stat().st_mtime_ns for p in gen.iterdir() if p.name != "meta.msgpack"]
    newest, oldest = max(times), min(times)
    calls = _crc_calls(monkeypatch)
    # as new as the metadata: within one clock tick a write leaves the time unchanged
    os.utime(meta, ns=(oldest, oldest))
    open_index(root / ".atlas").verify()
    assert sum(calls) >= sum(p.stat().st_size for p in gen.iterdir() if p != meta)
    calls.clear()
    later = newest + 10**9
    os.utime(meta, ns=(later, later))
    open_index(root / ".atlas").verify()
    assert sum(calls) <= meta.stat().st_size + 64  # the metadata's own check (and CURRENT's)
    # a write changes the time: that file is checked, and its damage found
    post = gen / "post_doc.npy"
    data = bytearray(post.read_bytes())
    data[-1] ^= 0xFF
    post.write_bytes(bytes(data))
    os.utime(post, ns=(later - 1, later - 1))
    with pytest.raises(IndexCorruptError, match="post_doc"):
        open_index(root / ".atlas").verify()


def test_decoded_chunks_are_kept_and_bounded(
    tmp_path: Path, make_atlas: Callable[[Path], Atlas], monkeypatch: pytest.MonkeyPatch
) -> None:
    import atlas_core.index.reader as reader_module

    root = write_repo(tmp_path / "r", FILES)
    atlas = make_atlas(root)
    atlas.index()
    reader = atlas.reader()
    alpha, beta = reader.ids["src/alpha.py"], reader.ids["src/beta.py"]
    decoded: list[int] = []
    record = reader.symbol_record
    monkeypatch.setattr(reader, "symbol_record", lambda i: decoded.append(i) or record(i))
    first = reader.chunks(alpha)
    assert [c.name for c in first] == ["alpha"]
    assert isinstance(first, tuple)  # kept and shared: nobody can change it
    assert [c.name for c in reader.chunks(alpha)] == ["alpha"]
    assert decoded == [alpha]  # decoded once
    monkeypatch.setattr(reader_module, "_CHUNK_CACHE", 1)
    assert [c.name for c in reader.chunks(beta)] == ["beta"]
    assert [c.name for c in reader.chunks(alpha)] == ["alpha"]  # beta pushed it out
    assert decoded == [alpha, beta, alpha]
