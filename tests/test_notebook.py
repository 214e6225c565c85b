"""Jupyter notebooks are read as their cells: indexed, chunked, measured and shown without
their outputs, with the kernel language's symbols."""

from __future__ import annotations

import base64
import json
from collections.abc import Callable
from pathlib import Path
from typing import Any

from atlas_core.classify.rules import detect_language, explain_role
from atlas_core.engine import Atlas
from atlas_core.notebook import read_notebook, readable_text
from atlas_core.testing import CliResult, first_ranked, write_repo

Cli = Callable[..., CliResult]


def _notebook(cells: list[dict[str, Any]], metadata: dict[str, Any] | None = None) -> str:
    meta = (
        {"kernelspec": {"name": "python3", "language": "python"}} if metadata is None else metadata
    )
    return json.dumps({"cells": cells, "metadata": meta, "nbformat": 4, "nbformat_minor": 5})


def _code(source: str, outputs: list[dict[str, Any]] | None = None) -> dict[str, Any]:
    return {
        "cell_type": "code",
        "metadata": {},
        "execution_count": 1,
        "outputs": outputs or [],
        "source": source.splitlines(keepends=True),
    }


def _markdown(source: str) -> dict[str, Any]:
    return {"cell_type": "markdown", "metadata": {}, "source": source}


#: a plot's output: 2 MB of base64, more than the default ``max_file_bytes`` (1 MiB)
PLOT = {
    "output_type": "display_data",
    "data": {
        "image/png": base64.b64encode(bytes(range(256)) * 6000).decode(),
        "text/plain": "<Figure>",
    },
    "metadata": {},
}

CHURN = _notebook(
    [
        _markdown("# Churn model\nLoad the customers and fit."),
        _code("%matplotlib inline\nimport pandas as pd\n"),
        _code(
            "def load_customers(path):\n    return pd.read_csv(path)\n\n"
            "customers = load_customers('customers.csv')\n",
            [PLOT],
        ),
    ]
)


def test_cells_become_percent_format_text_without_outputs() -> None:
    cells = read_notebook(CHURN.encode())
    assert cells is not None
    assert cells.language == "python"
    assert cells.text.splitlines() == [
        "# %% [markdown]",
        "# # Churn model",
        "# Load the customers and fit.",
        "",
        "# %%",
        "# %matplotlib inline",  # a magic is not Python: a comment
        "import pandas as pd",
        "",
        "# %%",
        "def load_customers(path):",
        "    return pd.read_csv(path)",
        "",
        "customers = load_customers('customers.csv')",
    ]
    assert "image/png" not in cells.text


def test_the_kernel_language_comes_from_the_notebook_metadata() -> None:
    r_kernel = {"language_info": {"name": "R", "file_extension": ".r"}}
    cells = read_notebook(_notebook([_code("x <- 1\n")], r_kernel).encode())
    assert cells is not None and cells.language == "r"
    scala = {"kernelspec": {"name": "almond", "language": "scala"}}
    cells = read_notebook(_notebook([_markdown("Scala.")], scala).encode())
    assert cells is not None and cells.language == "scala"
    assert cells.text.startswith("// %% [markdown]\n// Scala.")  # the language's comments
    unknown = {"kernelspec": {"name": "wolfram", "language": "wolfram language"}}
    cells = read_notebook(_notebook([_code("1 + 1\n")], unknown).encode())
    assert cells is not None and cells.language == ""  # indexed as text, not chunked
    cells = read_notebook(_notebook([_code("1\n")], {}).encode())
    assert cells is not None and cells.language == "python"  # Jupyter's default


def test_nbformat_3_worksheets_are_read() -> None:
    old = {
        "metadata": {"name": "old"},
        "nbformat": 3,
        "worksheets": [
            {"cells": [{"cell_type": "code", "input": ["def legacy():\n", "    pass\n"]}]}
        ],
    }
    cells = read_notebook(json.dumps(old).encode())
    assert cells is not None
    assert "def legacy():\n    pass" in cells.text


def test_what_is_not_a_notebook_is_read_as_text() -> None:
    for data in (b"not json", b"[1, 2]", b'{"cells": 3}', b"[" * 100_000):
        assert read_notebook(data) is None
        assert readable_text("broken.ipynb", data) == data.decode()
    assert readable_text("plain.json", CHURN.encode()) == CHURN  # only notebooks


def test_notebooks_are_code_where_they_are_not_docs_or_examples() -> None:
    assert detect_language("analysis/churn.ipynb", "{") == "jupyter"
    assert explain_role("analysis/churn.ipynb", "jupyter", "# %%\nimport pandas") == (
        "impl",
        "jupyter source",
    )
    assert explain_role("docs/tutorial.ipynb", "jupyter", "")[0] == "docs"
    assert explain_role("examples/demo.ipynb", "jupyter", "")[0] == "docs"


def test_a_notebook_with_a_big_plot_is_indexed_as_its_cells_and_ranked(
    tmp_path: Path, make_atlas: Callable[[Path], Atlas]
) -> None:
    root = write_repo(
        tmp_path / "repo",
        {
            "analysis/churn.ipynb": CHURN,
            "src/report.py": "def render_report(rows):\n    return rows\n",
            "src/io.py": "def read_orders(path):\n    return open(path).read()\n",
        },
    )
    reader, first = first_ranked(make_atlas(root), "where are the customers loaded")
    assert first == "analysis/churn.ipynb"
    i = reader.ids[first]
    assert (reader.languages[i], reader.roles[i], reader.statuses[i]) == ("jupyter", "impl", "ok")
    assert reader.tokens[i] < 100  # the cells, not the 2 MB plot
    function = next(c for c in reader.chunks(i) if c.name == "load_customers")
    text = reader.read_text(i)
    assert text.splitlines()[function.start - 1] == "def load_customers(path):"
    assert "pandas" in [c.name for c in reader.chunks(i) if c.kind == "import"]


def test_the_context_document_shows_the_cells(tmp_path: Path, atlas_cli: Cli) -> None:
    root = write_repo(
        tmp_path / "repo", {"churn.ipynb": CHURN, "util.py": "def noop():\n    pass\n"}
    )
    result = atlas_cli("--root", str(root), "quick", "load customers", "--format", "context")
    assert result.code == 0, result.stderr
    assert "def load_customers(path):\n    return pd.read_csv(path)" in result.stdout
    assert "image/png" not in result.stdout


def test_a_lone_surrogate_in_a_cell_is_replaced(tmp_path: Path, atlas_cli: Cli) -> None:
    source = ["def load():\n", '    return "\ud800"\n']  # json.dumps escapes the surrogate
    data = json.dumps({"cells": [{"cell_type": "code", "source": source}]}).encode()
    cells = read_notebook(data)
    assert cells is not None and "\ufffd" in cells.text
    cells.text.encode("utf-8")  # strict: an output can write it
    root = write_repo(tmp_path / "repo", {"odd.ipynb": data, "util.py": "def x():\n    pass\n"})
    result = atlas_cli("--root", str(root), "quick", "load", "--format", "context")
    assert result.code == 0, result.stderr
    assert "def load():" in result.stdout
