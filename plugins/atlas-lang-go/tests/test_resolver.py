"""GoResolver: import paths to package directories through go.mod, nested modules, replace."""

from __future__ import annotations

from pathlib import Path

import atlas_lang_go
import pytest
from atlas_lang_go.resolver import GoResolver, parse_go_mod

from atlas_core.engine import Atlas
from atlas_core.plugin.manager import get_plugin_manager
from atlas_core.testing import run_atlas, write_repo

GO_MOD = """\
module example.com/app // the application

go 1.22

require (
\texample.com/lib v1.0.0
\tgithub.com/x/y v0.1.0
)

replace example.com/lib => ./third_party/lib

replace (
\texample.com/outside v1.2.0 => ../outside
\texample.com/remote => example.com/fork v1.0.0
)
"""

MAIN = """\
package main

import (
\t"fmt"

\t"example.com/app/internal/db"
\t"example.com/lib/codec"
\t"example.com/app/tools/gen"
\t"github.com/x/y"
\t"example.com/outside/thing"
)

func main() { fmt.Println(db.Open(), codec.X, gen.Y, y.Z) }
"""

REPO: dict[str, str | bytes] = {
    "go.mod": GO_MOD,
    "main.go": MAIN,
    "internal/db/db.go": "package db\n\nfunc Open() int { return 1 }\n",
    "internal/db/conn.go": "package db\n\ntype Conn struct{}\n",
    "internal/db/db_test.go": "package db\n",
    "internal/db/sub/deep.go": "package sub\n",
    "third_party/lib/codec/codec.go": "package codec\n\nvar X = 1\n",
    "tools/go.mod": "module example.com/app/tools\n\nreplace example.com/app => ../\n",
    "tools/gen/gen.go": (
        'package gen\n\nimport "example.com/app/internal/db"\n\nvar Y = db.Open()\n'
    ),
    "vendor/github.com/x/y/y.go": "package y\n\nvar Z = 1\n",
}


@pytest.fixture
def atlas(tmp_path: Path) -> Atlas:
    root = write_repo(tmp_path / "r", REPO)
    atlas = Atlas(root, get_plugin_manager(extra_plugins=[("lang-go", atlas_lang_go)]))
    atlas.index()
    return atlas


def test_parse_go_mod_reads_module_and_local_replacements() -> None:
    module = parse_go_mod(GO_MOD, "")
    assert module is not None
    assert module.path == "example.com/app"
    # ../outside leaves the repository; a module-version replacement is no directory
    assert module.replace == {"example.com/lib": "third_party/lib"}
    nested = parse_go_mod("module example.com/app/tools\nreplace example.com/app => ../\n", "tools")
    assert nested is not None and nested.replace == {"example.com/app": ""}
    assert parse_go_mod("go 1.22\n", "") is None


def test_imports_resolve_to_the_package_files(atlas: Atlas) -> None:
    reader = atlas.reader()
    main = reader.ids["main.go"]
    imports = [c.name for c in reader.chunks(main) if c.kind == "import"]
    assert imports == [
        "fmt",
        "example.com/app/internal/db",
        "example.com/lib/codec",
        "example.com/app/tools/gen",
        "github.com/x/y",
        "example.com/outside/thing",
    ]
    resolved = GoResolver().resolve(reader, main, imports)
    assert resolved == [
        "internal/db/conn.go",  # the package's files, not its tests nor sub-packages
        "internal/db/db.go",
        "third_party/lib/codec/codec.go",  # replace => ./third_party/lib
        "tools/gen/gen.go",  # the nested module owns tools/
        "vendor/github.com/x/y/y.go",  # vendored
    ]


def test_a_nested_module_resolves_through_its_own_go_mod(atlas: Atlas) -> None:
    reader = atlas.reader()
    gen = reader.ids["tools/gen/gen.go"]
    resolved = GoResolver().resolve(reader, gen, ["example.com/app/internal/db", "./../.."])
    assert resolved == ["internal/db/conn.go", "internal/db/db.go", "main.go"]


def test_the_resolver_outranks_generic_ones_in_the_registry(atlas: Atlas) -> None:
    resolvers = list(atlas.manager.registry("resolvers"))
    go = [r for r in resolvers if "go" in r.languages]
    best = max(go, key=lambda r: (r.priority, r.name))
    assert isinstance(best, GoResolver) and best.priority == 20


def test_through_the_cli_with_the_entry_point(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("ATLAS_LOAD_PLUGINS", "lang-go")
    root = write_repo(tmp_path / "r", REPO)
    listed = run_atlas("plugins")
    assert listed.code == 0, listed.stderr
    assert "atlas-lang-go[lang-go]" in listed.stdout
    indexed = run_atlas("--root", str(root), "index")
    assert indexed.code == 0, indexed.stderr
    reader = Atlas(root, get_plugin_manager()).reader()
    kinds = {(c.kind, c.name) for c in reader.chunks(reader.ids["main.go"])}
    assert ("package", "main") in kinds  # only atlas-lang-go's chunker emits these
