"""What an agent receives: skims instead of drops, seeds, scope, root discovery, and the
task-free views (outline, map, related), end to end through the command line."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from collections.abc import Callable
from pathlib import Path

import numpy as np
import pytest

from atlas_core.errors import UsageError
from atlas_core.rank.related import pairing_key
from atlas_core.select.budget import select_ranked
from atlas_core.select.scope import compile_glob, normalise_pattern
from atlas_core.testing import CliResult, write_repo
from atlas_core.tokens import estimate_tokens

Cli = Callable[..., CliResult]

HELPERS = "".join(
    f"def helper_{i}(value):\n" + "    value += 1\n" * 30 + "    return value\n\n"
    for i in range(60)
)
REPO = {
    # the best match for "refund payment", far bigger than a small budget
    "src/payments/gateway.py": HELPERS
    + "def refund_payment(order):\n    return gateway.refund(order)\n",
    "src/payments/refund.py": "from payments.gateway import refund_payment\n\n"
    "def refund(order):\n    return refund_payment(order)\n",
    "src/payments/util.py": "def cents(amount):\n    return int(amount * 100)\n",
    "tests/test_gateway.py": "from payments.gateway import refund_payment\n\n"
    "def test_refund_payment():\n    assert refund_payment\n",
    "src/shipping/label.py": "def print_label(order):\n    return order\n",
    "src/shipping/refund_label.py": "def refund_label(order):\n    return order\n",
    "docs/refunds.md": "# Refunds\n\nHow a refund payment works.\n",
}


@pytest.fixture
def repo(tmp_path: Path) -> Path:
    return write_repo(tmp_path / "repo", REPO)


def _query(cli: Cli, repo: Path, *args: str) -> tuple[dict, list[dict], dict]:
    result = cli("--root", str(repo), "quick", *args, "--format", "jsonl")
    assert result.code == 0, result.stderr
    lines = result.json_lines()
    return lines[0], lines[1:-1], lines[-1]


# -- skim, don't drop -----------------------------------------------------------------


def test_selection_walks_the_ranking_in_order_and_never_exceeds_the_budget() -> None:
    scores = np.array([1.0, 0.9, 0.8, 0.7])
    order = np.argsort(-scores)
    tokens = [5000, 300, 900, 100]
    skims = {0: (400, 1600), 2: (2000, 8000)}
    chosen = select_ranked(
        order,
        scores,
        tokens,
        [t * 4 for t in tokens],
        max_tokens=1000,
        max_bytes=None,
        min_score=0.0,
        top=None,
        skim=lambda i, room: skims.get(i),
    )
    assert [(p.index, p.skim_tokens) for p in chosen.picks] == [(0, 400), (1, None), (3, None)]
    assert chosen.left_out == 1  # file 2: neither whole (900) nor its skim (2000) fits
    used = sum(
        p.skim_tokens if p.skim_tokens is not None else tokens[p.index] for p in chosen.picks
    )
    assert used <= 1000
    # seeds are walked first, whatever their score
    first = select_ranked(
        order,
        scores,
        tokens,
        tokens,
        max_tokens=None,
        max_bytes=None,
        min_score=0.75,
        top=None,
        first=[3],
    )
    assert [p.index for p in first.picks] == [3, 0, 1, 2]


def test_a_file_too_big_for_the_budget_is_skimmed_not_dropped(repo: Path, atlas_cli: Cli) -> None:
    _, files, footer = _query(atlas_cli, repo, "refund payment", "--max-tokens", "600")
    top = next(f for f in files if f["Path"] == "src/payments/gateway.py")
    assert top["Skim"] is True and top["SkimTokens"] < 600 < top["Tokens"]
    assert footer["TotalTokens"] <= 600
    assert footer["TotalTokens"] == sum(f.get("SkimTokens", f["Tokens"]) for f in files)
    unlimited = _query(atlas_cli, repo, "refund payment", "--max-tokens", "0")[1]
    # nothing lost against the ranking: the same files in the same order
    assert [f["Path"] for f in files] == [f["Path"] for f in unlimited][: len(files)]
    human = atlas_cli(
        "--root", str(repo), "query", "refund payment", "--max-tokens", "600", "--format", "human"
    )
    assert "skim of" in human.stdout and "skimmed" in human.stdout


def test_a_file_of_thousands_of_symbols_is_skimmed_within_a_small_budget(
    tmp_path: Path, atlas_cli: Cli
) -> None:
    # 3,000 functions: an outline of all of them (about 19,000 tokens) fits no small budget
    many = "".join(f"def handler_{i}(event):\n    return event\n\n" for i in range(3000))
    repo = write_repo(
        tmp_path / "many",
        {"src/handlers.py": many + "def route_refund(event):\n    return event\n", "src/x.py": ""},
    )
    _, files, footer = _query(atlas_cli, repo, "route_refund is wrong", "--max-tokens", "2000")
    best = files[0]
    assert best["Path"] == "src/handlers.py" and best["Skim"] is True
    assert best["SkimTokens"] <= footer["TotalTokens"] <= 2000
    context = atlas_cli(
        "--root", str(repo), "quick", "route_refund is wrong", "--max-tokens", "2000",
        "--format", "context",
    )  # fmt: skip
    assert "def route_refund(event):" in context.stdout
    assert "more symbols not shown)" in context.stdout


def test_render_and_context_give_the_selections_skims(repo: Path, atlas_cli: Cli) -> None:
    selection = atlas_cli(
        "--root", str(repo), "quick", "refund payment", "--max-tokens", "600", "--format", "jsonl"
    )
    rendered = atlas_cli(
        "--root", str(repo), "render", "-", "--max-tokens", "5000", stdin=selection.stdout
    )
    context = atlas_cli(
        "--root",
        str(repo),
        "quick",
        "refund payment",
        "--max-tokens",
        "600",
        "--format",
        "context",
        "--max-tokens",
        "5000",
    )
    for doc in (rendered.stdout, context.stdout):
        # a budget that would hold the whole file still gets the skim the selection chose
        assert "def refund_payment(order):\n    return gateway.refund(order)" in doc
        assert "... L1: def helper_0(value):" in doc and "value += 1" not in doc


def test_files_that_do_not_fit_even_skimmed_are_counted(repo: Path, atlas_cli: Cli) -> None:
    _, files, footer = _query(atlas_cli, repo, "refund payment", "--max-tokens", "40")
    assert footer["LeftOut"] >= 1 and footer["TotalTokens"] <= 40
    assert "src/payments/gateway.py" not in [f["Path"] for f in files]
    human = atlas_cli(
        "--root", str(repo), "query", "refund payment", "--max-tokens", "40", "--format", "human"
    )
    assert "ranked files left out" in human.stdout


def test_a_selection_for_a_document_pays_for_its_lines() -> None:
    scores = np.array([1.0, 0.9, 0.8])
    order = np.argsort(-scores)
    tokens = [300, 100, 100]
    args = dict(max_tokens=500, max_bytes=None, min_score=0.0, top=None)
    plain = select_ranked(order, scores, tokens, tokens, **args)  # type: ignore[arg-type]
    assert [p.index for p in plain.picks] == [0, 1, 2]
    framed = select_ranked(
        order,
        scores,
        tokens,
        tokens,
        **args,
        frame=lambda i, skimmed: 50,  # type: ignore[arg-type]
    )
    # 300 + 50 and 100 + 50 fill the 500: the third file has no room for its lines
    assert [p.index for p in framed.picks] == [0, 1] and framed.left_out == 1
    skimmed = select_ranked(
        order,
        scores,
        [900, 100, 100],
        [3600, 400, 400],
        **args,  # type: ignore[arg-type]
        skim=lambda i, room: (200, 800) if i == 0 else None,
        frame=lambda i, skimmed: 60 if skimmed else 40,
    )
    # the skim's size is its own; its room held its lines too (200 + 60, 140, 140 > 500)
    assert [(p.index, p.skim_tokens) for p in skimmed.picks] == [(0, 200), (1, None)]


def test_a_context_document_shows_every_file_its_query_chose(repo: Path, atlas_cli: Cli) -> None:
    import atlas_core

    for budget in range(550, 900, 50):
        doc = atlas_cli(
            "--root", str(repo), "quick", "refund payment", "--format", "context",
            "--max-tokens", str(budget),
        ).stdout  # fmt: skip
        # the selection left room for the document's own lines: nothing chosen is dropped
        assert "more than the budget has left" not in doc, budget
        assert estimate_tokens(len(doc.encode())) <= budget
    with atlas_core.open(repo) as lib:
        for style in ("markdown", "xml"):
            result = lib.query("refund payment", max_tokens=600, document=style)
            shown = lib.render(result, max_tokens=600, style=style)
            assert shown.included == [f.path for f in result.selection.files]
            assert shown.omitted == [] and shown.tokens <= 600
        with pytest.raises(UsageError, match="document must be one of 'markdown', 'xml'"):
            lib.query("refund payment", document="html")


def test_a_budget_nothing_fits_says_so_not_that_nothing_matched(repo: Path, atlas_cli: Cli) -> None:
    args = ("refund payment", "--max-tokens", "5", "--top", "1")
    _, files, footer = _query(atlas_cli, repo, *args)
    assert files == [] and footer["LeftOut"] == 1
    human = atlas_cli("--root", str(repo), "query", *args, "--format", "human")
    assert human.stdout.startswith("No file fits the budget: 1 ranked files left out")
    assert "No file matches" not in human.stdout
    # a document says so too, rather than only "No files included."
    for style, line in (
        ("markdown", "- 1 more ranked files: too big for the budget even skimmed"),
        ("xml", '<ranked count="1" reason="too big for the budget even skimmed'),
    ):
        doc = atlas_cli(
            "--root", str(repo), "query", "refund payment", "--max-tokens", "90", "--top", "1",
            "--format", "context", "--style", style,
        ).stdout  # fmt: skip
        assert line in doc and estimate_tokens(len(doc.encode())) <= 90, doc


# -- seeds ----------------------------------------------------------------------------


def test_a_seed_is_listed_first_and_lifts_its_neighbours(repo: Path, atlas_cli: Cli) -> None:
    header, files, _ = _query(atlas_cli, repo, "--seed", "src/payments/gateway.py:62")
    assert header["Seeds"] == ["src/payments/gateway.py"] and header["Query"] == ""
    assert files[0]["Path"] == "src/payments/gateway.py" and files[0]["Seed"] is True
    assert files[0]["Symbols"][0]["Name"] == "helper_1" and files[0]["Symbols"][0]["Seed"]
    paths = [f["Path"] for f in files]
    # with no task at all, its package's code, then its test (by name), then unrelated files
    assert set(paths[1:3]) == {"src/payments/refund.py", "src/payments/util.py"}
    assert paths[3] == "tests/test_gateway.py"
    assert "src/shipping/label.py" not in paths[:4]
    _, hidden, _ = _query(
        atlas_cli, repo, "refund", "--seed", "src/payments/gateway.py", "--no-seed-files"
    )
    assert "src/payments/gateway.py" not in [f["Path"] for f in hidden]
    assert not any(f.get("Seed") for f in hidden)


def test_bad_seeds_and_empty_tasks_are_one_line_errors(repo: Path, atlas_cli: Cli) -> None:
    missing = atlas_cli("--root", str(repo), "query", "x", "--seed", "src/nope.py")
    assert missing.code == 2 and "seed 'src/nope.py' is not an indexed file" in missing.stderr
    assert len(missing.stderr.strip().splitlines()) == 1
    empty = atlas_cli("--root", str(repo), "query")
    assert empty.code == 2 and "the task is empty" in empty.stderr
    no_git = atlas_cli("--root", str(repo), "query", "x", "--diff")
    assert no_git.code == 2 and "--diff" in no_git.stderr and "Traceback" not in no_git.stderr


def _git(root: Path, *args: str) -> None:
    env = {
        **os.environ,
        "GIT_AUTHOR_NAME": "t",
        "GIT_AUTHOR_EMAIL": "t@e",
        "GIT_COMMITTER_NAME": "t",
        "GIT_COMMITTER_EMAIL": "t@e",
    }
    subprocess.run(["git", *args], cwd=root, check=True, env=env, capture_output=True)


def test_diff_seeds_the_changed_files(tmp_path: Path, atlas_cli: Cli) -> None:
    repo = write_repo(tmp_path / "g", REPO, git=True)
    (repo / "src/shipping/label.py").write_text("def print_label(order, size):\n    return 1\n")
    (repo / "src/shipping/new.py").write_text("def fresh():\n    return 2\n")  # untracked
    header, files, _ = _query(atlas_cli, repo, "--diff")
    assert set(header["Seeds"]) == {"src/shipping/label.py", "src/shipping/new.py"}
    assert {f["Path"] for f in files[:2]} == set(header["Seeds"])
    _git(repo, "add", "-A")
    _git(repo, "commit", "-qm", "two")
    assert _query(atlas_cli, repo, "refund", "--diff", "HEAD~1")[0]["Seeds"]
    clean = atlas_cli("--root", str(repo), "query", "--diff")
    assert clean.code == 2 and "--diff found no changed indexed file" in clean.stderr
    bad = atlas_cli("--root", str(repo), "query", "x", "--diff", "no-such-ref")
    assert bad.code == 2 and "--diff" in bad.stderr


def test_files_changed_since_the_index_are_named_not_shown_silently(
    repo: Path, atlas_cli: Cli
) -> None:
    def query(*args: str) -> CliResult:
        return atlas_cli("--root", str(repo), "query", *args, "--format", "jsonl")

    assert atlas_cli("--root", str(repo), "index").code == 0
    assert "changed since the index" not in query("refund payment").stderr
    refund = repo / "src/payments/refund.py"
    os.utime(refund, ns=(1, 1))  # touched, the same content: nothing to say
    assert "changed since the index" not in query("refund payment").stderr
    refund.write_text("# moved down\n" * 5 + refund.read_text())
    (repo / "docs/refunds.md").unlink()
    result = query("refund payment")
    assert result.code == 0
    # the index's lines for refund() are now five lines off, and the doc is gone
    assert "2 files (" in result.stderr and "src/payments/refund.py" in result.stderr
    assert "docs/refunds.md" in result.stderr and "run 'atlas index'" in result.stderr
    outline = atlas_cli("--root", str(repo), "outline", "src/payments/refund.py")
    assert "src/payments/refund.py changed since the index was built" in outline.stderr
    assert atlas_cli("--root", str(repo), "index").code == 0
    assert "changed since the index" not in query("refund payment").stderr


def test_diff_names_changed_files_the_index_does_not_have(tmp_path: Path, atlas_cli: Cli) -> None:
    repo = write_repo(tmp_path / "g", REPO, git=True)
    assert atlas_cli("--root", str(repo), "index").code == 0
    (repo / "src/shipping/new.py").write_text("def fresh():\n    return 2\n")  # untracked
    empty = atlas_cli("--root", str(repo), "query", "--diff")
    assert empty.code == 2 and "src/shipping/new.py is not in the index" in empty.stderr
    ranked = atlas_cli("--root", str(repo), "-v", "query", "refund", "--diff")
    assert ranked.code == 0 and "--diff: src/shipping/new.py is not in the index" in ranked.stderr
    related = atlas_cli("--root", str(repo), "related", "--diff", "--format", "human")
    assert related.stdout == "No changed indexed file.\n"
    assert "--diff: src/shipping/new.py is not in the index" in related.stderr
    # once indexed it is a seed like the others
    assert _query(atlas_cli, repo, "--diff")[0]["Seeds"] == ["src/shipping/new.py"]


def test_diff_takes_one_revision_of_a_repository_with_commits(
    tmp_path: Path, atlas_cli: Cli
) -> None:
    repo = write_repo(tmp_path / "g", REPO, git=True)
    _git(repo, "commit", "-qm", "two", "--allow-empty")
    for ref, says in (
        ("HEAD..HEAD~1", "--diff takes one revision to compare the working tree with, not a"),
        ("HEAD~1...", "not a range ('HEAD~1...')"),
        ("^HEAD", "--diff: '^HEAD' is not a revision of this repository"),
        ("HEAD^@", "--diff: 'HEAD^@' is not a revision of this repository"),
    ):
        done = atlas_cli("--root", str(repo), "query", "x", "--diff", ref)
        assert done.code == 2 and says in done.stderr, (ref, done.stderr)
        assert done.stderr.count("\n") == 1 and "treat all files" not in done.stderr
    empty = write_repo(tmp_path / "e", {"a.py": "x = 1\n"})
    _git(empty, "init", "-q")
    done = atlas_cli("--root", str(empty), "query", "x", "--diff")
    assert done.code == 2 and done.stderr.endswith(": --diff: the repository has no commits yet\n")


def test_diff_runs_no_command_the_repository_configures(tmp_path: Path, atlas_cli: Cli) -> None:
    """A hostile tree's own git config names commands (fsmonitor, a clean filter process)
    that porcelain ``git diff`` runs; ``--diff`` runs none and still tells an edit from a
    touch."""
    repo = write_repo(tmp_path / "g", REPO, git=True)
    ran = tmp_path / "ran"
    ran.mkdir()
    (repo / ".gitattributes").write_text("*.py filter=evil\n")
    for key, value in (
        ("core.fsmonitor", f"touch {ran}/fsmonitor; false"),
        ("filter.evil.clean", f"touch {ran}/clean; cat"),
        ("filter.evil.process", f"touch {ran}/process"),
    ):
        _git(repo, "config", key, value)
    label = repo / "src/shipping/label.py"
    label.write_text(label.read_text() + "# edited\n")
    touched = repo / "src/shipping/refund_label.py"
    os.utime(touched, (1, 1))  # stat data differs from the index, the content does not
    header, _, _ = _query(atlas_cli, repo, "--diff")
    assert set(header["Seeds"]) == {"src/shipping/label.py", ".gitattributes"}  # untracked
    assert sorted(p.name for p in ran.iterdir()) == []


# -- scope and the root ---------------------------------------------------------------


@pytest.mark.parametrize(
    ("pattern", "matches", "misses"),
    [
        ("src/payments", ["src/payments/a.py", "src/payments/x/b.py"], ["src/paymentsx/a.py"]),
        ("*.md", ["README.md", "docs/a/b.md"], ["docs/a.py"]),
        ("src/*/a.py", ["src/x/a.py"], ["src/x/y/a.py", "src/a.py"]),
        ("src/**/a.py", ["src/a.py", "src/x/y/a.py"], ["lib/a.py"]),
        ("src/*", ["src/a.py", "src/x/y.py"], ["srcs/a.py"]),
        ("test_[a-c]*.py", ["t/test_b.py"], ["t/test_d.py"]),
    ],
)
def test_scope_patterns(pattern: str, matches: list[str], misses: list[str]) -> None:
    norm = normalise_pattern(pattern)
    if any(c in norm for c in "*?["):
        regex = compile_glob(norm)
        for path in matches:
            assert regex.fullmatch(path), (pattern, path)
        for path in misses:
            assert not regex.fullmatch(path), (pattern, path)
    else:
        assert all(p == norm or p.startswith(norm + "/") for p in matches)


def test_a_negated_bracket_never_joins_two_paths() -> None:
    """Paths are matched joined by newlines; ``[!a]`` used to match the newline itself."""
    regex = compile_glob(normalise_pattern("x[!a]y"))
    assert [m.group(0) for m in regex.finditer("x\ny\nxby")] == ["xby"]


_DEEP_SCOPE = """
from atlas_core.select.scope import compile_glob
paths = "\\n".join(["/".join(["d"] * 200) + "/deep.py", "n/" + "d" * 200 + ".py"])
for pattern in ("**/**/**/**/**/**/x", "*d*d*d*d*d*d*d*d*d*d*d*q"):
    assert not compile_glob(pattern).search(paths)
print("ok")
"""


def test_scope_globs_match_deep_paths_in_polynomial_time() -> None:
    """``**/`` repeated against a deep path, stars against a long name: minutes with a
    naive regex (the deadline is for that failure only)."""
    done = subprocess.run(
        [sys.executable, "-c", _DEEP_SCOPE], capture_output=True, text=True, timeout=60
    )
    assert done.returncode == 0 and done.stdout.strip() == "ok", done.stderr


def test_scope_and_exclude_restrict_the_candidates(repo: Path, atlas_cli: Cli) -> None:
    _, scoped, _ = _query(atlas_cli, repo, "refund", "--scope", "src/shipping")
    assert {f["Path"] for f in scoped} == {"src/shipping/refund_label.py"}
    _, globbed, _ = _query(atlas_cli, repo, "refund", "--scope", "*.md")
    assert [f["Path"] for f in globbed] == ["docs/refunds.md"]
    _, rest, _ = _query(atlas_cli, repo, "refund", "--exclude", "src/payments", "--exclude", "docs")
    assert rest and not any(f["Path"].startswith(("src/payments", "docs")) for f in rest)
    outside = atlas_cli("--root", str(repo), "query", "refund", "--scope", "../x")
    assert outside.code == 2 and "leaves the repository" in outside.stderr


@pytest.mark.parametrize(
    "args",
    [
        ["query", "x", "--scope", "*"],
        ["query", "x", "--exclude", "*"],
        ["query", "x", "--scope", "**"],
        ["explain", "x", "--scope", "*"],
        ["map", "--scope", "*"],
    ],
)
def test_a_glob_over_an_empty_index_selects_nothing(
    tmp_path: Path, atlas_cli: Cli, args: list[str]
) -> None:
    empty = tmp_path / "empty"
    empty.mkdir()
    result = atlas_cli("--root", str(empty), "--format", "json", *args)
    assert result.code == 0, result.stderr
    assert json.loads(result.stdout)["Files"] == []


def test_a_subdirectory_uses_the_repositorys_index(
    tmp_path: Path, atlas_cli: Cli, monkeypatch: pytest.MonkeyPatch
) -> None:
    repo = write_repo(tmp_path / "g", REPO, git=True)
    assert atlas_cli("--root", str(repo), "index").code == 0
    monkeypatch.chdir(repo / "src" / "shipping")
    result = atlas_cli("quick", "refund", "--scope", ".", "--format", "jsonl")
    assert result.code == 0, result.stderr
    paths = [line["Path"] for line in result.json_lines()[1:-1]]
    assert paths == ["src/shipping/refund_label.py"]  # '.' is this directory
    assert not (repo / "src" / "shipping" / ".atlas").exists()  # no second index
    seeded = atlas_cli("query", "--seed", "label.py", "--format", "jsonl")  # cwd-relative
    assert seeded.json_lines()[1]["Path"] == "src/shipping/label.py"


# -- outline, map, related ------------------------------------------------------------


def test_outline_prints_symbols_with_kinds_and_lines(repo: Path, atlas_cli: Cli) -> None:
    doc = json.loads(
        atlas_cli(
            "--root", str(repo), "outline", "src/payments/refund.py", "--format", "json"
        ).stdout
    )
    assert doc["Path"] == "src/payments/refund.py"
    assert [(s["Kind"], s["Name"], s["Start"], s["End"]) for s in doc["Symbols"]] == [
        ("function", "refund", 3, 4)
    ]
    assert doc["Imports"] == ["payments.gateway"]
    both = json.loads(
        atlas_cli(
            "--root",
            str(repo),
            "outline",
            "src/payments/refund.py",
            "src/payments/util.py",
            "--format",
            "json",
        ).stdout
    )
    assert [f["Path"] for f in both["Files"]] == ["src/payments/refund.py", "src/payments/util.py"]
    human = atlas_cli("--root", str(repo), "outline", "src/payments/refund.py", "--format", "human")
    assert "function  refund  L3-4" in human.stdout
    assert "imports: payments.gateway" in human.stdout
    missing = atlas_cli("--root", str(repo), "outline", "nope.py")
    assert missing.code == 2 and "nope.py" in missing.stderr


@pytest.mark.parametrize("command", ["outline", "related"])
def test_commands_that_take_files_say_file_in_their_errors(
    repo: Path, atlas_cli: Cli, command: str
) -> None:
    outside = atlas_cli("--root", str(repo), command, "/etc/passwd")
    assert outside.code == 2
    assert "atlas: error: file '/etc/passwd' is not an indexed file of" in outside.stderr
    empty = atlas_cli("--root", str(repo), command, "")
    assert empty.code == 2 and empty.stderr == "atlas: error: bad file ''\n"
    assert "seed" not in outside.stderr + empty.stderr


def test_map_sketches_the_repository_within_its_budget(repo: Path, atlas_cli: Cli) -> None:
    from atlas_core.index.process import estimate_tokens

    text = atlas_cli("--root", str(repo), "map", "--max-tokens", "200", "--format", "human")
    assert text.code == 0, text.stderr
    assert estimate_tokens(len(text.stdout.encode())) <= 200
    assert text.stdout.startswith("# Map of repo:")
    assert "def refund(order):" in text.stdout
    doc = json.loads(
        atlas_cli("--root", str(repo), "map", "--scope", "src/shipping", "--format", "json").stdout
    )
    assert {f["Path"] for f in doc["Files"]} == {
        "src/shipping/label.py",
        "src/shipping/refund_label.py",
    }
    assert doc["Files"][0]["Symbols"][0]["Signature"].startswith("def ")
    # a budget too small for the header is one clear error, as with render, not a map
    # whose TotalTokens exceed its Budget
    tiny = atlas_cli("--root", str(repo), "map", "--max-tokens", "10", "--format", "json")
    assert tiny.code == 2 and tiny.stdout == ""
    assert "cannot hold even the map's header" in tiny.stderr
    assert len(tiny.stderr.strip().splitlines()) == 1


def test_map_shows_the_symbols_of_files_without_types_or_functions(
    tmp_path: Path, atlas_cli: Cli
) -> None:
    functions = "".join(f"int f{i}(void) {{ return {i}; }}\n" for i in range(9))
    repo = write_repo(
        tmp_path / "r",
        {
            "pkg/BUILD": 'load("//pkg:defs.bzl", "my_rule")\n\nVISIBILITY = ["//x"]\n\n'
            'cc_library(\n    name = "engine",\n)\n\nmy_rule(name = "docs")\n',
            "pkg/defs.bzl": "def _impl(ctx):\n    return []\n\n"
            "my_rule = rule(implementation = _impl)\n",
            "web/site.css": '@import "base.css";\n\n:root {\n  --brand: #123;\n}\n\n'
            ".btn-primary, .btn {\n  color: red;\n}\n\n"
            "@keyframes spin {\n  from { color: red; }\n}\n",
            "web/index.html": '<body>\n<div id="app"></div>\n'
            '<template id="row"><p></p></template>\n<user-card></user-card>\n</body>\n',
            "db/schema.sql": "CREATE TABLE orders (id int);\n"
            "CREATE VIEW open_orders AS SELECT * FROM orders;\n",
            "lib/x.c": f"#define X_H 1\n{functions}",
        },
    )
    result = atlas_cli("--root", str(repo), "map", "--format", "json")
    assert result.code == 0, result.stderr
    symbols = {
        f["Path"]: [(s["Kind"], s["Name"], s["Start"]) for s in f["Symbols"]]
        for f in json.loads(result.stdout)["Files"]
    }
    assert symbols["pkg/BUILD"] == [
        ("constant", "VISIBILITY", 3),
        ("target", "engine", 5),
        ("target", "docs", 9),
    ]
    assert symbols["pkg/defs.bzl"] == [("rule", "my_rule", 4)]  # over the private _impl
    assert symbols["web/site.css"] == [
        ("variable", "--brand", 4),
        ("selector", "btn-primary", 7),  # one line for the whole selector list
        ("keyframes", "spin", 11),
    ]
    assert symbols["web/index.html"] == [
        ("id", "app", 2),
        ("template", "row", 3),
        ("element", "user-card", 4),
    ]
    assert symbols["db/schema.sql"] == [("table", "orders", 1), ("view", "open_orders", 2)]
    # a macro is principal, but it gives way to the functions when they fill the list
    assert symbols["lib/x.c"] == [("function", f"f{i}", i + 2) for i in range(8)]


@pytest.mark.parametrize(
    ("test", "impl"),
    [
        ("tests/test_client.py", "src/client.py"),
        ("pkg/client_test.go", "pkg/client.go"),
        ("src/client.spec.ts", "src/client.ts"),
        ("src/test/java/a/ClientTest.java", "src/main/java/a/Client.java"),
        ("spec/client_spec.rb", "lib/client.rb"),
    ],
)
def test_test_names_pair_with_their_implementation(test: str, impl: str) -> None:
    assert pairing_key(test) == (pairing_key(impl)[0], True)
    assert pairing_key(impl)[1] is False


def test_related_lists_ties_and_affected_tests(repo: Path, atlas_cli: Cli) -> None:
    doc = json.loads(
        atlas_cli(
            "--root", str(repo), "related", "src/payments/gateway.py", "--format", "json"
        ).stdout
    )
    rows = {f["Path"]: f for f in doc["Files"]}
    assert doc["Given"] == ["src/payments/gateway.py"]
    assert {r["Kind"] for r in rows["tests/test_gateway.py"]["Reasons"]} >= {"test of"}
    assert {r["Kind"] for r in rows["src/payments/util.py"]["Reasons"]} == {"same package"}
    assert "src/shipping/label.py" not in rows
    tests = json.loads(
        atlas_cli(
            "--root", str(repo), "related", "src/payments/gateway.py", "--tests", "--format", "json"
        ).stdout
    )
    assert [f["Path"] for f in tests["Files"]] == ["tests/test_gateway.py"]
    back = atlas_cli("--root", str(repo), "related", "tests/test_gateway.py", "--format", "human")
    assert "src/payments/gateway.py" in back.stdout and "implementation of" in back.stdout
    none = atlas_cli("--root", str(repo), "related")
    assert none.code == 2 and "give one or more files" in none.stderr


def test_describe_names_the_new_commands_and_options(atlas_cli: Cli, tmp_path: Path) -> None:
    doc = json.loads(atlas_cli("--root", str(tmp_path), "describe").stdout)
    assert {"outline", "map", "related"} <= set(doc["Commands"])
    assert {"--seed", "--diff", "--no-seed-files", "--scope", "--exclude"} <= set(
        doc["QueryOptions"]
    )


def test_a_large_best_file_does_not_crowd_out_the_next_ones() -> None:
    scores = np.array([1.0, 0.9, 0.8, 0.7, 0.6])
    order = np.argsort(-scores)
    tokens = [900, 300, 300, 50, 50]
    skims = {0: (100, 400), 1: (60, 240), 2: (60, 240)}
    chosen = select_ranked(
        order,
        scores,
        tokens,
        [t * 4 for t in tokens],
        max_tokens=1000,
        max_bytes=None,
        min_score=0.0,
        top=None,
        skim=lambda i, room: skims.get(i),
        cover=3,
    )
    # whole, the best file (900) would leave no room for the next two (300 each): it is
    # skimmed, and the others come whole
    assert [(p.index, p.skim_tokens) for p in chosen.picks] == [
        (0, 100),
        (1, None),
        (2, None),
        (3, None),
        (4, None),
    ]
    assert chosen.left_out == 0
    # when every file of the head fits whole, nothing is skimmed
    roomy = select_ranked(
        order,
        scores,
        tokens,
        tokens,
        max_tokens=2000,
        max_bytes=None,
        min_score=0.0,
        top=None,
        skim=lambda i, room: skims.get(i),
    )
    assert all(p.skim_tokens is None for p in roomy.picks) and len(roomy.picks) == 5
