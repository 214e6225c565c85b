"""Turning a tree-sitter query's matches into chunks.

A query file says *what* to find; this module holds the few rules that are the same for
every language. The capture names a query may use:

``@definition.<kind>``
    A symbol's whole node (its line range); ``<kind>`` is the chunk kind: ``function``,
    ``method``, ``class``, ``struct``, ``interface``, ``enum``, ``trait``, ``type``,
    ``module`` ... It needs a ``@name`` capture in the same pattern.
``@name``
    The symbol's name. Its line is the chunk's signature line.
``@qualifier``
    Optional: the container named in the declaration itself (a Go receiver type, the
    ``Foo`` of C++ ``void Foo::bar()``). Without it, the enclosing definitions qualify.
    It does not change the kind: such patterns say ``@definition.method`` themselves.
``@scope``
    A node that qualifies the definitions inside it but is no chunk itself (a Rust
    ``impl`` block, a Swift ``extension``); its ``@name`` is the qualifier.
``@import`` with ``@import.name``
    An import statement and the module path it names (quotes and ``<>`` are stripped).
    An optional ``@import.prefix`` is put in front (Python's ``from . import x``), joined
    by the pattern's ``separator`` property if it has one.
``@doc``
    A module docstring or leading doc comment: the first run of contiguous ``@doc`` nodes
    becomes one ``module`` chunk named after its first line. With a ``@doc.before`` node in
    the pattern, only a run that ends on the line just before that node counts (Go's package
    comment sits directly above ``package``; a license header further up does not count).

``@import.relative``
    Instead of ``@import.name``: a path relative to the file; ``./`` is put in front unless
    it starts with a dot (Ruby's ``require_relative "x"`` gives ``./x``).
``@merge``
    A second capture on a definition node: it is joined with the definition just before it
    when both have the same qualified name (the clauses of one Elixir or Haskell function).

Pattern properties (``#set!``): ``join "."`` joins the ``@import.name`` nodes of one
statement into one name (Scala's ``import a.b.c``), or the ``@name`` nodes of one
definition (Haxe's ``package a.b;``); ``separator`` goes between
``@import.prefix`` and ``@import.name``. Do not put ``#set!`` in a pattern that also has a
text predicate (``#eq?``, ``#match?``, ``#any-of?``): py-tree-sitter 0.26 crashes on it.

A function nested in a class, struct, interface, enum, trait, object or ``@scope``
becomes a ``method``; definitions nested in anything else are qualified but keep their
kind. Two patterns capturing the same name node keep the wider definition (a decorated
Python class and the bare class).
"""

from __future__ import annotations

import re
from typing import Any

from atlas_core.types import Chunk

__all__ = ["METHOD_CONTAINERS", "extract_chunks", "first_doc_line"]

#: definitions in these turn a nested ``function`` into a ``method``
METHOD_CONTAINERS = frozenset(
    {"class", "struct", "interface", "enum", "trait", "object", "scope", "protocol", "record"}
)
#: definitions that qualify the names nested in them (a C typedef does not)
QUALIFYING = METHOD_CONTAINERS | {"module", "function", "method", "namespace"}
_SIGNATURE_MAX = 200
#: definitions deeper in the tree than this are not looked for. Past 65,535 levels the query
#: cursor loses track of its matches (a chain of 70,000 calls took 11 s, 131,072 did not end
#: in minutes); no real definition sits even near this deep.
MAX_DEPTH = 10_000
_DOC_NAME_MAX = 120
_IMPORT_STRIP = "\"'`<> \t"
_DOC_MARKERS = re.compile(
    r'^\s*(?:"""|\'\'\'|[rRbBuU]?"""|//[!/]?|/\*+|\*+/?|#+|--+\s*\|?|\{-\|?|@moduledoc)\s?'
)


class _Def:
    """A definition or scope found by the query, before nesting is worked out."""

    __slots__ = (
        "end",
        "end_row",
        "kind",
        "merge",
        "name",
        "qualified",
        "qualifier",
        "sig_row",
        "start",
        "start_row",
    )

    def __init__(
        self,
        kind: str,
        name: str,
        qualifier: str,
        node: Any,
        name_row: int,
        merge: bool,
    ) -> None:
        self.kind = kind
        self.name = name
        self.qualifier = qualifier
        self.start = node.start_byte
        self.end = node.end_byte
        self.start_row = node.start_point[0]
        self.end_row = _end_row(node)
        self.sig_row = name_row
        self.merge = merge
        self.qualified = name


def _end_row(node: Any) -> int:
    """Last line of a node; a node that ends at the start of a line ends on the line before."""
    row, column = node.end_point
    if column == 0 and row > node.start_point[0]:
        return int(row) - 1
    return int(row)


def _text(source: bytes, node: Any) -> str:
    return source[node.start_byte : node.end_byte].decode("utf-8", "replace")


def first_doc_line(text: str) -> str:
    """The first non-empty line of a docstring or doc comment, markers removed."""
    for raw in text.splitlines():
        line = _DOC_MARKERS.sub("", raw).strip().strip("\"'").strip()
        line = line.removesuffix("-}").rstrip("*/").strip()  # "-}" closes an Elm or Haskell block
        if line:
            return line[:_DOC_NAME_MAX]
    return ""


def extract_chunks(query: Any, root: Any, lines: list[str], source: bytes) -> list[Chunk]:
    """Run ``query`` (a compiled ``tree_sitter.Query``) over ``root``; return chunks in order.

    ``lines`` is the source split on ``\\n`` (for signature lines); names are read from
    ``source`` (the UTF-8 bytes the tree's byte offsets refer to).
    """
    from tree_sitter import QueryCursor

    defs: list[_Def] = []
    imports: list[tuple[int, int, str]] = []  # (start row, end row, name)
    docs: list[Any] = []
    joined: dict[tuple[int, int, str], dict[int, str]] = {}
    named_parts: dict[tuple[int, int, str, str], tuple[Any, dict[int, Any]]] = {}
    doc_before: int | None = None
    settings_of: dict[int, dict[str, Any]] = {}
    cursor = QueryCursor(query)
    cursor.set_max_start_depth(MAX_DEPTH)
    for index, caps in cursor.matches(root):
        if "doc" in caps:
            docs.extend(caps["doc"])
            if "doc.before" in caps:
                doc_before = caps["doc.before"][0].start_point[0]
            continue
        if "import" in caps:
            settings = settings_of.get(index)
            if settings is None:
                settings = settings_of[index] = query.pattern_settings(index)
            _add_import(source, imports, joined, caps, settings)
            continue
        names = caps.get("name")
        if not names:
            continue
        node = None
        kind = ""
        for capture, nodes in caps.items():
            if capture.startswith("definition."):
                node, kind = nodes[0], capture[11:]
                break
            if capture == "scope":
                node, kind = nodes[0], "scope"
                break
        if node is None:
            continue
        settings = settings_of.get(index)
        if settings is None:
            settings = settings_of[index] = query.pattern_settings(index)
        join = settings.get("join")
        if join is not None:
            # one match per part of the name: joined once all matches are in
            _, parts = named_parts.setdefault(
                (node.start_byte, node.end_byte, kind, join), (node, {})
            )
            for n in names:
                parts[n.start_byte] = n
            continue
        name = _text(source, names[0]).strip()
        if not name:
            continue
        qualifiers = caps.get("qualifier")
        qualifier = _text(source, qualifiers[0]).strip() if qualifiers else ""
        defs.append(
            _Def(
                kind,
                name,
                qualifier,
                node,
                names[0].start_point[0],
                "merge" in caps,
            )
        )
    for (_, _, kind, sep), (node, parts) in named_parts.items():
        first = parts[min(parts)]
        name = sep.join(_text(source, parts[k]).strip() for k in sorted(parts))
        defs.append(_Def(kind, name, "", node, first.start_point[0], False))
    for (start, end, sep), parts in joined.items():
        imports.append((start, end, sep.join(parts[k] for k in sorted(parts))))
    chunks = _nest(_dedupe(defs), lines)
    chunks.extend(
        Chunk("import", name, name, start + 1, end + 1, _sig(lines, start))
        for start, end, name in dict.fromkeys(imports)
    )
    doc = _doc_chunk(source, docs, doc_before)
    if doc is not None:
        chunks.append(doc)
    chunks.sort(key=lambda c: (c.start, c.kind != "module", -c.end))
    return chunks


def _add_import(
    source: bytes,
    imports: list[tuple[int, int, str]],
    joined: dict[tuple[int, int, str], dict[int, str]],
    caps: dict[str, list[Any]],
    settings: dict[str, Any],
) -> None:
    node = caps["import"][0]
    nodes = caps.get("import.name", ())
    join = settings.get("join")
    if join is not None:
        # one match per part: gather the parts of each statement, joined at the end
        parts = joined.setdefault((node.start_point[0], _end_row(node), join), {})
        for n in nodes:
            parts[n.start_byte] = _text(source, n)
        return
    prefix = "".join(_text(source, n) for n in caps.get("import.prefix", ()))
    if prefix:
        prefix += settings.get("separator") or ""
    for n in nodes:
        name = _text(source, n).strip(_IMPORT_STRIP)
        if name:
            imports.append((node.start_point[0], _end_row(node), prefix + name))
    for n in caps.get("import.relative", ()):
        name = _text(source, n).strip(_IMPORT_STRIP)
        if name:
            name = name if name.startswith(".") else "./" + name
            imports.append((node.start_point[0], _end_row(node), name))


def _dedupe(defs: list[_Def]) -> list[_Def]:
    """Keep one definition per name position (the widest) and sort by position."""
    best: dict[tuple[int, str], _Def] = {}
    for d in defs:
        key = (d.sig_row, d.name)
        current = best.get(key)
        if current is None or (d.end - d.start, bool(d.qualifier)) > (
            current.end - current.start,
            bool(current.qualifier),
        ):
            best[key] = d
    return sorted(best.values(), key=lambda d: (d.start, -d.end))


def _nest(defs: list[_Def], lines: list[str]) -> list[Chunk]:
    """Qualify each definition by its enclosing ones; turn nested functions into methods."""
    chunks: list[Chunk] = []
    stack: list[_Def] = []
    # per container (id of the enclosing _Def, or 0): index in chunks of the last child
    last_child: dict[int, int] = {}
    for d in defs:
        while stack and stack[-1].end < d.end:
            stack.pop()
        parent = next((p for p in reversed(stack) if p.kind in QUALIFYING), None)
        kind = d.kind
        in_container = parent is not None and parent.kind in METHOD_CONTAINERS
        if d.qualifier:
            d.qualified = f"{d.qualifier}.{d.name}"
        elif parent is not None:
            d.qualified = f"{parent.qualified}.{d.name}"
        if kind == "function" and in_container:
            kind = "method"
        elif kind == "method" and not in_container and not d.qualifier:
            # e.g. a member of an object literal
            kind = "function"
        stack.append(d)
        if kind == "scope":
            continue
        slot = id(parent) if parent is not None else 0
        previous = last_child.get(slot)
        if d.merge and previous is not None:
            prior = chunks[previous]
            if prior.qualified == d.qualified and prior.kind == kind:
                chunks[previous] = Chunk(
                    prior.kind,
                    prior.name,
                    prior.qualified,
                    prior.start,
                    max(prior.end, d.end_row + 1),
                    prior.signature,
                )
                continue
        last_child[slot] = len(chunks)
        chunks.append(
            Chunk(kind, d.name, d.qualified, d.start_row + 1, d.end_row + 1, _sig(lines, d.sig_row))
        )
    return chunks


def _sig(lines: list[str], row: int) -> str:
    if 0 <= row < len(lines):
        return lines[row].strip()[:_SIGNATURE_MAX]
    return ""


def _doc_chunk(source: bytes, nodes: list[Any], before: int | None) -> Chunk | None:
    """A run of contiguous doc nodes as one ``module`` chunk (see ``@doc.before``)."""
    if not nodes:
        return None
    runs: list[list[Any]] = []
    for node in sorted(nodes, key=lambda n: n.start_byte):
        if runs and node.start_point[0] <= _end_row(runs[-1][-1]) + 1:
            runs[-1].append(node)
        else:
            runs.append([node])
    if before is None:
        run = runs[0]
    else:
        adjacent = [r for r in runs if _end_row(r[-1]) == before - 1]
        if not adjacent:
            return None
        run = adjacent[-1]
    name = first_doc_line("\n".join(_text(source, n) for n in run))
    if not name:
        return None
    start, end = run[0].start_point[0] + 1, _end_row(run[-1]) + 1
    return Chunk("module", name, name, start, end, name)
