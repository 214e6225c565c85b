"""OCaml, F#, Julia and Erlang get symbols and imports from their tree-sitter queries (F#
signature files from regex rules: the language pack's signature grammar cannot read them)."""

from __future__ import annotations

import textwrap
from collections.abc import Callable
from pathlib import Path

import pytest

from atlas_core.chunk.regex import RegexChunker
from atlas_core.chunk.treesitter import TreeSitterChunker
from atlas_core.classify.rules import detect_language
from atlas_core.engine import Atlas
from atlas_core.testing import first_ranked, symbols_and_imports, tree_sitter_chunks, write_repo
from atlas_core.types import Chunk

SAMPLES: list[tuple[str, str, set[tuple[str, str]], list[str]]] = [
    (
        "ocaml",
        """
        open Printf
        include Base.Stdlib

        let version = "1.0"
        let add x y = x + y
        let rec fact n = if n = 0 then 1 else n * fact (n - 1)
        and twice = fun x -> x * 2
        let handler = function 0 -> "zero" | _ -> "other"
        let ( +++ ) a b = a + b
        let () = print_endline "hi"
        let _ = ignore 1

        type color = Red | Green
        type point = { x : int; y : int }
        exception Parse_error of string

        module Cache = struct
          let capacity = 16
          let lookup key = Hashtbl.find_opt key
          type entry = int
        end

        module type STORE = sig
          val get : string -> int
        end

        external c_time : unit -> float = "caml_time"

        let local_only n =
          let helper m = m + 1 in
          helper n
        """,
        {
            ("constant", "version"),
            ("function", "add"),
            ("function", "fact"),
            ("function", "twice"),
            ("function", "handler"),
            ("function", "+++"),
            ("type", "color"),
            ("type", "point"),
            ("type", "Parse_error"),
            ("module", "Cache"),
            ("constant", "capacity"),
            ("function", "lookup"),
            ("type", "entry"),
            ("interface", "STORE"),
            ("method", "get"),
            ("function", "c_time"),
            ("function", "local_only"),
        },
        ["Printf", "Base.Stdlib"],
    ),
    (
        "fsharp",
        """
        namespace Shop.Orders

        open System
        open System.Collections.Generic

        type Money = decimal

        type Order = { Id: int; Total: Money }

        type Status =
            | Pending
            | Shipped of DateTime

        type IPricing =
            abstract member Price : Order -> Money

        type Basket(owner: string) =
            member this.Add(item: Order) = ()
            member _.Owner = owner
            member val Count = 0 with get, set

        exception OrderRejected of string

        module Tax =
            let rate = 0.2m
            let apply (total: Money) = total * (1m + rate)
            let round = fun (x: Money) -> Math.Round x
            let private audit total =
                let doubled = total * 2m
                doubled
        """,
        {
            ("namespace", "Shop.Orders"),
            ("type", "Money"),
            ("struct", "Order"),
            ("enum", "Status"),
            ("class", "IPricing"),
            ("method", "Price"),
            ("class", "Basket"),
            ("method", "Add"),
            ("property", "Owner"),
            ("property", "Count"),
            ("type", "OrderRejected"),
            ("module", "Tax"),
            ("constant", "rate"),
            ("function", "apply"),
            ("function", "round"),
            ("function", "audit"),
        },
        ["System", "System.Collections.Generic"],
    ),
    (
        "julia",
        '''
        """
            Solvers

        Iterative solvers.
        """
        module Solvers

        using LinearAlgebra, Statistics
        using Base.Threads: @spawn
        import JSON
        include("kernels.jl")

        const MAX_ITER = 100

        abstract type AbstractSolver end

        struct Point{T}
            x::T
        end

        mutable struct Newton <: AbstractSolver
            tol::Float64
        end

        function solve(s::Newton, x0)
            step(y) = y / 2
            return step(x0)
        end

        function Base.show(io::IO, s::Newton)
            print(io, s.tol)
        end

        residual(x) = norm(x)
        bounded(x::Float64)::Float64 = clamp(x, 0, 1)

        macro check(ex)
            return esc(ex)
        end

        end
        ''',
        {
            ("module", "Solvers"),
            ("constant", "MAX_ITER"),
            ("type", "AbstractSolver"),
            ("struct", "Point"),
            ("struct", "Newton"),
            ("function", "solve"),
            ("function", "show"),
            ("function", "residual"),
            ("function", "bounded"),
            ("macro", "check"),
        },
        ["LinearAlgebra", "Statistics", "Base.Threads", "JSON", "./kernels.jl"],
    ),
    (
        "erlang",
        """
        -module(kv_store).
        -behaviour(gen_server).
        -include("kv.hrl").
        -include_lib("kernel/include/logger.hrl").
        -export([start_link/0, get/2]).

        -define(TIMEOUT, 5000).
        -define(LOG(Msg), logger:info(Msg)).

        -record(state, {table, hits = 0 :: integer()}).
        -type key() :: binary().
        -opaque handle() :: pid().

        -spec start_link() -> {ok, pid()}.
        start_link() ->
            gen_server:start_link(?MODULE, [], []).

        get(Pid, Key) when is_binary(Key) ->
            gen_server:call(Pid, {get, Key}, ?TIMEOUT);
        get(_Pid, _Key) ->
            {error, badarg}.
        """,
        {
            ("module", "kv_store"),
            ("macro", "TIMEOUT"),
            ("macro", "LOG"),
            ("struct", "state"),
            ("type", "key"),
            ("type", "handle"),
            ("function", "start_link"),
            ("function", "get"),
        },
        ["kv.hrl", "kernel/include/logger.hrl"],
    ),
]


def _chunk(language: str, source: str, grammar_language: str | None = None) -> list[Chunk]:
    return tree_sitter_chunks(f"x.{language}", source, grammar_language or language)


def _qualified(chunks: list[Chunk]) -> dict[str, tuple[str, int, int]]:
    return {c.qualified: (c.kind, c.start, c.end) for c in chunks if c.kind != "import"}


@pytest.mark.parametrize(
    ("language", "source", "symbols", "imports"), SAMPLES, ids=[s[0] for s in SAMPLES]
)
def test_tree_sitter_chunks(
    language: str, source: str, symbols: set[tuple[str, str]], imports: list[str]
) -> None:
    found = symbols_and_imports(_chunk(language, source), qualified=False)
    assert found == (symbols, imports)


def test_ocaml_definitions_are_qualified_by_their_modules() -> None:
    qualified = _qualified(_chunk("ocaml", SAMPLES[0][1]))
    assert qualified["Cache.lookup"] == ("function", 19, 19)
    assert qualified["Cache"] == ("module", 17, 21)
    assert qualified["STORE.get"][0] == "method"
    # a `let ... in` inside a function is no symbol of its own
    assert "local_only.helper" not in qualified and "helper" not in qualified


def test_an_ocaml_interface_parses_with_the_interface_grammar() -> None:
    source = """
    open Types
    type t
    val create : int -> t
    (** [create n] makes one. *)

    val empty : t
    module Sub : sig
      val run : unit -> unit
    end
    """
    chunks = _chunk("mli", source, "ocaml_interface")
    assert symbols_and_imports(chunks, qualified=False) == (
        {
            ("type", "t"),
            ("function", "create"),
            ("constant", "empty"),
            ("module", "Sub"),
            ("function", "run"),
        },
        ["Types"],
    )
    assert _qualified(chunks)["Sub.run"] == ("function", 8, 8)


def test_an_mli_file_is_classified_for_the_interface_grammar() -> None:
    language = detect_language("lib/cache.mli", "")
    chunks = TreeSitterChunker().chunk("lib/cache.mli", "val create : int -> t\n", language)
    assert (language, symbols_and_imports(chunks, qualified=False)) == (
        "ocaml_interface",
        ({("function", "create")}, []),
    )


def test_fsharp_definitions_are_qualified_by_namespace_module_and_type() -> None:
    qualified = _qualified(_chunk("fsharp", SAMPLES[1][1]))
    assert qualified["Shop.Orders.Tax.apply"][0] == "function"
    assert qualified["Shop.Orders.Basket.Add"][0] == "method"
    assert qualified["Shop.Orders.Tax.audit"] == ("function", 28, 30)
    assert not any(name.endswith("doubled") for name in qualified)


def test_an_fsharp_script_loads_other_scripts() -> None:
    source = (
        '#load "lib/Helpers.fsx"\n#load "../shared/Types.fs"\n#r "nuget: FSharp.Data"\n'
        "open System.IO\n\nlet run path = File.ReadAllText path\n"
    )
    chunks = TreeSitterChunker().chunk("build.fsx", source, detect_language("build.fsx", ""))
    assert symbols_and_imports(chunks) == (
        {("function", "run")},
        ["lib/Helpers.fsx", "../shared/Types.fs", "System.IO"],  # a package reference is none
    )
    assert [(c.name, c.start) for c in chunks if c.kind == "import"][:2] == [
        ("lib/Helpers.fsx", 1),
        ("../shared/Types.fs", 2),
    ]


def test_an_fsharp_signature_file_is_read_by_the_regex_rules() -> None:
    source = """
    namespace Acme.Billing

    open System
    open type System.Math

    /// An amount in the ledger's currency.
    type Money = decimal

    [<Sealed>]
    type Ledger =
        new: unit -> Ledger
        member Balance: Money
        member Post: amount: Money -> unit
        static member Empty: Ledger
        abstract member Close: unit -> unit

    exception InsufficientFunds of Money

    [<RequireQualifiedAccess>]
    module Invoice =
        val computeTotal: lines: Money list -> Money
        val inline scale: factor: decimal -> Money -> Money
    """
    language = detect_language("src/Billing.fsi", "")
    assert language not in TreeSitterChunker().languages
    chunks = RegexChunker().chunk("src/Billing.fsi", textwrap.dedent(source), language)
    assert symbols_and_imports(chunks) == (
        {
            ("namespace", "Acme.Billing"),
            ("type", "Money"),
            ("type", "Ledger"),
            ("method", "Ledger.Balance"),
            ("method", "Ledger.Post"),
            ("method", "Ledger.Empty"),
            ("method", "Ledger.Close"),
            ("type", "InsufficientFunds"),
            ("module", "Invoice"),
            ("method", "Invoice.computeTotal"),
            ("method", "Invoice.scale"),
        },
        ["System", "System.Math"],
    )


def test_julia_qualifiers_and_local_functions() -> None:
    chunks = _chunk("julia", SAMPLES[2][1])
    qualified = _qualified(chunks)
    assert qualified["Base.show"] == ("function", 30, 32)
    assert qualified["Solvers.residual"] == ("function", 34, 34)
    # a short-form function inside a function body is a local
    assert not any(name.endswith("step") for name in qualified)
    # the docstring above the module is its doc chunk
    assert ("module", "Solvers", 1, 5) in {(c.kind, c.name, c.start, c.end) for c in chunks}


def test_erlang_clauses_and_spec_of_a_function_are_one_chunk() -> None:
    qualified = _qualified(_chunk("erlang", SAMPLES[3][1]))
    assert qualified["start_link"] == ("function", 14, 16)
    assert qualified["get"] == ("function", 18, 21)


E2E: list[tuple[str, dict[str, str], str, str]] = [
    (
        "ocaml",
        {
            "src/ledger.ml": "let reconcile_balances accounts =\n"
            "  List.fold_left ( + ) 0 accounts\n",
            "src/report.ml": "let print_report rows =\n  List.iter print_endline rows\n",
            "src/main.ml": "let () = Report.print_report []\n",
        },
        "reconcile_balances gives a wrong total",
        "src/ledger.ml",
    ),
    (
        "fsharp",
        {
            "src/Ledger.fs": "module Ledger\n\nlet reconcileBalances accounts =\n"
            "    List.sum accounts\n",
            "src/Report.fs": 'module Report\n\nlet printReport rows =\n    printfn "%A" rows\n',
            "src/Program.fs": "module Program\n\nlet main argv = 0\n",
        },
        "reconcileBalances gives a wrong total",
        "src/Ledger.fs",
    ),
    (
        "fsharp_signature",
        {
            "src/Ledger.fsi": "module Ledger\n\nval reconcileBalances: accounts: decimal list"
            " -> decimal\n",
            "src/Report.fs": 'module Report\n\nlet printReport rows =\n    printfn "%A" rows\n',
            "src/Program.fs": "module Program\n\nlet main argv = 0\n",
        },
        "reconcileBalances gives a wrong total",
        "src/Ledger.fsi",
    ),
    (
        "fsharp",
        {
            "src/reconcile.fsx": '#load "Report.fs"\nopen Report\n\n'
            "let reconcileBalances accounts =\n    List.sum accounts\n",
            "src/Report.fs": 'module Report\n\nlet printReport rows =\n    printfn "%A" rows\n',
            "src/Program.fs": "module Program\n\nlet main argv = 0\n",
        },
        "reconcileBalances gives a wrong total",
        "src/reconcile.fsx",
    ),
    (
        "julia",
        {
            "src/ledger.jl": "function reconcile_balances(accounts)\n    sum(accounts)\nend\n",
            "src/report.jl": "print_report(rows) = foreach(println, rows)\n",
            "src/main.jl": 'include("report.jl")\nprint_report([])\n',
        },
        "reconcile_balances gives a wrong total",
        "src/ledger.jl",
    ),
    (
        "erlang",
        {
            "src/ledger.erl": "-module(ledger).\n-export([reconcile_balances/1]).\n\n"
            "reconcile_balances(Accounts) ->\n    lists:sum(Accounts).\n",
            "src/report.erl": "-module(report).\n\nprint_report(Rows) ->\n"
            '    io:format("~p~n", [Rows]).\n',
            "src/main.erl": "-module(main).\n\nmain() -> ok.\n",
        },
        "reconcile_balances gives a wrong total",
        "src/ledger.erl",
    ),
    (
        "erlang",
        {
            "bin/reconcile.escript": "#!/usr/bin/env escript\n%%! -smp enable\n\n"
            'main(Args) ->\n    io:format("~p~n", [reconcile_balances(Args)]).\n\n'
            "reconcile_balances(Accounts) ->\n    lists:sum(Accounts).\n",
            "src/report.erl": "-module(report).\n\nprint_report(Rows) ->\n"
            '    io:format("~p~n", [Rows]).\n',
            "src/main.erl": "-module(main).\n\nmain() -> ok.\n",
        },
        "reconcile_balances gives a wrong total",
        "bin/reconcile.escript",
    ),
]


@pytest.mark.parametrize(("language", "files", "task", "expected"), E2E, ids=[e[3] for e in E2E])
def test_a_symbol_is_found_by_name(
    tmp_path: Path,
    make_atlas: Callable[[Path], Atlas],
    language: str,
    files: dict[str, str],
    task: str,
    expected: str,
) -> None:
    root = write_repo(tmp_path / "r", files)
    reader, first = first_ranked(make_atlas(root), task)
    i = reader.ids[expected]
    assert (reader.languages[i], reader.roles[i]) == (language, "impl")
    symbol = task.split()[0]
    assert symbol in [c.name for c in reader.chunks(i)]
    assert first == expected
