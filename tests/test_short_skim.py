"""Short skims: a file's outline alone, cut to what fits, when not even its skim does."""

from __future__ import annotations

import random

from atlas_core.output.skim import short_skim, skim_text
from atlas_core.types import Chunk

# -- the text -------------------------------------------------------------------------


def _chunks(n: int) -> list[Chunk]:
    return [
        Chunk("function", f"f{i}", f"f{i}", 3 * i + 1, 3 * i + 2, f"def f{i}():") for i in range(n)
    ]


def test_a_short_skim_is_the_outline_nearest_the_matches_cut_to_fit() -> None:
    text = "".join(f"def f{i}():\n    pass\n\n" for i in range(10))
    matched = [{"Name": "f5", "Start": 16, "End": 17}]
    got = short_skim(text, matched, _chunks(10), lambda s: s.count("\n") <= 4)
    assert got is not None
    shown, lines = got
    # the match first and marked, then its neighbours; in file order, the rest counted
    assert shown == (
        "... L13: def f4():\n... L16 (matched): def f5():\n... L19: def f6():\n"
        "... (7 more symbols not shown)\n"
    )
    assert lines == 3
    assert skim_text(text, matched, _chunks(10), lines) == shown
    # nothing cut when everything fits; nothing at all when not even one line does
    whole = short_skim(text, matched, _chunks(10), lambda s: True)
    assert whole is not None and whole[1] == 10 and "more symbols" not in whole[0]
    assert short_skim(text, matched, _chunks(10), lambda s: False) is None


def test_a_file_without_symbols_is_cut_to_its_first_lines() -> None:
    text = "".join(f"line {i}\n" for i in range(100))
    got = short_skim(text, [], [], lambda s: len(s) <= 60)
    assert got is not None
    assert got[0] == "line 0\nline 1\nline 2\nline 3\nline 4\n... (95 more lines)\n"
    assert skim_text(text, [], [], got[1]) == got[0]


def test_the_longest_short_skim_that_fits_is_found() -> None:
    rng = random.Random(11)
    for _ in range(200):
        n = rng.randint(1, 40)
        text = "".join(f"def f{i}():\n    pass\n\n" for i in range(n))
        matched = [
            {"Start": 3 * k + 1, "End": 3 * k + 2}
            for k in rng.sample(range(n), rng.randint(0, min(3, n)))
        ]
        room = rng.randint(0, 400)
        got = short_skim(text, matched, _chunks(n), lambda s, room=room: len(s) <= room)
        fitting = [
            k for k in range(1, n + 1) if len(skim_text(text, matched, _chunks(n), k)) <= room
        ]
        assert (got[1] if got else None) == (max(fitting) if fitting else None)
