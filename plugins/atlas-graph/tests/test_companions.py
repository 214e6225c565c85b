"""A header's centrality is shared with its implementation file."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import numpy as np
from atlas_graph.companions import share_with_implementations
from atlas_graph.signals import PageRankSignal

from atlas_core.components import QueryContext
from atlas_core.engine import Atlas
from atlas_core.testing import write_repo


def test_an_implementation_takes_its_headers_rank_when_higher() -> None:
    paths = ["src/jv.h", "src/jv.c", "src/main.c", "include/git2/repo.h", "src/repo.c"]
    rank = np.array([0.5, 0.1, 0.2, 0.4, 0.05])
    shared = share_with_implementations(paths, rank)
    assert shared.tolist() == [0.5, 0.5, 0.2, 0.4, 0.4]
    assert rank.tolist() == [0.5, 0.1, 0.2, 0.4, 0.05]  # the input is left alone


def test_no_implementation_is_guessed_from_an_ambiguous_name() -> None:
    paths = ["include/util.h", "a/util.c", "b/util.c", "lib/fmt.h", "lib/fmt.hpp"]
    rank = np.array([0.9, 0.1, 0.2, 0.3, 0.0])
    assert share_with_implementations(paths, rank).tolist() == rank.tolist()


def test_pagerank_lifts_the_implementation_of_a_widely_included_header(
    tmp_path: Path, graph_atlas: Callable[..., Atlas]
) -> None:
    files = {"src/jv.h": "int jv_parse(const char *s);\n", "src/jv.c": '#include "jv.h"\n'}
    for name in ("main", "lexer", "parser", "builtin"):
        files[f"src/{name}.c"] = f'#include "jv.h"\nint {name}(void) {{ return 0; }}\n'
    atlas = graph_atlas(write_repo(tmp_path / "r", files))
    atlas.index()
    reader = atlas.reader()
    scores = PageRankSignal().score(QueryContext("parse", ["parse"], reader))
    ids = reader.ids
    assert scores[ids["src/jv.c"]] == scores[ids["src/jv.h"]] > scores[ids["src/main.c"]]
    reader.close()
