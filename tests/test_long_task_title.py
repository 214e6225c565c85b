"""A long task (a bug report) reads its title first: the path prior and BM25F weigh it."""

from __future__ import annotations

from pathlib import Path

import pytest

from atlas_core.rank.task import LONG_TASK_WORDS, long_task_title
from atlas_core.terms import tokenize
from atlas_core.testing import write_repo

_BODY_WORDS = (
    "project configuration build output theme template extension setup directive html "
    "builder event listener registry environment source reader writer domain index search "
    "locale translation warning logging parallel worker pickle cache incremental toctree "
    "document node transform role option value default override application startup "
    "version release package install"
)

TITLE = '`autodoc_typehints = "description"` puts a return type on classes'
REPORT = f"""{TITLE}
### Describe the bug

When the project sets this option, the class page shows a return type. The application
reads {_BODY_WORDS}, and everything else looks right.

### How to Reproduce

```
$ make html
```
"""

REPO = {
    # a long hub whose text holds most of the body's words
    "sphinx/application.py": f'class Sphinx:\n    """The application: {_BODY_WORDS}."""\n\n'
    + "".join(f"    def handler_{i}(self, arg):\n        return arg + {i}\n" for i in range(150)),
    "sphinx/ext/autodoc/typehints.py": "def record_typehints(app, obj):\n"
    "    if app.config.autodoc_typehints == 'description':\n        return obj\n",
    "sphinx/ext/autodoc/directive.py": "def run_directive(app):\n    return app\n",
    "sphinx/util/logging.py": "def warning(message):\n    return message\n",
    "sphinx/builders/html.py": "class HtmlBuilder:\n    def build(self):\n        return 1\n",
}


def test_only_a_long_task_has_a_title_to_weigh() -> None:
    short = "Fix the typehints of autodoc"
    assert long_task_title(short, tokenize(short)) == []
    terms = tokenize(REPORT)
    assert len(set(terms)) >= LONG_TASK_WORDS
    assert long_task_title(REPORT, terms) == tokenize(TITLE)


@pytest.mark.parametrize("title_first", [True, False])
def test_a_bug_reports_title_finds_the_file_it_names(tmp_path: Path, title_first: bool) -> None:
    """The title names ``autodoc`` and ``typehints`` (the file's directory and name); the
    body's many words match the application hub. Without the title read first, the hub wins."""
    from atlas_core.config import load_settings
    from atlas_core.engine import Atlas, QueryOptions
    from atlas_core.plugin.manager import get_plugin_manager

    root = write_repo(tmp_path / "repo", REPO)
    settings = load_settings(root)
    if not title_first:
        settings.components["path"] = {"long_task_title": False}
        settings.components["bm25f"] = {"title_weight": 0.0}
    atlas = Atlas(root, get_plugin_manager(), settings)
    atlas.index()
    reader = atlas.reader()
    result = atlas.query(REPORT, QueryOptions(top=0, max_tokens=0), reader)
    first = reader.paths[result.order[0]]
    if title_first:
        assert first == "sphinx/ext/autodoc/typehints.py"
    else:
        assert first == "sphinx/application.py"
