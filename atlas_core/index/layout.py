"""Where the index lives, and how its files are written, checked and removed safely.

``<root>/.atlas/`` (or ``$ATLAS_CACHE_DIR``) holds ``CURRENT`` (the name of the live
generation directory), the generation directories ``gen-N-C/``, ``extras/`` (contributor
data), ``.gitignore``, the writer's lock files and the walk record (``walk.msgpack``,
``walk.bind``), and nothing else: a cache directory that is a symlink or a file, or that
holds anything else, is refused (Atlas then neither reads nor writes there). Nothing in it
is ever opened or removed through a symlink.

A new generation is written under ``tmp-N-PID/`` with every file fsynced, renamed into
place, and only then published by atomically replacing ``CURRENT``: a crash or power loss
at any point leaves the previous generation live. Every file carries a CRC32: ``CURRENT``
names its own check digits, ``meta.msgpack`` and contributor files have a checksummed
header, and the meta file records size and CRC32 of every other file of its generation.

Strings are packed as UTF-8 with ``surrogateescape``, so file names that are not UTF-8
(``os.fsdecode`` gives them surrogates) are stored and read back exactly.
"""

from __future__ import annotations

import contextlib
import itertools
import os
import re
import stat
import time
import zlib
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import msgpack

from atlas_core.errors import CacheDirError, IndexCorruptError, IndexWriteError

__all__ = [
    "ARRAYS",
    "DELTA_ARRAYS",
    "DELTA_BLOBS",
    "FORMAT_VERSION",
    "CrcWriter",
    "cache_dir_for",
    "check_cache_dir",
    "ensure_cache_dir",
    "generation_name",
    "generation_number",
    "packb",
    "read_checked",
    "read_current",
    "remove_generation",
    "remove_stale",
    "share_lock",
    "unpackb",
    "write_atomic",
    "write_checked",
    "write_checked_file",
    "write_current",
    "writing",
]

#: bump when the on-disk layout changes; older indexes are rebuilt
FORMAT_VERSION = 9
_MAGIC = b"ATLAS-IDX"

#: the array files of a generation (``<name>.npy``)
ARRAYS = (
    "symbols_off",
    "vocab_off",
    "vocab_order",
    "post_off",
    "post_doc",
    "post_tf",
    "post_tf_big_at",
    "post_tf_big",
    "doclen",
    "path_prior",
    "path_off",
    "path_doc",
)
#: the arrays of a delta generation besides those (see :mod:`atlas_core.index.delta`)
DELTA_ARRAYS = (
    "base_map",
    "delta_terms",
    "delta_off",
    "delta_doc",
    "delta_tf",
    "delta_symbols_off",
    "symbols_src",
)
META = "meta.msgpack"
BLOBS = ("vocab.bin", "symbols.bin", "path_vocab.bin")
DELTA_BLOBS = ("delta_symbols.bin",)
#: arrays earlier formats wrote: their generations are still Atlas's to remove
_FORMER_ARRAYS = ("fwd_off", "fwd_term", "fwd_tf")
#: every file a generation directory may hold (a crashed meta rewrite leaves a temporary)
_GEN_FILE = re.compile(
    "|".join(
        re.escape(n)
        for n in (
            *(f"{a}.npy" for a in (*ARRAYS, *DELTA_ARRAYS, *_FORMER_ARRAYS)),
            *BLOBS,
            *DELTA_BLOBS,
            META,
        )
    )
    + r"|\.meta\.msgpack\.(?:\d+\.)?\d+\.tmp"
)
_GEN = re.compile(r"gen-(\d{6,})-([0-9a-f]{8})")
_OLD_GEN = re.compile(r"gen-(\d{6,})")  # before format 5: removed once a new one is live
_TMP = re.compile(r"tmp-(\d{6,})-(\d+)")
#: a file written aside (``.<name>.<n>.<pid>.tmp``, see :func:`write_atomic`; earlier
#: versions left out ``<n>``): the last number is the writer's pid
_TEMP_FILE = re.compile(r"\.[\w.-]+\.(\d+)\.tmp")
_EXTRA = re.compile(r"[\w-][\w.-]*\.msgpack")
#: top-level entries Atlas creates: name pattern -> whether it is a directory
_OWN: tuple[tuple[re.Pattern[str], bool], ...] = (
    (re.compile(r"\.gitignore|CURRENT|lock|lock\.[a-z]+|walk\.msgpack|walk\.bind"), False),
    (_TEMP_FILE, False),
    (re.compile(r"extras"), True),
    (_GEN, True),
    (_OLD_GEN, True),
    (_TMP, True),
)
_GITIGNORE = b"# created by atlas: everything here is a cache\n*\n"
_NOFOLLOW = getattr(os, "O_NOFOLLOW", 0) | getattr(os, "O_CLOEXEC", 0)


def cache_dir_for(root: Path) -> Path:
    """``$ATLAS_CACHE_DIR`` if set, else ``<root>/.atlas`` (never resolved through a symlink)."""
    env = os.environ.get("ATLAS_CACHE_DIR")
    return Path(os.path.abspath(os.path.expanduser(env))) if env else root / ".atlas"


# -- the cache directory ---------------------------------------------------------


def check_cache_dir(cache: Path) -> bool:
    """Whether the cache directory exists; raises when it exists but is not Atlas's own.

    :raises CacheDirError: a symlink, not a directory, or holding entries Atlas did not make.
    """
    try:
        st = os.lstat(cache)
    except FileNotFoundError:
        return False
    except OSError as exc:
        raise CacheDirError(f"cannot use the index directory {cache}: {exc.strerror}") from None
    advice = "move it away or set ATLAS_CACHE_DIR to another directory"
    if stat.S_ISLNK(st.st_mode):
        raise CacheDirError(
            f"the index directory {cache} is a symbolic link; Atlas does not read or write "
            f"through one ({advice})"
        )
    if not stat.S_ISDIR(st.st_mode):
        raise CacheDirError(f"the index directory {cache} is not a directory ({advice})")
    try:
        with os.scandir(cache) as entries:
            foreign = sorted(e.name for e in entries if not _is_own(e))
    except OSError as exc:
        raise CacheDirError(f"cannot list the index directory {cache}: {exc.strerror}") from None
    if foreign:
        shown = ", ".join(foreign[:3]) + (", ..." if len(foreign) > 3 else "")
        raise CacheDirError(
            f"the index directory {cache} holds entries Atlas did not create ({shown}); "
            f"Atlas will not use it ({advice})"
        )
    return True


def _is_own(entry: os.DirEntry[str]) -> bool:
    if entry.is_symlink():
        return False
    for pattern, is_dir in _OWN:
        if pattern.fullmatch(entry.name):
            return entry.is_dir(follow_symlinks=False) if is_dir else entry.is_file()
    return False


def ensure_cache_dir(cache: Path) -> None:
    """Create the cache directory (with a ``.gitignore`` of ``*``, so git never sees it).

    :raises CacheDirError: when it exists but is not Atlas's own.
    :raises IndexWriteError: when it cannot be created.
    """
    with writing(cache):
        if not check_cache_dir(cache):
            cache.parent.mkdir(parents=True, exist_ok=True)
            with contextlib.suppress(FileExistsError):
                os.mkdir(cache)
            check_cache_dir(cache)  # somebody else may have made it first
        marker = cache / ".gitignore"
        try:
            current = read_file(marker, limit=len(_GITIGNORE) + 1)
        except OSError:
            current = b""
        if current != _GITIGNORE:
            write_atomic(marker, _GITIGNORE)


@contextlib.contextmanager
def writing(cache: Path) -> Iterator[None]:
    """Turn an OS error while writing the index into one line naming what failed."""
    try:
        yield
    except OSError as exc:
        what = exc.filename or cache
        reason = exc.strerror or type(exc).__name__
        raise IndexWriteError(f"cannot write the index in {cache}: {reason}: {what}") from None


def writable(cache: Path) -> bool:
    """Whether the cache directory (or, if absent, the directory to hold it) is writable."""
    target = cache
    while not os.path.lexists(target) and target.parent != target:
        target = target.parent
    return os.access(target, os.W_OK | os.X_OK)


# -- reading and writing files ---------------------------------------------------


def read_file(path: Path | str, *, dir_fd: int | None = None, limit: int = -1) -> bytes:
    """The bytes of a regular file, never through a symlink."""
    fd = os.open(path, os.O_RDONLY | _NOFOLLOW, dir_fd=dir_fd)
    with open(fd, "rb") as fh:
        if not stat.S_ISREG(os.fstat(fd).st_mode):
            raise IsADirectoryError(f"{path} is not a regular file")
        return fh.read(limit)


def write_atomic(path: Path, data: bytes | tuple[bytes, ...], *, durable: bool = True) -> None:
    """Write aside, then rename over ``path``: readers see the old file or the new one.

    ``durable`` also fsyncs the file and its directory, so the new file survives a power
    loss. Data that is only a shortcut (contributors' data, the walk record) leaves that
    out: after a crash it is the old or new file, or a torn one that fails its checksum
    and is computed again; each fsync costs milliseconds (two per file, 24 ms of a
    one-file re-index on the benchmark machine).
    """
    # one name per call: threads of one process write the same files (two Repository
    # objects indexing one repository both make sure of the cache's .gitignore)
    tmp = path.with_name(f".{path.name}.{next(_WRITES)}.{os.getpid()}.tmp")
    with contextlib.suppress(FileNotFoundError):
        os.unlink(tmp)  # left by an earlier process that had this pid
    _WRITING.add(tmp.name)  # before it exists: remove_stale never takes it for a leftover
    try:
        fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_EXCL | _NOFOLLOW, 0o644)
        try:
            with open(fd, "wb") as fh:
                for part in (data,) if isinstance(data, bytes) else data:
                    fh.write(part)
                if durable:
                    fh.flush()
                    os.fsync(fh.fileno())
            os.replace(tmp, path)
        except BaseException:
            with contextlib.suppress(OSError):
                os.unlink(tmp)
            raise
    finally:
        _WRITING.discard(tmp.name)
    if durable:
        fsync_dir(path.parent)


#: numbers :func:`write_atomic`'s temporary names (``next`` on it is atomic under the GIL)
_WRITES = itertools.count()
#: names of the temporary files this process's threads are writing right now
_WRITING: set[str] = set()


def write_file(path: Path, data: bytes) -> int:
    """Write a new file of a temporary generation, fsynced; returns its CRC32."""
    with CrcWriter(path) as out:
        out.write(data)
    return out.crc


def write_checked_file(path: Path, obj: Any) -> None:
    """Write ``obj`` as a new file of a temporary generation (see :func:`pack_checked`),
    fsynced. Its checksum is in its header: none is computed as it is written."""
    with CrcWriter(path, checksum=False) as out:
        for part in pack_checked_parts(obj):
            out.write(part)


class CrcWriter:
    """A new file, written once, with the CRC32 and size of what went in; fsynced on close.

    ``checksum=False`` skips the CRC32 (``crc`` stays 0) for a file that carries its own.
    """

    def __init__(self, path: Path, *, checksum: bool = True) -> None:
        fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL | _NOFOLLOW, 0o644)
        self._fh = open(fd, "wb")  # noqa: SIM115 - closed in __exit__
        self._checksum = checksum
        self.crc = 0
        self.size = 0

    def write(self, data: Any) -> int:
        view = memoryview(data).cast("B")
        if self._checksum:
            self.crc = zlib.crc32(view, self.crc)
        self.size += len(view)
        return self._fh.write(view)

    def __enter__(self) -> CrcWriter:
        return self

    def __exit__(self, *exc: object) -> None:
        try:
            if exc[0] is None:
                self._fh.flush()
                os.fsync(self._fh.fileno())
        finally:
            self._fh.close()


def fsync_dir(path: Path) -> None:
    """Make a rename in ``path`` durable (a no-op where directories cannot be opened)."""
    try:
        fd = os.open(path, os.O_RDONLY | getattr(os, "O_DIRECTORY", 0))
    except OSError:
        return
    try:
        os.fsync(fd)
    except OSError:
        pass
    finally:
        os.close(fd)


def packb(obj: Any) -> bytes:
    """msgpack, with non-UTF-8 file names kept exactly (surrogateescape)."""
    data: bytes = msgpack.packb(obj, use_bin_type=True, unicode_errors="surrogateescape")
    return data


def unpackb(data: bytes | memoryview) -> Any:
    return msgpack.unpackb(data, raw=False, strict_map_key=False, unicode_errors="surrogateescape")


def pack_checked(obj: Any) -> bytes:
    """msgpack with a magic, format version and CRC32 header."""
    return b"".join(pack_checked_parts(obj))


def pack_checked_parts(obj: Any) -> tuple[bytes, ...]:
    """:func:`pack_checked` as pieces to write one after the other: the header, then
    ``obj`` packed, its large byte strings as they are (the metadata of a large repository
    is megabytes, and a copy of it into msgpack's buffer and another to join it cost
    several milliseconds)."""
    parts = _pack_parts(obj, [])
    crc = 0
    for part in parts:
        crc = zlib.crc32(part, crc)
    header = _MAGIC + FORMAT_VERSION.to_bytes(2, "little") + crc.to_bytes(4, "little")
    return (header, *parts)


#: byte strings at least this long are written as they are (msgpack's bin 32)
_LARGE = 1 << 16
#: arrays framed here at most this long (longer ones, such as 28k paths, are msgpack's:
#: looking through them for byte strings would cost more than it saves)
_FRAMED = 64


def _pack_parts(obj: Any, out: list[bytes]) -> list[bytes]:
    """``obj`` as msgpack (exactly what :func:`packb` makes, joined), in pieces: maps and
    arrays holding large byte strings are framed here, everything else is msgpack's."""
    if isinstance(obj, dict):
        out.append(_header(len(obj), 0x80, b"\xde", b"\xdf"))
        for key, value in obj.items():
            out.append(packb(key))
            _pack_parts(value, out)
    elif isinstance(obj, list) and len(obj) <= _FRAMED and _has_containers(obj):
        out.append(_header(len(obj), 0x90, b"\xdc", b"\xdd"))
        for value in obj:
            _pack_parts(value, out)
    elif isinstance(obj, bytes) and len(obj) >= _LARGE:
        out.append(b"\xc6" + len(obj).to_bytes(4, "big"))
        out.append(obj)
    else:
        out.append(packb(obj))
    return out


def _has_containers(values: list[Any]) -> bool:
    return any(isinstance(v, (bytes, dict, list)) for v in values)


def _header(n: int, fix: int, two: bytes, four: bytes) -> bytes:
    """A msgpack map or array header of ``n`` entries (fixmap/fixarray, 16 or 32 bit)."""
    if n < 16:
        return bytes([fix | n])
    return two + n.to_bytes(2, "big") if n < 1 << 16 else four + n.to_bytes(4, "big")


def checked_body(data: bytes, name: str) -> memoryview:
    """The msgpack body of what :func:`pack_checked` made, after checking version and CRC32
    (a view of ``data``: the metadata of a large repository is megabytes, not copied)."""
    n = len(_MAGIC)
    if len(data) < n + 6 or not data.startswith(_MAGIC):
        raise IndexCorruptError(f"{name} is not an Atlas index file")
    version = int.from_bytes(data[n : n + 2], "little")
    if version != FORMAT_VERSION:
        raise IndexCorruptError(
            f"index format {version} is not the current format {FORMAT_VERSION}"
        )
    body = memoryview(data)[n + 6 :]
    if zlib.crc32(body) != int.from_bytes(data[n + 2 : n + 6], "little"):
        raise IndexCorruptError(f"{name} fails its checksum")
    return body


def unpack_checked(data: bytes, name: str) -> Any:
    """Verify and decode what :func:`pack_checked` made."""
    body = checked_body(data, name)
    try:
        return unpackb(body)
    except Exception as exc:
        raise IndexCorruptError(f"{name} cannot be decoded: {exc}") from None


def write_checked(path: Path, obj: Any, *, durable: bool = True) -> None:
    """Write ``obj`` with a version and checksum (see :func:`write_atomic`)."""
    write_atomic(path, pack_checked_parts(obj), durable=durable)


def read_checked(path: Path, *, dir_fd: int | None = None) -> Any:
    """Read a file written by :func:`write_checked`, verifying version and checksum."""
    return unpack_checked(_read_for_check(path, dir_fd=dir_fd), Path(path).name)


def _read_for_check(path: Path, *, dir_fd: int | None = None) -> bytes:
    try:
        return read_file(path, dir_fd=dir_fd)
    except OSError as exc:
        raise IndexCorruptError(f"cannot read {Path(path).name}: {exc.strerror or exc}") from None


def is_extra_name(name: str) -> bool:
    """Whether ``name`` in ``extras/`` is a contributor's checksummed record."""
    return _EXTRA.fullmatch(name) is not None


def not_a_file(mode: int) -> str:
    """What a cache entry that should be a regular file is instead: "a symbolic link",
    "a directory" or "a special file" (a FIFO, socket or device)."""
    if stat.S_ISLNK(mode):
        return "a symbolic link"
    return "a directory" if stat.S_ISDIR(mode) else "a special file"


def drop_damaged_extras(
    cache: Path, on_message: Callable[[str], None] = lambda m: None
) -> list[str]:
    """Remove contributor records that fail their checksum or are of another format.

    They are computed again. Returns the names of the damaged ones (not those merely of an
    older format). A symlink or anything else that is not a regular file where a record
    belongs is damage too: it is removed (a link itself, never what it points to), and
    ``on_message`` names it. Call only while holding the writer's lock.

    :raises CacheDirError: for a directory with entries where a record belongs.
    """
    damaged = []
    extras = cache / "extras"
    with contextlib.suppress(OSError), os.scandir(extras) as entries:
        for entry in entries:
            if not is_extra_name(entry.name):
                continue
            if not entry.is_file(follow_symlinks=False):
                _remove_not_file(extras / entry.name, on_message)
                continue
            try:  # whole and of this format (not decoded: pack_checked wrote it whole)
                checked_body(_read_for_check(extras / entry.name), entry.name)
            except IndexCorruptError as exc:
                os.unlink(extras / entry.name)
                if not str(exc).startswith("index format "):
                    damaged.append(entry.name.removesuffix(".msgpack"))
    return damaged


def _remove_not_file(path: Path, on_message: Callable[[str], None]) -> None:
    """Remove what is not a regular file where a contributor's record belongs."""
    what = not_a_file(os.lstat(path).st_mode)
    if what == "a directory":
        try:
            os.rmdir(path)  # only an empty one: its entries may not be Atlas's to remove
        except OSError:
            raise CacheDirError(
                f"{path} is a directory where Atlas keeps a file; move it away"
            ) from None
    else:
        os.unlink(path)  # the entry itself: a symlink's target is never touched
    gone = "the link (not what it points to)" if what == "a symbolic link" else "it"
    on_message(f"extras/{path.name} was {what}, not a file: removed {gone}")


def extras_dir(cache: Path) -> Path:
    """``cache/extras``, created if needed; never a symlink."""
    path = cache / "extras"
    with contextlib.suppress(FileExistsError):
        os.mkdir(path)
    if not stat.S_ISDIR(os.lstat(path).st_mode):
        raise CacheDirError(f"{path} is not a directory")
    return path


# -- generations -------------------------------------------------------------------


def generation_name(number: int) -> str:
    """``gen-000042-<crc32 of gen-000042>``: the name checks itself, so does ``CURRENT``."""
    stem = f"gen-{number:06d}"
    return f"{stem}-{zlib.crc32(stem.encode()):08x}"


def generation_number(name: str) -> int | None:
    """The number of a generation or temporary directory name, None if not one of ours."""
    match = _GEN.fullmatch(name)
    if match:
        return int(match[1]) if generation_name(int(match[1])) == name else None
    match = _TMP.fullmatch(name) or _OLD_GEN.fullmatch(name)
    return int(match[1]) if match else None


def write_current(cache: Path, name: str) -> None:
    write_atomic(cache / "CURRENT", f"{name}\n".encode())


def read_current(cache: Path) -> str | None:
    """The live generation's name, None when there is no ``CURRENT``.

    :raises IndexCorruptError: when ``CURRENT`` is unreadable or damaged.
    """
    try:
        data = read_file(cache / "CURRENT", limit=64)
    except FileNotFoundError:
        return None
    except OSError as exc:
        raise IndexCorruptError(f"cannot read CURRENT: {exc.strerror or exc}") from None
    if _OLD_GEN.fullmatch(data.decode("ascii", "replace").strip()):
        raise IndexCorruptError("the index is from an older version of Atlas")
    name = data[:-1].decode("ascii", "replace")
    if not data.endswith(b"\n") or not _GEN.fullmatch(name) or generation_number(name) is None:
        raise IndexCorruptError("CURRENT is damaged")
    return name


def generation_dirs(cache: Path) -> Iterator[str]:
    """Names of the generation and temporary directories in ``cache``."""
    with contextlib.suppress(OSError), os.scandir(cache) as entries:
        for entry in entries:
            if generation_number(entry.name) is not None:
                yield entry.name


def share_lock(fd: int, timeout: float = 10.0) -> None:
    """A reader's shared lock on a generation directory: it is not removed while held."""
    try:
        import fcntl
    except ImportError:  # pragma: no cover - not on POSIX
        return
    deadline = time.monotonic() + timeout
    while True:
        try:
            fcntl.flock(fd, fcntl.LOCK_SH | fcntl.LOCK_NB)
            return
        except BlockingIOError:
            # a writer removes this generation right now: the caller finds it gone
            if time.monotonic() > deadline:
                raise IndexCorruptError("an index generation stayed locked") from None
            time.sleep(0.01)


def remove_generation(cache: Path, name: str) -> bool:
    """Remove ``cache/name`` if it provably is an unused generation of Atlas's own.

    It must be named like one, be a real directory, hold only files a generation holds,
    and no reader may hold it (a shared lock); otherwise it is left for a later run.
    Nothing is followed through a symlink.
    """
    if generation_number(name) is None:
        return False
    try:
        fd = os.open(cache / name, os.O_RDONLY | os.O_DIRECTORY | _NOFOLLOW)
    except OSError:
        return False
    try:
        try:
            import fcntl

            fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            return False  # a reader still uses it
        except ImportError:  # pragma: no cover - not on POSIX
            pass
        with os.scandir(fd) as it:
            entries = list(it)
        if not all(
            _GEN_FILE.fullmatch(e.name) and e.is_file(follow_symlinks=False) for e in entries
        ):
            return False
        for entry in entries:
            os.unlink(entry.name, dir_fd=fd)
        os.rmdir(cache / name)
        return True
    except OSError:
        return False
    finally:
        os.close(fd)


def remove_stale(cache: Path, keep: str) -> list[str]:
    """Remove every generation but ``keep`` (those in use stay) and dead writers' temporaries.

    Returns the names left in place. Call only while holding the writer's lock.
    """
    left = []
    for name in generation_dirs(cache):
        if name != keep and not remove_generation(cache, name):
            left.append(name)
    for directory in (cache, cache / "extras"):
        with contextlib.suppress(OSError), os.scandir(directory) as entries:
            for entry in entries:
                match = _TEMP_FILE.fullmatch(entry.name)
                if (
                    match
                    and entry.is_file(follow_symlinks=False)
                    and not _alive(int(match[1]))
                    and entry.name not in _WRITING
                ):
                    with contextlib.suppress(OSError):
                        os.unlink(entry.path)
    return left


def _alive(pid: int) -> bool:
    if pid == os.getpid():
        # left by an earlier process with this pid (what this one writes is in _WRITING)
        return False
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except OSError:
        return True
    return True
