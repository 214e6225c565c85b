"""Short skims: when not even a file's skim fits, one of the best files is given as its
outline alone, cut to what fits; `render` and `--format context` show the same text."""

from __future__ import annotations

import random
import re
from collections.abc import Callable
from pathlib import Path

import numpy as np

from atlas_core.index.layout import cache_dir_for
from atlas_core.index.reader import open_index
from atlas_core.output.context import render_context
from atlas_core.output.skim import short_skim, skim_text, skim_tokens
from atlas_core.select.budget import select_ranked
from atlas_core.testing import CliResult, write_repo
from atlas_core.types import Chunk

Cli = Callable[..., CliResult]

# the best match for "refund payment": 400 functions, an outline of 200 of them is far
# more than a small budget
GATEWAY = (
    "".join(f"def helper_{i}(value):\n    return value + {i}\n\n" for i in range(400))
    + "def refund_payment(order):\n    return gateway.refund(order)\n"
)
REPO = {
    "src/payments/gateway.py": GATEWAY,
    "src/payments/refund.py": "from payments.gateway import refund_payment\n\n"
    "def refund(order):\n    return refund_payment(order)\n",
    "src/payments/util.py": "def cents(amount):\n    return int(amount * 100)\n",
    "src/shipping/refund_label.py": "def refund_label(order):\n    return order\n",
    "docs/refunds.md": "# Refunds\n\nHow a refund payment works.\n",
}
BEST = "src/payments/gateway.py"


def _records(cli: Cli, repo: Path, budget: int) -> list[dict]:
    result = cli(
        "--root", str(repo), "quick", "refund payment", "--max-tokens", str(budget),
        "--format", "jsonl",
    )  # fmt: skip
    assert result.code == 0, result.stderr
    return result.json_lines()


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


# -- selection ------------------------------------------------------------------------


def test_a_best_file_whose_skim_does_not_fit_is_given_short() -> None:
    scores = np.array([1.0, 0.9, 0.8])
    order = np.argsort(-scores)
    tokens = [5000, 300, 900]

    def short(i: int, room: int | None, room_bytes: int | None) -> tuple[int, int, int] | None:
        assert room is not None
        return (room, 4 * room, room // 10) if i == 0 else None

    args = dict(max_tokens=1000, max_bytes=None, min_score=0.0, top=None)
    skims = {0: (1200, 4800), 2: (400, 1600)}
    before = select_ranked(
        order,
        scores,
        tokens,
        tokens,
        skim=lambda i, room: skims.get(i),
        **args,  # type: ignore[arg-type]
    )
    assert [p.index for p in before.picks] == [1, 2]  # the best file was dropped
    chosen = select_ranked(
        order,
        scores,
        tokens,
        tokens,
        skim=lambda i, room: skims.get(i),
        short=short,
        **args,  # type: ignore[arg-type]
    )
    # a quarter of the budget at most, the others keep their rooms
    assert [(p.index, p.skim_tokens, p.skim_lines) for p in chosen.picks] == [
        (0, 250, 25),
        (1, None, None),
        (2, 400, None),
    ]
    assert chosen.left_out == 0


def test_a_selection_with_short_skims_never_exceeds_its_budget() -> None:
    rng = random.Random(5)
    shorts = 0
    for _ in range(300):
        n = rng.randint(1, 30)
        scores = np.sort(np.array([rng.random() for _ in range(n)]))[::-1].copy()
        order = np.arange(n)
        tokens = [rng.randint(1, 6000) for _ in range(n)]
        skims = {i: (t // rng.randint(2, 8),) * 2 for i, t in enumerate(tokens)}

        def short(
            i: int, room: int | None, room_bytes: int | None, skims: dict = skims
        ) -> tuple[int, int, int] | None:
            size = min(room or 0, room_bytes or 10**9, skims[i][0] - 1)
            return (size, size, 1) if size > 10 else None

        budget = rng.randint(0, 8000)
        max_bytes = rng.choice([None, rng.randint(0, 8000)])
        chosen = select_ranked(
            order, scores, tokens, tokens, max_tokens=budget, max_bytes=max_bytes,
            min_score=0.0, top=rng.choice([None, 5, 20]),
            skim=lambda i, room, skims=skims: skims[i], short=short,
        )  # fmt: skip
        costs = [
            p.skim_tokens if p.skim_tokens is not None else tokens[p.index] for p in chosen.picks
        ]
        assert sum(costs) <= min(budget, max_bytes if max_bytes is not None else budget)
        shorts += sum(p.skim_lines is not None for p in chosen.picks)
    assert shorts > 50  # the sweep did take short skims


# -- end to end -----------------------------------------------------------------------


def test_the_best_file_appears_short_in_a_tiny_budget(tmp_path: Path, atlas_cli: Cli) -> None:
    repo = write_repo(tmp_path / "repo", REPO)
    records = _records(atlas_cli, repo, 300)
    files, footer = records[1:-1], records[-1]
    best = next(f for f in files if f["Path"] == BEST)
    assert best["Skim"] is True and best["SkimLines"] >= 1
    assert best["SkimTokens"] <= 300 // 4
    assert footer["TotalTokens"] == sum(f.get("SkimTokens", f["Tokens"]) for f in files) <= 300
    human = atlas_cli(
        "--root", str(repo), "query", "refund payment", "--max-tokens", "300", "--format", "human"
    )
    assert "short skim of" in human.stdout


def test_render_and_context_show_the_short_skim_exactly(tmp_path: Path, atlas_cli: Cli) -> None:
    repo = write_repo(tmp_path / "repo", REPO)
    selection = atlas_cli(
        "--root", str(repo), "quick", "refund payment", "--max-tokens", "300", "--format", "jsonl"
    )
    best = next(f for f in selection.json_lines()[1:-1] if f["Path"] == BEST)
    reader = open_index(cache_dir_for(repo), repo)
    expected = skim_text(
        GATEWAY, best["Symbols"], reader.chunks(reader.ids[BEST]), best["SkimLines"]
    )
    assert skim_tokens(expected) == best["SkimTokens"]  # what the shown text costs
    assert "... L1201 (matched): def refund_payment(order):" in expected
    rendered = atlas_cli(
        "--root", str(repo), "render", "-", "--max-tokens", "5000", stdin=selection.stdout
    )
    context = atlas_cli(
        "--root", str(repo), "quick", "refund payment", "--max-tokens", "300",
        "--format", "context",
    )  # fmt: skip
    for doc in (rendered.stdout, context.stdout):
        assert "skimmed short" in doc
        block = re.search(r"## src/payments/gateway\.py\n\n```python\n(.*?)```\n", doc, re.S)
        assert block is not None, doc
    # the selection's own short skim, whatever the document's budget
    assert block_of(rendered.stdout) == expected
    assert re.fullmatch(
        r"(\.\.\. L\d+( \(matched\))?: .*\n)+\.\.\. \([\d,]+ more symbols not shown\)\n",
        block_of(context.stdout),
    )


def block_of(doc: str) -> str:
    found = re.search(r"## src/payments/gateway\.py\n\n```python\n(.*?)```\n", doc, re.S)
    assert found is not None
    return found.group(1)


def test_budgets_are_never_exceeded_with_short_skims(tmp_path: Path, atlas_cli: Cli) -> None:
    repo = write_repo(tmp_path / "repo", REPO)
    for budget in (150, 200, 300, 450, 700, 1000, 1500, 2500, 4000):
        records = _records(atlas_cli, repo, budget)
        files, footer = records[1:-1], records[-1]
        assert footer["TotalTokens"] == sum(f.get("SkimTokens", f["Tokens"]) for f in files)
        assert footer["TotalTokens"] <= budget
        assert BEST in [f["Path"] for f in files]  # whole, skimmed or short: never dropped
        context = atlas_cli(
            "--root", str(repo), "quick", "refund payment", "--max-tokens", str(budget),
            "--format", "context",
        )  # fmt: skip
        used = int(re.search(r"This document: ([\d,]+) tokens", context.stdout)[1].replace(",", ""))  # type: ignore[index]
        assert used <= budget and len(context.stdout.encode()) <= 4 * budget
        if budget >= 300:  # below, the document's header leaves too little room
            assert "`src/payments/gateway.py`" in context.stdout


def test_a_record_without_a_usable_skim_lines_renders_the_skim(
    tmp_path: Path, atlas_cli: Cli
) -> None:
    repo = write_repo(tmp_path / "repo", REPO)
    atlas_cli("--root", str(repo), "index")
    symbols = [{"Name": "refund_payment", "Kind": "function", "Start": 1201, "End": 1202}]
    reader = open_index(cache_dir_for(repo), repo)
    chunks = reader.chunks(reader.ids[BEST])
    for lines, expected in (
        (2, skim_text(GATEWAY, symbols, chunks, 2)),
        (None, skim_text(GATEWAY, symbols, chunks)),  # a v0.3 record of a skim
        (True, skim_text(GATEWAY, symbols, chunks)),
        ("3", skim_text(GATEWAY, symbols, chunks)),
    ):
        record = {"Path": BEST, "Language": "python", "Skim": True, "Symbols": symbols}
        if lines is not None:
            record["SkimLines"] = lines
        doc = render_context(repo, "refund payment", [record], 50_000)
        assert block_of(doc.text) == expected
