"""The writer's lock on the cache directory, safe against crashes and kills.

Only ``atlas index`` (and whatever builds the index) takes it; readers never do. The lock is
an exclusive ``flock`` on ``<cache>/lock``, and the file records its holder: pid, process
start time (``/proc/<pid>/stat`` field 22, so a reused pid is not mistaken for the holder)
and host. A busy lock whose recorded holder is no longer running is taken over at once (the
file is replaced, so processes that inherited the old one cannot block anybody); a lock held
by a live process is waited for, with one message, up to a limit.

Threads of one process exclude each other too, through a lock per cache directory taken
first (``flock`` alone would do on a local file system, not where it is emulated with
per-process record locks, as on NFS); waiting for another thread says so.

Forked children never keep the lock: their copy of the descriptor is closed right after the
fork. While the lock is held in the main thread, SIGTERM unwinds like Ctrl-C, so the lock is
released and this process's temporary generation is removed before it exits with 143.
"""

from __future__ import annotations

import contextlib
import contextvars
import math
import os
import signal
import sys
import threading
import time
from collections.abc import Callable, Iterator
from pathlib import Path
from types import FrameType, TracebackType
from typing import Any

import attrs

from atlas_core.errors import AtlasError, UsageError

__all__ = [
    "DEFAULT_WAIT",
    "Holder",
    "IndexBusyError",
    "IndexLock",
    "Terminated",
    "env_lock_timeout",
    "lock_wait",
    "read_holder",
]

#: seconds to wait for a live holder, unless ``ATLAS_LOCK_TIMEOUT`` or :func:`lock_wait` say
DEFAULT_WAIT = 120.0
_POLL = 0.05
_WAIT: contextvars.ContextVar[float | None] = contextvars.ContextVar(
    "atlas_lock_wait", default=None
)

# descriptors of locks this process holds, closed in forked children (see _after_fork)
_HELD: set[int] = set()
# the lock of each cache directory between this process's threads
_THREAD_LOCKS: dict[str, threading.Lock] = {}
_THREAD_LOCKS_GUARD = threading.Lock()


def _after_fork_in_child() -> None:
    # A child shares the parent's open lock; closing its copy of the descriptor never
    # releases the parent's lock (only unlocking or the last close does).
    for fd in list(_HELD):
        with contextlib.suppress(OSError):
            os.close(fd)
    _HELD.clear()
    # the parent's threads are not here: their locks would never be released
    global _THREAD_LOCKS_GUARD
    _THREAD_LOCKS_GUARD = threading.Lock()
    _THREAD_LOCKS.clear()


def _thread_lock(cache: Path) -> threading.Lock:
    """The lock of ``cache`` between this process's threads."""
    key = os.path.realpath(cache)
    with _THREAD_LOCKS_GUARD:
        return _THREAD_LOCKS.setdefault(key, threading.Lock())


if hasattr(os, "register_at_fork"):
    os.register_at_fork(after_in_child=_after_fork_in_child)


class IndexBusyError(AtlasError):
    """The lock is held by a live process that did not let go within the wait limit."""

    def __init__(self, message: str, holder: Holder | None) -> None:
        super().__init__(message)
        self.holder = holder


class Terminated(SystemExit):
    """SIGTERM while the lock was held: unwinds like Ctrl-C, then exits with 128 + 15."""

    def __init__(self) -> None:
        super().__init__(128 + signal.SIGTERM)


@contextlib.contextmanager
def lock_wait(seconds: float) -> Iterator[None]:
    """Within this block, :class:`IndexLock` waits at most ``seconds`` for a live holder."""
    token = _WAIT.set(seconds)
    try:
        yield
    finally:
        _WAIT.reset(token)


def _default_wait() -> float:
    chosen = _WAIT.get()
    if chosen is not None:
        return chosen
    env = env_lock_timeout()
    return DEFAULT_WAIT if env is None else env


def env_lock_timeout() -> float | None:
    """``ATLAS_LOCK_TIMEOUT`` in seconds, None when unset; a :class:`UsageError` when it is
    not a finite number, 0 or more (the command line checks it before any command that may
    index, not only once a lock is contended)."""
    env = os.environ.get("ATLAS_LOCK_TIMEOUT", "").strip()
    if not env:
        return None
    try:
        seconds = float(env)
    except ValueError:
        seconds = math.nan
    if not 0.0 <= seconds < math.inf:  # nan compares false
        raise UsageError(f"ATLAS_LOCK_TIMEOUT must be a number of seconds, 0 or more, not {env!r}")
    return seconds


# -- who holds the lock --------------------------------------------------------------


def _proc_stat(pid: int) -> list[str] | None:
    """The fields of ``/proc/<pid>/stat`` after the command name, or None if it is gone."""
    try:
        with open(f"/proc/{pid}/stat", "rb") as fh:
            raw = fh.read().decode("ascii", "replace")
    except OSError:
        return None
    # the command name (field 2) is in parentheses and may itself contain spaces or ')'
    return raw.rpartition(")")[2].split()


def _have_proc() -> bool:
    return os.path.exists(f"/proc/{os.getpid()}/stat")


def start_time(pid: int) -> str:
    """The process's start time in clock ticks since boot (field 22), "" where unknown."""
    fields = _proc_stat(pid)
    return fields[19] if fields and len(fields) > 19 else ""


def _pid_alive(pid: int) -> bool:
    if pid <= 0:
        return False
    fields = _proc_stat(pid)
    if fields is not None:
        return fields[0] not in ("Z", "X")  # a zombie has already dropped its locks
    if _have_proc():
        return False
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    return True


@attrs.frozen
class Holder:
    """The process recorded in the lock file."""

    pid: int
    start: str = ""
    host: str = ""

    @classmethod
    def me(cls) -> Holder:
        return cls(os.getpid(), start_time(os.getpid()), _host())

    @classmethod
    def parse(cls, text: str) -> Holder | None:
        parts = text.split()
        if not parts or not parts[0].isdigit():
            return None
        return cls(int(parts[0]), parts[1] if len(parts) > 1 else "", " ".join(parts[2:]))

    def line(self) -> bytes:
        return f"{self.pid} {self.start} {self.host}\n".encode()

    def alive(self) -> bool | None:
        """Whether the holder still runs: None when it cannot be told (another host)."""
        if self.host and self.host != _host():
            return None
        if not _pid_alive(self.pid):
            return False
        if self.start and _have_proc():
            return start_time(self.pid) == self.start
        return True


def read_holder(path: Path) -> Holder | None:
    """The holder recorded in the lock file at ``path`` (None if none is recorded)."""
    try:
        return Holder.parse(path.read_text(encoding="ascii", errors="replace"))
    except OSError:
        return None


def _flock_owner(fd: int) -> Holder | None:
    """The pid that took a flock on ``fd``'s file, from ``/proc/locks`` (Linux).

    Used when the file records nobody (an older Atlas, or the instant between locking and
    writing the record). The kernel keeps the pid of the process that locked, even when it
    died and children it forked still hold the lock.
    """
    st = os.fstat(fd)
    suffix = f":{st.st_ino}"
    try:
        with open("/proc/locks", encoding="ascii", errors="replace") as fh:
            lines = fh.read().splitlines()
    except OSError:
        return None
    for line in lines:
        parts = line.split()
        if len(parts) >= 6 and parts[1] == "FLOCK" and parts[5].endswith(suffix):
            major, minor = parts[5].split(":")[:2]
            if (int(major, 16), int(minor, 16)) == (os.major(st.st_dev), os.minor(st.st_dev)):
                return Holder(int(parts[4])) if parts[4].isdigit() else None
    return None


# -- the lock ------------------------------------------------------------------------


class IndexLock:
    """An exclusive lock on the cache directory, so two index writers never collide.

    ``timeout``: seconds to wait for a live holder (default ``ATLAS_LOCK_TIMEOUT`` or 120;
    see also :func:`lock_wait`). ``on_message`` gets one line when waiting starts and when a
    dead holder's lock is taken over.
    """

    def __init__(
        self,
        cache: Path,
        timeout: float | None = None,
        on_message: Callable[[str], None] | None = None,
    ) -> None:
        self.cache = cache
        self.path = cache / "lock"
        self.timeout = _default_wait() if timeout is None else timeout
        self.on_message = on_message or _stderr_line
        self._fd: int | None = None
        self._owner = 0
        self._old_term: Callable[[int, FrameType | None], object] | int | None = None
        self._term_installed = False
        self._thread_lock: threading.Lock | None = None

    # -- acquiring -----------------------------------------------------------------

    def __enter__(self) -> IndexLock:
        try:
            import fcntl
        except ImportError:  # pragma: no cover - not on POSIX
            return self
        deadline = time.monotonic() + self.timeout
        self._enter_threads(deadline)
        try:
            self._enter_processes(fcntl, deadline)
        except BaseException:
            self._leave_threads()
            raise
        # whoever left temporary generations is gone: writers only write holding this lock
        _remove_temporaries(self.cache)
        self._install_term_handler()
        return self

    def _enter_threads(self, deadline: float) -> None:
        """Take the lock between this process's threads, waiting until ``deadline``."""
        lock = _thread_lock(self.cache)
        if not lock.acquire(blocking=False):
            me = Holder.me()
            if self.timeout <= 0:
                raise IndexBusyError(self._busy_message(me), me)
            self.on_message(self._waiting_message(me))
            if not lock.acquire(timeout=max(deadline - time.monotonic(), 0.0)):
                raise IndexBusyError(self._busy_message(me), me)
        self._thread_lock = lock

    def _leave_threads(self) -> None:
        lock, self._thread_lock = self._thread_lock, None
        if lock is not None:
            lock.release()

    def _enter_processes(self, fcntl: Any, deadline: float) -> None:
        """Take the ``flock``, waiting for a live holder until ``deadline``."""
        told = False
        while True:
            fd = os.open(self.path, os.O_RDWR | os.O_CREAT | os.O_CLOEXEC, 0o644)
            try:
                fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
            except BlockingIOError:
                holder = self._holder(fd)
                alive = holder.alive() if holder else None
                if holder is not None and alive is False:
                    self._take_over(fd, holder)
                    os.close(fd)
                    continue
                os.close(fd)
                if time.monotonic() >= deadline:
                    raise IndexBusyError(self._busy_message(holder), holder) from None
                if not told:
                    self.on_message(self._waiting_message(holder))
                    told = True
                time.sleep(_POLL)
                continue
            except BaseException:
                os.close(fd)
                raise
            with self._guard(wait=True):
                # taken over and replaced after we opened it? then this lock guards nothing
                current = self._still_current(fd)
                if current:
                    self._fd, self._owner = fd, os.getpid()
                    _HELD.add(fd)
                    os.ftruncate(fd, 0)
                    os.pwrite(fd, Holder.me().line(), 0)
            if current:
                break
            os.close(fd)

    @contextlib.contextmanager
    def _guard(self, *, wait: bool) -> Iterator[bool]:
        """A second, briefly held lock serialising takeovers with new holders' records.

        Yields whether it was obtained (always, when ``wait``).
        """
        import fcntl

        guard = os.open(self.cache / "lock.guard", os.O_RDWR | os.O_CREAT | os.O_CLOEXEC, 0o644)
        _HELD.add(guard)
        try:
            try:
                fcntl.flock(guard, fcntl.LOCK_EX | (0 if wait else fcntl.LOCK_NB))
            except BlockingIOError:
                yield False
                return
            yield True
        finally:
            _HELD.discard(guard)
            os.close(guard)

    def _holder(self, fd: int) -> Holder | None:
        try:
            text = os.pread(fd, 512, 0).decode("ascii", "replace")
        except OSError:
            text = ""
        return Holder.parse(text) or _flock_owner(fd)

    def _still_current(self, fd: int) -> bool:
        try:
            st = os.stat(self.path)
        except FileNotFoundError:
            return False
        mine = os.fstat(fd)
        return (st.st_dev, st.st_ino) == (mine.st_dev, mine.st_ino)

    def _take_over(self, fd: int, holder: Holder) -> None:
        """Replace the lock file of a dead holder, unless somebody already did."""
        with self._guard(wait=False) as guarded:
            if not guarded or not self._still_current(fd) or self._holder(fd) != holder:
                return  # somebody else is on it, or already was: look again
            os.unlink(self.path)
        self.on_message(
            f"the index lock was held by pid {holder.pid}, which is no longer running; "
            "taking it over"
        )

    def _waiting_message(self, holder: Holder | None) -> str:
        return (
            f"waiting for {_who(holder)} to finish updating the index "
            f"in {self.cache} (up to {self.timeout:.0f}s)"
        )

    def _busy_message(self, holder: Holder | None) -> str:
        if self.timeout <= 0:
            return f"the index in {self.cache} is being updated by {_who(holder)}"
        return (
            f"the index in {self.cache} is still being updated by {_who(holder)} "
            f"after {self.timeout:.0f}s; try again later"
        )

    # -- SIGTERM -------------------------------------------------------------------

    def _install_term_handler(self) -> None:
        if threading.current_thread() is not threading.main_thread():
            return
        if signal.getsignal(signal.SIGTERM) != signal.SIG_DFL:
            return  # the host application has its own plans for SIGTERM
        self._old_term = signal.signal(signal.SIGTERM, _raise_terminated)
        self._term_installed = True

    def _restore_term_handler(self) -> None:
        if self._term_installed:
            signal.signal(signal.SIGTERM, self._old_term or signal.SIG_DFL)
            self._term_installed = False

    # -- releasing -----------------------------------------------------------------

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        fd, self._fd = self._fd, None
        if fd is None or self._owner != os.getpid():
            return  # never unlock from a forked child: the lock is the parent's
        import fcntl

        try:
            if exc_type is not None:
                _remove_temporaries(self.cache, os.getpid())
            with contextlib.suppress(OSError):
                os.ftruncate(fd, 0)
            fcntl.flock(fd, fcntl.LOCK_UN)
        finally:
            _HELD.discard(fd)
            os.close(fd)
            self._restore_term_handler()
            self._leave_threads()


def _who(holder: Holder | None) -> str:
    """The holder as the messages name it: this process is not "another process"."""
    if holder is None:
        return "another atlas process"
    if holder == Holder.me():
        return f"another thread of this process (pid {holder.pid})"
    return f"another atlas process (pid {holder.pid})"


def _raise_terminated(signum: int, frame: FrameType | None) -> None:
    # restore the default first, so a second SIGTERM kills at once
    signal.signal(signal.SIGTERM, signal.SIG_DFL)
    raise Terminated()


def _remove_temporaries(cache: Path, pid: int | None = None) -> None:
    """Remove half-written ``tmp-<gen>-<pid>/`` generations (of ``pid``, or of anybody).

    Only what :func:`layout.remove_generation` can prove is Atlas's own is removed.
    """
    from atlas_core.index import layout

    suffix = f"-{pid}" if pid is not None else ""
    with contextlib.suppress(OSError):
        for child in cache.iterdir():
            if child.name.startswith("tmp-") and child.name.endswith(suffix):
                layout.remove_generation(cache, child.name)


def _stderr_line(message: str) -> None:
    print(f"atlas: {message}", file=sys.stderr)


def _host() -> str:
    """This machine's name (``os.uname`` where there is one: importing ``socket`` for it
    cost every index run a few milliseconds)."""
    uname = getattr(os, "uname", None)
    if uname is not None:
        return str(uname().nodename)
    import socket

    return socket.gethostname()
