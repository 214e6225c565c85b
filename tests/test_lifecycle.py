"""Process lifecycle of ``atlas index``: kills, signals, the lock and its holders.

The runs are real ``atlas`` processes. Timing uses pids, /proc and polling with deadlines;
the only deliberate delays are the random kill instants of the loop test.
"""

from __future__ import annotations

import contextlib
import os
import random
import signal
import socket
import subprocess
import sys
import textwrap
import time
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest

from atlas_core.index import builder
from atlas_core.index.lock import Holder, IndexBusyError, IndexLock, start_time
from atlas_core.index.reader import open_index
from atlas_core.testing import write_repo

pytestmark = pytest.mark.skipif(
    not sys.platform.startswith("linux"), reason="uses /proc and fork to watch processes"
)

#: well under the 120 s that a stuck lock used to cost
QUICK = 10.0
FILES = max(builder._PARALLEL_MIN_FILES * 8, 400)


def _files(n: int = FILES) -> dict[str, str]:
    body = "\n".join(
        f"def handler_{j}(request, value):\n"
        f'    """Handle case {j} of the retry policy."""\n'
        f"    return request.send(value * {j}) or fallback_{j}(value)\n"
        for j in range(25)
    )
    return {f"pkg{i % 12}/module_{i}.py": f"# module {i}\n{body}\n" for i in range(n)}


@pytest.fixture
def repo(tmp_path: Path) -> Path:
    return write_repo(tmp_path / "repo", _files())


def _env(**extra: str) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith("ATLAS_")}
    return {**env, "ATLAS_LOAD_PLUGINS": "", **extra}


def _default_sigint() -> None:
    # a test runner started in the background has SIGINT ignored, and children inherit that
    signal.signal(signal.SIGINT, signal.SIG_DFL)


def _spawn(root: Path, *args: str, **env: str) -> subprocess.Popen[str]:
    """``atlas`` in a process group of its own, as a shell runs a command."""
    cmd = [sys.executable, "-m", "atlas_core", "--root", str(root), *args]
    return subprocess.Popen(
        cmd,
        env=_env(**env),
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        preexec_fn=_default_sigint,
        process_group=0,
    )


def _run(root: Path, *args: str, **env: str) -> tuple[int, str, str, float]:
    started = time.monotonic()
    proc = _spawn(root, *args, **env)
    out, err = proc.communicate(timeout=180)
    return proc.returncode, out, err, time.monotonic() - started


def _state(pid: int) -> str | None:
    """The process state letter, or None once it is gone."""
    try:
        raw = Path(f"/proc/{pid}/stat").read_text()
    except OSError:
        return None
    return raw.rpartition(")")[2].split()[0]


def _gone(pid: int) -> bool:
    return _state(pid) in (None, "Z", "X")


def _children(pid: int) -> list[int]:
    found = []
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit():
            continue
        try:
            fields = (entry / "stat").read_text().rpartition(")")[2].split()
        except OSError:
            continue
        if int(fields[1]) == pid:
            found.append(int(entry.name))
    return found


def _poll(check: Callable[[], object], deadline: float, what: str) -> object:
    end = time.monotonic() + deadline
    while True:
        value = check()
        if value:
            return value
        if time.monotonic() > end:
            raise AssertionError(f"timed out after {deadline}s waiting for {what}")
        time.sleep(0.01)


def _workers_of(proc: subprocess.Popen[str]) -> list[int]:
    """Wait until the indexer has forked its worker pool; the workers' pids."""

    def ready() -> list[int]:
        if proc.poll() is not None:
            raise AssertionError(f"atlas index ended before its workers started: {proc.returncode}")
        found = _children(proc.pid)
        return found if len(found) >= expected else []

    expected = min(os.cpu_count() or 1, 8)  # IndexBuilder's default pool size
    workers = _poll(ready, 60, "the worker pool")
    assert isinstance(workers, list)
    return workers


def _snapshot(cache: Path) -> tuple[object, ...]:
    reader = open_index(cache)
    assert reader is not None
    files = reader.meta["files"]
    return (
        tuple(files["path"]),
        tuple(files["hash"]),
        tuple(files["tokens"]),
        reader.meta["stats"]["terms"],
        reader.meta["stats"]["postings"],
    )


def _assert_converges(root: Path) -> None:
    """The next plain ``index`` is fast and gives what ``--force`` gives."""
    code, _, err, seconds = _run(root, "-q", "index")
    assert code == 0, err
    assert seconds < QUICK + 20, seconds
    after_update = _snapshot(root / ".atlas")
    code, _, err, _ = _run(root, "-q", "index", "--force")
    assert code == 0, err
    assert _snapshot(root / ".atlas") == after_update
    assert not [p for p in (root / ".atlas").iterdir() if p.name.startswith("tmp-")]


def _assert_quick_answers(root: Path) -> None:
    code, out, err, seconds = _run(root, "--format", "jsonl", "quick", "retry policy handler")
    assert code == 0, err
    assert seconds < QUICK, f"quick took {seconds:.1f}s: {err}"
    assert out.strip() and "waiting" not in err
    code, out, err, seconds = _run(root, "--format", "jsonl", "query", "retry policy handler")
    assert code == 0 and out.strip() and seconds < QUICK, err


# -- killing the indexer while its workers run --------------------------------------------


@pytest.mark.parametrize(
    ("sig", "group", "codes"),
    [
        (signal.SIGKILL, False, {-signal.SIGKILL}),
        (signal.SIGTERM, False, {143, -signal.SIGTERM}),
        (signal.SIGINT, False, {130}),
        (signal.SIGINT, True, {130}),  # what a terminal does: the whole process group
        (signal.SIGTERM, True, {143, -signal.SIGTERM}),
    ],
    ids=["kill-9", "sigterm", "sigint", "ctrl-c-terminal", "sigterm-group"],
)
def test_killing_the_indexer_kills_its_workers_and_frees_the_lock(
    repo: Path, sig: int, group: bool, codes: set[int]
) -> None:
    code, _, err, _ = _run(repo, "-q", "index")
    assert code == 0, err
    proc = _spawn(repo, "-q", "index", "--force")
    workers = _workers_of(proc)
    assert len(workers) >= 2
    if group:
        os.killpg(proc.pid, sig)
    else:
        os.kill(proc.pid, sig)
    proc.wait(timeout=30)
    _poll(lambda: all(_gone(w) for w in workers), 5, f"workers {workers} to die")
    _, err = proc.communicate(timeout=30)  # orphaned workers would keep its pipes open
    assert proc.returncode in codes, err
    assert "Traceback" not in err
    _assert_quick_answers(repo)
    _assert_converges(repo)


def test_random_instant_kills_never_block_the_next_run(tmp_path: Path) -> None:
    root = write_repo(tmp_path / "repo", _files(FILES // 2))
    code, _, err, _ = _run(root, "-q", "index")
    assert code == 0, err
    rng = random.Random(9)
    signals = [signal.SIGKILL, signal.SIGTERM, signal.SIGINT]
    for round_ in range(10):
        # some work for the next run: new, changed and deleted files
        (root / f"pkg0/new_{round_}.py").write_text(f"def added_{round_}():\n    pass\n")
        (root / f"pkg1/module_{round_ + 1}.py").write_text(f"value = {round_}\n")
        (root / f"pkg2/module_{round_ + 2}.py").unlink(missing_ok=True)
        args = ("-q", "index") + (("--force",) if round_ % 2 else ())
        proc = _spawn(root, *args)
        time.sleep(rng.uniform(0.0, 1.5))  # the random instant is the point of this test
        sig = rng.choice(signals)
        workers = _children(proc.pid)
        if proc.poll() is None:
            os.kill(proc.pid, sig)
        proc.wait(timeout=60)
        _poll(lambda ws=workers: all(_gone(w) for w in ws), 5, f"workers {workers} to die")
        _, err = proc.communicate(timeout=30)
        assert "Traceback" not in err, err
        assert proc.returncode in (0, 130, 143, -sig), (round_, sig, proc.returncode, err)
        code, out, err, seconds = _run(root, "--format", "jsonl", "quick", "retry policy")
        assert code == 0 and out.strip(), (round_, err)
        assert seconds < QUICK, (round_, seconds, err)
    _assert_converges(root)


# -- the lock ---------------------------------------------------------------------------

_ORPHAN = textwrap.dedent(
    """
    import fcntl, os, sys, time
    path, record = sys.argv[1], sys.argv[2]
    fd = os.open(path, os.O_RDWR | os.O_CREAT, 0o644)
    fcntl.flock(fd, fcntl.LOCK_EX)
    os.ftruncate(fd, 0)
    os.write(fd, record.replace("PID", str(os.getpid())).encode())
    child = os.fork()
    if child == 0:  # like a worker of an older Atlas: keeps the inherited lock
        null = os.open(os.devnull, os.O_RDWR)
        for std in (0, 1, 2):
            os.dup2(null, std)
        time.sleep(120)
        os._exit(0)
    print(child, flush=True)
    os._exit(0)
    """
)


@pytest.fixture
def orphan_holder(repo: Path) -> Iterator[Callable[[str], int]]:
    """Leave the lock held by an orphan whose parent, the recorded holder, is dead."""
    orphans: list[int] = []

    def make(record: str) -> int:
        (repo / ".atlas").mkdir(exist_ok=True)
        done = subprocess.run(
            [sys.executable, "-c", _ORPHAN, str(repo / ".atlas" / "lock"), record],
            capture_output=True,
            text=True,
            check=True,
        )
        orphans.append(int(done.stdout))
        return orphans[-1]

    yield make
    for pid in orphans:
        if not _gone(pid):
            os.kill(pid, signal.SIGKILL)


@pytest.mark.parametrize(
    "record",
    [f"PID 1 {socket.gethostname()}\n", "PID\n", ""],
    ids=["pid-and-start-time", "pid-only", "no-record-older-atlas"],
)
def test_a_lock_left_by_a_dead_holder_is_taken_over_at_once(
    repo: Path, orphan_holder: Callable[[str], int], record: str
) -> None:
    code, _, err, _ = _run(repo, "-q", "index")
    assert code == 0, err
    orphan = orphan_holder(record)
    assert not _gone(orphan)
    (repo / "pkg0" / "fresh.py").write_text("def fresh_handler():\n    pass\n")
    code, _, err, seconds = _run(repo, "index")
    assert code == 0, err
    assert seconds < QUICK, seconds
    assert "no longer running; taking it over" in err
    assert "waiting" not in err
    reader = open_index(repo / ".atlas")
    assert reader is not None and "pkg0/fresh.py" in reader.paths


def test_a_reused_pid_is_not_taken_for_the_holder(tmp_path: Path) -> None:
    """The recorded pid runs (it is ours), but with another start time: a stale record."""
    import fcntl

    cache = tmp_path / "cache"
    cache.mkdir()
    fd = os.open(cache / "lock", os.O_RDWR | os.O_CREAT, 0o644)
    try:
        fcntl.flock(fd, fcntl.LOCK_EX)
        os.write(fd, f"{os.getpid()} 1 {socket.gethostname()}\n".encode())
        messages: list[str] = []
        with IndexLock(cache, timeout=5, on_message=messages.append):
            assert Holder.parse((cache / "lock").read_text()) == Holder.me()
        assert messages and f"pid {os.getpid()}" in messages[0]
    finally:
        os.close(fd)


def test_a_live_holder_is_waited_for_then_named(tmp_path: Path) -> None:
    cache = tmp_path / "cache"
    cache.mkdir()
    messages: list[str] = []
    with IndexLock(cache):
        assert Holder.parse((cache / "lock").read_text()) == Holder(
            os.getpid(), start_time(os.getpid()), socket.gethostname()
        )
        started = time.monotonic()
        with pytest.raises(IndexBusyError) as caught:
            IndexLock(cache, timeout=0.3, on_message=messages.append).__enter__()
        assert time.monotonic() - started < QUICK
    assert caught.value.holder is not None and caught.value.holder.pid == os.getpid()
    assert f"pid {os.getpid()}" in str(caught.value) and "\n" not in str(caught.value)
    assert len(messages) == 1 and "waiting" in messages[0] and f"pid {os.getpid()}" in messages[0]
    with IndexLock(cache, timeout=0):  # released: free at once
        pass


_LIVE_HOLDER = textwrap.dedent(
    """
    import sys
    from pathlib import Path
    from atlas_core.index.lock import IndexLock
    with IndexLock(Path(sys.argv[1])):
        print("locked", flush=True)
        sys.stdin.read()
    """
)


@contextlib.contextmanager
def _holding_lock(cache: Path) -> Iterator[subprocess.Popen[str]]:
    """Another live process holding the index lock until the block ends."""
    cache.mkdir(exist_ok=True)
    holder = subprocess.Popen(
        [sys.executable, "-c", _LIVE_HOLDER, str(cache)],
        stdin=subprocess.PIPE,
        stdout=subprocess.PIPE,
        text=True,
        env=_env(),
    )
    try:
        assert holder.stdout is not None and holder.stdout.readline().strip() == "locked"
        yield holder
    finally:
        holder.communicate("", timeout=30)


@pytest.fixture
def live_holder(repo: Path) -> Iterator[subprocess.Popen[str]]:
    code, _, err, _ = _run(repo, "-q", "index")
    assert code == 0, err
    with _holding_lock(repo / ".atlas") as holder:
        yield holder


def test_cli_names_a_live_holder_and_queries_do_not_wait(
    repo: Path, live_holder: subprocess.Popen[str]
) -> None:
    pid = str(live_holder.pid)
    (repo / "pkg0" / "fresh.py").write_text("def fresh_handler():\n    pass\n")
    code, _, err, seconds = _run(repo, "index", ATLAS_LOCK_TIMEOUT="0.5")
    assert code == 1 and seconds < QUICK
    lines = err.strip().splitlines()
    assert len(lines) == 2, err
    assert "waiting" in lines[0] and f"pid {pid}" in lines[0]
    assert lines[1].startswith("atlas: error:") and f"pid {pid}" in lines[1]
    assert "Traceback" not in err

    code, out, err, seconds = _run(repo, "--format", "jsonl", "quick", "retry policy")
    assert code == 0 and out.strip(), err
    assert seconds < QUICK
    assert f"(pid {pid}); answering from the current index" in err
    assert "waiting" not in err

    code, out, err, seconds = _run(repo, "--format", "jsonl", "query", "retry policy")
    assert code == 0 and out.strip() and seconds < QUICK, err
    assert "pid" not in err


def test_quick_without_an_index_waits_for_the_live_holder(repo: Path) -> None:
    with _holding_lock(repo / ".atlas") as holder:
        code, out, err, seconds = _run(repo, "quick", "retry policy", ATLAS_LOCK_TIMEOUT="0.5")
    assert code == 1 and not out and seconds < QUICK, err
    assert "answering from the current index" not in err
    assert f"pid {holder.pid}" in err.strip().splitlines()[-1]
    code, out, err, seconds = _run(repo, "--format", "jsonl", "quick", "retry policy")
    assert code == 0 and out.strip(), err


# -- forked children and the lock ---------------------------------------------------------


def test_forked_children_do_not_keep_the_lock(tmp_path: Path) -> None:
    """A holder dies without unlocking while its child lives on: the lock is free."""
    import fcntl

    cache = tmp_path / "cache"
    cache.mkdir()
    script = textwrap.dedent(
        """
        import os, sys, time
        from pathlib import Path
        from atlas_core.index.lock import IndexLock
        lock = IndexLock(Path(sys.argv[1])).__enter__()
        child = os.fork()
        if child == 0:
            null = os.open(os.devnull, os.O_RDWR)
            for std in (0, 1, 2):
                os.dup2(null, std)
            time.sleep(120)
            os._exit(0)
        print(child, flush=True)
        os._exit(0)  # no unlock
        """
    )
    done = subprocess.run(
        [sys.executable, "-c", script, str(cache)], capture_output=True, text=True, check=True
    )
    child = int(done.stdout)
    try:
        assert not _gone(child)
        fd = os.open(cache / "lock", os.O_RDWR)
        try:
            fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)  # raises if the child kept it
        finally:
            os.close(fd)
    finally:
        os.kill(child, signal.SIGKILL)


def test_sigterm_in_process_releases_the_lock_and_removes_temporaries(tmp_path: Path) -> None:
    cache = tmp_path / "cache"
    cache.mkdir()
    script = textwrap.dedent(
        """
        import os, sys
        from pathlib import Path
        from atlas_core.index.lock import IndexLock
        cache = Path(sys.argv[1])
        with IndexLock(cache):
            (cache / f"tmp-000002-{os.getpid()}").mkdir()
            print("ready", flush=True)
            sys.stdin.read()
        """
    )
    proc = subprocess.Popen(
        [sys.executable, "-c", script, str(cache)],
        stdin=subprocess.PIPE,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        env=_env(),
    )
    assert proc.stdout is not None and proc.stdout.readline().strip() == "ready"
    proc.send_signal(signal.SIGTERM)
    _, err = proc.communicate(timeout=30)
    assert proc.returncode == 143, err
    assert "Traceback" not in err
    assert not [p for p in cache.iterdir() if p.name.startswith("tmp-")]
    assert (cache / "lock").read_bytes() == b""
    with IndexLock(cache, timeout=0):
        pass


def test_the_lock_names_this_host_as_socket_would() -> None:
    import socket

    from atlas_core.index.lock import Holder

    assert Holder.me().host == socket.gethostname()
