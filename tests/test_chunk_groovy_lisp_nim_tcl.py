"""Groovy (and Gradle), Clojure, Emacs Lisp, Nim and Tcl get symbols from their query files."""

from __future__ import annotations

import textwrap
from collections.abc import Callable

import pytest

from atlas_core.chunk.treesitter import TreeSitterChunker
from atlas_core.testing import symbols_and_imports, tree_sitter_chunks

#: the ``rank_beside_decoys`` fixture (tests/conftest.py)
Rank = Callable[[dict[str, str], str], tuple[list[str], str]]

# (language, file name, source, symbols as (kind, qualified name), imports in order)
SAMPLES: list[tuple[str, str, str, set[tuple[str, str]], list[str]]] = [
    (
        "groovy",
        "Greeter.groovy",
        """
        package com.example.app

        import groovy.transform.CompileStatic
        import static java.lang.Math.max

        @CompileStatic
        class Greeter<T> extends Base implements Runnable {
            static final int MAX_RETRIES = 3
            String greet(String who) {
                return "hi $who"
            }
            private static <E> E first(List<E> xs) { xs[0] }
            def run() {
                println greet("x")
                list.each { item -> println item }
            }
        }

        interface Shape {
            double area()
        }

        enum Color { RED, GREEN }

        trait Flying {
            String fly() { "flying" }
        }

        def topLevel(x) {
            println helper(x) { it }
        }
        """,
        {
            ("class", "Greeter"),
            ("constant", "Greeter.MAX_RETRIES"),
            ("method", "Greeter.greet"),
            ("method", "Greeter.first"),
            ("method", "Greeter.run"),
            ("interface", "Shape"),
            ("method", "Shape.area"),
            ("enum", "Color"),
            ("trait", "Flying"),
            ("method", "Flying.fly"),
            ("function", "topLevel"),
        },
        ["groovy.transform.CompileStatic", "java.lang.Math.max"],
    ),
    (
        "groovy",
        "build.gradle",
        """
        plugins {
            id 'java'
        }
        apply from: 'gradle/publish.gradle'
        dependencies {
            implementation 'org.foo:bar:1.0'
        }
        task buildDocs(type: Copy) {
            from 'docs'
        }
        task hello {
            doLast { println 'hi' }
        }
        def versionName() { return '1.0' }
        """,
        {("task", "buildDocs"), ("task", "hello"), ("function", "versionName")},
        ["./gradle/publish.gradle"],
    ),
    (
        "clojure",
        "core.clj",
        """
        (ns my.app.core
          "Core things."
          (:require [clojure.string :as str]
                    [my.app.db :refer [query]]
                    clojure.set)
          (:import (java.util Date)))

        (defn greet
          "Says hi."
          [name]
          (str "hi " name))

        (defn- helper [x] x)
        (defmacro unless [c & body] `(if ~c nil (do ~@body)))
        (defmulti area :shape)
        (defmethod area :circle [s] (* 3 (:r s)))
        (def ^:private max-retries 3)
        (defprotocol Shape (perimeter [s]))
        (defrecord Circle [r] Shape (perimeter [s] (* 2 r)))
        (deftype Box [w])
        (require '[clojure.java.io :as io])
        """,
        {
            ("module", "my.app.core"),
            ("function", "greet"),
            ("function", "helper"),
            ("macro", "unless"),
            ("function", "area"),
            ("variable", "max-retries"),
            ("interface", "Shape"),
            ("method", "Shape.perimeter"),
            ("class", "Circle"),
            ("method", "Circle.perimeter"),
            ("class", "Box"),
        },
        ["clojure.string", "my.app.db", "clojure.set", "clojure.java.io"],
    ),
    (
        "elisp",
        "foo.el",
        """
        ;;; foo.el --- Frobnicate things  -*- lexical-binding: t -*-
        (require 'cl-lib)
        (eval-when-compile (require 'subr-x))
        (defvar foo-count 0 "Doc.")
        (defcustom foo-style 'plain "Style." :type 'symbol)
        (defconst foo-version "1.0")
        (defun foo-run (x)
          "Run X."
          (interactive)
          (1+ x))
        (defmacro foo-with (&rest body) `(progn ,@body))
        (cl-defun foo-kw (&key a) a)
        (define-minor-mode foo-mode "Foo." :lighter " F")
        (defalias 'foo-alias #'foo-run)
        (cl-defstruct (foo-point (:constructor foo-point-make)) x y)
        (provide 'foo)
        ;;; foo.el ends here
        """,
        {
            ("variable", "foo-count"),
            ("variable", "foo-style"),
            ("constant", "foo-version"),
            ("function", "foo-run"),
            ("macro", "foo-with"),
            ("function", "foo-kw"),
            ("function", "foo-mode"),
            ("function", "foo-alias"),
            ("struct", "foo-point"),
            ("module", "foo"),
        },
        ["cl-lib", "subr-x"],
    ),
    (
        "nim",
        "geometry.nim",
        """
        ## Points and shapes.
        ## Second line.
        import std/[strutils, tables], os
        import pkg/foo as f
        include helpers
        from json import parseJson

        const
          MaxRetries* = 3
        let glob = 2

        type
          Color* = enum
            red, green
          Point* = object
            x*, y*: int
          Shape = ref object of RootObj
          Meters = distinct float
          Comparable = concept x
            x < x is bool

        proc newPoint*(x, y: int): Point =
          result = Point(x: x, y: y)
        func `+`*(a, b: Point): Point = discard
        method draw(s: Shape) {.base.} = discard
        iterator items*(p: Point): int = yield p.x
        template check(x: untyped) = discard
        macro gen(body: untyped): untyped = discard
        """,
        {
            ("module", "Points and shapes."),
            ("constant", "MaxRetries"),
            ("enum", "Color"),
            ("class", "Point"),
            ("class", "Shape"),
            ("type", "Meters"),
            ("interface", "Comparable"),
            ("function", "newPoint"),
            ("function", "+"),
            ("method", "Shape.draw"),
            ("function", "items"),
            ("macro", "check"),
            ("macro", "gen"),
        },
        ["std/strutils", "std/tables", "os", "pkg/foo", "helpers", "json"],
    ),
    (
        "tcl",
        "myutil.tcl",
        """
        package require Tcl 8.6
        package require http
        package require -exact msgcat 1.6
        package provide myutil 1.0
        source lib/extra.tcl

        namespace eval ::myutil {
            namespace export greet
            variable count 0
            proc greet {name} {
                return "hi $name"
            }
        }

        proc ::myutil::helper {a b} {
            expr {$a + $b}
        }

        oo::class create Counter {
            method incr {} { incr n }
        }
        oo::define Counter method reset {} { set n 0 }
        """,
        {
            ("module", "myutil"),
            ("module", "::myutil"),
            ("function", "::myutil.greet"),
            ("function", "::myutil::helper"),
            ("class", "Counter"),
            ("method", "Counter.incr"),
            ("method", "Counter.reset"),
        },
        ["http", "msgcat", "lib/extra.tcl"],
    ),
]


@pytest.mark.parametrize(
    ("language", "name", "source", "symbols", "imports"), SAMPLES, ids=[s[1] for s in SAMPLES]
)
def test_tree_sitter_chunks(
    language: str, name: str, source: str, symbols: set[tuple[str, str]], imports: list[str]
) -> None:
    assert symbols_and_imports(tree_sitter_chunks(name, source, language)) == (symbols, imports)


def test_groovy_calls_with_closures_are_not_definitions() -> None:
    text = textwrap.dedent(
        """
        pipeline {
            stages {
                stage('Build') { steps { sh 'make' } }
            }
        }
        println compute(1) { it }
        if (ready) { go() } else { stop() }
        try { risky() } catch (IOException e) { log(e) }
        """
    )
    assert TreeSitterChunker().chunk("Jenkinsfile", text, "groovy") == []


def test_line_ranges_cover_the_body() -> None:
    text = "class A {\n    def run() {\n        go()\n    }\n}\n\ndef after() {}\n"
    chunks = TreeSitterChunker().chunk("A.groovy", text, "groovy")
    assert [(c.kind, c.qualified, c.start, c.end) for c in chunks] == [
        ("class", "A", 1, 6),
        ("method", "A.run", 2, 4),
        ("function", "after", 7, 7),
    ]
    text = "proc greet*(name: string): string =\n  result = name\n\nconst Limit = 3\n"
    chunks = TreeSitterChunker().chunk("g.nim", text, "nim")
    assert [(c.kind, c.name, c.start, c.end) for c in chunks] == [
        ("function", "greet", 1, 2),
        ("constant", "Limit", 4, 4),
    ]


@pytest.mark.parametrize(
    ("path", "text", "query"),
    [
        (
            "src/main/groovy/Retrier.groovy",
            "class Retrier {\n    int backoffMillis(int attempt) {\n        attempt * 100\n"
            "    }\n}\n",
            "backoffMillis in Retrier grows too fast",
        ),
        (
            "src/app/cache.clj",
            "(ns app.cache)\n\n(defn evict-stale-entries [cache]\n  (dissoc cache :old))\n",
            "evict-stale-entries drops too much",
        ),
        (
            "lisp/frob.el",
            "(defun frob-buffer-lines (n)\n  (forward-line n))\n(provide 'frob)\n",
            "frob-buffer-lines skips a line",
        ),
        (
            "src/tokenizer.nim",
            "proc splitTokens*(s: string): seq[string] =\n  result = @[s]\n",
            "splitTokens loses the last token",
        ),
        (
            "lib/sched.tcl",
            "proc reschedule_jobs {queue} {\n    return $queue\n}\n",
            "reschedule_jobs runs twice",
        ),
    ],
    ids=["groovy", "clojure", "elisp", "nim", "tcl"],
)
def test_a_symbol_named_in_the_task_ranks_its_file_first(
    rank_beside_decoys: Rank, path: str, text: str, query: str
) -> None:
    names, first = rank_beside_decoys({path: text}, query)
    assert query.split()[0] in names  # each task opens with the symbol's name
    assert first == path
