"""The mentions signal: files and symbols a task names outright.

A bug report often says where to look: a path (``requests/sessions.py``), a module
(``sphinx.ext.autodoc``), the frames of a stack trace, identifiers that a file defines, or an
error message that a file raises word for word. Each is strong evidence for few files, so
this signal is sparse: most files score 0.
"""

from __future__ import annotations

import math
import re
import unicodedata
from collections import defaultdict
from collections.abc import Sequence
from typing import TYPE_CHECKING, ClassVar, cast

import attrs
import numpy as np

from atlas_core.components import QueryContext
from atlas_core.terms import (
    STOP_WORDS,
    identifier_terms,
    name_shape,
    stem,
    tokenize,
    whole_terms,
)
from atlas_core.types import text_lines

if TYPE_CHECKING:
    from atlas_core.index.reader import IndexReader
    from atlas_core.rank.task import ParsedTask

__all__ = ["Mentions", "mention_scores"]

_EXACT_BUDGET = 600  # files whose symbol names one query may read
_MAX_DEFINING = 150  # a name more files than this define says nothing
_MAX_CONFIRMED = 5  # a name only reading confirms counts if at most this many define it
#: a kebab-case name (``magit-stash-push``) is read for only if at most this many files hold
#: its joined term: an exact Lisp or CSS name is rare, a hyphenated word (``set-up``) is not
_MAX_KEBAB = 20
#: the languages whose names may hold a hyphen (a Python file cannot define ``read-only``)
_KEBAB_LANGUAGES = frozenset(
    {"elisp", "clojure", "css", "scss", "less", "sass", "html", "just", "make", "bash",
     "fish", "nix", "starlark"}
)  # fmt: skip
_PACKAGE_FILES = ("__init__", "index", "mod", "lib", "main")
#: stop words that are values, not names a class could have (``None``, ``True``)
_LITERALS = frozenset(("none", "true", "false", "null", "nil", "void", "self"))
_CODE_SHAPED = re.compile(r".*(_|[a-z][A-Z]|\d|[a-z]-[a-z])")
_FRAGMENT_SPLIT = re.compile(r"""[`'"0-9\[\]{}()<>%]+""")
_LETTERS = re.compile(r"[a-z_]+")
_TITLE_IDENT = re.compile(r"[A-Za-z_][\w]*")  # on the name_shape of the title
#: a special name: ``__init__``, ``__repr__``, ``__version__``
_DUNDER = re.compile(r"__\w+__")


@attrs.frozen
class Tuning:
    """Knobs of the identifier evidence, measured on bug reports by
    ``scripts/reports_eval.py`` and on commit tasks by ``scripts/tune.py`` (``ment_*``
    columns). The defaults are what ships: ``beyond_limit``, ``stem_names`` and ``namesake``
    gained on the sympy reports (chosen by folds of them) and lost nothing on the commit
    tasks; the other knobs gained nothing (the script's docstring has the figures)."""

    #: credit times (idf of the name among all files / idf of a name in one file) ** this
    ref_idf: float = 0.0
    #: credit times this for a name the task's first line (its title) writes
    title: float = 1.0
    #: the innermost frame that names an indexed file counts as innermost
    inner_resolved: bool = False
    #: credit times this for a name the prose writes (outside code blocks)
    prose: float = 1.0
    #: credit of a file defining a function that a named function calls (0: off)
    chain: float = 0.0
    #: only names defined in at most this many files start a chain
    chain_sources: int = 2
    #: a name whose word more files' symbols hold than the limit (``Add``: ``_eval_add``,
    #: ``__add__``...) still counts when reading those files finds few that define it exactly
    beyond_limit: bool = True
    #: a capitalised name the term index cannot hold (a stop word: ``Mod``, ``Function``)
    #: is looked for in the files named after it (``mod.py``) that define it exactly
    stem_names: bool = True
    #: credit times (1 + this) for a defining file named after the name (``ConditionSet`` in
    #: ``conditionset.py``, ``HttpClient`` in ``http_client.go``): where the name lives
    namesake: float = 1.0
    #: evidence of a file holding a line of the task's code blocks word for word (0: off)
    quoted: float = 0.0
    #: what a special name (``__init__``, ``__repr__``: defined by every class) counts for:
    #: "all" as any name; "init": as any name, but ``__init__`` has no namesake file (a
    #: package's ``__init__.py`` is not where a class's ``__init__`` lives); "defined": no
    #: special name has a namesake file (``__version__.py`` neither); "none": nothing
    dunders: str = "all"


DEFAULT_TUNING = Tuning()


class _Paths:
    """Files by the stem of their name (``ccode`` for ``sympy/printing/ccode.py``), looked up
    through the file-name field of the term index: no pass over every path per query."""

    def __init__(self, index: QueryContext | None, paths: Sequence[str]) -> None:
        self.ctx = index
        self.paths = paths
        self.by_stem: dict[str, list[int]] = {}
        self._all: dict[str, list[int]] | None = None

    def _scan(self, stem_: str) -> list[int]:
        """Files named ``stem_`` from one pass over every path, made once per index (per
        query without one): for a name whose every word is a stop word (``mod``, ``lib``) or
        that holds digits."""
        if self._all is None:
            if self.ctx is None:
                self._all = _stems(self.paths)
            else:
                from atlas_core.index.readercache import per_reader

                self._all = per_reader("mentions.stems", self.ctx.index, _reader_stems)
        return self._all.get(stem_, [])

    def files(self, stem_: str) -> list[int]:
        """Files whose name's stem is ``stem_`` (case-insensitive)."""
        stem_ = _lower(stem_)
        got = self.by_stem.get(stem_)
        if got is not None:
            return got
        docs = None
        # the file-name field holds the terms of each name's stem; a stem of letters and
        # underscores always yields its whole word joined (``Dense_NDim_Array`` and
        # ``dense_ndim_array``: ``densendimarray``), in any case; digits split otherwise.
        # A stem of other letters yields the terms standing for it whole, in any case
        # (``Modèle``: ``modele``; ``Данные``: ``данные``)
        joined = stem_.replace("_", "")
        if self.ctx is not None and not stem_.isascii():
            terms = whole_terms(stem_)
            if terms:
                docs = _holding_all(self.ctx, terms, field=0)
                docs = np.zeros(0, np.int64) if docs is None else docs
        elif (
            self.ctx is not None
            and _LETTERS.fullmatch(stem_)
            and len(joined) > 1
            and joined not in STOP_WORDS
        ):
            index = self.ctx.index
            tid = index.term_id(stem(joined))
            docs = np.zeros(0, np.int64)
            if tid is not None:
                found, tf = index.postings(tid)
                docs = found[tf[:, 0] > 0]
        if docs is None:
            got = self._scan(stem_)
        else:
            got = [int(i) for i in docs.tolist() if _stem_of(self.paths[i]) == stem_]
        self.by_stem[stem_] = got
        return got

    def suffix_matches(self, parts: list[str], paths: Sequence[str]) -> tuple[list[int], int]:
        """Files whose path ends with the longest tail of ``parts``; and that tail's length."""
        if not parts:
            return [], 0
        candidates = self.files(parts[-1].split(".", 1)[0])
        best: list[int] = []
        best_len = 0
        for i in candidates:
            segs = paths[i].split("/")
            n = 0
            while n < min(len(segs), len(parts)):
                a, b = segs[-1 - n], parts[-1 - n]
                if n == 0:
                    a, b = a.split(".", 1)[0], b.split(".", 1)[0]
                if _lower(a) != _lower(b):
                    break
                n += 1
            if n > best_len:
                best, best_len = [i], n
            elif n == best_len and n:
                best.append(i)
        return best, best_len


def _stems(paths: Sequence[str]) -> dict[str, list[int]]:
    by_stem: dict[str, list[int]] = defaultdict(list)
    for i, rel in enumerate(paths):
        by_stem[_stem_of(rel)].append(i)
    return dict(by_stem)


def _reader_stems(index: object) -> dict[str, list[int]]:
    return _stems(cast("IndexReader", index).paths)


def _stem_of(rel: str) -> str:
    base = rel.rsplit("/", 1)[-1]
    return _lower(base.split(".", 1)[0] if not base.startswith(".") else base)


def _nfc(name: str) -> str:
    """``name`` as the task parser writes names (NFC): a file or a name may be written
    with combining accents."""
    return name if name.isascii() else unicodedata.normalize("NFC", name)


def _lower(name: str) -> str:
    """``name`` in lower case, for comparing names case-insensitively (NFC)."""
    return name.lower() if name.isascii() else unicodedata.normalize("NFC", name.lower())


def _file_hits(
    parsed: ParsedTask,
    paths: Sequence[str],
    out: np.ndarray,
    tuning: Tuning = DEFAULT_TUNING,
    ctx: QueryContext | None = None,
) -> None:
    lookup = _Paths(ctx, paths)

    def credit(parts: list[str], weight: float, exact_ext: bool = True) -> bool:
        ids, n = lookup.suffix_matches(parts, paths)
        if not ids:
            return False
        # a bare file name shared by many files says little; a longer tail says more
        share = weight * min(1.0, 0.5 + 0.25 * n) / len(ids)
        for i in ids:
            if exact_ext and "." in parts[-1] and not _nfc(paths[i]).endswith(parts[-1]):
                continue
            out[i] = max(out[i], share)
        return True

    for path in parsed.paths:
        credit([p for p in path.split("/") if p], 1.0)
    frames = parsed.frames
    inner = True
    for k in range(len(frames) - 1, -1, -1):
        # the innermost frame raised; outer ones are callers
        weight = 0.8 if (inner if tuning.inner_resolved else k == len(frames) - 1) else 0.5
        if credit([p for p in frames[k].split("/") if p], weight):
            inner = False
    for module in parsed.modules:
        _credit_module(lookup, paths, module.split("."), 0.8, out)
    for module in parsed.imported:
        _credit_module(lookup, paths, module.split("."), 0.35, out)


def _credit_module(
    lookup: _Paths, paths: Sequence[str], parts: list[str], weight: float, out: np.ndarray
) -> None:
    """``a.b.c``: the file ``a/b/c.*`` or the package file ``a/b/c/__init__.*``; else ``a/b``."""
    for cut in range(len(parts), 1, -1):
        head = parts[:cut]
        ids, n = lookup.suffix_matches(head, paths)
        if n >= 2:
            for i in ids:
                out[i] = max(out[i], weight / len(ids))
            return
        for name in _PACKAGE_FILES:
            ids, n = lookup.suffix_matches([*head, name], paths)
            if n >= 3:
                for i in ids:
                    out[i] = max(out[i], 0.75 * weight / len(ids))
                return


def _has_namesake(ident: str, dunders: str) -> bool:
    """Whether a file named after ``ident`` may be where it lives (``Tuning.dunders``)."""
    if dunders == "all" or not _DUNDER.fullmatch(ident):
        return True
    return dunders == "init" and ident != "__init__"


def _namesakes(paths: Sequence[str], found: np.ndarray, ident: str) -> np.ndarray:
    """The files of ``found`` whose name's stem is ``ident`` (case and underscores aside)."""
    key = _lower(ident).replace("_", "")
    return found[[_stem_of(paths[i]).replace("_", "") == key for i in found.tolist()]]


def _whole_term(ident: str) -> str | None:
    terms = identifier_terms(ident)
    if not terms:
        return None
    parts = tokenize(ident)
    whole = stem("".join(p.lower() for p in re.findall(r"[A-Za-z0-9]+", ident)))
    return whole if whole in terms or len(parts) == 1 else None


def _holding_all(ctx: QueryContext, terms: tuple[str, ...], field: int) -> np.ndarray | None:
    """Files whose ``field`` (0: file name, 1: symbol names) holds every one of ``terms``
    (None: no terms, or a term no file holds)."""
    docs = None
    for term in terms:
        tid = ctx.index.term_id(term)
        if tid is None:
            return None
        found, tf = ctx.index.postings(tid)
        found = found[tf[:, field] > 0]
        docs = found if docs is None else np.intersect1d(docs, found, assume_unique=True)
        if not len(docs):  # a long name of bigrams (Chinese) stops at the first miss
            break
    return docs


def _defining(ctx: QueryContext, ident: str) -> np.ndarray | None:
    """Files whose symbol names contain the identifier's whole term (None: unknown term);
    for a name holding other characters, every term standing for it whole."""
    if not ident.isascii():
        return _holding_all(ctx, whole_terms(ident), field=1)
    term = _whole_term(ident)
    tid = ctx.index.term_id(term) if term else None
    if tid is None:
        return None
    docs, tf = ctx.index.postings(tid)
    return docs[tf[:, 1] > 0]


def _language(ctx: QueryContext, i: int) -> str:
    """File ``i``'s language, decoding that entry alone (the whole column costs a large
    repository tens of milliseconds) when the index is Atlas's own reader."""
    field = getattr(ctx.index, "file_field", None)
    return str(field("language", i)) if field is not None else ctx.index.languages[i]


class _ExactNames:
    """Which files define a name exactly: the term index also counts parts of longer names
    (``product`` in ``tensor_product``), so candidates are checked against their symbols,
    within a budget of files read per query."""

    def __init__(self, ctx: QueryContext, budget: int = _EXACT_BUDGET) -> None:
        self.ctx = ctx
        self.budget = budget
        self.names: dict[int, set[str]] = {}

    def rows(self, i: int) -> list[list[object]]:
        """File ``i``'s chunks as Chunk.to_row writes them: [kind, name, qualified, start,
        end, signature] (raw records, no Chunk objects)."""
        import msgpack

        try:
            reader = cast("IndexReader", self.ctx.index)
            rows = msgpack.unpackb(reader.symbol_record(i), raw=False)
            return [r for r in rows if isinstance(r, list) and len(r) >= 5]
        except Exception:
            return []

    def _names(self, i: int) -> set[str]:
        names = {_nfc(str(r[1]).rsplit(".", 1)[-1]) for r in self.rows(i) if r[0] != "import"}
        # Ruby's, Elixir's and Clojure's `valid?`, `save!` and `name=` are named without
        # their mark in tasks and in the term index
        return names | {n.rstrip("?!=") for n in names if n[-1:] in ("?", "!", "=")}

    def filter(self, docs: np.ndarray, ident: str, strict: bool = False) -> np.ndarray:
        """The files of ``docs`` that define ``ident`` exactly; past the reading budget all of
        ``docs`` (the term index's answer) or, when ``strict``, none."""
        unread = sum(1 for i in docs.tolist() if i not in self.names)
        if unread > self.budget:
            return docs[:0] if strict else docs
        self.budget -= unread
        keep = []
        for i in docs.tolist():
            names = self.names.get(i)
            if names is None:
                names = self.names[i] = self._names(i)
            if ident in names:
                keep.append(i)
        return np.asarray(keep, dtype=docs.dtype)


def _candidates(
    parsed: ParsedTask, ctx: QueryContext, tuning: Tuning, limit: int
) -> tuple[dict[str, np.ndarray], set[str]]:
    """The files that may define each task identifier (by the term index, or by the file's
    name for a capitalised stop word), and the identifiers that count only if reading those
    files confirms an exact definition (past ``limit``, or found by a file's name)."""
    candidates: dict[str, np.ndarray] = {}
    confirm: set[str] = set()
    lookup: _Paths | None = None
    for ident in parsed.identifiers[:200]:
        if ident in candidates or (tuning.dunders == "none" and _DUNDER.fullmatch(ident)):
            continue
        defining = _defining(ctx, ident)
        lower = ident.lower()
        keyword_name = ident[:1].isupper() and lower in STOP_WORDS and lower not in _LITERALS
        if defining is None and tuning.stem_names and keyword_name:
            lookup = lookup or _Paths(ctx, ctx.index.paths)
            defining = np.asarray(lookup.files(ident), dtype=np.int64)
            confirm.add(ident)
        if defining is None or not len(defining):
            continue
        if "-" in ident:  # kebab-case: counts only where a file defines it exactly
            if len(defining) <= _MAX_KEBAB:
                keep = [i for i in defining.tolist() if _language(ctx, i) in _KEBAB_LANGUAGES]
                candidates[ident] = np.asarray(keep, dtype=defining.dtype)
                confirm.add(ident)
            continue
        if len(defining) <= limit:
            candidates[ident] = defining
        elif tuning.beyond_limit and len(defining) <= _EXACT_BUDGET:
            candidates[ident] = defining
            confirm.add(ident)
    return candidates, confirm


def _symbol_hits(
    parsed: ParsedTask, ctx: QueryContext, out: np.ndarray, tuning: Tuning = DEFAULT_TUNING
) -> None:
    limit = max(_MAX_DEFINING, len(ctx.index) // 10)
    n_files = len(ctx.index)
    first_line = ctx.query.lstrip().split("\n", 1)[0]
    title: set[str] = set()
    if tuning.title != 1.0:
        shape = name_shape(first_line)
        title = {first_line[m.start() : m.end()] for m in _TITLE_IDENT.finditer(shape)}
    candidates, confirm = _candidates(parsed, ctx, tuning, limit)
    exact = _ExactNames(ctx)
    sources: list[tuple[str, int]] = []
    # rare names first, so the reading budget goes where a match says most
    for ident, docs in sorted(candidates.items(), key=lambda kv: len(kv[1])):
        found = candidates[ident] = exact.filter(docs, ident, strict=ident in confirm)
        if ident in confirm and len(found) > _MAX_CONFIRMED:
            found = candidates[ident] = found[:0]
        if 0 < len(found) <= tuning.chain_sources:
            sources.extend((ident, int(i)) for i in found)
        if len(found):
            # a plain lower-case word (`views`) says less than code-shaped names
            shaped = ident[:1].isupper() or _CODE_SHAPED.match(name_shape(ident)) is not None
            credit = (0.5 if shaped else 0.25) / (1.0 + math.log2(len(found)))
            if tuning.ref_idf:
                credit *= _rarity(ctx, ident, n_files) ** tuning.ref_idf
            if ident in title:
                credit *= tuning.title
            if ident in parsed.prose:
                credit *= tuning.prose
            if tuning.namesake and _has_namesake(ident, tuning.dunders):
                home = _namesakes(ctx.index.paths, found, ident)
                out[home] += credit * tuning.namesake
            out[found] += credit
    for owner, member in parsed.qualified[:50]:
        # ``Function._eval_evalf``: a file that defines both names
        a, b = candidates.get(owner), candidates.get(member)
        if a is None or b is None:
            continue
        both = np.intersect1d(a, b)
        if 0 < len(both) <= 5:
            out[both] += 0.6 / len(both)
    if tuning.chain and sources:
        _chain_hits(ctx, exact, sources[:_CHAIN_SOURCES], limit, tuning.chain, out)


_CHAIN_SOURCES = 8  # named functions whose bodies one query reads
_CHAIN_CALLS = 40  # calls followed from one body


def _chain_hits(
    ctx: QueryContext,
    exact: _ExactNames,
    sources: list[tuple[str, int]],
    limit: int,
    weight: float,
    out: np.ndarray,
) -> None:
    """The functions a named function calls: the files defining them are where the fault may
    be when the named one only passes it on (``sqf_list`` -> ``dup_sqf_list``)."""
    from atlas_core.rank.task import called_names

    gained = np.zeros_like(out)
    for ident, i in sources:
        rows = [
            r
            for r in exact.rows(i)
            if r[0] != "import" and _nfc(str(r[1]).rsplit(".", 1)[-1]) == ident
        ]
        if not rows:
            continue
        lines = text_lines(ctx.index.read_text(i))  # numbered as the chunks are
        body = "\n".join(
            "\n".join(lines[max(int(str(r[3])) - 1, 0) : int(str(r[4]))]) for r in rows[:3]
        )
        calls = [c for c in called_names(body) if c != ident][:_CHAIN_CALLS]
        if not calls:
            continue
        share = weight / math.sqrt(len(calls))
        for name in calls:
            docs = _defining(ctx, name)
            if docs is None or not 0 < len(docs) <= limit:
                continue
            found = exact.filter(docs, name)
            found = found[found != i]
            if len(found):
                gained[found] += share / (1.0 + math.log2(len(found)))
    out += np.minimum(gained, weight)


def _rarity(ctx: QueryContext, ident: str, n_files: int) -> float:
    """How few files use the name at all: 1 for one file, 0 for every file."""
    terms: tuple[str, ...]
    if ident.isascii():
        term = _whole_term(ident)
        terms = (term,) if term else ()
    else:
        terms = whole_terms(ident)
    tids = [t for t in map(ctx.index.term_id, terms) if t is not None]
    if not tids or n_files < 2:
        return 1.0
    df = max(min(len(ctx.index.postings(t)[0]) for t in tids), 1)
    return max(0.0, math.log(n_files / df) / math.log(n_files))


def _holding_words(
    ctx: QueryContext, text: str, *, rarest: int | None = None, min_terms: int = 1
) -> np.ndarray:
    """Files whose postings hold every indexed word of ``text`` (only the ``rarest`` rarest
    words, when given): the candidates for holding it word for word. Empty when fewer than
    ``min_terms`` of its words are indexed."""
    index = ctx.index
    term_ids = {t for t in (index.term_id(w) for w in tokenize(text)) if t is not None}
    if len(term_ids) < max(min_terms, 1):
        return np.zeros(0, np.int64)
    postings = sorted((index.postings(t)[0] for t in term_ids), key=len)[:rarest]
    docs = postings[0]
    for other in postings[1:]:
        docs = np.intersect1d(docs, other, assume_unique=True)
    return docs


def _message_hits(parsed: ParsedTask, ctx: QueryContext, out: np.ndarray) -> None:
    index = ctx.index
    for message in parsed.messages[:3]:
        fragments = [
            f.strip(" :,.;")
            for f in _FRAGMENT_SPLIT.split(message)
            if len(f.strip(" :,.;")) >= 12 and len(f.split()) >= 2
        ]
        if not fragments:
            continue
        fragment = max(fragments, key=len)
        docs = _holding_words(ctx, fragment, rarest=3)
        if not len(docs) or len(docs) > 100:
            continue
        found = [int(i) for i in docs if fragment in index.read_text(int(i))]
        for i in found:
            out[i] = max(out[i], 0.8 / len(found))


_QUOTED_LINES = 12  # code lines one query looks up
_QUOTED_READS = 50  # files one query reads to confirm them
_QUOTED_FILES = 3  # a line that more files hold says nothing of where to look


def _quoted_hits(parsed: ParsedTask, ctx: QueryContext, out: np.ndarray, weight: float) -> None:
    """Files that hold a line of the task's code word for word: the report quotes them."""
    index = ctx.index
    reads = _QUOTED_READS
    texts: dict[int, str] = {}
    for line in parsed.code_lines[:_QUOTED_LINES]:
        docs = _holding_words(ctx, line, min_terms=2)
        if not len(docs) or len(docs) > reads:
            continue
        found = []
        for i in docs.tolist():
            if i not in texts:
                reads -= 1
                texts[i] = index.read_text(i)
            if line in texts[i]:
                found.append(i)
        if 0 < len(found) <= _QUOTED_FILES:
            for i in found:
                out[i] = max(out[i], weight / len(found))


def mention_scores(
    ctx: QueryContext, tuning: Tuning = DEFAULT_TUNING, *, messages: bool = True
) -> np.ndarray:
    """Evidence per file from the paths, modules, frames, symbols and messages in the task."""
    from atlas_core.rank.task import parse_task  # a query's module: index runs skip it

    out = np.zeros(len(ctx.index), dtype=np.float64)
    if not len(out):
        return out
    parsed = parse_task(ctx.query)
    if parsed.paths or parsed.frames or parsed.modules:
        _file_hits(parsed, ctx.index.paths, out, tuning, ctx)
    if parsed.identifiers:
        _symbol_hits(parsed, ctx, out, tuning)
    if parsed.messages and messages:
        _message_hits(parsed, ctx, out)
    if parsed.code_lines and tuning.quoted:
        _quoted_hits(parsed, ctx, out, tuning.quoted)
    return out


class Mentions:
    """Files the task names: paths, modules, stack frames, defined symbols, error messages."""

    name: ClassVar[str] = "mentions"
    stage: ClassVar[int] = 0

    def unavailable(self, ctx: QueryContext) -> str | None:
        return None

    def score(self, ctx: QueryContext) -> np.ndarray:
        return mention_scores(ctx)
