"""Rust, Java/Kotlin, Ruby, C/C++, PHP and Go (the generic go.mod resolver)."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import Any

from atlas_core.testing import write_repo

Build = Callable[..., set[tuple[str, str]]]


def test_rust_mod_declarations_and_use_paths(graph_edges: Build) -> None:
    edges = graph_edges(
        {
            "Cargo.toml": '[package]\nname = "finder"\nversion = "0.1.0"\n',
            "src/main.rs": "mod cli;\nmod walk;\nuse std::io;\nuse crate::walk::{Walker, filter};\n"
            "fn main() {}\n",
            "src/cli.rs": "use crate::walk::Walker;\npub struct Opts;\n",
            "src/walk/mod.rs": "pub mod filter;\nuse super::cli::Opts;\npub struct Walker;\n",
            "src/walk/filter.rs": "use self::inner::X;\nmod tests {\n}\n",
            "tests/integration.rs": "use finder::walk::Walker;\nmod common;\n",
            "tests/common/mod.rs": "pub fn setup() {}\n",
        }
    )
    assert edges == {
        ("src/main.rs", "src/cli.rs"),  # mod cli; -> cli.rs
        ("src/main.rs", "src/walk/mod.rs"),  # mod walk; -> walk/mod.rs
        ("src/main.rs", "src/walk/filter.rs"),  # use crate::walk::{.., filter}
        ("src/cli.rs", "src/walk/mod.rs"),  # use crate::walk::Walker (an item of walk)
        ("src/walk/mod.rs", "src/walk/filter.rs"),
        ("src/walk/mod.rs", "src/cli.rs"),  # use super::cli
        ("tests/integration.rs", "src/walk/mod.rs"),  # the crate by its name
        ("tests/integration.rs", "tests/common/mod.rs"),
    }


def test_java_and_kotlin_imports_by_package_path(graph_edges: Build) -> None:
    base = "core/src/main/java/com/acme"
    edges = graph_edges(
        {
            f"{base}/Gson.java": "package com.acme;\nimport com.acme.stream.JsonReader;\n"
            "import java.util.List;\nimport static com.acme.util.Checks.notNull;\n",
            f"{base}/stream/JsonReader.java": "package com.acme.stream;\n"
            "import com.acme.internal.*;\npublic class JsonReader {}\n",
            f"{base}/util/Checks.java": "package com.acme.util;\npublic class Checks {}\n",
            f"{base}/internal/Bits.java": "package com.acme.internal;\nclass Bits {}\n",
            f"{base}/internal/Bytes.java": "package com.acme.internal;\nclass Bytes {}\n",
            "app/src/main/kotlin/com/acme/app/Main.kt": "package com.acme.app\n"
            "import com.acme.Gson\nfun main() {}\n",
        }
    )
    assert edges == {
        (f"{base}/Gson.java", f"{base}/stream/JsonReader.java"),
        (f"{base}/Gson.java", f"{base}/util/Checks.java"),  # static import of a member
        (f"{base}/stream/JsonReader.java", f"{base}/internal/Bits.java"),  # a wildcard
        (f"{base}/stream/JsonReader.java", f"{base}/internal/Bytes.java"),
        ("app/src/main/kotlin/com/acme/app/Main.kt", f"{base}/Gson.java"),
    }


def test_ruby_require_relative_and_require_from_lib(graph_edges: Build) -> None:
    edges = graph_edges(
        {
            "lib/rack.rb": "require 'json'\nrequire 'rack/request'\n",
            "lib/rack/request.rb": "require_relative 'utils'\nclass Request; end\n",
            "lib/rack/utils.rb": "module Utils; end\n",
            "test/test_request.rb": "require_relative '../lib/rack/request'\n",
        }
    )
    assert edges == {
        ("lib/rack.rb", "lib/rack/request.rb"),
        ("lib/rack/request.rb", "lib/rack/utils.rb"),
        ("test/test_request.rb", "lib/rack/request.rb"),
    }


def test_ruby_names_as_tree_sitter_writes_them(
    graph_atlas: Callable[..., Any], tmp_path: Path
) -> None:
    from atlas_graph.resolvers.ruby import RubyResolver

    root = write_repo(tmp_path / "r", {"lib/a.rb": "", "lib/sub/b.rb": "", "lib/c.rb": ""})
    atlas = graph_atlas(root)
    atlas.index()
    reader = atlas.reader()
    found = RubyResolver().resolve(reader, reader.ids["lib/sub/b.rb"], ["../a", "./missing", "c"])
    assert found == ["lib/a.rb", "lib/c.rb"]


def test_c_quoted_includes_and_project_angle_includes(graph_edges: Build) -> None:
    edges = graph_edges(
        {
            "src/main.c": '#include <stdio.h>\n#include "util.h"\n#include "net/socket.h"\n'
            "#include <mylib/api.h>\nint main(void) { return 0; }\n",
            "src/util.h": "int util(void);\n",
            "src/net/socket.h": '#include "../util.h"\n',
            "include/mylib/api.h": "void api(void);\n",
            "src/stdio.h": "/* not the system header */\n",
        }
    )
    assert edges == {
        ("src/main.c", "src/util.h"),
        ("src/main.c", "src/net/socket.h"),
        ("src/main.c", "include/mylib/api.h"),
        ("src/net/socket.h", "src/util.h"),
    }


def test_php_namespaces_through_psr4_and_by_path(graph_edges: Build) -> None:
    edges = graph_edges(
        {
            "composer.json": '{"autoload": {"psr-4": {"App\\\\": "app/"}}}\n',
            "app/Http/Kernel.php": "<?php\nnamespace App\\Http;\n"
            "use App\\Http\\Middleware\\Auth;\nuse Psr\\Log\\LoggerInterface;\n",
            "app/Http/Middleware/Auth.php": "<?php\nnamespace App\\Http\\Middleware;\n"
            "use Lib\\Support\\Str;\nclass Auth {}\n",
            "src/Lib/Support/Str.php": "<?php\nnamespace Lib\\Support;\nclass Str {}\n",
        }
    )
    assert edges == {
        ("app/Http/Kernel.php", "app/Http/Middleware/Auth.php"),  # PSR-4 prefix
        ("app/Http/Middleware/Auth.php", "src/Lib/Support/Str.php"),  # by the class's path
    }


def test_go_imports_of_the_module_name_the_package_files(graph_edges: Build) -> None:
    edges = graph_edges(
        {
            "go.mod": "module example.com/app\n\ngo 1.22\n",
            "main.go": 'package main\n\nimport (\n\t"fmt"\n\t"example.com/app/server"\n)\n',
            "server/server.go": 'package server\n\nimport "example.com/app/server/auth"\n',
            "server/routes.go": "package server\n",
            "server/server_test.go": "package server\n",
            "server/auth/auth.go": "package auth\n",
        }
    )
    assert edges == {
        ("main.go", "server/server.go"),
        ("main.go", "server/routes.go"),  # every non-test file of the package
        ("server/server.go", "server/auth/auth.go"),
    }
