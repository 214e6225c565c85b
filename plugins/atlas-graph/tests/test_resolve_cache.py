"""Resolvers remember what an import line resolves to: per directory when the answer
depends on where the importing file is, for every file otherwise. Either way each file
must get what resolving it alone gives."""

from __future__ import annotations

from collections.abc import Callable

import pytest

Build = Callable[..., set[tuple[str, str]]]


def test_one_python_line_in_many_directories(graph_edges: Build) -> None:
    files = {"lib/shared.py": "Z = 0\n"}
    for copy in ("one", "two", "three/deep"):
        files[f"{copy}/pkg/__init__.py"] = ""
        files[f"{copy}/pkg/util.py"] = "X = 1\n"
        # relative: each directory its own; "shared": one file wherever it is asked from;
        # "pkg.util" has a copy per project: the nearest; "os" names no file
        files[f"{copy}/pkg/a.py"] = (
            "import os\nfrom . import util\nfrom .util import X\nimport shared\n"
            "from pkg import util, missing\n"
        )
        files[f"{copy}/pkg/b.py"] = "import os\nfrom . import util\nimport shared\n"
    edges = graph_edges(files)
    expected = set()
    for copy in ("one", "two", "three/deep"):
        for name in ("a", "b"):
            expected |= {
                (f"{copy}/pkg/{name}.py", f"{copy}/pkg/util.py"),
                (f"{copy}/pkg/{name}.py", "lib/shared.py"),
            }
        expected.add((f"{copy}/pkg/a.py", f"{copy}/pkg/__init__.py"))
    assert edges == expected


def test_one_java_line_in_many_directories(graph_edges: Build) -> None:
    files = {"common/src/com/acme/Only.java": "package com.acme;\npublic class Only {}\n"}
    for copy in ("one", "two"):
        base = f"{copy}/src/com/acme"
        files[f"{base}/Util.java"] = "package com.acme;\npublic class Util {}\n"
        files[f"{base}/tool/Helper.java"] = "package com.acme.tool;\npublic class Helper {}\n"
        files[f"{base}/app/Main.java"] = (
            "package com.acme.app;\n"
            "import com.acme.Util;\nimport com.acme.Only;\nimport com.acme.tool.*;\n"
            "public class Main {}\n"
        )
    edges = graph_edges(files)
    expected = set()
    for copy in ("one", "two"):
        main = f"{copy}/src/com/acme/app/Main.java"
        expected |= {
            (main, f"{copy}/src/com/acme/Util.java"),
            (main, "common/src/com/acme/Only.java"),
            (main, f"{copy}/src/com/acme/tool/Helper.java"),
        }
    assert edges == expected


def test_absurdly_long_import_names_are_not_resolved(
    graph_edges: Build, request: pytest.FixtureRequest
) -> None:
    """Resolvers try each prefix of a name, so a name of 100,000 parts took minutes and
    10 GB; a name longer than MAX_NAME (no real import comes near) is passed over. One of
    100,000 characters is not even stored: the index drops names past its own cap."""
    from atlas_graph.build import MAX_NAME

    from atlas_core.index.process import _NAME_MAX

    deep = "/".join(["a"] * 600)  # a real file, named by an import of 1,203 characters
    files = {
        f"src/{deep}/Far.java": "package x;\npublic class Far {}\n",
        "src/b/Near.java": "package b;\npublic class Near {}\n",
        "src/app/Main.java": (
            "package app;\nimport b.Near;\n"
            f"import {deep.replace('/', '.')}.Far;\n"
            f"import {'.'.join(['z'] * 50_000)}.Z;\npublic class Main {{}}\n"
        ),
    }
    assert _NAME_MAX > len(deep) + len(".Far") > MAX_NAME
    dropped = f"src/app/Main.java: returned 1 chunk with a kind or name longer than {_NAME_MAX}"
    # the regex chunker skips lines that long
    regex = request.node.callspec.params["graph_edges"] == "regex"
    problems = () if regex else (f"{dropped} characters: dropped",)
    assert graph_edges(files, problems=problems) == {("src/app/Main.java", "src/b/Near.java")}
