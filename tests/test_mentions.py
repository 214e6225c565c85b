"""The mentions signal: named files, modules, frames, defined symbols and error messages."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import numpy as np
import pytest

from atlas_core.components import QueryContext
from atlas_core.engine import Atlas, QueryOptions
from atlas_core.index.reader import IndexReader
from atlas_core.rank.mentions import mention_scores
from atlas_core.terms import tokenize
from atlas_core.testing import write_repo

FILES = {
    "src/pkg/sessions.py": "class Session:\n    def send(self, request):\n        pass\n",
    "src/pkg/adapters.py": (
        "def connect(url):\n    raise ProxyError('Cannot connect to proxy %r' % url)\n"
    ),
    "src/pkg/ext/autodoc/__init__.py": "def setup(app):\n    pass\n",
    "src/pkg/utils.py": "def helper():\n    return 'session send request'\n",
    "src/other/utils.py": "def unrelated():\n    pass\n",
    "docs/guide.md": "Sessions send requests.\n",
}


@pytest.fixture
def reader(tmp_path: Path, make_atlas: Callable[[Path], Atlas]) -> IndexReader:
    atlas = make_atlas(write_repo(tmp_path / "r", FILES))
    atlas.index()
    return atlas.reader()


def indexed(root: Path, make_atlas: Callable[[Path], Atlas], files: dict[str, str]) -> IndexReader:
    atlas = make_atlas(write_repo(root, files))
    atlas.index()
    return atlas.reader()


def scores(reader: IndexReader, task: str) -> dict[str, float]:
    values = mention_scores(QueryContext(task, tokenize(task), reader))
    return {reader.paths[i]: float(v) for i, v in enumerate(values) if v > 0}


def test_a_named_path_matches_by_its_tail(reader: IndexReader) -> None:
    found = scores(reader, "the bug is in pkg/sessions.py somewhere")
    assert set(found) == {"src/pkg/sessions.py"}


def test_an_ambiguous_file_name_is_shared(reader: IndexReader) -> None:
    found = scores(reader, "see utils.py")
    assert set(found) == {"src/pkg/utils.py", "src/other/utils.py"}
    assert scores(reader, "see pkg/utils.py")["src/pkg/utils.py"] > found["src/pkg/utils.py"]


def test_module_and_frames(reader: IndexReader) -> None:
    assert set(scores(reader, "the pkg.ext.autodoc extension breaks")) == {
        "src/pkg/ext/autodoc/__init__.py"
    }
    found = scores(
        reader,
        'Traceback:\n  File "/venv/lib/pkg/sessions.py", line 3, in send\n'
        '  File "/venv/lib/pkg/adapters.py", line 2, in connect\n',
    )
    assert found["src/pkg/adapters.py"] > found["src/pkg/sessions.py"] > 0


def test_defined_symbols_and_verbatim_messages(reader: IndexReader) -> None:
    found = scores(reader, "Calling `Session` fails")
    assert set(found) == {"src/pkg/sessions.py"}  # utils.py only uses the words
    found = scores(reader, "ProxyError: Cannot connect to proxy 'http://x:3128'")
    assert "src/pkg/adapters.py" in found


def test_plain_tasks_give_no_evidence(reader: IndexReader) -> None:
    assert scores(reader, "make sessions faster") == {}


def test_the_default_preset_ranks_the_named_file_first(
    tmp_path: Path, make_atlas: Callable[[Path], Atlas]
) -> None:
    atlas = make_atlas(write_repo(tmp_path / "r", FILES))
    atlas.index()
    reader = atlas.reader()
    result = atlas.query("request handling is wrong in adapters.py", QueryOptions(), reader)
    assert result.selection.files[0].path == "src/pkg/adapters.py"
    assert "mentions" in result.selection.signals
    assert np.count_nonzero(result.raw_scores["mentions"]) == 1


def test_a_jvm_frame_picks_its_package_among_same_named_files(
    tmp_path: Path, make_atlas: Callable[[Path], Atlas]
) -> None:
    core = "core/src/main/java/com/acme/core/Utils.java"
    web = "web/src/main/java/com/acme/web/Utils.java"
    files = {
        core: "class Utils { void render() {} }\n",
        web: "class Utils { void render() {} }\n",
        "web/src/main/java/com/acme/web/Routes.java": "class Routes { void route() {} }\n",
    }
    reader = indexed(tmp_path / "r", make_atlas, files)
    found = scores(
        reader,
        "java.lang.IllegalStateException: boom\n"
        "\tat com.acme.web.Utils.render(Utils.java:1)\n"
        "\tat java.base/java.lang.Thread.run(Thread.java:829)\n",
    )
    # both files define the names the frame gives; its package tells them apart
    assert found[web] > found[core] > 0
    assert "web/src/main/java/com/acme/web/Routes.java" not in found


def test_owner_and_member_defined_in_one_file(
    tmp_path: Path, make_atlas: Callable[[Path], Atlas]
) -> None:
    files = {
        f"m{k}.py": f"class Other{k}:\n    def evaluate(self):\n        pass\n" for k in range(4)
    }
    files["core.py"] = "class Expression:\n    def evaluate(self):\n        pass\n"
    files["uses.py"] = "def Expression():\n    pass\n"
    atlas = make_atlas(write_repo(tmp_path / "r", files))
    atlas.index()
    found = scores(atlas.reader(), "`Expression.evaluate` is wrong")
    assert max(found, key=lambda p: found[p]) == "core.py"
    assert found["core.py"] > found["uses.py"] > found["m0.py"] > 0


NAMES = {
    "a/HTTPHeaders.swift": "struct HTTPHeaders {}\n",
    "b/http_headers.py": "x = 1\n",
    "c/mod.rs": "fn a() {}\n",
    "d/src/mod.rs": "fn b() {}\n",
    "e/sha256sum.c": "int f;\n",
    "f/fooBar2Baz.ts": "let a = 1;\n",
    "g/.eslintrc.js": "module.exports = {};\n",
    "h/dense_ndim_array.py": "y = 2\n",
    "i/Dense_NDim_Array.py": "z = 3\n",
    "j/main.go": "package main\n",
}


def test_files_by_stem_agree_with_a_scan_of_every_path(
    tmp_path: Path, make_atlas: Callable[[Path], Atlas]
) -> None:
    """The stem lookup through the file-name field finds exactly what a scan of every path
    finds, whatever the case, digits or stop words of the name."""
    from atlas_core.rank.mentions import _Paths, _stem_of

    reader = indexed(tmp_path / "r", make_atlas, NAMES)
    lookup = _Paths(QueryContext("", [], reader), reader.paths)
    stems = {_stem_of(p) for p in reader.paths} | {"httpheaders", "nothing_here", "mod"}
    for stem_ in sorted(stems):
        expected = [i for i, p in enumerate(reader.paths) if _stem_of(p) == stem_]
        assert sorted(lookup.files(stem_)) == expected, stem_
        assert sorted(lookup.files(stem_.upper())) == expected, stem_


def test_stop_word_file_names_still_match_by_their_tail(
    tmp_path: Path, make_atlas: Callable[[Path], Atlas]
) -> None:
    atlas = make_atlas(write_repo(tmp_path / "r", NAMES))
    atlas.index()
    found = scores(atlas.reader(), "the panic is in d/src/mod.rs")
    assert set(found) == {"d/src/mod.rs"}


CHAIN = {
    "pkg/front.py": "def sqf_list(f):\n    return dup_sqf_list(f)\n",
    "pkg/dense.py": "def dup_sqf_list(f):\n    return f\n",
    "pkg/other.py": "def unrelated():\n    return 1\n",
}


def test_a_common_word_names_the_file_that_defines_it_exactly(
    tmp_path: Path, make_atlas: Callable[[Path], Atlas]
) -> None:
    """``Add``: more files' symbols hold the word than the limit (``_eval_add``), yet reading
    them finds the one class; without reading, the word says nothing."""
    from atlas_core.rank.mentions import Tuning

    files = {f"pkg/m{k}.py": f"def _eval_add_{k}(a):\n    pass\n" for k in range(160)}
    files["pkg/add.py"] = "class Add:\n    pass\n"
    reader = indexed(tmp_path / "r", make_atlas, files)
    task = "is_zero is wrong for `Add` of complex numbers"
    ctx = QueryContext(task, tokenize(task), reader)
    found = mention_scores(ctx)
    assert np.flatnonzero(found).tolist() == [reader.ids["pkg/add.py"]]
    assert not mention_scores(ctx, Tuning(beyond_limit=False)).any()


def test_a_class_named_by_a_keyword_is_found_in_its_namesake_file(
    tmp_path: Path, make_atlas: Callable[[Path], Atlas]
) -> None:
    """``Mod`` (``mod`` is a stop word, so the term index holds no such term): the file named
    after it that defines it exactly, not another file of that name."""
    from atlas_core.rank.mentions import Tuning

    files = {
        "core/mod.py": "class Mod:\n    pass\n",
        "ext/mod.py": "def helper():\n    pass\n",
        "core/add.py": "class Add:\n    pass\n",
    }
    reader = indexed(tmp_path / "r", make_atlas, files)
    task = "Mod(x**2, x) is not 0 when the base is not an integer"
    ctx = QueryContext(task, tokenize(task), reader)
    assert set(scores(reader, task)) == {"core/mod.py"}
    assert not mention_scores(ctx, Tuning(stem_names=False)).any()


def test_the_file_named_after_a_name_is_where_it_lives(
    tmp_path: Path, make_atlas: Callable[[Path], Atlas]
) -> None:
    from atlas_core.rank.mentions import Tuning

    files = {
        "sets/condition_set.py": "class ConditionSet:\n    pass\n",
        "sets/handlers.py": "def ConditionSet(a):\n    return a\n",
    }
    reader = indexed(tmp_path / "r", make_atlas, files)
    task = "subs on a `ConditionSet` gives a wrong result"
    found = scores(reader, task)
    assert found["sets/condition_set.py"] == 2 * found["sets/handlers.py"] > 0
    ctx = QueryContext(task, tokenize(task), reader)
    flat = mention_scores(ctx, Tuning(namesake=0.0))
    assert flat[reader.ids["sets/condition_set.py"]] == flat[reader.ids["sets/handlers.py"]]


def test_a_line_the_task_quotes_word_for_word_names_its_file(
    tmp_path: Path, make_atlas: Callable[[Path], Atlas]
) -> None:
    """Off by default (it gained nothing measurable); on, the file holding the line counts
    and a file holding only its words does not."""
    from atlas_core.rank.mentions import Tuning

    files = {
        "core/mod.py": "def doit(p, q):\n    if p.is_Pow and p.exp.is_Integer and p.base == q:\n"
        "        return 0\n",
        "core/other.py": "def f(p, q):\n    return p.base == q and p.exp.is_Integer or p.is_Pow\n",
    }
    reader = indexed(tmp_path / "r", make_atlas, files)
    task = "wrong result\n```\nif p.is_Pow and p.exp.is_Integer and p.base == q:\n```\n"
    ctx = QueryContext(task, tokenize(task), reader)
    assert not mention_scores(ctx).any()
    quoted = mention_scores(ctx, Tuning(quoted=0.8))
    assert np.flatnonzero(quoted).tolist() == [reader.ids["core/mod.py"]]


def test_measured_knobs_are_off_by_default_and_change_the_evidence(
    tmp_path: Path, make_atlas: Callable[[Path], Atlas]
) -> None:
    """The knobs scripts/reports_eval.py measures (none ships): off, nothing changes."""
    from atlas_core.rank.mentions import Tuning

    reader = indexed(tmp_path / "r", make_atlas, CHAIN)
    task = "sqf_list gives a wrong result\n```\n>>> sqf_list(x**2)\n```\n"
    ctx = QueryContext(task, tokenize(task), reader)
    shipped = mention_scores(ctx)
    assert np.array_equal(shipped, mention_scores(ctx, Tuning()))
    dense = reader.ids["pkg/dense.py"]
    assert shipped[dense] == 0
    assert mention_scores(ctx, Tuning(chain=0.4))[dense] > 0  # the callee's file
    front = reader.ids["pkg/front.py"]
    assert mention_scores(ctx, Tuning(title=2.0))[front] == 2 * shipped[front]


@pytest.mark.parametrize(
    "title", ["Prepare 5.8.0", "chore(main): release 11.16.2", "Bump version to 2.0.1"]
)
def test_a_release_title_points_at_where_the_version_is_defined(
    tmp_path: Path, make_atlas: Callable[[Path], Atlas], title: str
) -> None:
    """A release commit sets the version the code holds; its title names only the number."""
    reader = indexed(
        tmp_path / "r",
        make_atlas,
        {
            "Source/Info.swift": 'public enum AFInfo {\n    static let version = "5.7.1"\n}\n',
            "Source/Request.swift": "final class Request {\n    func resume() {}\n}\n",
            "pkg/about.py": '__version__ = "5.7.1"\n',
            "pkg/client.py": "def version_of(response):\n    return response.http_version\n",
        },
    )
    assert set(scores(reader, title)) == {"Source/Info.swift", "pkg/about.py"}
    assert scores(reader, "Fix a crash in the 5.8.0 release notes") == {}


LISP = {
    "lisp/stash.el": (
        '(defun my-stash-push (args)\n  "Push a stash."\n  (my-run args))\n\n'
        "(defvar my-stash-limit 10)\n"
    ),
    # a file that only calls the name, and one that defines a longer name holding it
    "lisp/commands.el": "(defun my-commands ()\n  (my-stash-push nil)\n  (my-stash-push t))\n",
    "lisp/extra.el": "(defun my-stash-push-all ()\n  (my-stash-push nil))\n",
    "style/site.css": ".btn-primary { color: red; }\n.btn { color: blue; }\n",
    "style/other.css": ".btn-secondary { color: red; }\n",
}


def test_a_kebab_case_name_finds_the_file_defining_it(
    tmp_path: Path, make_atlas: Callable[[Path], Atlas]
) -> None:
    reader = indexed(tmp_path / "r", make_atlas, LISP)
    assert set(scores(reader, "my-stash-push: don't unquote the group")) == {"lisp/stash.el"}
    assert set(scores(reader, "make `btn-primary` darker")) == {"style/site.css"}
    # a hyphenated word no file defines says nothing
    assert scores(reader, "a built-in stash") == {}


MARKED = {
    "lib/model.rb": (
        "class Model\n  def valid?\n    errors.empty?\n  end\n\n  def save!\n  end\nend\n"
    ),
    "lib/form.rb": "class Form\n  def submit\n    model.valid? && model.save!\n  end\nend\n",
    "lib/state.clj": "(ns app.state)\n\n(defn swap-all! [x] x)\n",
}


def test_a_name_ending_in_a_mark_is_found_without_it(
    tmp_path: Path, make_atlas: Callable[[Path], Atlas]
) -> None:
    reader = indexed(tmp_path / "r", make_atlas, MARKED)
    # Ruby's predicate and bang methods, Clojure's `swap-all!`: tasks name them without the mark
    assert set(scores(reader, "`valid?` is wrong for new records")) == {"lib/model.rb"}
    assert set(scores(reader, "`save!` should raise")) == {"lib/model.rb"}
    assert set(scores(reader, "swap-all! drops the last item")) == {"lib/state.clj"}


def test_a_kebab_name_is_looked_for_only_in_languages_that_allow_it(
    tmp_path: Path, make_atlas: Callable[[Path], Atlas], monkeypatch: pytest.MonkeyPatch
) -> None:
    from atlas_core.rank import mentions

    reader = indexed(
        tmp_path / "r",
        make_atlas,
        {
            "app/forms.py": "def readonly(field):\n    return field\n",
            "style/forms.css": ".read-only { color: grey; }\n",
        },
    )
    read: list[str] = []
    names = mentions._ExactNames._names

    def spy(self: mentions._ExactNames, i: int) -> set[str]:
        read.append(reader.paths[i])
        return names(self, i)

    monkeypatch.setattr(mentions._ExactNames, "_names", spy)
    assert set(scores(reader, "make read-only inputs grey")) == {"style/forms.css"}
    # a Python file cannot define `read-only`: its symbols are not read for it
    assert read == ["style/forms.css"]
