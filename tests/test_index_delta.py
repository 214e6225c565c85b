"""Incremental updates (delta generations, the cached walk) give exactly what a rebuild gives."""

from __future__ import annotations

import os
import random
from collections.abc import Callable
from pathlib import Path
from typing import Any

import attrs
import numpy as np
import pytest

from atlas_core.engine import Atlas, QueryOptions
from atlas_core.index import delta, walkcache
from atlas_core.index.filestats import FileStats
from atlas_core.index.reader import IndexReader
from atlas_core.testing import write_repo

WORDS = (
    "retry client parse config handler request token cache error json output verbose "
    "schema render router session backoff timeout socket stream buffer"
).split()
TASKS = [
    "add retry logic to the http client",
    "fix parsing of the configuration file",
    "render the json output",
    "handle a socket timeout in the stream buffer",
]


def _source(rng: random.Random, name: str) -> str:
    words = rng.sample(WORDS, 6)
    body = "\n".join(f"    {w}_{i} = {rng.randint(0, 99)}" for i, w in enumerate(words))
    return f'"""{name}: {" ".join(words[:3])}."""\n\n\ndef {words[0]}_{name}():\n{body}\n'


def _initial(rng: random.Random) -> dict[str, str | bytes]:
    files: dict[str, str | bytes] = {}
    for d in ("src/net", "src/conf", "lib", "docs", "tests"):
        for k in range(5):
            name = f"{d.replace('/', '_')}{k}"
            files[f"{d}/{name}.py"] = _source(rng, name)
    files["README.md"] = "# Demo\n\nA client with retry and a config parser.\n"
    return files


def _round(root: Path, rng: random.Random, n: int) -> None:
    """Edit, add, delete and rename a few files."""
    paths = sorted(
        p.relative_to(root).as_posix()
        for p in root.rglob("*.py")
        if ".atlas" not in p.parts and ".forced" not in p.parts
    )
    for rel in rng.sample(paths, 2):
        with open(root / rel, "a") as fh:  # in place: the directory does not change
            fh.write(f"\n# {rng.choice(WORDS)} {rng.choice(WORDS)} round {n}\n")
    new_dir = root / f"pkg{n % 2}" / "sub"
    new_dir.mkdir(parents=True, exist_ok=True)
    (new_dir / f"added{n}.py").write_text(_source(rng, f"added{n}"))
    gone, moved = rng.sample([p for p in paths if (root / p).exists()], 2)
    (root / gone).unlink()
    os.rename(root / moved, root / f"lib/moved{n}.py")


def _snapshot(atlas: Atlas, reader: IndexReader) -> dict[str, Any]:
    terms: dict[str, Any] = {}
    for term in sorted(set(reader.vocabulary())):
        tid = reader.term_id(term)
        assert tid is not None
        docs, tf = reader.postings(tid)
        if len(docs):
            terms[term] = ([reader.paths[d] for d in docs.tolist()], tf.tolist())
    queries = []
    for task in TASKS:
        result = atlas.query(task, QueryOptions(), reader)
        queries.append(attrs.asdict(result.selection))
        queries.append(np.round(result.fused, 12).tolist())
    return {
        "paths": list(reader.paths),
        "symbols": [reader.symbol_record(i) for i in range(len(reader))],
        "doclen": reader.doclen.tolist(),
        "prior": reader.path_prior.tolist(),
        "avgdl": reader.stats["avgdl"],
        "postings": reader.stats["postings"],
        "terms": terms,
        "queries": queries,
    }


@pytest.mark.parametrize("fraction", [0.0, 0.4, 1000.0])
def test_incremental_rounds_match_a_forced_rebuild(
    tmp_path: Path,
    make_atlas: Callable[[Path], Atlas],
    monkeypatch: pytest.MonkeyPatch,
    fraction: float,
) -> None:
    """fraction 0: every update is a full generation; 1000: every update a delta."""
    monkeypatch.setattr(delta, "MERGE_FRACTION", fraction)
    monkeypatch.setattr(walkcache, "RACY_NS", 0)  # test edits are milliseconds apart
    rng = random.Random(fraction)
    root = write_repo(tmp_path / "r", _initial(rng))
    atlas = make_atlas(root)
    atlas.index()
    deltas = 0
    for n in range(6):
        _round(root, rng, n)
        report = atlas.index()
        assert report.changed_anything
        with atlas.reader(build_if_missing=False) as reader:
            deltas += reader.delta
            incremental = _snapshot(atlas, reader)
        forced = make_atlas(root)
        forced.cache = tmp_path / f"forced{n}"
        forced.index(force=True)
        with forced.reader(build_if_missing=False) as reader:
            assert not reader.delta
            assert _snapshot(forced, reader) == incremental
        # nothing changed since: the cached walk finds the same files, nothing is written
        again = atlas.index()
        assert not again.changed_anything and not again.wrote
    assert deltas == (6 if fraction > 1 else 0) or 0 < fraction < 1


def test_cached_walk_sees_new_files_in_unchanged_looking_trees(
    tmp_path: Path, make_atlas: Callable[[Path], Atlas], monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(walkcache, "RACY_NS", 0)
    root = write_repo(tmp_path / "r", {"a/b/one.py": "x = 1\n", "c/.gitignore": "*.log\n"})
    (root / "empty").mkdir()
    atlas = make_atlas(root)
    atlas.index()
    atlas.index()  # a walk record now exists
    assert walkcache.cached_walk(root, atlas.cache, atlas._walk_key() or "") is not None
    (root / "empty" / "two.py").write_text("y = 2\n")  # a directory that held no file
    (root / "c" / "three.log").write_text("ignored\n")
    (root / "c" / ".gitignore").write_text("*.txt\n")  # now the log file counts
    report = atlas.index()
    assert report.added == 2
    with atlas.reader(build_if_missing=False) as reader:
        assert reader.paths == ("a/b/one.py", "c/.gitignore", "c/three.log", "empty/two.py")


def test_a_cached_walk_finds_what_a_full_walk_finds(
    tmp_path: Path, make_atlas: Callable[[Path], Atlas], monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(walkcache, "RACY_NS", 0)
    root = write_repo(tmp_path / "r", {"a/b/one.py": "x = 1\n", "c/two.md": "# two\n"})
    (root / "link.py").symlink_to(root / "a" / "b" / "one.py")
    atlas = make_atlas(root)
    atlas.index()
    atlas.index()  # the first made the cache directory: its walk record is out of date
    key = atlas._walk_key() or ""
    cached = walkcache.cached_walk(root, atlas.cache, key)
    assert cached is not None
    walked, _ = atlas.walk()
    assert cached == FileStats.of(root, walked)
    assert cached.paths == ["a/b/one.py", "c/two.md", "link.py"]
    # its paths come with the bytes the file table stores: taken without decoding
    assert cached.joined is not None
    with atlas.reader(build_if_missing=False) as reader:
        table = reader.meta["files"]
        assert table.adopt_paths(cached.paths, cached.joined)
        assert table["path"] is cached.paths
        assert reader.paths == tuple(cached.paths)


def test_a_malformed_walk_record_means_a_full_walk(
    tmp_path: Path, make_atlas: Callable[[Path], Atlas], monkeypatch: pytest.MonkeyPatch
) -> None:
    from atlas_core.index import layout

    monkeypatch.setattr(walkcache, "RACY_NS", 0)
    root = write_repo(tmp_path / "r", {"a/one.py": "x = 1\n"})
    atlas = make_atlas(root)
    atlas.index()
    atlas.index()
    key = atlas._walk_key() or ""
    assert walkcache.cached_walk(root, atlas.cache, key) is not None
    path = atlas.cache / walkcache.NAME
    record = layout.read_checked(path)
    for field, bad in (("dir_stamps", b"\0" * 5), ("dirs", 7), ("paths", None)):
        layout.write_checked(path, {**record, field: bad})  # checksummed, but not ours
        assert walkcache.cached_walk(root, atlas.cache, key) is None
    report = atlas.index()
    assert report.files == 1 and not report.errors


def test_racy_directories_are_not_trusted(
    tmp_path: Path, make_atlas: Callable[[Path], Atlas]
) -> None:
    root = write_repo(tmp_path / "r", {"a/one.py": "x = 1\n"})
    atlas = make_atlas(root)
    atlas.index()  # the directories were modified a moment ago: no shortcut next time
    assert walkcache.cached_walk(root, atlas.cache, atlas._walk_key() or "") is None


def test_an_edit_rebinds_the_walk_record_without_rewriting_it(
    tmp_path: Path, make_atlas: Callable[[Path], Atlas], monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(walkcache, "RACY_NS", 0)
    root = write_repo(tmp_path / "r", {"a/one.py": "x = 1\n", "b/two.py": "y = 2\n"})
    atlas = make_atlas(root)
    atlas.index()
    atlas.index()  # a walk record now exists
    record = atlas.cache / walkcache.NAME
    before = record.stat()
    (root / "a" / "one.py").write_text("x = 3\n")  # a file's content: no directory changes
    assert atlas.index().changed == 1
    after = record.stat()
    assert (after.st_ino, after.st_mtime_ns) == (before.st_ino, before.st_mtime_ns)
    key = atlas._walk_key() or ""
    assert walkcache.cached_walk(root, atlas.cache, key) is not None  # bound to the new one
    (atlas.cache / walkcache.BIND).write_bytes(b"damaged")
    assert walkcache.cached_walk(root, atlas.cache, key) is None  # doubt: a full walk


def test_a_delta_generation_writes_its_own_arrays_into_the_metadata(
    tmp_path: Path, make_atlas: Callable[[Path], Atlas]
) -> None:
    """Each file written costs an fsync: an edit writes the metadata and its chunk records
    and links the base's files; its own arrays are in the metadata."""
    root = write_repo(tmp_path / "r", _initial(random.Random(5)))
    atlas = make_atlas(root)
    atlas.index()
    with open(root / "lib" / "lib0.py", "a") as fh:
        fh.write("\n# client retry\n")
    atlas.index()
    with atlas.reader(build_if_missing=False) as reader:
        assert reader.delta
        for name in ("base_map", "delta_doc", "delta_tf", "doclen", "symbols_src"):
            assert reader.inline(name) and not (reader.gen / f"{name}.npy").exists()
        files = {p.name for p in reader.gen.glob("*.npy")}
    linked = {*delta.BASE_FILES, "vocab_off.npy", "vocab_order.npy", "path_off.npy", "path_doc.npy"}
    assert files and files <= linked


def test_path_arrays_a_delta_recomputes_are_files_the_next_deltas_link(
    tmp_path: Path, make_atlas: Callable[[Path], Atlas]
) -> None:
    """An added file changes the path dictionary: the delta writes it as files, so the
    deltas after it link them instead of carrying megabytes in every metadata."""
    root = write_repo(tmp_path / "r", _initial(random.Random(7)))
    atlas = make_atlas(root)
    atlas.index()
    (root / "lib" / "added.py").write_text("def added_client():\n    return 1\n")
    atlas.index()
    with atlas.reader(build_if_missing=False) as reader:
        assert reader.delta
        made = {n: (reader.gen / f"{n}.npy").stat().st_ino for n in ("path_off", "path_doc")}
        assert not any(reader.inline(n) for n in made)
    with open(root / "lib" / "lib0.py", "a") as fh:
        fh.write("\n# client retry\n")
    atlas.index()
    with atlas.reader(build_if_missing=False) as reader:
        assert reader.delta
        for name, inode in made.items():
            assert not reader.inline(name)
            assert (reader.gen / f"{name}.npy").stat().st_ino == inode  # linked, not written
        assert [reader.paths[int(d)] for d in reader.path_docs("added")] == ["lib/added.py"]


def test_only_the_generation_is_fsynced_on_an_edit(
    tmp_path: Path,
    make_atlas: Callable[[Path], Atlas],
    monkeypatch: pytest.MonkeyPatch,
    request: pytest.FixtureRequest,
) -> None:
    """The walk's bind is a shortcut: written atomically, not fsynced (a crash leaves the
    old, the new or a torn file that fails its checksum). atlas-graph's tests check the
    same of contributors' data."""
    monkeypatch.setattr(walkcache, "RACY_NS", 0)
    root = write_repo(tmp_path / "r", _initial(random.Random(6)))
    atlas = make_atlas(root)
    atlas.index()
    atlas.index()  # a walk record now exists: the next edit rebinds it
    synced = request.getfixturevalue("fsynced_paths")  # from here on
    with open(root / "lib" / "lib0.py", "a") as fh:
        fh.write("\n# client retry\n")
    report = atlas.index()
    assert report.changed == 1
    cache = str(atlas.cache)
    assert synced and all(p.startswith(cache) for p in synced)
    assert not [p for p in synced if "extras" in p or walkcache.BIND in p]
    assert any("CURRENT" in p for p in synced)  # the publication is durable
    assert any(p.endswith("/meta.msgpack") for p in synced)  # and what it publishes
    assert walkcache.cached_walk(root, atlas.cache, atlas._walk_key() or "") is not None
