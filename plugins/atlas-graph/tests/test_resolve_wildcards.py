"""JVM wildcard imports: ``import a.b.*`` names the files of package ``a.b``, and
``import a.b.C.*`` (the members or nested types of class ``C``) names ``C``'s file.

Groovy's grammar has no ``.*``: the tree-sitter chunker parses it as blanks, so the import
is recorded at all (it was lost, with the lines after it, before). The regex chunker has no
Groovy rules, so with it alone a Groovy file has no edges.
"""

from __future__ import annotations

from collections.abc import Callable

import pytest

from atlas_core.chunk.treesitter import TreeSitterChunker
from atlas_core.testing import symbols_and_imports

Edges = set[tuple[str, str]]
Build = Callable[..., Edges]

BASE = "src/main/groovy/org/acme"


@pytest.fixture
def treesitter(request: pytest.FixtureRequest) -> bool:
    """Whether ``graph_edges`` runs with the tree-sitter chunker (else the regex one)."""
    return bool(request.node.callspec.params["graph_edges"] == "treesitter")


def test_a_groovy_wildcard_import_is_recorded_as_its_package() -> None:
    text = (
        "package org.acme\n"
        "import org.acme.util.*\n"
        "import org.acme.model.Invoice\n"
        "import static org.acme.util.Checks.*\n"
        "class App {\n"
        "    def run() { new Invoice() }\n"
        "}\n"
    )
    chunks = TreeSitterChunker().chunk("App.groovy", text, "groovy")
    assert symbols_and_imports(chunks) == (
        {("class", "App"), ("method", "App.run")},
        ["org.acme.util", "org.acme.model.Invoice", "org.acme.util.Checks"],
    )
    assert [c.signature for c in chunks if c.kind == "import"] == [
        "import org.acme.util.*",
        "import org.acme.model.Invoice",
        "import static org.acme.util.Checks.*",
    ]


def test_groovy_wildcards_name_the_package_files_as_java_ones_do(
    graph_edges: Build, treesitter: bool
) -> None:
    edges = graph_edges(
        {
            f"{BASE}/App.groovy": "package org.acme\nimport org.acme.util.*\n"
            "import org.acme.model.Invoice\nimport static org.acme.util.Checks.*\n"
            "import groovy.json.*\nclass App {}\n",
            f"{BASE}/util/Strings.groovy": "package org.acme.util\nclass Strings {}\n",
            f"{BASE}/util/Checks.java": "package org.acme.util;\npublic class Checks {}\n",
            f"{BASE}/util/README.md": "# util\n",
            f"{BASE}/model/Invoice.groovy": "package org.acme.model\nclass Invoice {}\n",
            # another directory ending in the package path, further away
            "legacy/org/acme/util/Old.groovy": "package org.acme.util\nclass Old {}\n",
        }
    )
    app = f"{BASE}/App.groovy"
    expected = {
        (app, f"{BASE}/util/Strings.groovy"),  # the wildcard: the nearest package directory
        (app, f"{BASE}/util/Checks.java"),  # its JVM files only (also the static wildcard)
        (app, f"{BASE}/model/Invoice.groovy"),
    }
    assert edges == (expected if treesitter else set())


def test_a_wildcard_of_a_class_names_the_class_file(graph_edges: Build) -> None:
    base = "src/main/java/com/acme"
    edges = graph_edges(
        {
            f"{base}/Main.java": "package com.acme;\nimport static com.acme.util.Checks.*;\n"
            "import com.acme.model.Order.*;\nimport java.util.*;\npublic class Main {}\n",
            f"{base}/util/Checks.java": "package com.acme.util;\npublic class Checks {}\n",
            f"{base}/util/Strings.java": "package com.acme.util;\npublic class Strings {}\n",
            f"{base}/model/Order.java": "package com.acme.model;\npublic class Order {}\n",
        }
    )
    assert edges == {
        (f"{base}/Main.java", f"{base}/util/Checks.java"),  # not the rest of its package
        (f"{base}/Main.java", f"{base}/model/Order.java"),  # its nested types
    }
