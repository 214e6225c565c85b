"""The tree-sitter chunker: one query file per language, grammars from tree-sitter-language-pack.

Grammars and compiled queries load on first use inside :meth:`TreeSitterChunker.chunk`
and are cached per process (indexing workers are forked after the chunker is made, so
nothing heavy is loaded at plugin registration). A language whose grammar or query file
cannot be loaded falls back to the regex chunker; the other languages are unaffected.
"""

from __future__ import annotations

import hashlib
import re
import time
from pathlib import Path
from typing import Any, ClassVar

from atlas_core.chunk.treesitter.extract import extract_chunks
from atlas_core.types import Chunk

__all__ = ["QUERY_DIR", "TreeSitterChunker", "load_query_source", "query_languages"]

#: the query files shipped with atlas-core, one ``<language>.scm`` per language id
QUERY_DIR = Path(__file__).with_name("queries")

_INHERITS = "; inherits:"
#: a tree with an error node of more children than this is chunked by the regex chunker:
#: a run of unclosed brackets makes one such node, and the query cursor's time grows with
#: the square of its width (2,000 children: about 3 ms)
MAX_CHILDREN = 2_000
#: text of more UTF-8 bytes than this is chunked by the regex chunker: a tree takes up to 200
#: times its text in memory, and the query cursor's time grows with the square of a node's
#: width (``max_file_bytes`` allows 16 MiB: a 15 MB minified script took 1.7 GB, a 15 MB
#: one-line list 93 s and 2 GB, and under ``ulimit -v`` tree-sitter crashed the process).
#: It is the default ``max_file_bytes``, so by default every file indexed is parsed.
MAX_PARSE_BYTES = 1 << 20
#: how long tree-sitter may take to parse one file before the regex chunker
#: takes it instead: this many seconds, plus one for every ``PARSE_BYTES_PER_SECOND`` bytes.
#: Real code parses at 1-10 MB/s, but some grammars are quadratic on unclosed input (a
#: megabyte of nested ``<div>`` took 55 s, 60 kB of a Lua ``[[`` string without its ``]]``
#: 6.8 s, 80 kB of Scala ``s"${`` 11 s). Only such a file is chunked differently on a slower
#: machine.
PARSE_SECONDS = 0.5
PARSE_BYTES_PER_SECOND = 250_000
#: bytes handed to the parser per read
_READ_BYTES = 1 << 16

# (query dir, language) -> (parser, compiled query), or None when it failed to load. Kept
# for the life of the process: compiled queries are never freed, which also sidesteps a
# py-tree-sitter 0.26 crash when a query is freed after another one was created.
_LOADED: dict[tuple[str, str], tuple[Any, Any] | None] = {}
_FAILURES: dict[tuple[str, str], str] = {}
#: per language, text its grammar cannot parse: group 1 of each match is parsed as blanks
#: of the same byte length, and names are still read from the real text. Groovy's grammar
#: has no `import a.b.*`: its `*` is an error that swallows the lines after it.
_BLANKED: dict[str, tuple[bytes, bytes]] = {
    "groovy": (b".*", rb"(?m)^[ \t]*import[ \t][\w. \t]*?(\.\*)"),
}


def query_languages(query_dir: Path) -> tuple[str, ...]:
    """Language ids that have a query file in ``query_dir``."""
    try:
        return tuple(sorted(p.stem for p in query_dir.glob("*.scm")))
    except OSError:
        return ()


def load_query_source(query_dir: Path, language: str, _seen: frozenset[str] = frozenset()) -> str:
    """The text of ``<language>.scm``, with the files named by ``; inherits: a, b`` before it."""
    text = (query_dir / f"{language}.scm").read_text(encoding="utf-8")
    parts: list[str] = []
    for line in text.splitlines():
        if not line.startswith(_INHERITS):
            break
        for parent in line[len(_INHERITS) :].split(","):
            parent = parent.strip()
            if parent and parent not in _seen:
                parts.append(load_query_source(query_dir, parent, _seen | {language}))
    parts.append(text)
    return "\n".join(parts)


class TreeSitterChunker:
    """Symbols and imports from tree-sitter parse trees, driven by per-language query files.

    A language package can reuse it: subclass, set ``name``, ``priority`` and
    ``query_dir`` (its own ``queries/``), and post-process in ``chunk``.
    """

    name: ClassVar[str] = "treesitter"
    priority: ClassVar[int] = 10
    #: where ``<language>.scm`` files live
    query_dir: ClassVar[Path] = QUERY_DIR
    #: grammar names in tree-sitter-language-pack that differ from Atlas's language id
    grammar_names: ClassVar[dict[str, str]] = {"protobuf": "proto"}

    def __init__(self) -> None:
        self.languages: tuple[str, ...] = query_languages(self.query_dir)
        self._regex: Any = None
        self._version = ""
        #: language -> why it fell back to regex
        self.failures: dict[str, str] = {}

    @property
    def version(self) -> str:
        """Changes with the query files and the grammar package: indexes are then rebuilt."""
        if not self._version:
            digest = hashlib.blake2b(digest_size=8)
            for language in self.languages:
                try:
                    digest.update((self.query_dir / f"{language}.scm").read_bytes())
                except OSError:
                    continue
            digest.update(_package_version("tree_sitter_language_pack").encode())
            digest.update(_package_version("tree_sitter").encode())
            self._version = digest.hexdigest()
        return self._version

    def chunk(self, rel: str, text: str, language: str) -> list[Chunk]:
        key = (str(self.query_dir), language)
        if key in _LOADED:
            loaded = _LOADED[key]
        else:
            loaded = _LOADED[key] = self._load(language)
            if loaded is None:
                _FAILURES[key] = self.failures.get(language, "")
        if loaded is None and language not in self.failures:
            self.failures[language] = _FAILURES.get(key, "")
        if loaded is None:
            return self._fallback(rel, text, language)
        parser, query = loaded
        source = text.encode("utf-8", "replace")
        if len(source) > MAX_PARSE_BYTES:
            return self._fallback(rel, text, language)
        parsed = source
        if "\ufffd" in text:
            # undecodable bytes were replaced by U+FFFD, which no grammar accepts inside an
            # identifier; parse three ASCII letters of the same byte length instead, and read
            # names from the real text (same byte offsets)
            parsed = source.replace("\ufffd".encode(), b"___")
        blanked = _BLANKED.get(language)
        if blanked is not None and blanked[0] in parsed:
            parsed = re.sub(blanked[1], _blank_group, parsed)
        deadline = _Deadline(PARSE_SECONDS + len(parsed) / PARSE_BYTES_PER_SECOND)
        try:
            tree = parser.parse(_reader(parsed), progress_callback=deadline)
        except ValueError:  # "Parsing failed": py-tree-sitter 0.26 when the callback halts it
            tree = None
        if tree is None or deadline.passed:
            parser.reset()  # else the next parse would resume this one
            return self._fallback(rel, text, language)
        root = tree.root_node
        if root.has_error and _has_wide_error(root, MAX_CHILDREN):
            # tree-sitter's query cursor takes time quadratic in the width of such a node
            # (a file of unclosed brackets: 32,000 took 0.8 s, a megabyte would take an hour)
            return self._fallback(rel, text, language)
        # no deadline for the query: py-tree-sitter 0.26 crashes when its cursor is given a
        # progress callback (a query with predicates); the checks above bound its time
        return extract_chunks(query, root, text.split("\n"), source)

    def _load(self, language: str) -> tuple[Any, Any] | None:
        """Parser and compiled query for one language, or None (and why, in ``failures``)."""
        if language not in self.languages:
            self.failures[language] = "no query file"
            return None
        try:
            from tree_sitter import Parser, Query

            from atlas_core.chunk.treesitter.grammars import load_language

            grammar = self.grammar_names.get(language, language)
            source = load_query_source(self.query_dir, language)
            loaded = load_language(grammar)
            return Parser(loaded), Query(loaded, source)
        except Exception as exc:  # a missing grammar or a bad query file: regex instead
            self.failures[language] = f"{type(exc).__name__}: {exc}"
            return None

    def _fallback(self, rel: str, text: str, language: str) -> list[Chunk]:
        if self._regex is None:
            from atlas_core.chunk.regex import RegexChunker

            self._regex = RegexChunker()
        chunks: list[Chunk] = self._regex.chunk(rel, text, language)
        return chunks


class _Deadline:
    """A tree-sitter progress callback that halts the parse once time is up."""

    __slots__ = ("at", "passed")

    def __init__(self, seconds: float) -> None:
        self.at = time.monotonic() + seconds
        self.passed = False

    def __call__(self, *_state: Any) -> bool:
        if not self.passed and time.monotonic() > self.at:
            self.passed = True
        return self.passed


def _reader(source: bytes) -> Any:
    """The read callback tree-sitter parses through (it calls a progress callback only
    then, never for a bytestring)."""

    def read(offset: int, _point: Any) -> bytes:
        return source[offset : offset + _READ_BYTES]

    return read


def _blank_group(match: re.Match[bytes]) -> bytes:
    """The match with its group 1 turned to spaces (the same byte length)."""
    start, end = match.span(1)
    text, base = match.group(0), match.start()
    return text[: start - base] + b" " * (end - start) + text[end - base :]


def _has_wide_error(root: Any, limit: int) -> bool:
    """Whether an error node of the tree has more than ``limit`` children (a walk that
    stops at the first; about 0.1 microsecond a node, and only trees with errors are
    walked). A wide node that is no error (a module of many statements) is passed over."""
    cursor = root.walk()
    widths = [0]
    while True:
        if cursor.goto_first_child():
            widths.append(1)
            continue
        while not cursor.goto_next_sibling():
            if not cursor.goto_parent():
                return False
            widths.pop()
        widths[-1] += 1
        if widths[-1] > limit:
            if cursor.node.parent.is_error:
                return True
            widths[-1] = -(1 << 62)  # not an error node: its other children are not counted


def _package_version(module: str) -> str:
    """The installed version of ``module``'s distribution, read from its dist-info name.

    Cheaper than ``importlib.metadata`` (no scan of every installed distribution) and it
    imports nothing: this runs on every ``atlas`` call, as part of the index fingerprint.
    """
    from importlib.util import find_spec

    try:
        spec = find_spec(module)
    except (ImportError, ValueError):
        spec = None
    if spec is None or not spec.origin:
        return "missing"
    site = Path(spec.origin).parent.parent
    for info in site.glob(f"{module}-*.dist-info"):
        return info.name[len(module) + 1 : -len(".dist-info")]
    return "unknown"
