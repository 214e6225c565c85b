"""OCaml, Emacs Lisp, Clojure, Groovy, Tcl, Protocol Buffers and Objective-C imports.

Only the tree-sitter queries record these languages' imports (the regex chunker has no
rules for them, and for Objective-C only ``#include``, the C rules): with the regex
chunker alone each repository below must have no edge (Objective-C: the include ones).
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


def test_ocaml_open_and_include_name_the_nearest_unit(graph_edges: Build, treesitter: bool) -> None:
    edges = graph_edges(
        {
            "bin/main.ml": "open Parser\nopen Stdlib.List\ninclude Util_fns\nlet () = ()\n",
            "lib/parser.ml": "open Ast\nmodule M = struct\n  open Lexer\nend\n",
            "lib/parser.mli": "open Ast\nval parse : string -> Ast.t\n",
            "lib/ast.ml": "type t = int\n",
            "lib/lexer.ml": "let x = 1\n",
            "lib/util_fns.ml": "let f x = x\n",
            # two files of the unit Ast: the one beside the importer wins
            "tools/ast.ml": "type t = string\n",
            "tools/dump.ml": "open Ast\nopen Mylib.Lexer\nopen Sig_only\n",
            # Mylib is no file (a dune wrapped library): Mylib.Lexer -> mylib/lexer.ml
            "tools/mylib/lexer.ml": "let y = 2\n",
            "tools/sig_only.mli": "val v : int\n",
        }
    )
    expected = {
        ("bin/main.ml", "lib/parser.ml"),
        ("bin/main.ml", "lib/util_fns.ml"),  # include; Stdlib.List is no file
        ("lib/parser.ml", "lib/ast.ml"),
        ("lib/parser.ml", "lib/lexer.ml"),  # open inside a nested structure
        ("lib/parser.mli", "lib/ast.ml"),  # an interface's open: the implementation
        ("tools/dump.ml", "tools/ast.ml"),
        ("tools/dump.ml", "tools/mylib/lexer.ml"),
        ("tools/dump.ml", "tools/sig_only.mli"),  # a unit with an interface only
    }
    assert edges == (expected if treesitter else set())


def test_elisp_require_names_the_nearest_feature_file(graph_edges: Build, treesitter: bool) -> None:
    edges = graph_edges(
        {
            "lisp/magit.el": "(require 'cl-lib)\n(require 'magit-git)\n"
            "(eval-when-compile (require 'magit-utils))\n(provide 'magit)\n",
            "lisp/magit-git.el": "(require 'magit-utils nil t)\n(provide 'magit-git)\n",
            "lisp/magit-utils.el": "(provide 'magit-utils)\n",
            "test/magit-tests.el": "(require 'magit)\n(require 'magit-utils)\n",
            "test/magit-utils.el": "(provide 'magit-utils)\n",
        }
    )
    expected = {
        ("lisp/magit.el", "lisp/magit-git.el"),  # cl-lib is Emacs's own
        ("lisp/magit.el", "lisp/magit-utils.el"),
        ("lisp/magit-git.el", "lisp/magit-utils.el"),
        ("test/magit-tests.el", "lisp/magit.el"),
        ("test/magit-tests.el", "test/magit-utils.el"),  # the nearer of two
    }
    assert edges == (expected if treesitter else set())


def test_clojure_namespaces_by_path_under_a_source_root(
    graph_edges: Build, treesitter: bool
) -> None:
    edges = graph_edges(
        {
            "src/app/core.clj": "(ns app.core\n  (:require [app.http-util :as h]\n"
            "            [clojure.string :as str]\n            app.db)\n"
            "  (:import (java.util Date)))\n",
            "src/app/http_util.clj": "(ns app.http-util)\n",
            "src/app/http_util.cljs": "(ns app.http-util)\n",
            "src/app/db.clj": "(ns app.db (:use [app.http-util]))\n",
            "src/app/ui.cljs": '(ns app.ui (:require [app.http-util] ["react" :as r]))\n',
            "test/app/core_test.clj": "(ns app.core-test (:require [clojure.test :refer :all]"
            " [app.core :as core]))\n(require '[app.db :as db])\n",
        }
    )
    expected = {
        ("src/app/core.clj", "src/app/http_util.clj"),  # a .clj file prefers .clj
        ("src/app/core.clj", "src/app/db.clj"),
        ("src/app/db.clj", "src/app/http_util.clj"),
        ("src/app/ui.cljs", "src/app/http_util.cljs"),  # a .cljs file prefers .cljs
        ("test/app/core_test.clj", "src/app/core.clj"),
        ("test/app/core_test.clj", "src/app/db.clj"),  # (require '[...]) outside ns
    }
    assert edges == (expected if treesitter else set())


def test_groovy_imports_by_package_path_and_gradle_apply_from(
    graph_edges: Build, treesitter: bool
) -> None:
    base = "src/main/groovy/org/acme"
    edges = graph_edges(
        {
            f"{base}/App.groovy": "package org.acme\nimport org.acme.util.Strings\n"
            "import static org.acme.util.Checks.notNull\nimport groovy.json.JsonSlurper\n"
            "class App {}\n",
            f"{base}/util/Strings.groovy": "package org.acme.util\nclass Strings {}\n",
            f"{base}/util/Checks.java": "package org.acme.util;\npublic class Checks {}\n",
            "build.gradle": "apply plugin: 'groovy'\napply from: 'gradle/publish.gradle'\n",
            "gradle/publish.gradle": "apply from: '../gradle/missing.gradle'\n",
        }
    )
    expected = {
        (f"{base}/App.groovy", f"{base}/util/Strings.groovy"),
        (f"{base}/App.groovy", f"{base}/util/Checks.java"),  # static import of a member
        ("build.gradle", "gradle/publish.gradle"),  # relative to the script
    }
    assert edges == (expected if treesitter else set())


def test_tcl_source_is_a_path_and_package_require_is_not(
    graph_edges: Build, treesitter: bool
) -> None:
    edges = graph_edges(
        {
            "app/main.tcl": "package require http\npackage require -exact util 1.0\n"
            'source helpers.tcl\nsource "lib/config.tcl"\n'
            "source [file join $dir other.tcl]\n",
            "app/helpers.tcl": "proc help {} {}\n",
            "lib/config.tcl": "source lib/defaults.tcl\nproc cfg {} {}\n",
            "lib/defaults.tcl": "proc defaults {} {}\n",
            "app/other.tcl": "proc other {} {}\n",
            "util.tcl": "package provide util 1.0\n",
        }
    )
    expected = {
        ("app/main.tcl", "app/helpers.tcl"),  # beside the file
        ("app/main.tcl", "lib/config.tcl"),  # no app/lib/: from the repository root
        ("lib/config.tcl", "lib/defaults.tcl"),
    }
    assert edges == (expected if treesitter else set())


def test_protobuf_imports_beside_the_file_the_root_or_an_include_dir(
    graph_edges: Build, treesitter: bool
) -> None:
    edges = graph_edges(
        {
            "proto/acme/v1/service.proto": 'syntax = "proto3";\n'
            'import "google/protobuf/timestamp.proto";\n'
            'import "types.proto";\nimport public "acme/v1/errors.proto";\n'
            'import "common/ids.proto";\nservice S {}\n',
            "proto/acme/v1/types.proto": 'syntax = "proto3";\nmessage T {}\n',
            "proto/acme/v1/errors.proto": 'syntax = "proto3";\nmessage E {}\n',
            "common/ids.proto": 'syntax = "proto3";\nmessage Id {}\n',
            "other/acme/v1/errors.proto": 'syntax = "proto3";\nmessage E2 {}\n',
        }
    )
    expected = {
        ("proto/acme/v1/service.proto", "proto/acme/v1/types.proto"),  # beside it
        ("proto/acme/v1/service.proto", "common/ids.proto"),  # from the root
        # under an include directory (proto/): the nearer of two
        ("proto/acme/v1/service.proto", "proto/acme/v1/errors.proto"),
    }
    assert edges == (expected if treesitter else set())


def test_objective_c_import_and_include(graph_edges: Build, treesitter: bool) -> None:
    edges = graph_edges(
        {
            "Sources/AppDelegate.m": '#import "AppDelegate.h"\n#import <UIKit/UIKit.h>\n'
            '@import Foundation;\n#include "Model/Store.h"\n'
            "@implementation AppDelegate\n@end\n",
            "Sources/AppDelegate.h": "@interface AppDelegate\n@end\n",
            "Sources/Model/Store.h": "@interface Store\n@end\n",
        }
    )
    # the regex chunker (the C rules) records #include only
    include = {("Sources/AppDelegate.m", "Sources/Model/Store.h")}
    expected = {("Sources/AppDelegate.m", "Sources/AppDelegate.h")} | include
    assert edges == (expected if treesitter else include)
