"""Contributors scale the path prior (``Contributor.prior_factors``, plugin API 1.1), and the
tree's evidence of a library copied in (``licensed_subtrees``)."""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path
from typing import Any, ClassVar

import numpy as np
import pytest

from atlas_core.api import (
    Atlas,
    Contributor,
    IndexContext,
    IndexView,
    PriorFactor,
    QueryOptions,
    hookimpl,
    licensed_subtrees,
)
from atlas_core.plugin.manager import get_plugin_manager
from atlas_core.testing import write_repo


def test_licensed_subtrees_need_a_licence_text_below_a_source_directory() -> None:
    """A library copied into the source tree keeps its licence beside it; a workspace
    package's own licence, the repository's, and code about licences are not that."""
    paths = [
        "src/jv.c",
        "src/decNumber/ICU-license.html",
        "src/decNumber/decNumber.c",
        "src/decNumber/sub/more.c",
        "src/vendored/lib/COPYING.LESSER",
        "LICENSE",
        "clap_builder/LICENSE-MIT",
        "clap_builder/src/lib.rs",
        "packages/core/LICENSE",
        "lib/licensing.rb",
        "src/dune_pkg/license.ml",  # code that handles licences
        "tests/syntax/source/Ada/LICENSE.md",  # a source directory at any depth above
    ]
    assert licensed_subtrees(paths) == [
        ("src/decNumber/", "ICU-license.html"),
        ("src/vendored/lib/", "COPYING.LESSER"),
        ("tests/syntax/source/Ada/", "LICENSE.md"),
    ]


class Demoter(Contributor):
    """Scales the path prior of the files under ``vendor_like/`` dirs it finds."""

    name: ClassVar[str] = "demoter"
    factor: ClassVar[float] = 0.1

    def fingerprint(self, ctx: IndexContext) -> str:
        return "v1"

    def contribute(self, ctx: IndexContext) -> Any:
        ids = [i for i, p in enumerate(ctx.index.paths) if p.startswith("src/copied/")]
        return {"ids": ids}

    def prior_factors(self, data: Any, index: IndexView) -> Sequence[PriorFactor]:
        return [PriorFactor(np.array(data["ids"]), self.factor, "src/copied/ is copied in")]


class Broken(Demoter):
    name: ClassVar[str] = "broken"

    def prior_factors(self, data: Any, index: IndexView) -> Sequence[PriorFactor]:
        raise RuntimeError("no history today")


class OutOfRange(Demoter):
    name: ClassVar[str] = "outofrange"

    def prior_factors(self, data: Any, index: IndexView) -> Sequence[PriorFactor]:
        return [PriorFactor(np.array([len(index)]), 0.5, "beyond the index")]


class OddReason(Demoter):
    name: ClassVar[str] = "oddreason"

    def prior_factors(self, data: Any, index: IndexView) -> Sequence[PriorFactor]:
        return [PriorFactor(np.array(data["ids"]), 0.5, object())]  # type: ignore[arg-type]


class OldStyle:
    """A contributor written for plugin API 1.0: no base class, no ``prior_factors``."""

    name: ClassVar[str] = "oldstyle"
    on_demand: ClassVar[str | None] = None

    def fingerprint(self, ctx: IndexContext) -> str:
        return "v1"

    def contribute(self, ctx: IndexContext) -> Any:
        return {"seen": len(ctx.index)}

    def describe(self, data: Any) -> dict[str, Any] | None:
        return None


class Plugin:
    def __init__(self, *contributors: Any) -> None:
        self.contributors = contributors

    @hookimpl
    def atlas_register_contributors(self, registry: Any) -> None:
        for contributor in self.contributors:
            registry.add(contributor)


@pytest.fixture
def tree(tmp_path: Path) -> Path:
    body = "def parse_header(line):\n    return line.split(':')\n"
    return write_repo(
        tmp_path / "r", {"src/own/header.py": body, "src/copied/header.py": body, "README.md": ""}
    )


def index_and_query(root: Path, *contributors: Any) -> tuple[Any, Any]:
    plugin = Plugin(*contributors)
    manager = get_plugin_manager(load_entrypoints=False, extra_plugins=[("p", plugin)])
    atlas = Atlas(root, manager)
    report = atlas.index()
    return report, atlas.query("parse header", QueryOptions(preset="fast"), atlas.reader())


def path_score(result: Any, rel: str) -> float:
    return float(result.raw_scores["path"][result.reader.paths.index(rel)])


def test_a_contributors_factor_scales_the_path_prior_and_says_why(tree: Path) -> None:
    _, plain = index_and_query(tree, OldStyle())
    assert path_score(plain, "src/copied/header.py") == path_score(plain, "src/own/header.py")
    report, result = index_and_query(tree, Demoter())
    assert not report.errors
    own = path_score(result, "src/own/header.py")
    assert path_score(result, "src/copied/header.py") == pytest.approx(0.1 * own)
    assert result.selection.files[0].path == "src/own/header.py"
    notes = [n.message for n in result.notes]
    assert "src/copied/ is copied in: path prior x0.1 (1 files)" in notes


def test_factors_apply_only_while_their_plugin_is_loaded(tree: Path) -> None:
    index_and_query(tree, Demoter())
    manager = get_plugin_manager(load_entrypoints=False)  # the plugin is gone
    atlas = Atlas(tree, manager)
    result = atlas.query("parse header", QueryOptions(preset="fast"), atlas.reader())
    assert path_score(result, "src/copied/header.py") == path_score(result, "src/own/header.py")


def test_factors_of_another_generation_do_not_apply(tree: Path) -> None:
    """A new file shifts the ids: the factors are given again for the new generation."""
    index_and_query(tree, Demoter())
    (tree / "src/aaa.py").write_text("x = 1\n")
    _, result = index_and_query(tree, Demoter())
    own = path_score(result, "src/own/header.py")
    assert path_score(result, "src/copied/header.py") == pytest.approx(0.1 * own)
    assert path_score(result, "src/aaa.py") > 0.1 * own


@pytest.mark.parametrize(
    ("contributor", "error"),
    [
        (Broken(), "RuntimeError: no history today"),
        (OutOfRange(), "ValueError: file id 3 is not in the index"),
        (OddReason(), "ValueError: prior factor reason <object object at 0x"),
    ],
)
def test_a_failing_prior_factor_is_an_index_error_naming_the_plugin(
    tree: Path, contributor: Any, error: str
) -> None:
    report, result = index_and_query(tree, contributor)
    (line,) = report.errors
    assert line.startswith(
        f"plugin local: contributor {contributor.name} failed while giving prior factors: {error}"
    )
    assert report.contributors[contributor.name] == "updated"  # its data is kept
    assert path_score(result, "src/copied/header.py") == path_score(result, "src/own/header.py")
    assert result.selection.files  # the query carried on


def test_a_contributor_written_for_api_1_0_still_registers(tree: Path) -> None:
    report, result = index_and_query(tree, OldStyle())
    assert not report.errors
    assert result.reader.extra("oldstyle") == {"seen": 3}


def test_a_contributor_name_must_be_a_file_name() -> None:
    class Dotted(OldStyle):
        name: ClassVar[str] = "git.priors"

    manager = get_plugin_manager(load_entrypoints=False, extra_plugins=[("p", Plugin(Dotted()))])
    assert manager.registry("contributors").names() == []
    (record,) = [r for r in manager.records if r.name == "p"]
    assert record.error == (
        "plugin local[p] failed registering contributors: TypeError: contributor name "
        "'git.priors' must be letters, digits, '_' and '-' only"
    )


def test_inspect_says_what_contributors_do_to_the_prior(tree: Path) -> None:
    from atlas_core.rank.priors import prior_summary

    index_and_query(tree, Demoter(), OldStyle())
    atlas = Atlas(tree, get_plugin_manager(load_entrypoints=False))
    assert prior_summary(atlas.reader()) == {
        "demoter": ["src/copied/ is copied in: x0.1 (1 files)"]
    }
