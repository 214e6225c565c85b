"""Turning one file into index data: read, sniff, classify, chunk, count terms.

Runs in indexing worker processes (forked, so the plugin manager is inherited). Each
process numbers the terms it meets itself (:class:`TermTable`) and sends a term's text to
the parent only the first time, with the batch that first used it; files travel as arrays
of those local ids, so the parent never handles one string per posting.
"""

from __future__ import annotations

import contextlib
import errno
import functools
import hashlib
import importlib
import os
import signal
import threading
from array import array
from collections import Counter
from collections.abc import Iterable
from typing import Any

import attrs
import numpy as np

from atlas_core.classify.rules import header_language
from atlas_core.fsread import open_regular
from atlas_core.index import layout
from atlas_core.notebook import NOTEBOOK_MAX_BYTES, is_notebook, read_notebook
from atlas_core.paths import display_path, display_text
from atlas_core.plugin.guard import (
    call_hook,
    component_call,
    failure,
    origin_of,
    output_failure,
    plugins_own,
    raise_errors,
)
from atlas_core.terms import (
    IDENT_BYTES,
    TOKEN_SEPARATORS,
    blank_encoded_data,
    is_encoded_data,
    split_identifier,
)
from atlas_core.tokens import estimate_tokens
from atlas_core.types import Chunk

__all__ = ["BatchResult", "FileProcessor", "FileResult", "TermTable", "estimate_tokens"]

_SNIFF = 8192


def content_hash(data: bytes) -> bytes:
    return hashlib.blake2b(data, digest_size=16).digest()


@attrs.define
class FileResult:
    """What indexing learned about one file."""

    rel: str
    hash: bytes
    language: str
    role: str
    tokens: int
    status: str
    symbols: bytes  # the packed chunk rows (see ``layout.packb``)
    errors: list[str] = attrs.field(factory=list)
    undecodable: bool = False


@attrs.define
class BatchResult:
    """One batch's files and their postings, with the terms its process numbered for the
    first time."""

    pid: int
    new_terms: list[str]  # the texts of local ids ``first_new ..`` in order
    first_new: int
    files: list[FileResult]
    #: the files' postings one after the other: uint32 term ids local to the process
    #: (sorted within a file), tf per field ((n, 3) uint16) and the postings of each file
    terms: np.ndarray
    tf: np.ndarray
    counts: np.ndarray
    #: the process's numbering: a new one starts from id 0 (see ``TermTable.reset``)
    epoch: int = 0


#: terms a process numbers before it starts a new numbering: bounds a worker's memory
#: (term texts, identifier cache) on repositories of any size; the parent is told by the
#: batch's ``epoch`` and maps the new numbering afresh
_TERMS_MAX = 1 << 16
_IDENTS_MAX = 1 << 16


class TermTable:
    """A process's own term numbering, and the term ids of every identifier it has split.

    Identifiers are numbered too: ``_flat[_bounds[k]:_bounds[k + 1]]`` are the term ids of
    identifier ``k``, so a text's distinct identifiers become term ids with array
    operations rather than a Python step per identifier. Files are counted with
    :meth:`count` and their postings made together by :meth:`postings`: one set of array
    operations per batch of files, not per file.

    A text is cut into tokens, the runs of ``[A-Za-z0-9_-]`` and of bytes 0x80 and up
    (as bytes: ``translate`` and ``split`` are far cheaper than the identifier pattern over
    the whole text). Identifiers never span two tokens, and most tokens are one whole
    identifier. A token that is not (``--verbose``, ``1``, ``12ab``, ``-``) is numbered as
    well, as a pseudo-identifier whose term ids are those of the identifiers in it
    (duplicates are summed by :meth:`postings`), so a text's tokens map to term ids in one
    dictionary lookup each. A token holding non-ASCII bytes (words of other scripts, with
    whatever touches them) is numbered as an identifier of its own: decoded (invalid UTF-8
    replaced) and split whole by :func:`~atlas_core.terms.split_identifier`, once per
    table. A token that is encoded data (a hash, base64:
    :func:`~atlas_core.terms.is_encoded_data`) makes no term.
    """

    def __init__(self, epoch: int = 0) -> None:
        self.epoch = epoch
        self.ids: dict[str, int] = {}
        self.terms: list[str] = []
        self.sent = 0  # terms [0, sent) were already sent to the parent
        #: identifiers, non-ASCII tokens and pseudo-identifiers (bytes) -> their number
        self._idents: dict[bytes, int] = {}
        self._pseudo = 0  # how many of ``_idents`` are pseudo-identifiers
        self._bounds = array("q", [0])
        self._flat = array("I")
        # counted since the last ``postings``: identifier numbers, their counts, and how
        # many of them each field of each file has
        self._keys_seen: list[int] = []
        self._counts: list[int] = []
        self._sizes: list[int] = []
        self._width = 0

    @property
    def full(self) -> bool:
        """Whether the table has grown past its bounds (the caller then resets it)."""
        return len(self.terms) > _TERMS_MAX or len(self._idents) - self._pseudo > _IDENTS_MAX

    def reset(self) -> None:
        """Start a new numbering (a new epoch) from scratch."""
        self.__init__(self.epoch + 1)  # type: ignore[misc]

    def _add_all(self, idents: list[bytes]) -> None:
        """Number ``idents`` (new ones, in this order) and the terms they split into."""
        ids, terms, flat, bounds, known = (
            self.ids,
            self.terms,
            self._flat,
            self._bounds,
            self._idents,
        )
        for ident in idents:
            for term in split_identifier(ident.decode("utf-8", "replace")):
                tid = ids.get(term)
                if tid is None:
                    tid = ids[term] = len(terms)
                    terms.append(term)
                flat.append(tid)
            known[ident] = len(bounds) - 1
            bounds.append(len(flat))

    def _add_tokens(self, tokens: Iterable[bytes]) -> list[bytes]:
        """Number new tokens: their new identifiers in sorted order (the order the terms are
        numbered in), then the tokens that are not one whole identifier. Returns the tokens
        that are encoded data (not numbered: they are rarely met twice)."""
        known = self._idents
        new: set[bytes] = set()
        pseudo: list[tuple[bytes, list[bytes]]] = []
        encoded: list[bytes] = []
        for token in tokens:
            if is_encoded_data(token):
                encoded.append(token)
                continue
            # one identifier: starts with a letter or "_" (bytes 65 and up) and has no "-"
            # (or the pattern says so: kebab-case, a number of two digits or more); a
            # token holding non-ASCII bytes is split whole (see split_identifier)
            if (token[0] >= 65 and b"-" not in token) or not token.isascii():
                new.add(token)
                continue
            found: list[bytes] = IDENT_BYTES.findall(token)
            if len(found) == 1 and found[0] == token:
                new.add(token)
            else:
                pseudo.append((token, found))
                new.update(ident for ident in found if ident not in known)
        self._add_all(sorted(new))
        flat, bounds = self._flat, self._bounds
        for token, found in pseudo:
            for ident in found:
                k = known[ident]
                flat.extend(flat[bounds[k] : bounds[k + 1]])
            known[token] = len(bounds) - 1
            bounds.append(len(flat))
        self._pseudo += len(pseudo)
        return encoded

    def count(self, fields: tuple[str | bytes, ...]) -> None:
        """Count one file's fields (the postings come from :meth:`postings`).

        A field may be given as its UTF-8 bytes (a file's content as read): a token holding
        bytes 0x80 and up is decoded on its own (invalid UTF-8 replaced, which never takes
        an ASCII byte), so the bytes give the terms of the text they decode to, and a file
        is never decoded whole for its terms.
        """
        if self._width != len(fields):
            if self._sizes:
                raise ValueError("every file counted in one batch has the same fields")
            self._width = len(fields)
        idents = self._idents
        keys = self._keys_seen
        for text in fields:
            data = text if isinstance(text, bytes) else text.encode("utf-8", "surrogatepass")
            counted = Counter(data.translate(TOKEN_SEPARATORS).split())
            done = len(keys)
            try:  # most texts have no new token once a few files were counted
                keys += map(idents.__getitem__, counted)
            except KeyError:
                del keys[done:]
                new = set(counted).difference(idents)
                if any(map(is_encoded_data, new)):  # a blob's short pieces go as well
                    counted = Counter(blank_encoded_data(data).translate(TOKEN_SEPARATORS).split())
                    new = set(counted).difference(idents)
                for token in self._add_tokens(new):
                    del counted[token]
                keys += map(idents.__getitem__, counted)
            self._counts += counted.values()
            self._sizes.append(len(counted))

    def skip(self) -> None:
        """A file without terms (binary, unreadable, too large)."""
        self._width = self._width or 3
        self._sizes += (0,) * self._width

    def discard(self) -> None:
        """Forget what was counted since the last :meth:`postings` (a failed batch)."""
        self._keys_seen, self._counts, self._sizes = [], [], []
        self._width = 0

    def postings(self) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
        """(local term ids, tf, postings per file) of the files counted since the last call.

        Each file's terms are sorted and distinct; ``tf`` has one uint16 column per field
        (capped at 65535); the files' postings follow each other in the order counted.
        """
        width = self._width or 3
        sizes = np.array(self._sizes, dtype=np.int64)
        n_files = len(sizes) // width
        key = np.array(self._keys_seen, dtype=np.int64)
        counts = np.array(self._counts, dtype=np.int64)
        self.discard()
        per_file = np.zeros(n_files, dtype=np.int64)
        if not len(key):
            return _NO_TERMS, np.zeros((0, width), dtype=np.uint16), per_file
        bounds = np.frombuffer(self._bounds, dtype=np.int64)
        starts = bounds[key]
        lens = bounds[key + 1] - starts
        del bounds  # a view: the array may grow again afterwards
        total = int(lens.sum())
        if not total:
            return _NO_TERMS, np.zeros((0, width), dtype=np.uint16), per_file
        # positions in _flat of every term of every identifier, in order
        at = np.repeat(starts - (np.cumsum(lens) - lens), lens)
        at += np.arange(total, dtype=np.int64)
        flat = np.frombuffer(self._flat, dtype=np.uint32)
        tids = flat[at].astype(np.int64)
        del flat
        # which file and field each term occurrence is in
        slot = np.repeat(np.repeat(np.arange(len(sizes), dtype=np.int64), sizes), lens)
        weights = np.repeat(counts, lens)
        n_terms = len(self.terms)
        # (file, term) pairs, sorted: by file, then by term id
        pairs, inverse = np.unique((slot // width) * n_terms + tids, return_inverse=True)
        tf = np.bincount(
            inverse * width + slot % width, weights=weights, minlength=len(pairs) * width
        )
        tf = np.minimum(tf.reshape(len(pairs), width), 65535).astype(np.uint16)
        files = pairs // n_terms
        per_file += np.bincount(files, minlength=n_files)
        return (pairs - files * n_terms).astype(np.uint32), tf, per_file

    def take_new(self) -> tuple[int, list[str]]:
        """(first id, texts) of the terms numbered since the last call."""
        first = self.sent
        self.sent = len(self.terms)
        return first, self.terms[first:]


_NO_TERMS = np.zeros(0, dtype=np.uint32)


def field_frequencies(
    table: TermTable, fields: tuple[str | bytes, ...]
) -> tuple[np.ndarray, np.ndarray]:
    """(sorted local term ids, tf per field as uint16 capped at 65535) of one file's fields."""
    table.count(fields)
    terms, tf, _ = table.postings()
    return terms, tf


#: the signals whose Python handlers raise (Ctrl-C, and SIGTERM while the index lock is held)
_DEFERRED = frozenset({signal.SIGINT, signal.SIGTERM})
#: the C module under ``signal``: the same calls without turning every number into an enum
#: (this runs for every file chunked)
_RAW_SIGNAL: Any = importlib.import_module("_signal")
_MASKED = hasattr(_RAW_SIGNAL, "pthread_sigmask")


class signals_deferred:
    """Hold Ctrl-C and SIGTERM until the block is done (a context manager).

    A chunker runs code that turns any exception raised inside it into its own: tree-sitter
    compiles a query's regular expressions in a callback and reports a ``KeyboardInterrupt``
    or SIGTERM's exit raised there as ``QueryError``. The per-file error handling then took
    the interruption for a bad grammar, chunked with the regex fallback and went on to
    publish that index. Held, the signal waits (a few milliseconds: one file) and is
    raised after the block, where it unwinds as it should.

    Blocking the signal in this thread is not enough: the kernel hands a process's signal
    to any thread that does not block it (numpy's BLAS threads, for one), and Python then
    runs the handler in the main thread wherever it is, inside the chunker too. So in the
    main thread the Python handlers are also swapped for one that only notes the signal.
    """

    __slots__ = ("_held", "_previous", "_swapped")

    def __enter__(self) -> None:
        held: list[int] = []
        self._held = held
        self._swapped: dict[int, Any] = {}
        self._previous: Any = None
        if threading.current_thread() is threading.main_thread():
            for signum in _DEFERRED:
                handler = _RAW_SIGNAL.getsignal(signum)
                if callable(handler):  # the default action or an ignored signal needs nothing
                    self._swapped[signum] = handler
                    _RAW_SIGNAL.signal(signum, lambda number, frame: held.append(number))
        if _MASKED:
            self._previous = _RAW_SIGNAL.pthread_sigmask(_RAW_SIGNAL.SIG_BLOCK, _DEFERRED)

    def __exit__(self, *exc_info: object) -> None:
        if self._previous is not None:
            _RAW_SIGNAL.pthread_sigmask(_RAW_SIGNAL.SIG_SETMASK, self._previous)
        for number, handler in self._swapped.items():
            _RAW_SIGNAL.signal(number, handler)
        for number in dict.fromkeys(self._held):
            _RAW_SIGNAL.raise_signal(number)


@attrs.define
class FileProcessor:
    """Everything a worker needs: classification hooks, chunkers and limits."""

    hook: Any
    chunkers: dict[str, Any]  # language -> chunker ("*" for any)
    max_file_bytes: int

    def chunker_for(self, language: str) -> Any:
        return self.chunkers.get(language) or self.chunkers.get("*")

    def read_limit(self, rel: str) -> int:
        """How many bytes of ``rel`` are read: a notebook's outputs do not count against
        ``max_file_bytes``, which applies to the text of its cells."""
        return (
            max(self.max_file_bytes, NOTEBOOK_MAX_BYTES)
            if is_notebook(rel)
            else self.max_file_bytes
        )

    def open_ahead(self, batch: list[tuple[str, str]]) -> list[int | None]:
        """Each file of ``batch`` opened (None where it cannot be), with the kernel asked to
        read what will be read of it: the worker then parses one file while the disk reads
        the next. With a cold page cache the reads had waited in turn: a cold index of the
        28k-file monorepo took 23.4 s instead of 18.4 s. Every entry is None where the
        platform has no such advice or the process may open few files."""
        if _FADVISE_WILLNEED is None or not _room_to_read_ahead():
            return [None] * len(batch)  # each file is opened when it is read, as before
        fds: list[int | None] = []
        for rel, path in batch:
            try:
                fd = open_regular(path)
            except OSError as exc:
                if exc.errno in (errno.EMFILE, errno.ENFILE):
                    # out of descriptors: the batch is read one file at a time, as before
                    for opened in fds:
                        if opened is not None:
                            os.close(opened)
                    return [None] * len(batch)
                fds.append(None)  # process() opens it again and says why it cannot
                continue
            with contextlib.suppress(OSError):
                os.posix_fadvise(fd, 0, self.read_limit(rel) + 1, _FADVISE_WILLNEED)
            fds.append(fd)
        return fds

    def process(self, rel: str, path: str, fd: int | None = None) -> FileResult:
        """Read, classify, chunk and count one file (``fd``: it is already open)."""
        limit = self.read_limit(rel)
        try:
            data, size = _read(path, limit + 1, fd)
        except OSError as exc:
            return self._empty(rel, b"", "unreadable", [f"{display_path(rel)}: {exc.strerror}"])
        digest = content_hash(data) if size <= limit else b""
        if data.find(b"\0", 0, _SNIFF) >= 0:
            return self._empty(rel, digest, "binary", [])
        cell_language = ""
        if is_notebook(rel) and size <= limit:
            cells = read_notebook(data)
            if cells is not None:  # from here on, the notebook is the text of its cells
                data, cell_language = cells.text.encode(), cells.language
                size = len(data)
        head = data[:1024].decode("utf-8", "replace")
        stage = f"classifying {display_path(rel)}"
        language = (
            call_hook(self.hook, "atlas_classify_language", stage, rel=rel, head=head) or "unknown"
        )
        role = (
            call_hook(
                self.hook, "atlas_classify_role", stage, rel=rel, language=language, head=head
            )
            or "other"
        )
        if size > self.max_file_bytes:
            result = self._empty(rel, digest, "large", [])
            result.language, result.role, result.tokens = language, role, estimate_tokens(size)
            return result
        undecodable = False
        try:
            text = data.decode("utf-8")
        except UnicodeDecodeError:
            text = data.decode("utf-8", "replace")
            undecodable = True
        language = header_language(rel, language, text)
        errors: list[str] = []
        chunks = []
        chunk_language = cell_language or language
        chunker = self.chunker_for(chunk_language)
        if chunker is not None:
            # a signal held during the chunker is raised as the block ends, outside the try;
            # what the chunker prints goes to stderr (see atlas_core.cli.main._Output)
            with signals_deferred(), component_call():
                try:
                    chunks = chunker.chunk(rel, text, chunk_language)
                except BaseException as exc:  # one file's failure: noted, the index goes on
                    if raise_errors() or not plugins_own(exc):
                        raise
                    errors.append(
                        str(failure(origin_of(chunker), f"chunking {display_path(rel)}", exc))
                    )
            chunks, problems = _usable_chunks(chunks, text.count("\n") + 1)
            if problems:
                stage = f"chunking {display_path(rel)}"
                errors.extend(str(output_failure(chunker, stage, p)) for p in problems)
        name = rel.rpartition("/")[2]  # paths from the walk: no trailing or doubled "/"
        stem = name.split(".")[0] or name
        names = " ".join(c.name for c in chunks if c.kind != "import")
        _table().count((stem, names, data))  # the bytes: see TermTable.count
        return FileResult(
            rel,
            digest,
            language,
            role,
            estimate_tokens(len(data)),
            "ok",
            layout.packb([c.to_row() for c in chunks]),
            errors,
            undecodable,
        )

    @staticmethod
    def _empty(rel: str, digest: bytes, status: str, errors: list[str]) -> FileResult:
        _table().skip()
        return FileResult(rel, digest, "unknown", "other", 0, status, _NO_SYMBOLS, errors)


_NO_SYMBOLS = layout.packb([])


#: the most chunks stored for one file; the first ones are kept. A generated file of the
#: default 1 MiB holds 20-50k real symbols (a header of ``#define`` s, one constant a line);
#: the largest source files of 61 repositories gave at most 3,896 (bindings of 33k lines).
_CHUNKS_MAX = 100_000
#: a chunk whose kind, name or qualified name is longer is dropped: it names nothing (a
#: file's text, a data URI). Across those files no name was longer than 241 characters;
#: atlas-graph passes over import names longer than 1,024.
_NAME_MAX = 4_096
#: longer signatures are cut (the built-in chunkers cut theirs at 200)
_SIGNATURE_MAX = 1_000


def _usable_chunks(chunks: Any, lines: int) -> tuple[list[Chunk], list[str]]:
    """What is stored of a chunker's result for a file of ``lines`` lines, and what was
    wrong with it (the chunker's warnings for this file).

    An unusable result (:func:`_chunks_problem`) stores nothing. Otherwise the first
    :data:`_CHUNKS_MAX` chunks are kept, except those whose kind or name is longer than
    :data:`_NAME_MAX`; signatures are cut at :data:`_SIGNATURE_MAX` and control characters
    escaped. The common case costs one pass over the chunks besides the checks.
    """
    problems = []
    if isinstance(chunks, list) and len(chunks) > _CHUNKS_MAX:  # the rest is not even checked
        problems.append(
            f"returned {len(chunks)} chunks, more than {_CHUNKS_MAX}: the first {_CHUNKS_MAX}"
            " are kept"
        )
        chunks = chunks[:_CHUNKS_MAX]
    problem = _chunks_problem(chunks, lines)
    if problem:  # the file is indexed without symbols, as for an exception
        return [], [problem]
    if all(map(_plain, chunks)):
        return chunks, problems
    kept: list[Chunk] = []
    dropped = cut = 0
    for chunk in chunks:
        if max(len(chunk.kind), len(chunk.name), len(chunk.qualified)) > _NAME_MAX:
            dropped += 1
            continue
        if len(chunk.signature) > _SIGNATURE_MAX:
            chunk = attrs.evolve(chunk, signature=chunk.signature[:_SIGNATURE_MAX])
            cut += 1
        kept.append(chunk if _printable(chunk) else _escaped(chunk))
    if dropped:
        problems.append(
            f"returned {_chunks(dropped)} with a kind or name longer than {_NAME_MAX}"
            " characters: dropped"
        )
    if cut:
        problems.append(
            f"returned {_chunks(cut)} with a signature longer than {_SIGNATURE_MAX}"
            f" characters: cut to {_SIGNATURE_MAX}"
        )
    return kept, problems


def _chunks(n: int) -> str:
    """``1 chunk``, ``2 chunks``."""
    return f"{n} chunk" if n == 1 else f"{n} chunks"


def _chunks_problem(chunks: Any, lines: int) -> str:
    """What makes a chunker's result for a file of ``lines`` lines unusable ("" if nothing):
    anything but a list of :class:`Chunk` with string fields and ``1 <= start <= end <=
    lines`` (None, tuples, NaN or huge line numbers broke the index or every later query)."""
    if not isinstance(chunks, list):
        return f"returned {type(chunks).__name__}, not a list of Chunk"
    for chunk in chunks:
        if not isinstance(chunk, Chunk):
            return f"returned a {type(chunk).__name__} among its chunks, not a Chunk"
        start, end = chunk.start, chunk.end
        if type(start) is not int or type(end) is not int:
            return (
                f"returned a {type(start).__name__} start and a {type(end).__name__} end line,"
                " not int"
            )
        if not 1 <= start <= end <= lines:
            return f"returned lines {start} to {end} for a file of {lines} lines"
        for field in (chunk.kind, chunk.name, chunk.qualified, chunk.signature):
            if not isinstance(field, str):
                return f"returned a {type(field).__name__} as a kind, name or signature, not str"
    return ""


def _plain(chunk: Chunk) -> bool:
    """Whether ``chunk`` is stored as it is: no field too long, no control characters."""
    name, qualified, kind, signature = chunk.name, chunk.qualified, chunk.kind, chunk.signature
    return (
        len(name) <= _NAME_MAX
        and len(qualified) <= _NAME_MAX
        and len(kind) <= _NAME_MAX
        and len(signature) <= _SIGNATURE_MAX
        and name.isprintable()
        and qualified.isprintable()
        and kind.isprintable()
        and signature.replace("\t", " ").isprintable()
    )


def _printable(chunk: Chunk) -> bool:
    return (
        chunk.name.isprintable()
        and chunk.qualified.isprintable()
        and chunk.kind.isprintable()
        and chunk.signature.replace("\t", " ").isprintable()
    )


def _escaped(chunk: Chunk) -> Chunk:
    """``chunk`` with control characters (an escape sequence, a newline) escaped: names and
    signatures are printed as they are stored."""
    return attrs.evolve(
        chunk,
        kind=display_text(chunk.kind),
        name=display_text(chunk.name),
        qualified=display_text(chunk.qualified),
        signature=display_text(chunk.signature.replace("\t", " ")),
    )


def _read(path: str, limit: int, opened: int | None = None) -> tuple[bytes, int]:
    """The first ``limit`` bytes of a regular file, and its size after they were read
    (from ``opened``, a descriptor of it the caller closes, when given).

    The first read asks for the size the file has (plus one byte, to see the end): a read
    of ``limit`` bytes would allocate a buffer that large for every small file.
    """
    fd = open_regular(path) if opened is None else opened
    try:
        want = min(os.fstat(fd).st_size + 1, limit)
        chunks: list[bytes] = []
        got = 0
        while got < limit:
            chunk = os.read(fd, (want if got < want else limit) - got)
            if not chunk:
                break
            chunks.append(chunk)
            got += len(chunk)
        return b"".join(chunks), os.fstat(fd).st_size
    finally:
        if opened is None:
            os.close(fd)


#: ``posix_fadvise``'s "will need" advice where the platform has it (not macOS, not Windows)
_FADVISE_WILLNEED: int | None = getattr(os, "POSIX_FADV_WILLNEED", None)
#: the open-file limit below which a worker reads its batch one file at a time
_READ_AHEAD_MIN_FILES = 256


@functools.cache
def _room_to_read_ahead() -> bool:
    """Whether the process may hold a batch's files open at once (``ulimit -n`` of 40 made
    the files past it unreadable before this check)."""
    try:
        import resource
    except ImportError:  # no such limit to mind
        return True
    soft, _ = resource.getrlimit(resource.RLIMIT_NOFILE)
    return soft == resource.RLIM_INFINITY or soft >= _READ_AHEAD_MIN_FILES


# The processor a forked worker uses and its term numbering; set by the parent right
# before the pool starts (a fresh table: the parent maps ids per process, per build).
_PROCESSOR: FileProcessor | None = None
_TABLE: TermTable | None = None


def set_processor(processor: FileProcessor) -> None:
    global _PROCESSOR, _TABLE
    _PROCESSOR = processor
    _TABLE = TermTable()


def _table() -> TermTable:
    global _TABLE
    if _TABLE is None:
        _TABLE = TermTable()
    return _TABLE


def process_batch(batch: list[tuple[str, str]]) -> BatchResult:
    assert _PROCESSOR is not None
    table = _table()
    table.discard()  # left by a batch that failed
    fds = _PROCESSOR.open_ahead(batch)
    try:
        files = [
            _PROCESSOR.process(rel, path, fd) for (rel, path), fd in zip(batch, fds, strict=True)
        ]
    finally:
        for fd in fds:
            if fd is not None:
                os.close(fd)
    terms, tf, counts = table.postings()
    first, new = table.take_new()
    result = BatchResult(os.getpid(), new, first, files, terms, tf, counts, table.epoch)
    if table.full:
        table.reset()  # the next batch starts a new numbering
    return result
