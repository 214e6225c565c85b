"""Context bundles: `atlas render` and `--format context`, exact budgets, no leaked secrets."""

from __future__ import annotations

import json
import random
import re
from collections.abc import Callable
from pathlib import Path

import pytest

from atlas_core.errors import UsageError
from atlas_core.index.process import estimate_tokens
from atlas_core.output.context import render_context
from atlas_core.testing import CliResult, write_repo
from atlas_core.types import Chunk

Cli = Callable[..., CliResult]

# planted secrets, assembled at run time so this file holds none
AWS_KEY = "AKIA" + "Q3EXZ7TJ2MVB4NHA"
GH_TOKEN = "gh" + "p_" + "x9Kq2Lm7Zt" * 3 + "Ab3dE5"
ENV_TOKEN = "sk" + "_live_" + "4eC39HqLyjWDarjtT1zdp7dc"
KEY_BODY = "MIIEowIBAAKCAQEAx" + "Q7v9Lm2Zt8Wp3Kr6Nb1Hc4Fy5Ge8Jd0Sa7Ue2Ix9Ko3Pl6Mn1Bv4Cx7Zq0"
PEM = (
    "-----BEGIN RSA " + "PRIVATE KEY-----\n"
    f"{KEY_BODY}\n{KEY_BODY[::-1]}\n"
    "-----END RSA " + "PRIVATE KEY-----\n"
)
PLANTED = [AWS_KEY, GH_TOKEN, ENV_TOKEN, KEY_BODY, KEY_BODY[::-1]]

REPO = {
    "src/payments/retry.py": (
        "class RetryPolicy:\n"
        "    def backoff(self, attempt):\n"
        "        return min(2 ** attempt, 30)\n"
        "\n"
        f'AWS_ACCESS_KEY_ID = "{AWS_KEY}"  # payments retry uploads\n'
    ),
    "src/payments/client.py": (
        "from payments.retry import RetryPolicy\n\n"
        "class PaymentClient:\n"
        "    def charge(self, amount):\n"
        "        return self.http.post('/charge', amount)\n\n"
        f'GITHUB_TOKEN = "{GH_TOKEN}"\n'
        f'SIGNING_KEY = """{PEM}"""\n'
    ),
    ".env": f"PAYMENTS_RETRY_TOKEN={ENV_TOKEN}\n",
    "keys/payments-retry.pem": PEM,
    "tests/test_retry.py": "def test_retry_backoff():\n    assert RetryPolicy().backoff(1) == 2\n",
    "README.md": "# Payments\n\nA payment client with retry and backoff.\n",
    "docs/fences.md": "Payments retry example:\n\n```python\nretry()\n```\n",
}


@pytest.fixture
def repo(tmp_path: Path) -> Path:
    return write_repo(tmp_path / "repo", REPO)


def assert_no_secret(text: str) -> None:
    for secret in PLANTED:
        assert secret not in text


def stated_tokens(text: str) -> int:
    match = re.search(r"This document: ([\d,]+) tokens|used_tokens=\"(\d+)\"", text)
    assert match, text[:300]
    return int((match.group(1) or match.group(2)).replace(",", ""))


@pytest.mark.parametrize("style", ["markdown", "xml"])
def test_quick_format_context_redacts_and_excludes_secrets(
    repo: Path, atlas_cli: Cli, style: str
) -> None:
    result = atlas_cli(
        "--root",
        str(repo),
        "quick",
        "payments retry token",
        "--format",
        "context",
        "--style",
        style,
    )
    assert result.code == 0, result.stderr
    out = result.stdout
    assert_no_secret(out)
    assert "class RetryPolicy" in out and "def charge" in out  # the real content is there
    assert "[REDACTED aws-access-key-id]" in out and "[REDACTED github-token]" in out
    assert "[REDACTED private-key]" in out
    # the header says where each redaction was, and which files were kept out
    if style == "markdown":
        assert "- `src/payments/retry.py:5`: aws-access-key-id" in out
        assert "- `.env`: secret file (environment file), not shown" in out
        assert "## src/payments/retry.py\n\n```python\n" in out
    else:
        assert '<redaction path="src/payments/retry.py" line="5" kind="aws-access-key-id"/>' in out
        assert '<file path=".env" reason="secret file (environment file), not shown"/>' in out
        assert "<source>src/payments/retry.py</source>\n<document_content>\n" in out
        assert out.rstrip().endswith("</documents>\n</context>")


@pytest.mark.parametrize("style", ["markdown", "xml"])
def test_render_of_a_selection_never_shows_planted_secrets(
    repo: Path, atlas_cli: Cli, style: str
) -> None:
    paths = "\n".join(sorted(REPO)) + "\n"  # every file, secret ones included, by hand
    result = atlas_cli("--root", str(repo), "render", "-", "--style", style, stdin=paths)
    assert result.code == 0, result.stderr
    assert_no_secret(result.stdout)
    assert "PAYMENTS_RETRY_TOKEN" not in result.stdout  # .env is left out whole
    assert "keys/payments-retry.pem" in result.stdout  # ... and said to be
    assert "PEM key or certificate bundle" in result.stdout


def test_allow_secrets_is_the_explicit_opt_out(repo: Path, atlas_cli: Cli) -> None:
    paths = ".env\nsrc/payments/retry.py\n"
    result = atlas_cli("--root", str(repo), "render", "-", "--allow-secrets", stdin=paths)
    assert result.code == 0, result.stderr
    assert ENV_TOKEN in result.stdout and AWS_KEY in result.stdout
    assert "REDACTED" not in result.stdout
    quick = atlas_cli(
        "--root", str(repo), "quick", "payments retry", "--format", "context", "--allow-secrets"
    )
    assert AWS_KEY in quick.stdout


@pytest.mark.parametrize("fmt", ["jsonl", "json", "human", "compact"])
def test_query_formats_carry_no_file_contents(repo: Path, atlas_cli: Cli, fmt: str) -> None:
    result = atlas_cli("--root", str(repo), "quick", "payments retry token", "--format", fmt)
    assert result.code == 0, result.stderr
    assert "src/payments/retry.py" in result.stdout
    assert_no_secret(result.stdout)
    assert "return min(2 ** attempt" not in result.stdout


def test_header_says_why_each_file_was_chosen(repo: Path, atlas_cli: Cli) -> None:
    result = atlas_cli(
        "--root", str(repo), "quick", "retry backoff", "--format", "context", "--max-tokens", "4000"
    )
    header = result.stdout.split("\n## ", 1)[0]
    assert header.startswith("# Context for: retry backoff\n")
    assert "Budget: 4,000 tokens. This document:" in header
    line = next(x for x in header.splitlines() if "`src/payments/retry.py`" in x)
    assert re.search(r"score 1\.000, \d+ tokens \(.*bm25f \d\.\d\d", line), line
    assert "symbols: RetryPolicy.backoff L2-3" in line


@pytest.mark.parametrize("style", ["markdown", "xml"])
def test_the_budget_is_never_exceeded_and_the_header_is_exact(repo: Path, style: str) -> None:
    # a bigger file so that budgets cut between files
    (repo / "src/payments/ledger.py").write_text(
        "".join(f"def entry_{i}(amount):\n    return amount * {i}\n\n" for i in range(300))
    )
    files = [{"Path": p} for p in [*sorted(REPO), "src/payments/ledger.py"]]
    rng = random.Random(7)
    budgets = {rng.randrange(110, 400) for _ in range(40)}
    budgets = sorted(budgets | {rng.randrange(400, 6000) for _ in range(20)} | {200_000})
    seen_counts = set()
    for budget in budgets:
        doc = render_context(repo, "payments retry", files, budget, style=style)
        actual = estimate_tokens(len(doc.text.encode()))
        assert actual <= budget, (budget, actual)
        assert doc.tokens == actual == stated_tokens(doc.text)
        assert len(doc.included) + len(doc.omitted) == len(files)
        seen_counts.add(len(doc.included))
    assert len(seen_counts) > 3  # the budgets did cut at different places
    unlimited = render_context(repo, "payments retry", files, None, style=style)
    assert unlimited.tokens == stated_tokens(unlimited.text)
    assert [o.path for o in unlimited.omitted] == [".env", "keys/payments-retry.pem"]


def test_a_budget_too_small_for_the_header_is_one_clear_error(repo: Path, atlas_cli: Cli) -> None:
    result = atlas_cli("--root", str(repo), "render", "-", "--max-tokens", "5", stdin="README.md\n")
    assert result.code == 2
    assert "cannot hold even the document's header" in result.stderr
    assert len(result.stderr.strip().splitlines()) == 1 and result.stdout == ""


def test_files_that_do_not_fit_are_listed_not_cut(repo: Path) -> None:
    files = [{"Path": "src/payments/client.py"}, {"Path": "README.md"}]
    doc = render_context(repo, "x", files, 140)
    assert doc.included == ["README.md"]
    assert doc.omitted[0].path == "src/payments/client.py"
    assert "more than the budget has left" in doc.omitted[0].reason
    assert "PaymentClient" not in doc.text


def test_a_file_left_out_after_its_skim_was_tried_gives_the_skims_size(
    tmp_path: Path, atlas_cli: Cli
) -> None:
    many = "".join(f"def handler_{i}(event):\n    return event\n\n" for i in range(400))
    repo = write_repo(tmp_path / "many", {"src/handlers.py": many, "README.md": "# x\n"})
    assert atlas_cli("--root", str(repo), "index").code == 0
    files = [{"Path": "src/handlers.py", "Skim": True}, {"Path": "README.md"}]
    doc = render_context(repo, "x", files, 150)
    assert doc.included == ["README.md"]
    whole = estimate_tokens(len(many))
    reason = doc.omitted[0].reason
    # the skim (an outline of 200 of the 400 functions) was tried and did not fit either
    assert re.fullmatch(r"([\d,]+) tokens, ([\d,]+) skimmed, more than the budget has left", reason)
    sizes = [int(n.replace(",", "")) for n in re.findall(r"\d[\d,]*", reason)]
    assert sizes[0] > whole > sizes[1] > 150


def test_paths_outside_the_root_are_refused(repo: Path, tmp_path: Path, atlas_cli: Cli) -> None:
    outside = tmp_path / "outside.txt"
    outside.write_text("private notes\n")
    (repo / "link-out.txt").symlink_to(outside)
    for bad in ("../outside.txt", str(outside), "link-out.txt", "src/../../outside.txt"):
        selection = json.dumps({"Version": "0.3", "Query": "x"}) + "\n" + json.dumps({"Path": bad})
        result = atlas_cli("--root", str(repo), "render", "-", stdin=selection)
        assert result.code == 2, bad
        assert "refusing path outside the repository" in result.stderr
        assert "private notes" not in result.stdout
    with pytest.raises(UsageError):
        render_context(repo, "x", [{"Path": "~/outside.txt"}], None)


def test_a_ranked_file_leading_outside_is_left_out_of_a_query_document(
    repo: Path, tmp_path: Path, atlas_cli: Cli
) -> None:
    """An indexed symlink re-pointed outside the root after indexing: ``query --format
    context`` leaves that file out (the rest is shown) instead of failing."""
    outside = tmp_path / "outside.py"
    outside.write_text("def outside_notes(): 'private notes retry'\n")
    (repo / "src/payments/link.py").symlink_to(repo / "src/payments/retry.py")
    assert atlas_cli("--root", str(repo), "index").code == 0
    (repo / "src/payments/link.py").unlink()
    (repo / "src/payments/link.py").symlink_to(outside)
    doc = render_context(
        repo,
        "retry",
        [{"Path": "src/payments/link.py"}, {"Path": "src/payments/retry.py"}],
        None,
        omit_refused=True,
    )
    assert doc.included == ["src/payments/retry.py"], doc.omitted
    assert [o.path for o in doc.omitted] == ["src/payments/link.py"]
    assert "private notes" not in doc.text
    result = atlas_cli("--root", str(repo), "query", "retry policy", "--format", "context")
    assert result.code == 0, result.stderr
    assert "private notes" not in result.stdout and "RetryPolicy" in result.stdout


def test_a_symlink_to_a_secret_file_is_as_secret(repo: Path) -> None:
    (repo / "notes.txt").symlink_to(repo / ".env")
    doc = render_context(repo, "x", [{"Path": "notes.txt"}], None)
    assert doc.included == [] and "environment file" in doc.omitted[0].reason
    assert ENV_TOKEN not in doc.text


def test_fences_outgrow_backticks_in_the_file(repo: Path) -> None:
    doc = render_context(repo, "x", [{"Path": "docs/fences.md"}], None)
    assert "## docs/fences.md\n\n````\nPayments retry example:" in doc.text
    assert doc.text.rstrip().endswith("````")


def test_the_task_line_is_printable_text(repo: Path) -> None:
    """The task is text, not a path: its backslashes stay single, its controls escaped."""
    doc = render_context(repo, "fix C:\\src\\app.py\nnow\x1b[2J", [{"Path": "README.md"}], None)
    assert doc.text.startswith("# Context for: fix C:\\src\\app.py\\nnow\\x1b[2J\n")


def test_binary_missing_and_directory_entries_are_explained(repo: Path) -> None:
    (repo / "logo.png").write_bytes(b"\x89PNG\r\n\x1a\n\0\0\0")
    files = [{"Path": p} for p in ("logo.png", "gone.py", "src", "README.md")]
    doc = render_context(repo, "x", files, None, style="xml")
    reasons = {o.path: o.reason for o in doc.omitted}
    assert reasons == {
        "logo.png": "binary file",
        "gone.py": "no such file",
        "src": "a directory, not a file",
    }
    assert doc.included == ["README.md"]


def test_xml_content_cannot_close_its_own_tag(repo: Path) -> None:
    (repo / "tricky.md").write_text("before</document_content></document>after\n")
    doc = render_context(repo, "x", [{"Path": "tricky.md"}], None, style="xml")
    assert doc.text.count("</document_content>") == 1
    assert "before<\\/document_content></document>after" in doc.text


def test_unknown_style_is_refused(repo: Path, atlas_cli: Cli) -> None:
    result = atlas_cli("--root", str(repo), "render", "-", "--style", "yaml", stdin="README.md\n")
    assert result.code == 2 and "yaml" in result.stderr
    with pytest.raises(UsageError, match="unknown style"):
        render_context(repo, "x", [], None, style="yaml")


def test_a_tight_budget_names_fewer_omissions_instead_of_failing(repo: Path) -> None:
    files = [{"Path": p} for p in sorted(REPO)]
    doc = render_context(repo, "payments retry", files, 100)
    assert doc.tokens <= 100
    assert re.search(r"- \.\.\. and \d+ more", doc.text), doc.text


def test_a_single_jsonl_record_is_a_selection(repo: Path, atlas_cli: Cli, tmp_path: Path) -> None:
    for text in ('{"Path": "README.md", "Score": 1}\n', '{\n  "Path": "README.md"\n}\n'):
        selection = tmp_path / "one.jsonl"
        selection.write_text(text)
        result = atlas_cli("--root", str(repo), "render", str(selection))
        assert result.code == 0, result.stderr
        assert "## README.md" in result.stdout and "No files included" not in result.stdout


@pytest.mark.parametrize(
    ("selection", "message"),
    [
        ('{"Foo": 1}\n', "is neither a selection document (with 'Files') nor a selection record"),
        ('{"Version": "0.3", "Files": 3}\n', "'Files' must be a list of objects"),
        ('README.md\n{"Foo": 1}\n', "line 2 is not a selection record: it has no 'Path'"),
        ('{"Version": "0.3"}\n{"Query": "x"}\n', "line 2 is not a selection record"),
    ],
)
def test_json_that_is_no_selection_is_one_clear_error(
    repo: Path, atlas_cli: Cli, selection: str, message: str
) -> None:
    result = atlas_cli("--root", str(repo), "render", "-", stdin=selection)
    assert result.code == 2 and message in result.stderr, result.stderr
    assert len(result.stderr.strip().splitlines()) == 1 and result.stdout == ""


def test_the_header_and_footer_of_query_output_are_read(repo: Path, atlas_cli: Cli) -> None:
    header = json.dumps({"Version": "0.3", "Query": "retry", "Budget": {"MaxTokens": 9000}})
    footer = json.dumps({"TotalFiles": 1, "TotalTokens": 20, "ScannedFiles": 7, "LeftOut": 0})
    selection = f'{header}\n{{"Path": "README.md"}}\n{footer}\n'
    result = atlas_cli("--root", str(repo), "render", "-", stdin=selection)
    assert result.code == 0, result.stderr
    assert result.stdout.startswith("# Context for: retry\n\nBudget: 9,000 tokens. This")


def test_without_a_budget_the_header_says_there_is_none(repo: Path, atlas_cli: Cli) -> None:
    result = atlas_cli("--root", str(repo), "render", "-", stdin="README.md\n")
    assert result.code == 0, result.stderr
    assert "\nBudget: none. This document: " in result.stdout
    assert "no tokens" not in result.stdout


@pytest.mark.parametrize("fmt", ["json", "jsonl", "compact", "human"])
def test_render_refuses_formats_it_cannot_print(repo: Path, atlas_cli: Cli, fmt: str) -> None:
    result = atlas_cli("--root", str(repo), "render", "-", "--format", fmt, stdin="README.md\n")
    assert result.code == 2 and f"prints a context document, not '{fmt}'" in result.stderr
    assert result.stdout == ""
    context = atlas_cli(
        "--root", str(repo), "render", "-", "--format", "context", stdin="README.md\n"
    )
    assert context.code == 0 and "## README.md" in context.stdout


def test_render_reads_a_bounded_selection(
    repo: Path, atlas_cli: Cli, monkeypatch: pytest.MonkeyPatch
) -> None:
    from atlas_core.cli import render

    monkeypatch.setattr(render, "MAX_SELECTION_BYTES", 1000)
    fits = atlas_cli("--root", str(repo), "render", "-", stdin="README.md\n" + " " * 980)
    assert fits.code == 0, fits.stderr
    endless = "README.md\n" * 200  # what `yes README.md | atlas render -` would start with
    result = atlas_cli("--root", str(repo), "render", "-", stdin=endless)
    assert result.code == 2 and "selection '-' is larger than" in result.stderr
    assert len(result.stderr.strip().splitlines()) == 1 and result.stdout == ""


def test_render_refuses_devices_and_fifos(repo: Path, atlas_cli: Cli, tmp_path: Path) -> None:
    import os
    import threading

    result = atlas_cli("--root", str(repo), "render", "/dev/zero")
    assert result.code == 2 and "selection '/dev/zero' is not a regular file" in result.stderr
    fifo = tmp_path / "selection.fifo"
    os.mkfifo(fifo)

    def feed() -> None:  # a writer, so a render that waited for one would not hang the test
        try:
            with open(fifo, "w") as fh:
                fh.write("README.md\n")
        except OSError:
            pass

    writer = threading.Thread(target=feed, daemon=True)
    writer.start()
    result = atlas_cli("--root", str(repo), "render", str(fifo))
    os.close(os.open(fifo, os.O_RDONLY | os.O_NONBLOCK))  # lets the writer go if nobody read
    writer.join(5)
    assert result.code == 2 and "is not a regular file" in result.stderr, result.stderr
    assert len(result.stderr.strip().splitlines()) == 1 and result.stdout == ""


def test_a_file_skimmed_as_its_first_lines_is_said_to_be(tmp_path: Path) -> None:
    notes = "".join(f"line {i} about the retry budget\n" for i in range(400))
    code = "".join(f"def retry_{i}():\n    return {i}\n\n" for i in range(300))
    repo = write_repo(tmp_path / "r", {"notes.txt": notes, "src/retry.py": code})
    chunks = [
        Chunk("function", f"retry_{i}", f"retry_{i}", 3 * i + 1, 3 * i + 2, f"def retry_{i}():")
        for i in range(300)
    ]
    outline = {"src/retry.py": chunks}
    files = [{"Path": "notes.txt", "Skim": True}, {"Path": "src/retry.py", "Skim": True}]
    doc = render_context(repo, "x", files, None, outline=lambda rel: outline.get(rel, []))
    assert doc.included == ["notes.txt", "src/retry.py"]
    head, outlined = doc.text.splitlines()[5:7]
    # a text without symbols shows its first lines, not "matched symbols and an outline"
    assert head.endswith("(skimmed: its first lines)") and "line 0 about" in doc.text
    assert outlined.endswith("skimmed: matched symbols whole, an outline of the rest)")
