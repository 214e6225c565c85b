"""The shortcuts the graph build takes for speed give what the plain ways give."""

from __future__ import annotations

import random
from collections.abc import Callable
from pathlib import Path
from typing import Any

import numpy as np
from atlas_graph.build import content_hashes, graph_files
from atlas_graph.resolvers import common
from atlas_graph.resolvers.common import closest, imports_of

from atlas_core.engine import Atlas
from atlas_core.testing import write_repo

Build = Callable[..., set[tuple[str, str]]]


def _closest_reference(candidates: list[str], near: str) -> str | None:
    """closest() as first written: split every path into parts."""
    if not candidates:
        return None
    near_parts = near.split("/")[:-1]

    def key(path: str) -> tuple[int, int, str]:
        parts = path.split("/")[:-1]
        shared = 0
        for a, b in zip(parts, near_parts, strict=False):
            if a != b:
                break
            shared += 1
        return (-shared, len(parts), path)

    return min(candidates, key=key)


def test_closest_matches_the_part_by_part_definition() -> None:
    paths = [
        "x.py",
        "a/x.py",
        "a/b/x.py",
        "a/bc/x.py",
        "a/b/c/x.py",
        "ab/x.py",
        "a/b/y.py",
        "b/a/x.py",
        "a//b/x.py",
        "z/a/b/x.py",
    ]
    nears = [*paths, "a/b/c/d/e.py", "a/bcd/e.py", "q.py", "a/b"]
    rng = random.Random(7)
    for _ in range(3000):
        candidates = rng.sample(paths, rng.randint(1, len(paths)))
        near = rng.choice(nears)
        assert closest(candidates, near) == _closest_reference(candidates, near), (
            candidates,
            near,
        )
    assert closest([], "a.py") is None
    # the same depth of shared directories: "a/b" is not a prefix of "a/bc"
    assert closest(["a/b/x.py", "a/bc/x.py"], "a/bc/y.py") == "a/bc/x.py"


class _Hashes:
    def __init__(self, hashes: list[Any]) -> None:
        self.hashes = hashes

    def __len__(self) -> int:
        return len(self.hashes)


def test_content_hashes_keep_eight_bytes_of_each_zero_padded() -> None:
    hashes: list[Any] = [b"0123456789abcdef", b"", b"abc", bytearray(b"12345678"), b"z" * 40]
    expected = b"01234567" + b"\0" * 8 + b"abc" + b"\0" * 5 + b"12345678" + b"z" * 8
    assert content_hashes(_Hashes(hashes)) == expected  # type: ignore[arg-type]
    assert content_hashes(_Hashes([None, b"abcdefghij"])) == b"\0" * 8 + b"abcdefgh"  # type: ignore[arg-type]
    assert content_hashes(_Hashes([])) == b""  # type: ignore[arg-type]


def _indexed(tmp_path: Path, graph_atlas: Callable[..., Atlas]) -> Any:
    root = write_repo(
        tmp_path / "repo",
        {
            "pkg/__init__.py": "from .a import f\n",
            "pkg/a.py": "import os\nfrom pkg import b\n\ndef f():\n    return 1\n\nclass A: ...\n",
            "pkg/b.py": "X = 1\n",
            "web/app.js": "import {x} from './lib.js';\nexport function main() {}\n",
            "web/lib.js": "export const x = 1;\n",
            "vendor/skip.py": "import pkg\n",
        },
    )
    atlas = graph_atlas(root)
    atlas.index()
    return atlas.reader()


def test_imports_read_from_raw_records_equal_those_of_chunks(
    tmp_path: Path, graph_atlas: Callable[..., Atlas]
) -> None:
    reader = _indexed(tmp_path, graph_atlas)
    found = 0
    for i in range(len(reader)):
        plain = [(c.name, c.signature) for c in reader.chunks(i) if c.kind == "import"]
        assert imports_of(reader, i) == plain
        found += len(plain)
    assert found >= 4


def test_a_view_without_raw_records_reads_imports_through_chunks(
    tmp_path: Path, graph_atlas: Callable[..., Atlas]
) -> None:
    reader = _indexed(tmp_path, graph_atlas)

    class View:  # what a plugin's own IndexView may offer: chunks() only
        def chunks(self, i: int) -> Any:
            return reader.chunks(i)

    i = reader.ids["pkg/a.py"]
    assert common._read_imports(View(), i) == [  # type: ignore[arg-type]
        (c.name, c.signature) for c in reader.chunks(i) if c.kind == "import"
    ]


def test_graph_files_is_computed_once_and_read_only(
    tmp_path: Path, graph_atlas: Callable[..., Atlas]
) -> None:
    reader = _indexed(tmp_path, graph_atlas)
    mask = graph_files(reader)
    assert mask is graph_files(reader)
    assert not mask.flags.writeable
    expected = [
        s == "ok" and r not in {"vendor", "generated"}
        for s, r in zip(reader.statuses, reader.roles, strict=True)
    ]
    assert np.array_equal(mask, expected)


def test_each_directory_gets_its_own_nearest_copy_of_a_module(graph_edges: Build) -> None:
    """Monorepo copies of one project: a module name has a candidate per copy, and the
    nearest is remembered per directory, never across directories."""
    files = {}
    for copy in ("one", "two"):
        files[f"{copy}/app/__init__.py"] = ""
        files[f"{copy}/app/util.py"] = "X = 1\n"
        files[f"{copy}/app/main.py"] = "from app import util\nimport app.util\n"
        files[f"{copy}/app/sub/__init__.py"] = ""
        files[f"{copy}/app/sub/run.py"] = "from app.util import X\n"
        # a namespace package (no __init__.py) found by its path's tail
        files[f"{copy}/ns/tool/helper.py"] = "Y = 2\n"
        files[f"{copy}/app/sub/job.py"] = "from ns.tool import helper\n"
    edges = graph_edges(files)
    expected = set()
    for copy in ("one", "two"):
        expected |= {
            (f"{copy}/app/main.py", f"{copy}/app/util.py"),
            (f"{copy}/app/sub/run.py", f"{copy}/app/util.py"),
            (f"{copy}/app/sub/job.py", f"{copy}/ns/tool/helper.py"),
        }
    assert edges == expected


def _layout_key_reference(paths: list[str], hashes: bytes, fingerprint: str) -> str:
    """layout_key() as first written: a loop over the paths."""
    import hashlib

    from atlas_graph.build import CONFIG_FILES

    digest = hashlib.sha1()
    digest.update(fingerprint.encode())
    digest.update("\0".join(paths).encode("utf-8", "surrogateescape"))
    for i, path in enumerate(paths):
        if path.rpartition("/")[2] in CONFIG_FILES:
            digest.update(i.to_bytes(8, "little"))
            digest.update(hashes[i * 8 : (i + 1) * 8])
    return digest.hexdigest()


def test_layout_key_finds_config_files_as_a_loop_over_the_paths_would() -> None:
    from atlas_graph.build import layout_key

    names = [
        "package.json",
        "a/package.json",
        "a/xpackage.json",
        "package.json/x.py",
        "a/tsconfig.json.bak",
        "go.mod",
        "b/go.mod",
        "b/ago.mod",
        "caf\udce9/Cargo.toml",  # a non-UTF-8 directory name
        "Cargo.toml",
        "x",
        "",
        "c/composer.json",
        "jsconfig.json",
        "d/.mod",
        "MODULE.bazel",
        "e/xMODULE.bazel",
        "WORKSPACE",
        "f/WORKSPACE.bazel",
        "f/WORKSPACE.bazel.bak",
    ]
    rng = random.Random(11)
    for _ in range(300):
        paths = sorted(rng.sample(names, rng.randint(1, len(names))))
        hashes = rng.randbytes(8 * len(paths))

        class View:
            fingerprint = "fp"

        view = View()
        view.paths = paths  # type: ignore[attr-defined]
        assert layout_key(view, hashes, {}) == _layout_key_reference(paths, hashes, "fp"), paths  # type: ignore[arg-type]


def test_content_hashes_match_a_loop_over_hashes_of_any_length() -> None:
    rng = random.Random(1)
    for _ in range(500):
        hashes: list[Any] = [
            rng.choice([rng.randbytes(16), b"", rng.randbytes(rng.randint(1, 7)), rng.randbytes(9)])
            for _ in range(rng.randint(0, 40))
        ]
        expected = b"".join(h[:8].ljust(8, b"\0") for h in hashes)
        assert content_hashes(_Hashes(hashes)) == expected  # type: ignore[arg-type]


def test_an_edit_carries_the_content_hashes_with_the_changed_ones_in_place(
    tmp_path: Path, graph_atlas: Callable[..., Atlas], monkeypatch: Any
) -> None:
    from atlas_graph import build

    root = write_repo(
        tmp_path / "repo",
        {"pkg/a.py": "from pkg import b\n", "pkg/b.py": "X = 1\n", "pkg/c.py": "Y = 2\n"},
    )
    atlas = graph_atlas(root)
    atlas.index()

    def refuse(reader: Any) -> bytes:
        raise AssertionError("all hashes computed again")

    monkeypatch.setattr(build, "content_hashes", refuse)
    with open(root / "pkg" / "b.py", "a") as fh:
        fh.write("Z = 3\n")
    assert atlas.index().contributors["graph"] == "updated"
    monkeypatch.undo()
    with atlas.reader(build_if_missing=False) as reader:
        assert reader.extra("graph")["hashes"] == content_hashes(reader)
    (root / "pkg" / "d.py").write_text("W = 4\n")  # a file added: computed again
    monkeypatch.setattr(build, "content_hashes", refuse)
    assert atlas.index().contributors["graph"] == "failed"
