"""Racket, Scheme and Common Lisp get symbols from their query files; Astro components,
assembly and COBOL from regex rules (the pack's grammars keep Astro's frontmatter as raw
text, misread assembly comments and directives, and give a COBOL paragraph no body)."""

from __future__ import annotations

import textwrap
from collections.abc import Callable
from pathlib import Path

import pytest

from atlas_core.chunk.regex import RegexChunker
from atlas_core.chunk.treesitter import QUERY_DIR, TreeSitterChunker
from atlas_core.testing import symbols_and_imports, tree_sitter_chunks

#: the ``rank_beside_decoys`` fixture (tests/conftest.py)
Rank = Callable[[dict[str, str], str], tuple[list[str], str]]

# (language, file name, source, symbols as (kind, qualified name), imports in order)
TREE_SITTER: list[tuple[str, str, str, set[tuple[str, str]], list[str]]] = [
    (
        "racket",
        "geometry.rkt",
        """
        #lang racket/base
        (require racket/list "util.rkt" (only-in racket/string string-trim)
                 (prefix-in h: "helpers.rkt") (for-syntax syntax/parse) (lib "net/url"))
        (provide area (struct-out point))
        (define (area w h) (* w h))
        (define max-size 10)
        (define scale (lambda (k) (* k max-size)))
        (define ((adder a) b) (+ a b))
        (define-syntax (swap! stx) stx)
        (define-syntax-rule (unless2 c body) (if c (void) body))
        (struct point (x y) #:transparent)
        (define stack% (class object% (super-new) (define/public (push! v) v)))
        (define/contract (safe-div a b) (-> number? number? number?) (/ a b))
        (module+ test
          (require rackunit)
          (define (check-area) (area 1 2)))
        """,
        {
            ("function", "area"),
            ("variable", "max-size"),
            ("function", "scale"),
            ("function", "adder"),
            ("macro", "swap!"),
            ("macro", "unless2"),
            ("struct", "point"),
            ("class", "stack%"),
            ("method", "stack%.push!"),
            ("function", "safe-div"),
            ("module", "test"),
            ("function", "test.check-area"),
        },
        [
            "racket/base",
            "racket/list",
            "./util.rkt",
            "racket/string",
            "./helpers.rkt",
            "syntax/parse",
            "net/url",
            "rackunit",
        ],
    ),
    (
        "scheme",
        "queue.sld",
        """
        ;;; Queues.
        (define-library (my queue)
          (export make-queue enqueue!)
          (import (scheme base) (only (srfi 1) fold) (prefix (my util) u:))
          (include "queue-impl.scm")
          (begin
            (define (make-queue) (list))
            (define-record-type queue (mk-queue items) queue? (items queue-items))
            (define-syntax swap!
              (syntax-rules () ((_ a b) (let ((t a)) (set! a b) (set! b t)))))
            (define limit 10)
            (define enqueue! (lambda (q x) (cons x q)))))
        """,
        {
            ("library", "(my queue)"),
            ("function", "make-queue"),
            ("struct", "queue"),
            ("macro", "swap!"),
            ("variable", "limit"),
            ("function", "enqueue!"),
        },
        ["(scheme base)", "(srfi 1)", "(my util)", "./queue-impl.scm"],
    ),
    (
        "scheme",
        "tool.scm",
        """
        (define-module (tools report) #:use-module (ice-9 match) #:export (run))
        (use-modules (srfi srfi-1) ((ice-9 format) #:select (format)))
        (define* (run #:key (verbose #f)) verbose)
        (load "config.scm")
        """,
        {("library", "(tools report)"), ("function", "run")},
        ["(ice-9 match)", "(srfi srfi-1)", "(ice-9 format)", "./config.scm"],
    ),
    (
        "commonlisp",
        "geometry.lisp",
        """
        ;;;; geometry.lisp
        (defpackage #:geometry
          (:use #:cl #:alexandria)
          (:import-from #:split-sequence #:split-sequence)
          (:export #:area))
        (in-package #:geometry)
        (require :sb-posix)
        (defvar *count* 0)
        (defparameter *scale* 2 "Scale.")
        (defconstant +unit+ 1)
        (defun area (w h) "Area." (* w h))
        (defun (setf corner) (v s) v)
        (defmacro with-shape ((s) &body body) `(let ((,s 1)) ,@body))
        (defgeneric draw (shape))
        (defmethod draw ((s circle)) (print s))
        (defclass circle (shape) ((r :initarg :r)))
        (defstruct (point (:constructor make-pt)) x y)
        (deftype small () '(integer 0 10))
        (define-condition bad-shape (error) ())
        """,
        {
            ("module", "geometry"),
            ("variable", "*count*"),
            ("variable", "*scale*"),
            ("constant", "+unit+"),
            ("function", "area"),
            ("function", "(setf corner)"),
            ("macro", "with-shape"),
            ("function", "draw"),
            ("class", "circle"),
            ("struct", "point"),
            ("type", "small"),
            ("class", "bad-shape"),
        },
        ["cl", "alexandria", "split-sequence", "sb-posix"],
    ),
    (
        "commonlisp",
        "geometry.asd",
        """
        (asdf:defsystem #:geometry
          :depends-on ("alexandria" #:cl-ppcre)
          :components ((:file "package") (:file "geometry")))
        """,
        {("module", "geometry")},
        ["alexandria", "cl-ppcre"],
    ),
]

REGEX: list[tuple[str, str, str, set[tuple[str, str]], list[str]]] = [
    (
        "astro",
        "Post.astro",
        """
        ---
        import Layout from '../layouts/Layout.astro';
        import { formatDate } from '../lib/dates';
        export interface Props { title: string }
        export function slugify(s: string) { return s.toLowerCase(); }
        export const getStaticPaths = async () => [];
        export const prerender = true;
        const { title } = Astro.props;
        ---
        <Layout title={title}>
          <h1 id="main">{formatDate(title)}</h1>
        </Layout>
        <script>
          import { setup } from '../scripts/setup';
          setup();
        </script>
        """,
        {
            ("interface", "Props"),
            ("function", "slugify"),
            ("function", "getStaticPaths"),
            ("constant", "prerender"),
        },
        ["../layouts/Layout.astro", "../lib/dates", "../scripts/setup"],
    ),
    (
        "asm",
        "memcpy.S",
        """
        # memcpy for x86-64
        #include <asm/linkage.h>
                .include "macros.inc"
                .text
                .globl  fast_memcpy
                .type   fast_memcpy, @function
        fast_memcpy:
                movq    %rdx, %rcx
        .Lloop:
                rep movsb
        1:      ret
                .macro  SAVE_REGS
                push %rbx
                .endm
        ENTRY(slow_memcpy)
                ret
        """,
        {("function", "fast_memcpy"), ("macro", "SAVE_REGS"), ("function", "slow_memcpy")},
        ["asm/linkage.h", "macros.inc"],
    ),
    (
        "asm",
        "hello.asm",
        """
        ; nasm -f elf64
        %include "io.inc"
        section .text
        global _start
        %macro PRINT 1
            nop
        %endmacro
        _start:
            call print_it
        .done:
            ret
        print_it: ret
        """,
        {("macro", "PRINT"), ("function", "_start"), ("function", "print_it")},
        ["io.inc"],
    ),
    (
        "cobol",
        "PAYROLL.cbl",
        """
              *> Payroll batch.
               IDENTIFICATION DIVISION.
               PROGRAM-ID. PAYROLL.
               DATA DIVISION.
               WORKING-STORAGE SECTION.
               COPY EMPREC.
               01  WS-TOTAL        PIC 9(7)V99 VALUE ZERO.
               PROCEDURE DIVISION.
               MAIN-LOGIC SECTION.
               0000-MAIN.
                   PERFORM 1000-COMPUTE-PAY
                   STOP RUN.
               1000-COMPUTE-PAY.
                   COPY "taxcalc.cpy".
                   ADD 1 TO WS-TOTAL.
                   CONTINUE.
               9999-EXIT.
                   EXIT.
               END PROGRAM PAYROLL.
        """,
        {
            ("module", "PAYROLL"),
            ("section", "MAIN-LOGIC"),
            ("function", "0000-MAIN"),
            ("function", "1000-COMPUTE-PAY"),
            ("function", "9999-EXIT"),
        },
        ["EMPREC", "taxcalc.cpy"],
    ),
]


@pytest.mark.parametrize(
    ("language", "name", "source", "symbols", "imports"),
    TREE_SITTER,
    ids=[s[1] for s in TREE_SITTER],
)
def test_tree_sitter_chunks(
    language: str, name: str, source: str, symbols: set[tuple[str, str]], imports: list[str]
) -> None:
    assert symbols_and_imports(tree_sitter_chunks(name, source, language)) == (symbols, imports)


@pytest.mark.parametrize(
    ("language", "name", "source", "symbols", "imports"), REGEX, ids=[s[1] for s in REGEX]
)
def test_regex_chunks(
    language: str, name: str, source: str, symbols: set[tuple[str, str]], imports: list[str]
) -> None:
    text = textwrap.dedent(source).lstrip("\n")
    found = symbols_and_imports(RegexChunker().chunk(name, text, language))
    assert found == (symbols, imports)


def test_a_cobol_paragraph_runs_to_the_next_one() -> None:
    text = "       A-PARA.\n           DISPLAY 'A'.\n       B-PARA.\n           EXIT.\n"
    chunks = RegexChunker().chunk("X.cbl", text, "cobol")
    assert [(c.name, c.start, c.end) for c in chunks] == [("A-PARA", 1, 2), ("B-PARA", 3, 4)]


@pytest.mark.parametrize("query_file", sorted(QUERY_DIR.glob("*.scm")), ids=lambda p: p.name)
def test_a_tree_sitter_query_file_read_as_scheme_gives_no_symbols(query_file: Path) -> None:
    """Atlas's own query files are `.scm`: `(module name: ...)` and `(import (string)
    @import.name)` in them are patterns, not a module or an import."""
    text = query_file.read_text(encoding="utf-8")
    chunker = TreeSitterChunker()
    assert chunker.chunk(f"queries/{query_file.name}", text, "scheme") == []
    assert "scheme" not in chunker.failures


# (the file defining the symbol, another file naming it in its text, the task); without
# the symbol the caller ranks first
RANKED: list[tuple[dict[str, str], str]] = [
    (
        {
            "src/cache.rkt": "#lang racket/base\n(provide evict-stale)\n"
            "(define (evict-stale table) (hash-clear! table))\n",
            "src/main.rkt": '#lang racket/base\n(require "cache.rkt")\n'
            "(evict-stale t)\n(evict-stale u)\n(evict-stale v)\n; evict-stale twice\n",
        },
        "evict-stale clears the wrong table",
    ),
    (
        {
            "lib/queue.scm": "(define (queue-rotate q)\n  (append (cdr q) (list (car q))))\n",
            "lib/main.scm": '(load "queue.scm")\n(queue-rotate q)\n(queue-rotate r)\n'
            "(display (queue-rotate s))\n; queue-rotate again\n",
        },
        "queue-rotate drops an element",
    ),
    (
        {
            "src/matrix.lisp": "(in-package :geo)\n(defun transpose-rows (m)\n  (apply #'mapcar "
            "#'list m))\n",
            "src/main.lisp": "(in-package :geo)\n(transpose-rows a)\n(transpose-rows b)\n"
            "(print (transpose-rows c))\n; transpose-rows again\n",
        },
        "transpose-rows returns columns",
    ),
    (
        {
            "src/components/PriceTag.astro": "---\nexport function formatCents(n: number) "
            "{ return (n / 100).toFixed(2); }\n---\n<span>{formatCents(1)}</span>\n",
            "src/pages/index.astro": "---\nimport { formatCents } from "
            "'../components/PriceTag.astro';\n---\n<p>{formatCents(1)}</p>\n<p>{formatCents(2)}</p>\n<p>{formatCents(3)}</p>\n",
        },
        "formatCents rounds wrongly",
    ),
    (
        {
            "arch/x86/checksum.S": "\t.text\n\t.globl csum_partial_fold\ncsum_partial_fold:\n"
            "\tmovl %edi, %eax\n\tret\n",
            "arch/x86/entry.S": "\t.text\n\tcall csum_partial_fold\n\tcall csum_partial_fold\n"
            "\tcall csum_partial_fold\n\tret\n",
        },
        "csum_partial_fold loses the carry",
    ),
    (
        {
            "src/INTEREST.cbl": "       IDENTIFICATION DIVISION.\n       PROGRAM-ID. INTEREST.\n"
            "       PROCEDURE DIVISION.\n       ACCRUE-DAILY-INTEREST.\n"
            "           COMPUTE WS-BAL = WS-BAL * 1.0001.\n",
            "src/BATCH.cbl": "       IDENTIFICATION DIVISION.\n       PROGRAM-ID. BATCH.\n"
            "       PROCEDURE DIVISION.\n       MAIN-PARA.\n"
            "           PERFORM ACCRUE-DAILY-INTEREST\n"
            "           PERFORM ACCRUE-DAILY-INTEREST\n"
            "           PERFORM ACCRUE-DAILY-INTEREST.\n",
        },
        "ACCRUE-DAILY-INTEREST compounds twice",
    ),
]


@pytest.mark.parametrize(
    ("files", "query"), RANKED, ids=["racket", "scheme", "commonlisp", "astro", "asm", "cobol"]
)
def test_a_symbol_named_in_the_task_ranks_its_file_first(
    rank_beside_decoys: Rank, files: dict[str, str], query: str
) -> None:
    names, first = rank_beside_decoys(files, query)
    assert query.split()[0] in names  # each task opens with the symbol's name
    assert first == next(iter(files))
