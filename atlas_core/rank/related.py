"""Files tied to given files, and why: the neighbourhood seeds boost and ``atlas related`` lists.

The core knows two ties: a test and the implementation it is named after (``test_x.py``
and ``x.py``, ``x_test.go``, ``x.spec.ts``, ``XTest.java``, ...) and files of the same
package (directory). Signals add their own by offering a ``related(ctx, ids)`` method
that returns :class:`Tie` objects: atlas-graph gives imports and importers, atlas-git
co-changes. "``a`` is an importer of ``b``" reads like "``a`` is a test of ``b``". Each
tie has a strength from 0 to 1; a file's strength for a set of given
files sums its strongest tie of each kind.
"""

from __future__ import annotations

import math
import posixpath
import re
from collections import defaultdict
from collections.abc import Iterable, Mapping, Sequence
from typing import TYPE_CHECKING, Any, cast

import attrs
import numpy as np

from atlas_core.index.readercache import per_reader

if TYPE_CHECKING:
    from atlas_core.components import QueryContext
    from atlas_core.index.reader import IndexReader

__all__ = [
    "Related",
    "Tie",
    "core_ties",
    "gather_ties",
    "pairing_key",
    "related_document",
    "related_files",
    "tie_scores",
]

#: names that say "test": group 1 is the name of what is tested
_TEST_NAMES = [
    re.compile(p)
    for p in (
        r"^test_(.+)$",
        r"^tests_(.+)$",
        r"^(.+)_tests?$",
        r"^(.+)[.-](?:test|spec|tests)$",
        r"^(.+)_spec$",
        r"^(.+?)(?:Test|Tests|Spec|IT)$",
        r"^Test(.+)$",
    )
]
_TEST_SEGMENTS = {
    "test",
    "tests",
    "testing",
    "__tests__",
    "spec",
    "specs",
    "unittests",
    "src",
    "main",
    "lib",
    "java",
    "kotlin",
    "scala",
    "internal",
    "pkg",
}
_CODE_ROLES = {"impl", "other"}
#: tie strengths of the core's own ties
TEST_PAIR = 0.9
SAME_PACKAGE = 0.3
#: how much each kind of tie counts in the ``seeds`` signal, times its strength (1.0 when not
#: named). Chosen by folds (``scripts/seed_tune.py``: which of a seed's neighbours its commit
#: also changed): co-change and the seed's own package say most, imports less, and a hub's
#: importers least. Test pairs keep 1.0: the benchmark never counts a test as an answer, so
#: it cannot weigh them. ``atlas related`` lists ties at their own strength.
KIND_FACTORS: dict[str, float] = {
    "co-changed": 2.0,
    "same package": 2.0,
    "import of": 0.5,
    "importer of": 0.25,
}


@attrs.frozen
class Tie:
    """``id`` is tied to the given file ``via``: ``kind`` says what ``id`` is to it
    (``import of``, ``importer of``, ``co-changed``, ``test of``, ``implementation of``,
    ``same package``), with ``strength`` from 0 to 1."""

    id: int
    via: int
    kind: str
    strength: float
    detail: str = ""


def _stem(path: str) -> str:
    name = posixpath.basename(path)
    return name.split(".", 1)[0] if not name.startswith(".") else name


def pairing_key(path: str) -> tuple[str, bool]:
    """(the name a test and its implementation share, whether the name says test).

    ``tests/test_client.py``, ``client_test.go``, ``Client.spec.ts``, ``ClientTest.java``
    and ``client.py`` all share ``client``.
    """
    name = posixpath.basename(path)
    base = name[: -len(name.rsplit(".", 1)[-1]) - 1] if "." in name[1:] else name
    for pattern in _TEST_NAMES:
        match = pattern.match(base)
        if match and match.group(1):
            return _norm(match.group(1)), True
    return _norm(_stem(path)), False


def _norm(name: str) -> str:
    return re.sub(r"[-_.]", "", name).lower()


def _dir_parts(path: str) -> set[str]:
    return {p for p in posixpath.dirname(path).split("/") if p and p not in _TEST_SEGMENTS}


@attrs.frozen
class _Tables:
    by_key: dict[str, list[int]]
    named_test: np.ndarray
    by_dir: dict[str, list[int]]


def _tables(reader: IndexReader) -> _Tables:
    by_key: dict[str, list[int]] = defaultdict(list)
    by_dir: dict[str, list[int]] = defaultdict(list)
    named = np.zeros(len(reader), dtype=bool)
    for i, (path, role, status) in enumerate(
        zip(reader.paths, reader.roles, reader.statuses, strict=True)
    ):
        if status != "ok" or role not in ("impl", "test", "other"):
            continue
        key, is_test = pairing_key(path)
        named[i] = is_test
        if key:
            by_key[key].append(i)
        by_dir[posixpath.dirname(path)].append(i)
    return _Tables(dict(by_key), named, dict(by_dir))


def _is_test(reader: IndexReader, tables: _Tables, i: int) -> bool:
    return reader.roles[i] == "test" or bool(tables.named_test[i])


def core_ties(reader: IndexReader, ids: Sequence[int]) -> list[Tie]:
    """Test/implementation pairs by name, and files of the same package."""
    tables = per_reader("related.tables", reader, _tables)
    out: list[Tie] = []
    for i in ids:
        path = reader.paths[i]
        key, _ = pairing_key(path)
        mine = _is_test(reader, tables, i)
        partners = [
            j for j in tables.by_key.get(key, ()) if j != i and _is_test(reader, tables, j) != mine
        ]
        if partners:
            here = _dir_parts(path)
            for j in partners:
                there = _dir_parts(reader.paths[j])
                near = len(here & there) / max(len(here | there), 1) if here or there else 1.0
                strength = TEST_PAIR * (0.6 + 0.4 * near) / math.sqrt(len(partners))
                # the kind says what the related file is to the given one
                kind = "implementation of" if mine else "test of"
                out.append(Tie(j, i, kind, strength))
        siblings = tables.by_dir.get(posixpath.dirname(path), [])
        if 1 < len(siblings) <= 400:
            strength = SAME_PACKAGE / math.sqrt(max(1.0, (len(siblings) - 1) / 4))
            out.extend(Tie(j, i, "same package", strength) for j in siblings if j != i)
    return out


def gather_ties(ctx: QueryContext, signals: Iterable[Any], ids: Sequence[int]) -> list[Tie]:
    """The core's ties plus those of every signal that offers them (:class:`RelatedFiles`).

    A signal that fails here is named in one warning and left out.
    """
    from atlas_core.components import RelatedFiles, Signal
    from atlas_core.errors import PluginFailure
    from atlas_core.plugin.guard import guarded, raise_errors

    # the query runs on Atlas's own reader (a plugin only sees the IndexView protocol)
    ties = core_ties(cast("IndexReader", ctx.index), ids)
    for signal in signals:
        if not isinstance(signal, RelatedFiles):
            continue
        try:
            with guarded(signal, "finding related files"):
                if isinstance(signal, Signal) and signal.unavailable(ctx):
                    continue
                ties.extend(signal.related(ctx, list(ids)))
        except PluginFailure as exc:  # a plugin's bug must not break the query
            if raise_errors():
                raise
            ctx.note(str(exc), level="warning")
    return ties


def tie_scores(
    n: int,
    ties: Iterable[Tie],
    exclude: Sequence[int] = (),
    factors: Mapping[str, float] | None = None,
) -> np.ndarray:
    """Per file: the sum over kinds of its strongest tie of that kind (0: no tie), each
    kind times its factor in ``factors`` (1.0 when not named)."""
    best: dict[tuple[int, str], float] = {}
    for tie in ties:
        key = (tie.id, tie.kind)
        if tie.strength > best.get(key, 0.0):
            best[key] = tie.strength
    factors = factors or {}
    out = np.zeros(n)
    for (i, kind), strength in best.items():
        out[i] += strength * factors.get(kind, 1.0)
    if len(exclude):
        out[np.asarray(exclude, dtype=np.int64)] = 0.0
    return out


@attrs.define
class Related:
    """A file tied to the given ones: its total strength and every reason."""

    id: int
    path: str
    role: str
    strength: float
    reasons: list[Tie]


def related_files(
    reader: IndexReader, ties: Iterable[Tie], given: Sequence[int], *, tests_only: bool = False
) -> list[Related]:
    """Ties grouped by file, strongest first (tests only: files whose role or name is test)."""
    ties = list(ties)
    scores = tie_scores(len(reader), ties, given)
    tables = per_reader("related.tables", reader, _tables)
    grouped: dict[int, list[Tie]] = defaultdict(list)
    for tie in ties:
        if scores[tie.id] > 0:
            grouped[tie.id].append(tie)
    out = []
    for i, reasons in grouped.items():
        if tests_only and not _is_test(reader, tables, i):
            continue
        reasons.sort(key=lambda t: -t.strength)
        out.append(Related(i, reader.paths[i], reader.roles[i], float(scores[i]), reasons))
    out.sort(key=lambda r: (-r.strength, r.path))
    return out


def related_document(
    reader: IndexReader, given: Sequence[int], found: Iterable[Related], *, tests_only: bool = False
) -> dict[str, Any]:
    """The related JSON document (``atlas related --format json``, MCP ``related``; schema
    ``related``) without its ``Version``: the given files, then each found file and its ties."""
    from atlas_core.paths import display_path

    names = {i: reader.paths[i] for i in given}
    return {
        "Given": [display_path(names[i]) for i in given],
        "Tests": tests_only,
        "Files": [
            {
                "Path": display_path(r.path),
                "Role": r.role,
                "Strength": round(r.strength, 4),
                "Reasons": [
                    {
                        "Kind": t.kind,
                        "Of": display_path(names[t.via]),
                        "Strength": round(t.strength, 4),
                        **({"Detail": t.detail} if t.detail else {}),
                    }
                    for t in r.reasons
                ],
            }
            for r in found
        ],
    }
