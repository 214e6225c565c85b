"""What every resolver needs: the repository's paths, looked up by directory and by name."""

from __future__ import annotations

import json
import posixpath
import re
from collections import defaultdict
from collections.abc import Callable, Iterable
from functools import cached_property
from typing import TYPE_CHECKING, Any

import msgpack

from atlas_core.api import per_reader  # re-exported for the resolvers

if TYPE_CHECKING:
    from atlas_core.api import IndexView

__all__ = [
    "RepoPaths",
    "beside_or_nearest",
    "closest",
    "closest_in",
    "import_signatures",
    "imports_of",
    "join",
    "load_jsonc",
    "per_reader",
    "repo_paths",
]


def join(base: str, rel: str) -> str | None:
    """``base/rel`` normalised (``""`` is the root); None when it leaves the repository."""
    path = posixpath.normpath(posixpath.join(base, rel)) if base else posixpath.normpath(rel)
    if path == ".":
        return ""
    if path.startswith("../") or path == ".." or path.startswith("/"):
        return None
    return path


class RepoPaths:
    """The files of one index generation, for fast existence and suffix look-ups."""

    def __init__(self, reader: IndexView) -> None:
        self.reader = reader
        self.paths: set[str] = set(reader.paths)
        self._texts: dict[str, str | None] = {}

    # the tables are built on the first look-up that needs them, each on its own: an
    # edit's imports often need none

    @cached_property
    def by_dir(self) -> dict[str, list[str]]:
        """Files by their directory."""
        return _grouped(self.reader.paths, lambda path: path.rpartition("/")[0])

    @cached_property
    def by_name(self) -> dict[str, list[str]]:
        """Files by their name."""
        return _grouped(self.reader.paths, lambda path: path.rpartition("/")[2])

    @cached_property
    def by_pair(self) -> dict[str, list[str]]:
        """Files by their last two parts (``pkg/__init__.py``): in a monorepo one name alone
        may stand for thousands of files, and a suffix look-up would test every one."""
        return _grouped(
            (p for p in self.reader.paths if "/" in p),
            lambda path: "/".join(path.rsplit("/", 2)[-2:]),
        )

    def exists(self, path: str | None) -> bool:
        return path is not None and path in self.paths

    def first(self, candidates: Iterable[str | None]) -> str | None:
        """The first candidate that is a file of the repository."""
        for path in candidates:
            if path is not None and path in self.paths:
                return path
        return None

    def with_suffix(self, suffix: str) -> list[str]:
        """Paths equal to ``suffix`` or ending with ``/suffix``."""
        head, _, name = suffix.rpartition("/")
        tail = "/" + suffix
        if head:
            pool = self.by_pair.get(f"{head.rpartition('/')[2]}/{name}", ())
        else:
            pool = self.by_name.get(name, ())
        return [p for p in pool if p == suffix or p.endswith(tail)]

    def files_in(self, directory: str) -> list[str]:
        return self.by_dir.get(directory, [])

    def read(self, path: str) -> str | None:
        """Text of a repository file (config files such as ``tsconfig.json``), cached."""
        if path not in self._texts:
            try:
                raw = (self.reader.root / path).read_bytes()
                self._texts[path] = raw[: 1 << 20].decode("utf-8", "replace")
            except OSError:
                self._texts[path] = None
        return self._texts[path]


def _grouped(paths: Iterable[str], key: Callable[[str], str]) -> dict[str, list[str]]:
    table: dict[str, list[str]] = defaultdict(list)
    for path in paths:
        table[key(path)].append(path)
    return table


def repo_paths(reader: IndexView) -> RepoPaths:
    """The shared :class:`RepoPaths` of ``reader``."""
    return per_reader("paths", reader, RepoPaths)


def closest(candidates: list[str], near: str) -> str | None:
    """The candidate sharing the longest directory prefix with ``near`` (then the shortest)."""
    if not candidates:
        return None
    if len(candidates) == 1:
        return candidates[0]
    # The directory prefixes of ``near`` ("a/b/", "a/"), longest first: a candidate shares
    # as many directory parts as the longest of them it starts with (parts hold no "/").
    prefixes = []
    end = near.rfind("/")
    while end > 0:
        prefixes.append(near[: end + 1])
        end = near.rfind("/", 0, end)
    best: tuple[int, int, str] | None = None
    for path in candidates:
        shared = len(prefixes)
        for prefix in prefixes:
            if path.startswith(prefix):
                break
            shared -= 1
        key = (-shared, path.count("/"), path)
        if best is None or key < best:
            best = key
    return best[2] if best is not None else None


def beside_or_nearest(repo: RepoPaths, here: str, path: str) -> str | None:
    """``path`` beside the file ``here``; else, unless ``path`` is written relative
    (``./``, ``../``) or absolute, the repository file ending in ``path`` nearest to ``here``
    (an include or import path that a search path, not the file's directory, resolves)."""
    found = repo.first([join(posixpath.dirname(here), path)])
    if found is None and not path.startswith(("./", "../", "/")):
        found = closest(repo.with_suffix(path), here)
    return found


def closest_in(
    memo: dict[tuple[str, str], str | None], name: str, candidates: list[str], here: str
) -> str | None:
    """:func:`closest` of ``name``'s ``candidates`` to the file ``here``, remembered in
    ``memo`` per name and directory (every file of a directory gets the same answer)."""
    key = (name, here.rpartition("/")[0])
    try:
        return memo[key]
    except KeyError:
        found = memo[key] = closest(candidates, here)
        return found


def imports_of(reader: IndexView, file_id: int) -> list[tuple[str, str]]:
    """``(name, signature)`` of every import chunk of a file, read once per reader."""
    cache: dict[int, list[tuple[str, str]]] = per_reader("imports", reader, lambda r: {})
    found = cache.get(file_id)
    if found is None:
        found = cache[file_id] = _read_imports(reader, file_id)
    return found


def _read_imports(reader: IndexView, file_id: int) -> list[tuple[str, str]]:
    """The import chunks of a file. An index reader's raw record is decoded directly: the
    rows are ``Chunk.to_row()`` (kind, name, qualified, start, end, signature), and making
    a ``Chunk`` of every symbol only to drop it cost a fifth of a cold graph build."""
    record = getattr(reader, "symbol_record", None)
    if record is not None:
        try:
            rows = msgpack.unpackb(
                record(file_id),
                raw=False,
                strict_map_key=False,
                unicode_errors="surrogateescape",
            )
            return [(row[1], row[5]) for row in rows if row[0] == "import"]
        except Exception:  # anything odd: the reader's own decoding says what is wrong
            pass
    return [(c.name, c.signature) for c in reader.chunks(file_id) if c.kind == "import"]


def import_signatures(reader: IndexView, file_id: int, imports: list[str]) -> list[tuple[str, str]]:
    """``(name, signature)`` for each wanted import of a file, in file order, no repeats.

    The signature (the statement's first line) carries what the name alone lacks:
    ``from . import a, b``, ``mod x;`` against ``use x``, quoted against angle includes.
    Names the chunks do not mention come back with an empty signature.
    """
    wanted = set(imports)
    out = [(name, sig) for name, sig in imports_of(reader, file_id) if name in wanted]
    seen = {name for name, _ in out}
    out.extend((name, "") for name in dict.fromkeys(imports) if name not in seen)
    return list(dict.fromkeys(out))


#: an unterminated string or ``/*`` takes the rest of the text (group ``open``): retrying
#: the scan for its end from every later ``"`` or ``/*`` took quadratic time
_JSONC_TOKEN = re.compile(
    r'"(?:\\.|[^"\\])*+(?:"|(?P<open>))|//[^\n]*|/\*(?:.*?\*/|(?P<open2>.*))|,(?=\s*[}\]])',
    re.DOTALL,
)


def load_jsonc(text: str | None) -> dict[str, Any] | None:
    """Parse JSON with comments and trailing commas (``tsconfig.json``); None if unreadable."""
    if not text:
        return None

    def keep(match: re.Match[str]) -> str:
        if match.group("open") is not None or match.group("open2") is not None:
            # the unclosed '"' or "/*" was left outside any string: json.loads failed on it
            raise ValueError("unterminated string or comment")
        token = match.group(0)
        return token if token.startswith('"') else ""

    try:
        data = json.loads(_JSONC_TOKEN.sub(keep, text))
    except ValueError:
        return None
    return data if isinstance(data, dict) else None
