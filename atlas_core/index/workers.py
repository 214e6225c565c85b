"""The indexing process pool: forked workers that die with their parent.

A worker must never outlive the ``atlas`` process that forked it: if the parent is killed
(``kill -9``, SIGTERM, a closed terminal), orphaned workers would keep running and keep
whatever they inherited. So each worker, as it starts:

- asks the kernel to SIGKILL it when its parent dies (``prctl(PR_SET_PDEATHSIG)``, Linux),
- and also watches its parent pid from a thread (other systems, or a parent that died
  before the request was made),
- ignores SIGINT (Ctrl-C reaches the whole process group; the parent decides) and takes
  SIGTERM's default action rather than the parent's handler,
- and sends what is printed in it to stderr (see :func:`_stdout_to_stderr`).

The index lock's descriptor is closed in every forked child by :mod:`atlas_core.index.lock`.
When the pool is left by an exception (Ctrl-C, SIGTERM, an error), pending work is cancelled
and the workers are killed at once instead of finishing their batches.
"""

from __future__ import annotations

import contextlib
import os
import signal
import sys
import threading
import time
from collections.abc import Callable, Iterable, Iterator
from types import TracebackType
from typing import Any, TypeVar

from atlas_core.errors import AtlasError

__all__ = ["WorkerPool", "can_fork"]

T = TypeVar("T")
R = TypeVar("R")

_PR_SET_PDEATHSIG = 1
_WATCH_INTERVAL = 0.25
_JOIN_SECONDS = 5.0


def can_fork() -> bool:
    """Whether worker processes can be forked here."""
    import multiprocessing

    return hasattr(os, "fork") and "fork" in multiprocessing.get_all_start_methods()


def _die_with_parent(parent: int) -> None:
    if sys.platform.startswith("linux"):
        with contextlib.suppress(Exception):
            import ctypes

            libc = ctypes.CDLL(None, use_errno=True)
            libc.prctl(_PR_SET_PDEATHSIG, signal.SIGKILL, 0, 0, 0)
    if os.getppid() != parent:  # the parent died before the request took effect
        os._exit(1)

    def watch() -> None:
        while True:
            time.sleep(_WATCH_INTERVAL)
            if os.getppid() != parent:
                os._exit(1)

    threading.Thread(target=watch, name="atlas-parent-watch", daemon=True).start()


_STOP_SIGNALS = {signal.SIGINT, signal.SIGTERM}


def _stdout_to_stderr() -> None:
    """What a chunker prints in a worker goes to stderr: the parent's stdout is the
    command's output (a JSON document, the MCP server's messages).

    ``sys.stdout`` becomes ``sys.stderr`` (``print``, ``sys.stdout.write``), and descriptor
    1 a copy of stderr's (C code, a child process), or of the null device when stderr has
    no descriptor. The worker writes nothing of its own to stdout: results go back through
    the pool's pipes.
    """
    try:
        target = sys.stderr.fileno()
    except (AttributeError, OSError, ValueError):  # None, or not a file (Atlas's _Discard)
        target = -1
    with contextlib.suppress(OSError):
        if target >= 0:
            os.dup2(target, 1)
        else:
            null = os.open(os.devnull, os.O_WRONLY)
            os.dup2(null, 1)
            os.close(null)
    sys.stdout = sys.stderr


def _worker_init(parent: int) -> None:
    # started with these blocked (see WorkerPool.map), so the parent's handlers never ran here
    signal.signal(signal.SIGINT, signal.SIG_IGN)
    signal.signal(signal.SIGTERM, signal.SIG_DFL)
    signal.pthread_sigmask(signal.SIG_UNBLOCK, _STOP_SIGNALS)
    _die_with_parent(parent)
    _stdout_to_stderr()


class WorkerPool:
    """A fork-based process pool for the indexer; use as a context manager."""

    def __init__(self, workers: int) -> None:
        self.workers = workers
        self._pool: Any = None

    def __enter__(self) -> WorkerPool:
        import multiprocessing
        from concurrent.futures import ProcessPoolExecutor

        self._pool = ProcessPoolExecutor(
            self.workers,
            mp_context=multiprocessing.get_context("fork"),
            initializer=_worker_init,
            initargs=(os.getpid(),),
        )
        return self

    def map(self, fn: Callable[[T], R], items: Iterable[T]) -> Iterator[R]:
        """``fn`` over ``items`` in the workers, results in order as they are ready."""
        from concurrent.futures.process import BrokenProcessPool

        # The workers are forked while the items are submitted. Until their initializer has
        # run they would act on Ctrl-C or SIGTERM with the parent's handlers (a traceback per
        # worker), so they start with both blocked; the parent gets any such signal after.
        blocked = signal.pthread_sigmask(signal.SIG_BLOCK, _STOP_SIGNALS)
        try:
            results = self._pool.map(fn, items)
        finally:
            signal.pthread_sigmask(signal.SIG_SETMASK, blocked)
        manager = getattr(self._pool, "_executor_manager_thread", None)
        if manager is not None:  # before any interruption: workers may die before we hear of it
            _quiet_on_cancelled(manager)
        try:
            yield from results
        except BrokenProcessPool:
            raise AtlasError(
                "an indexing worker process died unexpectedly (killed, or out of memory?)"
            ) from None

    def terminate(self) -> None:
        """Drop pending work and kill the workers now."""
        pool, self._pool = self._pool, None
        if pool is None:
            return
        processes = list((getattr(pool, "_processes", None) or {}).values())
        # shutdown() forgets these: taken first
        result_queue = getattr(pool, "_result_queue", None)
        manager = getattr(pool, "_executor_manager_thread", None)
        pool.shutdown(wait=False, cancel_futures=True)
        for process in processes:
            with contextlib.suppress(Exception):
                process.kill()
        deadline = time.monotonic() + _JOIN_SECONDS
        for process in processes:
            with contextlib.suppress(Exception):
                process.join(max(deadline - time.monotonic(), 0.0))
        _release_manager(result_queue, manager, deadline)

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        if exc_type is None and self._pool is not None:
            self._pool.shutdown(wait=True)
            self._pool = None
        else:
            self.terminate()


def _release_manager(result_queue: Any, manager: Any, deadline: float) -> None:
    """Let the executor's manager thread end after its workers were killed.

    A worker killed while writing a result leaves half a message in the result pipe. The
    manager thread then waits for the rest forever, since this process holds a write end of
    that pipe too, and interpreter exit joins the thread: a Ctrl-C'd ``atlas index`` would
    hang. Closing our write end (no worker is left to write) turns the wait into end-of-file,
    which the executor handles as a broken pool. The attributes are the standard library's
    (3.11-3.13); when they are absent there is nothing to release.
    """
    writer = getattr(result_queue, "_writer", None)
    if writer is not None:
        with contextlib.suppress(Exception):
            writer.close()
    if manager is not None:
        with contextlib.suppress(Exception):
            manager.join(max(deadline - time.monotonic(), 0.5))


def _quiet_on_cancelled(manager: threading.Thread) -> None:
    """Keep the manager thread's last words off the terminal.

    Told of the broken pool, Python 3.11's manager thread sets an exception on every pending
    future, and raises ``InvalidStateError`` for those the interruption already cancelled
    (fixed in later versions): a traceback from a thread after "atlas: interrupted". Only
    that error, from that thread, is silenced.
    """
    from concurrent.futures import InvalidStateError

    previous = threading.excepthook

    def hook(args: Any) -> None:
        if args.thread is manager and args.exc_type is InvalidStateError:
            return
        previous(args)

    threading.excepthook = hook
