"""PageRank by power iteration, checked on graphs small enough to work out by hand."""

from __future__ import annotations

import numpy as np
import pytest
from atlas_graph.pagerank import pagerank


def test_a_two_node_cycle_splits_evenly() -> None:
    rank = pagerank(2, np.array([0, 1]), np.array([1, 0]))
    assert rank == pytest.approx([0.5, 0.5])


def test_a_star_puts_the_imported_file_first_with_the_textbook_values() -> None:
    # 1, 2, 3 import 0; 0 imports nothing (dangling: its rank is spread evenly)
    n, d = 4, 0.85
    rank = pagerank(n, np.array([1, 2, 3]), np.array([0, 0, 0]), damping=d)
    assert rank.sum() == pytest.approx(1.0)
    # leaves: r = (1-d)/n + d*r0/n; hub: r0 = (1-d)/n + d*(3r + r0/n)
    leaf = rank[1]
    assert rank[0] == pytest.approx((1 - d) / n + d * (3 * leaf + rank[0] / n))
    assert leaf == pytest.approx((1 - d) / n + d * rank[0] / n)
    assert rank[0] > 3 * leaf and np.allclose(rank[1:], leaf)


def test_a_chain_ranks_deeper_dependencies_higher() -> None:
    # 0 -> 1 -> 2 -> 3: each file passes its weight on to its dependency
    rank = pagerank(4, np.array([0, 1, 2]), np.array([1, 2, 3]))
    assert list(np.argsort(-rank)) == [3, 2, 1, 0]
    assert rank.sum() == pytest.approx(1.0)


def test_weights_and_teleport_personalise_the_walk() -> None:
    src, dst = np.array([0, 0]), np.array([1, 2])
    weighted = pagerank(3, src, dst, weights=np.array([3.0, 1.0]))
    assert weighted[1] > weighted[2]
    seeded = pagerank(3, np.array([1, 2]), np.array([0, 0]), teleport=np.array([0.0, 1.0, 0.0]))
    # restarting at file 1 only: file 2 is unreachable and gets nothing
    assert seeded[2] == pytest.approx(0.0) and seeded[1] > 0 and seeded[0] > 0
    assert seeded.sum() == pytest.approx(1.0)


def test_an_empty_graph() -> None:
    assert len(pagerank(0, np.zeros(0, int), np.zeros(0, int))) == 0
    assert pagerank(3, np.zeros(0, int), np.zeros(0, int)) == pytest.approx([1 / 3] * 3)
