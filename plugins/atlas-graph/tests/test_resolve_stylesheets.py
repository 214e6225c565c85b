"""CSS, SCSS, Sass, Less and HTML imports: relative paths, Sass partials, Less's implied
extension, the scripts and stylesheets a page loads.

CSS, SCSS and HTML imports come from their tree-sitter queries only (the regex chunker has
no rules for them): with the regex chunker alone those repositories have no edge. Less and
Sass have no grammar; their regex rules give the same edges either way.
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


def test_css_import_of_a_string_or_url_is_relative_to_the_file(
    graph_edges: Build, treesitter: bool
) -> None:
    edges = graph_edges(
        {
            "static/css/site.css": '@charset "utf-8";\n@import "base.css";\n'
            "@import url(theme/dark.css) screen;\n"
            '@import url("../reset.css");\n'
            '@import "/static/css/print.css" print;\n'
            '@import url("https://fonts.googleapis.com/css?family=Roboto");\n'
            "@import url(//cdn.example.com/x.css);\n"
            '@import "missing.css";\n.site { color: red; }\n',
            "static/css/base.css": ".base { margin: 0; }\n",
            "static/css/theme/dark.css": '@import "../base.css";\n',
            "static/reset.css": "* { box-sizing: border-box; }\n",
            "static/css/print.css": "@media print { .site { color: black; } }\n",
        }
    )
    expected = {
        ("static/css/site.css", "static/css/base.css"),
        ("static/css/site.css", "static/css/theme/dark.css"),
        ("static/css/site.css", "static/reset.css"),
        ("static/css/site.css", "static/css/print.css"),  # root-relative
        ("static/css/theme/dark.css", "static/css/base.css"),
    }
    assert edges == (expected if treesitter else set())


def test_scss_use_forward_and_import_find_partials_and_index_files(
    graph_edges: Build, treesitter: bool
) -> None:
    edges = graph_edges(
        {
            "src/styles/main.scss": '@use "sass:math";\n@use "base";\n'
            '@use "components" as c;\n@forward "mixins/buttons";\n'
            '@import "variables", "typography";\n'
            '@import "~bootstrap/scss/functions";\n@use "bootstrap";\n'
            '@import "theme.css";\n.app { margin: 0; }\n',
            "src/styles/_base.scss": "$gap: 4px;\n",
            "src/styles/components/_index.scss": '@use "../base";\n@forward "card";\n',
            "src/styles/components/_card.scss": ".card { padding: 0; }\n",
            "src/styles/mixins/buttons.scss": "@mixin btn { color: red; }\n",
            "src/styles/_variables.scss": "$primary: blue;\n",
            "src/styles/typography.scss": "body { font-size: 1rem; }\n",
            "src/styles/theme.css": ".theme { color: red; }\n",
            # a package at the repository root (a monorepo's copy); "bootstrap" alone is no file
            "bootstrap/scss/_functions.scss": "@function f($x) { @return $x; }\n",
        }
    )
    expected = {
        ("src/styles/main.scss", "src/styles/_base.scss"),  # partial
        ("src/styles/main.scss", "src/styles/components/_index.scss"),  # directory index
        ("src/styles/main.scss", "src/styles/mixins/buttons.scss"),  # not a partial
        ("src/styles/main.scss", "src/styles/_variables.scss"),  # an import list
        ("src/styles/main.scss", "src/styles/typography.scss"),
        ("src/styles/main.scss", "bootstrap/scss/_functions.scss"),  # ~ from the root
        ("src/styles/main.scss", "src/styles/theme.css"),
        ("src/styles/components/_index.scss", "src/styles/_base.scss"),
        ("src/styles/components/_index.scss", "src/styles/components/_card.scss"),
    }
    assert edges == (expected if treesitter else set())


def test_sass_indented_syntax_finds_partials_like_scss(graph_edges: Build) -> None:
    edges = graph_edges(
        {
            "app/styles/main.sass": '@use "sass:math"\n@use "base"\n@forward "mixins/buttons"\n'
            "@import variables\n@import url(theme.css)\n@use 'components'\n"
            ".app\n  margin: 0\n",
            "app/styles/_base.sass": "$gap: 4px\n",
            "app/styles/mixins/buttons.sass": "=btn\n  color: red\n",
            "app/styles/_variables.scss": "$primary: blue;\n",  # a .scss partial
            "app/styles/theme.css": ".theme { color: red; }\n",
            "app/styles/components/_index.sass": '@use "../base"\n',
        }
    )
    assert edges == {
        ("app/styles/main.sass", "app/styles/_base.sass"),
        ("app/styles/main.sass", "app/styles/mixins/buttons.sass"),
        ("app/styles/main.sass", "app/styles/_variables.scss"),
        ("app/styles/main.sass", "app/styles/theme.css"),
        ("app/styles/main.sass", "app/styles/components/_index.sass"),
        ("app/styles/components/_index.sass", "app/styles/_base.sass"),
    }


def test_less_import_appends_less_to_a_bare_name(graph_edges: Build) -> None:
    edges = graph_edges(
        {
            "styles/main.less": '@import "variables";\n'
            "@import (reference) 'mixins.less';\n"
            '@import (css) url("print.css");\n'
            '@import "https://example.com/remote.less";\n'
            '@import "~lib/grid";\n@import "bootstrap";\n'
            ".page { color: @text; }\n",
            "styles/variables.less": "@text: #333;\n",
            "styles/mixins.less": ".rounded(@r) {\n  border-radius: @r;\n}\n",
            "styles/print.css": ".page { color: black; }\n",
            "lib/grid.less": ".row { display: flex; }\n",
        }
    )
    assert edges == {
        ("styles/main.less", "styles/variables.less"),
        ("styles/main.less", "styles/mixins.less"),
        ("styles/main.less", "styles/print.css"),
        ("styles/main.less", "lib/grid.less"),
    }


def test_html_scripts_and_stylesheet_links(graph_edges: Build, treesitter: bool) -> None:
    edges = graph_edges(
        {
            "site/index.html": "<!DOCTYPE html>\n<html>\n<head>\n"
            '  <link rel="stylesheet" href="css/site.css">\n'
            '  <link rel="icon" href="css/icon.css">\n'
            '  <link href="/static/app.css" rel="stylesheet" />\n'
            '  <script src="js/app.js?v=3"></script>\n'
            '  <script type="module" src="../shared/nav.js"></script>\n'
            '  <script src="/static/main.js"></script>\n'
            '  <script src="https://cdn.example.com/site/js/app.js"></script>\n'
            '  <script src="//cdn.example.com/js/app.js"></script>\n'
            "  <script src=\"{{ url_for('static', filename='app.js') }}\"></script>\n"
            "  <script>var inline = 1;</script>\n"
            '</head>\n<body><div id="app"></div></body>\n</html>\n',
            "site/css/site.css": ".site { margin: 0; }\n",
            "site/css/icon.css": ".icon { margin: 0; }\n",
            "site/js/app.js": "export const app = 1;\n",
            "shared/nav.js": "export const nav = 1;\n",
            "static/app.css": ".app { margin: 0; }\n",
            # no static/main.js at the root: the nearest file ending in it
            "server/static/main.js": "console.log('main');\n",
        }
    )
    expected = {
        ("site/index.html", "site/css/site.css"),  # the icon link is no stylesheet
        ("site/index.html", "static/app.css"),  # root-relative, from the root
        ("site/index.html", "site/js/app.js"),  # ?v=3 dropped
        ("site/index.html", "shared/nav.js"),
        ("site/index.html", "server/static/main.js"),
    }
    assert edges == (expected if treesitter else set())
