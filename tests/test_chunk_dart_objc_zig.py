"""Dart, Objective-C and Zig files get symbols and imports from the tree-sitter chunker."""

from __future__ import annotations

import re
import textwrap
from collections.abc import Callable
from pathlib import Path

import pytest

from atlas_core.engine import Atlas
from atlas_core.testing import first_ranked, symbols_and_imports, tree_sitter_chunks, write_repo
from atlas_core.types import Chunk

DATA = Path(__file__).parent / "data" / "dart_objc_zig"

#: (language, source, {(kind, qualified name)}, imports in order)
SAMPLES: list[tuple[str, str, set[tuple[str, str]], list[str]]] = [
    (
        "dart",
        """
        /// Talks to the chat server.
        library chat.client;

        import 'package:http/http.dart' as http;
        import 'dart:async';
        export 'src/message.dart';
        part 'client.g.dart';

        const int maxRetries = 3;
        final defaultHeaders = {'accept': 'json'};
        var openClients = 0;

        typedef OnMessage = void Function(String text);

        abstract class Transport {
          Future<void> send(String text);
          bool get isOpen;
        }

        class ChatClient extends Transport with Reconnecting {
          static const retryDelay = Duration(seconds: 1);
          final Uri endpoint;
          ChatClient(this.endpoint);
          ChatClient.local() : endpoint = Uri.parse('ws://localhost');
          factory ChatClient.fromEnv() => ChatClient.local();

          @override
          Future<void> send(String text) async {
            await _post(text);
          }

          @override
          bool get isOpen => true;

          Future<void> _post(String text) async {}
        }

        mixin Reconnecting on Transport {
          void reconnect() {}
        }

        extension ChatText on String {
          String get trimmedMessage => trim();
        }

        extension on Uri {
          bool get isSecure => scheme == 'wss';
        }

        enum Presence { online, away; bool get visible => this == online; }

        void main() {
          ChatClient.local().send('hi');
        }

        external int nativeVersion();
        """,
        {
            ("module", "Talks to the chat server."),
            ("constant", "maxRetries"),
            ("constant", "defaultHeaders"),
            ("variable", "openClients"),
            ("type", "OnMessage"),
            ("class", "Transport"),
            ("method", "Transport.send"),
            ("method", "Transport.isOpen"),
            ("class", "ChatClient"),
            ("property", "ChatClient.retryDelay"),
            ("property", "ChatClient.endpoint"),
            ("method", "ChatClient.local"),
            ("method", "ChatClient.fromEnv"),
            ("method", "ChatClient.send"),
            ("method", "ChatClient.isOpen"),
            ("method", "ChatClient._post"),
            ("trait", "Reconnecting"),
            ("method", "Reconnecting.reconnect"),
            ("class", "ChatText"),
            ("method", "ChatText.trimmedMessage"),
            ("method", "Uri.isSecure"),
            ("enum", "Presence"),
            ("method", "Presence.visible"),
            ("function", "main"),
            ("function", "nativeVersion"),
        },
        ["package:http/http.dart", "dart:async", "src/message.dart", "client.g.dart"],
    ),
    (
        "objc",
        """
        #import <Foundation/Foundation.h>
        #import "AFURLRequestSerialization.h"
        @import Darwin.C;

        NSString * const AFNetworkingErrorDomain = @"com.alamofire.error";
        static const NSInteger AFMaxRetries = 3;
        #define AF_TIMEOUT 30

        typedef NS_ENUM(NSInteger, AFTaskState) {
            AFTaskStateRunning,
            AFTaskStateDone,
        };
        typedef void (^AFCompletion)(NSError *error);

        @protocol AFSender <NSObject>
        - (void)send:(NSData *)data;
        @end

        @interface AFClient : NSObject <AFSender>
        @property (nonatomic, copy) NSURL *baseURL;
        - (void)send:(NSData *)data completion:(AFCompletion)completion;
        @end

        @implementation AFClient

        + (instancetype)sharedClient {
            static AFClient *client;
            return client;
        }

        - (void)send:(NSData *)data completion:(AFCompletion)completion {
            completion(nil);
        }

        @end

        @implementation NSURL (AFQuery)
        - (NSString *)af_queryValue:(NSString *)key {
            return nil;
        }
        @end

        static BOOL AFIsReachable(NSURL *url) {
            return url != nil;
        }
        """,
        {
            ("constant", "AFNetworkingErrorDomain"),
            ("constant", "AFMaxRetries"),
            ("macro", "AF_TIMEOUT"),
            ("enum", "AFTaskState"),
            ("type", "AFCompletion"),
            ("interface", "AFSender"),
            ("method", "AFSender.send"),
            ("class", "AFClient"),
            ("property", "AFClient.baseURL"),
            ("method", "AFClient.send"),
            ("method", "AFClient.sharedClient"),
            ("method", "NSURL.af_queryValue"),
            ("function", "AFIsReachable"),
        },
        ["Foundation/Foundation.h", "AFURLRequestSerialization.h", "Darwin.C"],
    ),
    (
        "zig",
        """
        //! An HTTP/1.1 request parser.

        const std = @import("std");
        const Allocator = std.mem.Allocator;
        const headers = @import("headers.zig");

        pub const max_header_size: usize = 8192;
        var parsed_count: u64 = 0;

        pub const ParseError = error{ InvalidMethod, HeaderTooLarge };

        pub const Method = enum {
            get,
            post,

            pub fn fromString(s: []const u8) ?Method {
                return std.meta.stringToEnum(Method, s);
            }
        };

        pub const Request = struct {
            const Self = @This();
            pub const empty = Request{ .method = .get, .path = "" };

            method: Method,
            path: []const u8,

            pub fn parse(allocator: Allocator, bytes: []const u8) ParseError!Self {
                _ = allocator;
                _ = bytes;
                return error.InvalidMethod;
            }
        };

        const Handle = opaque {};

        fn countParsed() void {
            parsed_count += 1;
        }

        test "parse rejects garbage" {
            try std.testing.expectError(error.InvalidMethod, Request.parse(undefined, "x"));
        }
        """,
        {
            ("module", "An HTTP/1.1 request parser."),
            ("constant", "max_header_size"),
            ("variable", "parsed_count"),
            ("type", "ParseError"),
            ("enum", "Method"),
            ("method", "Method.fromString"),
            ("struct", "Request"),
            ("constant", "Request.empty"),
            ("property", "Request.method"),
            ("property", "Request.path"),
            ("method", "Request.parse"),
            ("type", "Handle"),
            ("function", "countParsed"),
        },
        ["std", "headers.zig"],
    ),
]


def _chunk(language: str, source: str, rel: str = "") -> list[Chunk]:
    return tree_sitter_chunks(rel or f"x.{language}", source, language)


@pytest.mark.parametrize(
    ("language", "source", "symbols", "imports"), SAMPLES, ids=[s[0] for s in SAMPLES]
)
def test_symbols_and_imports(
    language: str, source: str, symbols: set[tuple[str, str]], imports: list[str]
) -> None:
    text = textwrap.dedent(source).lstrip("\n")
    assert symbols_and_imports(_chunk(language, text)) == (symbols, imports)


def _by_name(chunks: list[Chunk], qualified: str) -> Chunk:
    return next(c for c in chunks if c.qualified == qualified)


def _spans(chunks: list[Chunk], qualified: str) -> list[tuple[int, int]]:
    return [(c.start, c.end) for c in chunks if c.qualified == qualified]


def test_line_ranges_cover_bodies() -> None:
    dart = _chunk("dart", textwrap.dedent(SAMPLES[0][1]).lstrip("\n"))
    send = _by_name(dart, "ChatClient.send")
    # the body is the definition: its lines, named on the signature line
    assert (send.start, send.end) == (28, 30)
    assert send.signature == "Future<void> send(String text) async {"
    assert _spans(dart, "ChatClient") == [(20, 36)]
    assert _spans(dart, "Transport.isOpen") == [(17, 17)]  # abstract: the declaration
    objc = _chunk("objc", textwrap.dedent(SAMPLES[1][1]).lstrip("\n"))
    assert _spans(objc, "AFClient.send") == [(21, 21), (31, 33)]  # declared, then defined
    assert _spans(objc, "AFTaskState") == [(9, 12)]
    zig = _chunk("zig", textwrap.dedent(SAMPLES[2][1]).lstrip("\n"))
    assert _spans(zig, "Request") == [(21, 33)]
    assert _spans(zig, "Request.parse") == [(28, 32)]


def test_a_multi_line_dart_signature_is_named_on_its_first_line() -> None:
    source = (
        "class A {\n  Future<void> upload(\n    String path,\n  ) async {\n    return;\n  }\n}\n"
    )
    upload = _by_name(_chunk("dart", source), "A.upload")
    # the chunk starts with the body (the grammar keeps it apart from the signature)
    assert (upload.kind, upload.start, upload.end) == ("method", 4, 6)
    assert upload.signature == "Future<void> upload("


def test_objc_methods_are_named_by_the_first_selector_keyword() -> None:
    source = (
        "@implementation AppDelegate\n"
        "- (BOOL)application:(UIApplication *)app didFinishLaunchingWithOptions:(id)o {\n"
        "    return YES;\n}\n"
        "- init { return self; }\n"
        "@end\n"
    )
    names = {c.qualified for c in _chunk("objc", source, "AppDelegate.m") if c.kind == "method"}
    assert names == {"AppDelegate.application", "AppDelegate.init"}


def test_objc_after_an_unterminated_macro_still_yields_symbols() -> None:
    # NS_ASSUME_NONNULL_BEGIN is unknown to the grammar: what follows sits in an ERROR node
    source = (
        "NS_ASSUME_NONNULL_BEGIN\n\n@class AFTask;\n\n"
        'static NSString * const AFKey = @"k";\n\n'
        "@interface AFQueue : NSObject\n- (void)enqueue:(AFTask *)task;\n@end\n\n"
        "NS_ASSUME_NONNULL_END\n"
    )
    assert symbols_and_imports(_chunk("objc", source))[0] >= {
        ("constant", "AFKey"),
        ("class", "AFQueue"),
        ("method", "AFQueue.enqueue"),
    }


def test_zig_aliases_and_imports_are_not_constants() -> None:
    source = (
        'const std = @import("std");\n'
        "const mem = std.mem;\n"
        'const c = @cImport({\n    @cInclude("zlib.h");\n});\n'
        "pub const level: c_int = 6;\n"
        'pub const name = "deflate";\n'
    )
    assert symbols_and_imports(_chunk("zig", source)) == (
        {("constant", "level"), ("constant", "name")},
        ["std", "zlib.h"],
    )


# -- real-world-looking files (written for these tests) -------------------------------------

REALISTIC = [
    (
        "user_card.dart",
        "dart",
        {
            ("constant", "_kTimeout"),
            ("class", "UserCard"),
            ("property", "UserCard.user"),
            ("property", "UserCard.onTap"),
            ("method", "UserCard.createState"),
            ("class", "_UserCardState"),
            ("property", "_UserCardState._controller"),
            ("property", "_UserCardState._expanded"),
            ("method", "_UserCardState.initState"),
            ("method", "_UserCardState.build"),
            ("method", "_UserCardState.countdown"),
            ("class", "UserRepository"),
            ("property", "UserRepository._cache"),
            ("method", "UserRepository.fetch"),
            ("class", "Repository"),
            ("method", "Repository.find"),
            ("enum", "Status"),
            ("property", "Status.code"),
            ("method", "Status.parse"),
            ("type", "JsonMap"),
        },
        ["dart:convert", "package:flutter/widgets.dart", "../models/user.dart"],
    ),
    (
        "image_cache.m",
        "objc",
        {
            ("type", "RTCompletionBlock"),
            ("constant", "RTImageCacheErrorDomain"),
            ("constant", "RTDefaultCapacity"),
            ("function", "RTCacheKeyForURL"),
            ("class", "RTImageCache"),
            ("property", "RTImageCache.memoryCache"),
            ("property", "RTImageCache.lastCompletion"),
            ("method", "RTImageCache.sharedCache"),
            ("method", "RTImageCache.initWithCapacity"),
            ("method", "RTImageCache.imageForURL"),
            ("method", "RTImageCache.storeImage"),
            ("method", "RTImageCache.removeAllImages"),
            ("method", "UIImageView.rt_setImageWithURL"),
        },
        ["RTImageCache.h", "UIKit/UIKit.h"],
    ),
    (
        # Objective-C++: the grammar knows no C++, so the C++ class is not found
        "bridge.mm",
        "objc",
        {("class", "RTBridge"), ("method", "RTBridge.pushValue"), ("function", "RTSum")},
        ["Bridge.h", "vector"],
    ),
    (
        "ring_buffer.zig",
        "zig",
        {
            ("module", "A small ring buffer used by the event loop."),
            ("constant", "default_capacity"),
            ("constant", "log"),
            ("variable", "scratch"),
            ("type", "RingError"),
            ("function", "RingBuffer"),
            ("property", "RingBuffer.items"),
            ("property", "RingBuffer.head"),
            ("property", "RingBuffer.len"),
            ("property", "RingBuffer.allocator"),
            ("function", "RingBuffer.init"),
            ("function", "RingBuffer.deinit"),
            ("function", "RingBuffer.push"),
            ("function", "RingBuffer.isEmpty"),
            ("function", "RingBuffer.pop"),
            ("enum", "Mode"),
            ("method", "Mode.describe"),
            ("function", "printStats"),
        },
        ["std", "builtin", "stdio.h"],
    ),
]

_BARE = re.compile(r"[A-Za-z_][A-Za-z0-9_]*")


@pytest.mark.parametrize(
    ("name", "language", "symbols", "imports"), REALISTIC, ids=[r[0] for r in REALISTIC]
)
def test_realistic_file(
    name: str, language: str, symbols: set[tuple[str, str]], imports: list[str]
) -> None:
    text = (DATA / name).read_text(encoding="utf-8")
    chunks = _chunk(language, text, name)
    assert symbols_and_imports(chunks) == (symbols, imports)
    lines = text.split("\n")
    for c in chunks:
        assert 1 <= c.start <= c.end <= len(lines), c
        if c.kind not in ("import", "module"):
            assert _BARE.fullmatch(c.name), c
            assert c.name in c.signature, c


# -- end to end: a query naming a symbol ranks the defining file first ----------------------

END_TO_END = [
    (
        "dart",
        {
            "lib/src/chat_client.dart": (
                "import 'package:http/http.dart' as http;\n\n"
                "class ChatClient {\n"
                "  Future<void> reconnectWithBackoff(int attempt) async {\n"
                "    await Future.delayed(Duration(seconds: attempt));\n"
                "  }\n"
                "}\n"
            ),
            "lib/src/chat_screen.dart": (
                "import 'chat_client.dart';\n\n"
                "class ChatScreen {\n"
                "  final client = ChatClient();\n"
                "  void retry() => client.reconnectWithBackoff(1);\n"
                "  void retryLater() => client.reconnectWithBackoff(2);\n"
                "  void retryMuchLater() => client.reconnectWithBackoff(3);\n"
                "}\n"
            ),
            "lib/main.dart": "void main() {}\n",
        },
        "reconnectWithBackoff waits too long",
        "lib/src/chat_client.dart",
    ),
    (
        "objc",
        {
            "Sources/AFQueue.m": (
                '#import "AFQueue.h"\n\n'
                "@implementation AFQueue\n"
                "- (void)cancelTaskForImageDownloadReceipt:(id)receipt {\n"
                "    [self.tasks removeObjectForKey:receipt];\n"
                "}\n"
                "@end\n"
            ),
            "Sources/AFPlayer.m": (
                '#import "AFQueue.h"\n\n'
                "@implementation AFPlayer\n"
                "- (void)dealloc {\n"
                "    [self.downloader cancelTaskForImageDownloadReceipt:self.receipt];\n"
                "    [self.other cancelTaskForImageDownloadReceipt:self.receipt];\n"
                "    [self.third cancelTaskForImageDownloadReceipt:self.receipt];\n"
                "}\n"
                "@end\n"
            ),
            "Sources/main.m": "int main(void) {\n    return 0;\n}\n",
        },
        "cancelTaskForImageDownloadReceipt leaks the task",
        "Sources/AFQueue.m",
    ),
    (
        "zig",
        {
            "src/ring_buffer.zig": (
                "pub const RingBuffer = struct {\n"
                "    len: usize = 0,\n\n"
                "    pub fn pushOverwriting(self: *RingBuffer, value: u8) void {\n"
                "        _ = value;\n"
                "        self.len += 1;\n"
                "    }\n"
                "};\n"
            ),
            "src/loop.zig": (
                'const ring = @import("ring_buffer.zig");\n\n'
                "pub fn run(buf: *ring.RingBuffer) void {\n"
                "    buf.pushOverwriting(1);\n"
                "    buf.pushOverwriting(2);\n"
                "    buf.pushOverwriting(3);\n"
                "}\n"
            ),
            "src/main.zig": "pub fn main() void {}\n",
        },
        "pushOverwriting is slow",
        "src/ring_buffer.zig",
    ),
]


@pytest.mark.parametrize(
    ("language", "files", "task", "expected"), END_TO_END, ids=[e[0] for e in END_TO_END]
)
def test_a_query_naming_a_symbol_ranks_its_file_first(
    tmp_path: Path,
    make_atlas: Callable[[Path], Atlas],
    language: str,
    files: dict[str, str],
    task: str,
    expected: str,
) -> None:
    root = write_repo(tmp_path / "r", dict(files))
    reader, first = first_ranked(make_atlas(root), task)
    i = reader.ids[expected]
    assert reader.languages[i] == language
    assert any(c.kind in ("method", "function") for c in reader.chunks(i))
    assert first == expected
