"""Elm, PureScript, Haxe, GDScript and D get symbols and imports from their query files."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import pytest

from atlas_core.chunk.treesitter import TreeSitterChunker, first_doc_line
from atlas_core.engine import Atlas
from atlas_core.testing import first_ranked, symbols_and_imports, tree_sitter_chunks, write_repo

# (language, file name, source, symbols as (kind, qualified name), imports in order)
SAMPLES: list[tuple[str, str, str, set[tuple[str, str]], list[str]]] = [
    (
        "elm",
        "Page/Login.elm",
        """
        module Page.Login exposing (Model, Msg(..), init, update, view)

        {-| The login page.
        -}

        import Browser
        import Html exposing (Html, div, text)
        import Http as H
        import Api.Endpoint


        type alias Model =
            { email : String
            , password : String
            }


        type Msg
            = SubmittedForm
            | EnteredEmail String


        port storeCache : Maybe Value -> Cmd msg


        init : Model
        init =
            { email = "", password = "" }


        {-| Update the page.
        -}
        update : Msg -> Model -> ( Model, Cmd Msg )
        update msg model =
            case msg of
                SubmittedForm ->
                    ( model, Cmd.none )

                EnteredEmail email ->
                    ( { model | email = email }, Cmd.none )


        view model =
            let
                helper x = x
            in
            div [] [ text model.email ]
        """,
        {
            ("module", "Page.Login"),
            ("module", "The login page."),
            ("type", "Model"),
            ("type", "Msg"),
            ("function", "storeCache"),
            ("function", "init"),
            ("function", "update"),
            ("function", "view"),
        },
        ["Browser", "Html", "Http", "Api.Endpoint"],
    ),
    (
        "purescript",
        "src/Data/Cart.purs",
        """
        -- | Shopping cart state.
        module Data.Cart
          ( Cart
          , addItem
          , class Priced
          ) where

        import Prelude
        import Data.Array (snoc, length) as Array
        import Data.Maybe (Maybe(..))
        import Effect.Console as Console

        type Item = { name :: String, price :: Number }

        newtype Cart = Cart (Array Item)

        data Discount = Percent Number | Flat Number

        derive instance eqDiscount :: Eq Discount

        class Priced a where
          price :: a -> Number
          label :: a -> String

        instance pricedItem :: Priced Item where
          price item = item.price
          label item = item.name

        foreign import now :: Effect Number

        -- | Adds an item.
        addItem :: Item -> Cart -> Cart
        addItem item (Cart items) = Cart (snoc items item)

        total :: Cart -> Number
        total (Cart items) = go 0.0 items
          where
          go acc xs = acc

        emptyCart = Cart []
        """,
        {
            ("module", "Shopping cart state."),
            ("module", "Data.Cart"),
            ("type", "Item"),
            ("type", "Cart"),
            ("type", "Discount"),
            ("class", "Priced"),
            ("method", "Priced.price"),
            ("method", "Priced.label"),
            ("function", "now"),
            ("function", "addItem"),
            ("function", "total"),
            ("function", "emptyCart"),
        },
        ["Prelude", "Data.Array", "Data.Maybe", "Effect.Console"],
    ),
    (
        "haxe",
        "src/game/net/Client.hx",
        """
        package game.net;

        import haxe.ds.StringMap;
        import sys.net.Socket;
        import game.util.*;
        using StringTools;

        /**
         * A connection to the game server.
         */
        @:keep
        class Client extends Base implements IClient {
            public static inline var MAX_RETRIES:Int = 3;
            var socket:Socket;

            public function new(host:String) {
                super();
            }

            public function send(msg:String):Void {
                function local() {}
                socket.write(msg);
            }

            static function main() {}
        }

        interface IClient {
            function send(msg:String):Void;
        }

        enum Packet {
            Ping;
            Data(bytes:haxe.io.Bytes);
        }

        enum abstract Color(Int) {
            var Red = 0;
        }

        typedef Config = {
            var host:String;
            var port:Int;
        }

        abstract Meters(Float) from Float {
            public inline function toFeet():Float return this * 3.28;
        }
        """,
        {
            ("module", "game.net"),
            ("class", "Client"),
            ("constant", "Client.MAX_RETRIES"),
            ("method", "Client.new"),
            ("method", "Client.send"),
            ("function", "Client.send.local"),
            ("method", "Client.main"),
            ("interface", "IClient"),
            ("method", "IClient.send"),
            ("enum", "Packet"),
            ("type", "Config"),
            ("function", "toFeet"),
        },
        ["haxe.ds.StringMap", "sys.net.Socket", "game.util", "StringTools"],
    ),
    (
        "gdscript",
        "player.gd",
        """
        ## The player character.
        class_name Player
        extends CharacterBody2D

        const Bullet = preload("res://bullet.tscn")
        const MAX_SPEED := 400.0
        const Utils = preload("res://scripts/utils.gd")

        signal health_changed(new_health)
        signal died

        enum State { IDLE, RUNNING, JUMPING }
        enum { LEFT, RIGHT }

        @export var speed: float = 200.0
        var health := 100
        @onready var sprite = $Sprite2D

        func _ready() -> void:
            var helper = load("res://helper.gd")
            sprite.play("idle")

        static func clamp_speed(value: float) -> float:
            return min(value, MAX_SPEED)

        func _init():
            pass

        class Inventory extends RefCounted:
            var items = []
            func add(item):
                items.append(item)

            class Slot:
                func clear():
                    pass
        """,
        {
            ("module", "The player character."),
            ("class", "Player"),
            ("constant", "Bullet"),
            ("constant", "MAX_SPEED"),
            ("constant", "Utils"),
            ("signal", "health_changed"),
            ("signal", "died"),
            ("enum", "State"),
            ("function", "_ready"),
            ("function", "clamp_speed"),
            ("function", "_init"),
            ("class", "Inventory"),
            ("method", "Inventory.add"),
            ("class", "Inventory.Slot"),
            ("method", "Inventory.Slot.clear"),
        },
        ["res://bullet.tscn", "res://scripts/utils.gd"],
    ),
    (
        "d",
        "source/vibe/http/client.d",
        """
        /**
         * HTTP client helpers.
         */
        module vibe.http.client;

        import std.stdio;
        import std.algorithm : map, filter;
        import io = std.stdio;
        import core.time, std.conv;
        public import vibe.core.net;

        enum defaultPort = 80;
        enum Method { get, post }
        alias Headers = string[string];

        interface Transport {
            void send(string data);
        }

        class HttpClient : Transport {
            private int retries;

            this(int retries) { this.retries = retries; }

            override void send(string data) {
                writeln(data);
            }

            static HttpClient create() { return new HttpClient(3); }
        }

        struct Response {
            int status;
            string body() const { return ""; }
        }

        union Value { int i; float f; }

        template Wrap(T) {
            struct Wrap { T value; }
        }

        auto fetch(string url, int port = defaultPort) {
            return Response(200);
        }

        void main() {
            void local() {}
            fetch("http://example.com");
        }

        unittest {
            assert(true);
        }
        """,
        {
            ("module", "HTTP client helpers."),
            ("module", "vibe.http.client"),
            ("constant", "defaultPort"),
            ("enum", "Method"),
            ("type", "Headers"),
            ("interface", "Transport"),
            ("method", "Transport.send"),
            ("class", "HttpClient"),
            ("method", "HttpClient.this"),
            ("method", "HttpClient.send"),
            ("method", "HttpClient.create"),
            ("struct", "Response"),
            ("method", "Response.body"),
            ("struct", "Value"),
            ("template", "Wrap"),
            ("struct", "Wrap"),
            ("function", "fetch"),
            ("function", "main"),
            ("function", "main.local"),
        },
        ["std.stdio", "std.algorithm", "std.stdio", "core.time", "std.conv", "vibe.core.net"],
    ),
]


@pytest.mark.parametrize(
    ("language", "name", "source", "symbols", "imports"), SAMPLES, ids=[s[0] for s in SAMPLES]
)
def test_tree_sitter_chunks(
    language: str, name: str, source: str, symbols: set[tuple[str, str]], imports: list[str]
) -> None:
    assert symbols_and_imports(tree_sitter_chunks(name, source, language)) == (symbols, imports)


def test_signature_and_definition_are_one_chunk() -> None:
    text = "module M where\n\nf :: Int -> Int\nf 0 = 1\nf n = n\n\ng = 2\n"
    chunks = TreeSitterChunker().chunk("M.purs", text, "purescript")
    assert [(c.kind, c.name, c.start, c.end) for c in chunks] == [
        ("module", "M", 1, 1),
        ("function", "f", 3, 5),
        ("function", "g", 7, 7),
    ]
    text = "module M exposing (f)\n\nf : Int -> Int\nf n =\n    n + 1\n"
    chunks = TreeSitterChunker().chunk("M.elm", text, "elm")
    assert [(c.kind, c.name, c.start, c.end) for c in chunks] == [
        ("module", "M", 1, 1),
        ("function", "f", 3, 5),
    ]


def test_only_the_doc_comment_next_to_the_module_names_it() -> None:
    text = "-- Copyright 2020\n\n-- | The cart.\n-- | More.\nmodule Cart where\n"
    chunks = TreeSitterChunker().chunk("Cart.purs", text, "purescript")
    assert [(c.kind, c.name, c.start, c.end) for c in chunks] == [
        ("module", "The cart.", 3, 4),
        ("module", "Cart", 5, 5),
    ]
    assert first_doc_line("{-| One line. -}") == "One line."


def test_haxe_aliases_and_fields_are_not_part_of_the_module_path() -> None:
    text = (
        "package;\nimport haxe.ds.StringMap as SM;\nimport Lambda.map;\n"
        "using haxe.ds.ArraySort;\nclass A {}\n"
    )
    chunks = TreeSitterChunker().chunk("A.hx", text, "haxe")
    assert symbols_and_imports(chunks) == (
        {("class", "A")},
        ["haxe.ds.StringMap", "Lambda", "haxe.ds.ArraySort"],
    )


@pytest.mark.parametrize(
    ("path", "text", "query"),
    [
        (
            "src/Page/Checkout.elm",
            "module Page.Checkout exposing (applyCoupon)\n\n"
            "applyCoupon : String -> Int -> Int\napplyCoupon code total =\n    total\n",
            "applyCoupon ignores the code",
        ),
        (
            "src/Data/Ledger.purs",
            "module Data.Ledger where\n\n"
            "reconcileEntries :: Array Int -> Int\nreconcileEntries xs = 0\n",
            "reconcileEntries double counts",
        ),
        (
            "src/net/Reconnector.hx",
            "package net;\n\nclass Reconnector {\n"
            "    public function scheduleRetry(delay:Int):Void {\n        trace(delay);\n"
            "    }\n}\n",
            "scheduleRetry fires twice",
        ),
        (
            "scripts/enemy.gd",
            "extends Node2D\n\nfunc chase_target(target):\n    position = target.position\n",
            "chase_target overshoots",
        ),
        (
            "source/app/tally.d",
            "module app.tally;\n\nint accumulateVotes(int[] votes) {\n    return 0;\n}\n",
            "accumulateVotes overflows",
        ),
    ],
    ids=["elm", "purescript", "haxe", "gdscript", "d"],
)
def test_a_symbol_named_in_the_task_ranks_its_file_first(
    tmp_path: Path, make_atlas: Callable[[Path], Atlas], path: str, text: str, query: str
) -> None:
    symbol = query.split()[0]  # each task opens with the symbol's name
    # a caller naming the symbol more often: only the definition's chunk puts `path` first
    caller = Path(path).with_stem("caller").as_posix()
    calls = "\n".join(f"-- {symbol} {symbol}" for _ in range(4))
    root = write_repo(
        tmp_path / "r",
        {
            path: text,
            caller: calls + "\n",
            "src/other.py": "def unrelated():\n    return 1\n",
            "src/main.go": "package main\n\nfunc main() {}\n",
            "README.md": "# Project\n\nA small project.\n",
        },
    )
    reader, first = first_ranked(make_atlas(root), query)
    assert symbol in [c.name for c in reader.chunks(reader.ids[path])]
    assert first == path
