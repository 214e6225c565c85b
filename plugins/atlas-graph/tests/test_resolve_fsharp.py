"""F#: a script's ``#load`` paths, relative to the script.

Only the tree-sitter query records ``#load`` (the regex chunker has no F# rules): with the
regex chunker alone the repository has no edge. ``open`` names a namespace or module, which
no file name tells, so it gives none either way.
"""

from __future__ import annotations

from collections.abc import Callable

import pytest

Edges = set[tuple[str, str]]
Build = Callable[..., Edges]


@pytest.fixture
def treesitter(request: pytest.FixtureRequest) -> bool:
    """Whether ``graph_edges`` runs with the tree-sitter chunker (else the regex one)."""
    return bool(request.node.callspec.params["graph_edges"] == "treesitter")


def test_fsharp_load_is_relative_to_the_script(graph_edges: Build, treesitter: bool) -> None:
    edges = graph_edges(
        {
            "scripts/build.fsx": '#load "lib/Helpers.fsx"\n#load "../src/Types.fs"\n'
            '#load "tools\\\\Zip.fsx"\n#load "Missing.fsx"\n#r "nuget: Fake.Core"\n'
            "open Helpers\nopen Types\n\nlet run () = Helpers.clean ()\n",
            "scripts/lib/Helpers.fsx": '#load "../../src/Types.fs"\n\nlet clean () = ()\n',
            "scripts/tools/Zip.fsx": "let zip () = ()\n",
            "src/Types.fs": "module Types\n\ntype Order = { Id: int }\n",
            # `open Helpers` names a module: this file of that name is no edge
            "src/Helpers.fs": "module Helpers\n\nlet clean () = ()\n",
            "Missing.fsx": "let x = 1\n",  # not beside the script: no edge
        }
    )
    expected = {
        ("scripts/build.fsx", "scripts/lib/Helpers.fsx"),
        ("scripts/build.fsx", "src/Types.fs"),
        ("scripts/build.fsx", "scripts/tools/Zip.fsx"),  # a Windows path
        ("scripts/lib/Helpers.fsx", "src/Types.fs"),
    }
    assert edges == (expected if treesitter else set())
