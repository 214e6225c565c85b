"""CSS, SCSS and HTML get symbols and imports from their query files, Less and Sass from regex
rules."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import pytest

from atlas_core.chunk.regex import RegexChunker
from atlas_core.chunk.treesitter import TreeSitterChunker
from atlas_core.engine import Atlas
from atlas_core.testing import first_ranked, symbols_and_imports, tree_sitter_chunks, write_repo

# (language, file name, source, symbols as (kind, qualified name), imports in order)
SAMPLES: list[tuple[str, str, str, set[tuple[str, str]], list[str]]] = [
    (
        "css",
        "site.css",
        """
        /* Buttons and layout. */
        @charset "utf-8";
        @import "base.css";
        @import url(theme/dark.css) screen;
        @import url("print.css") print;
        :root {
          --brand-color: #336699;
        }
        .btn-primary, .btn-primary:hover { color: var(--brand-color); }
        #main-nav > li.nav-item a { margin: 0; }
        div.card .card-title::before { content: ""; }
        @media (max-width: 600px) {
          .sidebar { display: none; }
        }
        @keyframes fade-in { from { opacity: 0; } to { opacity: 1; } }
        @font-face { font-family: "Inter"; src: url(inter.woff2); }
        a[href$=".pdf"] { color: red; }
        """,
        {
            ("variable", "--brand-color"),
            ("selector", "btn-primary"),
            ("selector", "main-nav"),
            ("selector", "nav-item"),
            ("selector", "card"),
            ("selector", "card-title"),
            ("selector", "sidebar"),
            ("keyframes", "fade-in"),
        },
        ["base.css", "theme/dark.css", "print.css"],
    ),
    (
        "scss",
        "_theme.scss",
        """
        // Theme.
        @use "sass:math";
        @use "base" as b;
        @forward "src/list" hide list-reset;
        @import "variables", "mixins/buttons";
        $primary: #333 !default;
        %message-shared { border: 1px solid; }
        @mixin theme($theme: DarkGray) { background: $theme; }
        @function double($n) { @return $n * 2; }
        .alert {
          $local: 1px;
          @extend %message-shared;
          @include theme;
          &__title { color: red; }
          &.is-open { color: blue; }
          .alert-icon { color: blue; }
          @each $k, $v in $map { .text-#{$k} { color: $v; } }
        }
        #app-root { margin: 0; }
        @keyframes spin { to { transform: rotate(1turn); } }
        """,
        {
            ("variable", "$primary"),
            ("selector", "message-shared"),
            ("mixin", "theme"),
            ("function", "double"),
            ("selector", "alert"),
            ("selector", "is-open"),
            ("selector", "alert-icon"),
            ("selector", "app-root"),
            ("keyframes", "spin"),
        },
        ["sass:math", "base", "src/list", "variables", "mixins/buttons"],
    ),
    (
        "html",
        "index.html",
        """
        <!DOCTYPE html>
        <html>
        <head>
          <link rel="stylesheet" href="css/site.css">
          <link rel="icon" href="favicon.ico">
          <link href="/static/app.css" rel="stylesheet" />
          <script src="js/app.js"></script>
          <script type="module" src='/static/main.js'></script>
          <script>var inline = 1;</script>
          <style>.inline { color: red }</style>
        </head>
        <body>
          <div id="main-content" class="page"><input id=email></div>
          <template id="row-template"><tr><td></td></tr></template>
          <user-card name="x"></user-card>
        </body>
        </html>
        """,
        {
            ("id", "main-content"),
            ("id", "email"),
            ("template", "row-template"),
            ("element", "user-card"),
        },
        ["css/site.css", "/static/app.css", "js/app.js", "/static/main.js"],
    ),
]

LESS = """
// Theme.
@import "variables";
@import (reference) 'mixins.less';
@import url("print.css");
@brand-color: #428bca;
.bordered(@width: 2px; @style: solid) {
  border: @width @style black;
}
.guarded(@a) when (lightness(@a) >= 50%) {
  color: black;
}
.btn-primary {
  .bordered(4px);
  color: @brand-color;
  &:hover { color: red; }
}
.card-title, .card-body {
  margin: 0;
}
#main-nav > li {
  float: left;
}
"""

# the indented syntax: no braces or semicolons, `=name` defines a mixin and `+name` uses one
SASS = """
// Theme.
@use "sass:math"
@use 'base'
@forward "src/list" hide list-reset
@import reset, typography
@import url(print.css)
$primary-color: #333
$font-stack: Helvetica, sans-serif

=button-variant($color)
  color: $color

@mixin theme($theme: DarkGray)
  background: $theme

@function double($n)
  @return $n * 2

.alert, .alert-box
  +theme
  &:hover
    color: $primary-color
  .nested
    color: red
#main-nav > li
  float: left
%message-shared
  border: 1px solid
.text-#{$k}
  color: red
nav
  ul
    margin: 0
"""


@pytest.mark.parametrize(
    ("language", "name", "source", "symbols", "imports"), SAMPLES, ids=[s[0] for s in SAMPLES]
)
def test_tree_sitter_chunks(
    language: str, name: str, source: str, symbols: set[tuple[str, str]], imports: list[str]
) -> None:
    assert symbols_and_imports(tree_sitter_chunks(name, source, language)) == (symbols, imports)


def test_less_regex_chunks() -> None:
    found = symbols_and_imports(RegexChunker().chunk("theme.less", LESS.lstrip("\n"), "less"))
    assert found == (
        {
            ("variable", "@brand-color"),
            ("mixin", "bordered"),
            ("mixin", "guarded"),
            ("selector", "btn-primary"),
            ("selector", "card-title"),
            ("selector", "main-nav"),
        },
        ["variables", "mixins.less", "print.css"],
    )


def test_sass_regex_chunks() -> None:
    chunks = RegexChunker().chunk("theme.sass", SASS.lstrip("\n"), "sass")
    assert symbols_and_imports(chunks) == (
        {
            ("variable", "$primary-color"),
            ("variable", "$font-stack"),
            ("mixin", "button-variant"),
            ("mixin", "theme"),
            ("function", "double"),
            ("selector", "alert"),
            ("selector", "main-nav"),
            ("selector", "message-shared"),
        },
        ["sass:math", "base", "src/list", "reset", "print.css"],
    )
    ranges = {c.name: (c.start, c.end) for c in chunks if c.kind != "import"}
    assert ranges["button-variant"] == (10, 12) and ranges["alert"] == (19, 24)


def test_a_rule_is_the_range_of_its_selectors() -> None:
    text = (
        ".card {\n  padding: 0;\n}\n"
        ".card .card-title,\n.card .card-body > p:first-child {\n  margin: 0;\n}\n"
        ".a .b .c .d .e::after {\n  content: none;\n}\n"
    )
    chunks = TreeSitterChunker().chunk("card.css", text, "css")
    assert [(c.name, c.start, c.end) for c in chunks] == [
        ("card", 1, 3),
        ("card", 4, 7),
        ("card-title", 4, 7),
        ("card", 4, 7),  # the second selector's line
        ("card-body", 4, 7),
        ("c", 8, 10),
        ("d", 8, 10),
        ("e", 8, 10),
        ("a", 8, 8),  # too deep in the selector for a query: the selector line alone
        ("b", 8, 8),
    ]


@pytest.mark.parametrize(
    ("path", "files", "query"),
    [
        (
            "static/css/theme.css",
            {
                "static/css/theme.css": ".btn {\n  padding: 4px;\n}\n"
                ".btn-primary {\n  color: white;\n  background: var(--brand);\n}\n",
                "web/page.html": '<button class="btn btn-primary">Save</button>\n'
                '<a class="btn-primary">Primary</a>\n<p>primary action</p>\n',
                "static/js/ui.js": "export function primaryButton() {\n"
                "  return document.querySelector('.btn-primary');\n}\n",
            },
            "btn-primary looks washed out on hover",
        ),
        (
            "src/styles/_forms.scss",
            {
                "src/styles/_forms.scss": "$input-border-width: 1px !default;\n"
                "@mixin input-focus-ring($color) {\n  outline: 2px solid $color;\n}\n"
                ".form-input {\n  border-width: $input-border-width;\n}\n",
                "src/components/TextField.vue": '<template><input class="form-input" />'
                '</template>\n<style lang="scss">\n'
                ".x { @include input-focus-ring(red); }\n</style>\n",
                "docs/forms.md": "# Forms\n\nThe focus mixin: `input-focus-ring`.\n",
            },
            "input-focus-ring is too thin in dark mode",
        ),
        (
            "styles/navbar.less",
            {
                "styles/navbar.less": "@navbar-height: 50px;\n"
                ".navbar-fixed-top {\n  height: @navbar-height;\n}\n",
                "web/base.html": '<nav class="navbar navbar-fixed-top">\n'
                '<div class="navbar-fixed-top-inner"></div>\n</nav>\n'
                "<header>page header</header>\n",
                "js/nav.js": "const top = document.querySelector('.navbar-fixed-top');\n",
            },
            "navbar-fixed-top overlaps the page header",
        ),
        (
            "app/styles/_buttons.sass",
            {
                "app/styles/_buttons.sass": "$button-radius: 4px\n"
                "=button-ghost($color)\n  border: 1px solid $color\n"
                ".button-ghost\n  +button-ghost(blue)\n",
                "app/views/form.html": '<button class="button-ghost">Cancel</button>\n'
                "<p>a ghost button</p>\n",
                "app/js/form.js": "const ghost = document.querySelector('.button-ghost');\n",
            },
            "button-ghost has no border in dark mode",
        ),
        (
            "web/orders.html",
            {
                "web/orders.html": '<table id="orders"></table>\n'
                '<template id="order-row-template">\n'
                '  <tr><td class="total-cell"></td></tr>\n</template>\n'
                '<script src="/static/js/orders.js"></script>\n',
                "static/js/orders.js": "// fills order-row-template with one order\n"
                "const tpl = document.getElementById('order-row-template');\n"
                "function renderRow(order) {\n  return tpl.content.cloneNode(true);\n}\n",
                "static/css/orders.css": ".total-cell {\n  text-align: right;\n}\n",
            },
            "order-row-template is blank in Safari",
        ),
    ],
    ids=["css", "scss", "less", "sass", "html"],
)
def test_a_symbol_named_in_the_task_ranks_its_file_first(
    tmp_path: Path,
    make_atlas: Callable[[Path], Atlas],
    path: str,
    files: dict[str, str],
    query: str,
) -> None:
    # each other file uses the name in its text: only the symbol lifts the defining file
    root = write_repo(
        tmp_path / "r",
        {**files, "src/other.py": "def unrelated():\n    return 1\n", "README.md": "# Project\n"},
    )
    reader, first = first_ranked(make_atlas(root), query)
    symbol = query.split()[0]  # each task opens with the symbol's name
    assert symbol in [c.name for c in reader.chunks(reader.ids[path])]
    assert first == path
