"""Running ``atlas`` in its own process group, with deadlines, and finding what survives it."""

from __future__ import annotations

import contextlib
import os
import shlex
import shutil
import signal
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

__all__ = [
    "Result",
    "Running",
    "atlas_command",
    "group_members",
    "kill_group",
    "run",
    "spawn",
    "wait_until",
]

#: how long processes left behind by a finished command may take to go away
SURVIVOR_GRACE = 5.0


def atlas_command() -> list[str]:
    """The command that runs Atlas: ``$ATLAS_FAULT_CMD``, the venv's ``atlas``, or ``-m``."""
    override = os.environ.get("ATLAS_FAULT_CMD")
    if override:
        return shlex.split(override)
    beside = Path(sys.executable).parent / "atlas"
    if beside.exists():
        return [str(beside)]
    found = shutil.which("atlas")
    return [found] if found else [sys.executable, "-m", "atlas_core"]


def base_env(home: Path | None = None) -> dict[str, str]:
    """The caller's environment without ATLAS_* settings, offline, and with a sandboxed HOME."""
    env = {k: v for k, v in os.environ.items() if not k.startswith(("ATLAS_", "OLLAMA_"))}
    env["NO_COLOR"] = "1"
    env["OLLAMA_HOST"] = "http://127.0.0.1:9"  # discard port: never a real server
    env["GIT_CONFIG_NOSYSTEM"] = "1"
    if home is not None:
        env["HOME"] = str(home)
        env["XDG_CACHE_HOME"] = str(home / ".cache")
        env["XDG_CONFIG_HOME"] = str(home / ".config")
        env["GIT_CONFIG_GLOBAL"] = str(home / ".gitconfig")
    return env


def wait_until(predicate: Callable[[], bool], deadline: float, interval: float = 0.02) -> bool:
    """Poll ``predicate`` until it holds or ``deadline`` (a monotonic time) passes."""
    while True:
        if predicate():
            return True
        if time.monotonic() >= deadline:
            return predicate()
        time.sleep(interval)


def _stat_fields(pid: int) -> list[str] | None:
    try:
        raw = Path(f"/proc/{pid}/stat").read_text()
    except OSError:
        return None
    # fields after "(comm)": state ppid pgrp session ...; comm may hold spaces or parens
    return raw[raw.rfind(")") + 2 :].split()


def _start_time(pid: int) -> str | None:
    fields = _stat_fields(pid)
    return fields[19] if fields and len(fields) > 19 else None


def _cmdline(pid: int) -> str:
    try:
        raw = Path(f"/proc/{pid}/cmdline").read_bytes()
    except OSError:
        return "?"
    return raw.replace(b"\0", b" ").decode("utf-8", "replace").strip()[:160]


def group_members(pgid: int) -> dict[int, str]:
    """Live (not zombie) processes in process group ``pgid``: pid -> start time."""
    found: dict[int, str] = {}
    for entry in os.scandir("/proc"):
        if not entry.name.isdigit():
            continue
        fields = _stat_fields(int(entry.name))
        if not fields or len(fields) < 20:
            continue
        if int(fields[2]) == pgid and fields[0] not in ("Z", "X"):
            found[int(entry.name)] = fields[19]
    return found


def children_of(pid: int) -> dict[int, str]:
    """Live processes descending from ``pid`` (by parent links): pid -> start time."""
    parents: dict[int, int] = {}
    starts: dict[int, str] = {}
    for entry in os.scandir("/proc"):
        if not entry.name.isdigit():
            continue
        fields = _stat_fields(int(entry.name))
        if not fields or len(fields) < 20 or fields[0] in ("Z", "X"):
            continue
        parents[int(entry.name)] = int(fields[1])
        starts[int(entry.name)] = fields[19]
    out: dict[int, str] = {}
    frontier = [pid]
    while frontier:
        cur = frontier.pop()
        for child, parent in parents.items():
            if parent == cur and child not in out:
                out[child] = starts[child]
                frontier.append(child)
    return out


def still_alive(known: dict[int, str]) -> dict[int, str]:
    """Those of ``known`` (pid -> start time) that are still running and not zombies."""
    alive = {}
    for pid, start in known.items():
        fields = _stat_fields(pid)
        if fields and len(fields) > 19 and fields[19] == start and fields[0] not in ("Z", "X"):
            alive[pid] = _cmdline(pid)
    return alive


def kill_group(pgid: int) -> None:
    """SIGKILL a process group this harness started (cleanup only)."""
    with contextlib.suppress(ProcessLookupError, PermissionError):
        os.killpg(pgid, signal.SIGKILL)


@dataclass
class Result:
    """How one atlas command ended."""

    argv: list[str]
    rc: int | None
    stdout: bytes
    stderr: bytes
    seconds: float
    timed_out: bool = False
    survivors: dict[int, str] = field(default_factory=dict)

    @property
    def err(self) -> str:
        return self.stderr.decode("utf-8", "replace")

    @property
    def out(self) -> str:
        return self.stdout.decode("utf-8", "replace")

    def shell(self, cwd: Path | None = None) -> str:
        """The command as one shell line, for a failure report."""
        line = shlex.join(self.argv)
        return f"(cd {shlex.quote(str(cwd))} && {line})" if cwd else line

    def problems(self, *, allow_error: bool) -> list[str]:
        """What is wrong with this outcome for any command: hang, traceback, crash, survivors.

        ``allow_error``: a non-zero exit with exactly one line on stderr is acceptable.
        """
        found = []
        if self.timed_out:
            found.append(f"hung: no exit within {self.seconds:.0f}s")
        if "Traceback (most recent call last)" in self.err:
            found.append("traceback on stderr: " + _tail(self.err))
        if "internal error" in self.err:
            found.append(
                "crashed (an internal error is a traceback in one line): " + _tail(self.err)
            )
        if self.rc is not None and self.rc < 0 and not self.timed_out:
            found.append(f"died of signal {-self.rc}: " + _tail(self.err))
        elif self.rc not in (0, None):
            lines = [ln for ln in self.err.splitlines() if ln.strip()]
            if not allow_error:
                found.append(f"exit {self.rc}: " + _tail(self.err))
            elif len(lines) != 1:
                found.append(
                    f"exit {self.rc} with {len(lines)} lines on stderr: " + _tail(self.err)
                )
        if self.survivors:
            found.append(f"processes survived it: {self.survivors}")
        return found


def _tail(text: str, limit: int = 600) -> str:
    text = text.strip()
    return text if len(text) <= limit else "..." + text[-limit:]


class Running:
    """An atlas process started in its own session (so its pid is its process group)."""

    def __init__(
        self,
        args: Sequence[str],
        *,
        env: dict[str, str],
        cwd: Path | None = None,
        stdin: bytes | None = None,
    ) -> None:
        self.argv = [*atlas_command(), *args]
        # files, not pipes: a worker left behind must not keep us waiting for EOF
        self._out = tempfile.TemporaryFile()  # noqa: SIM115 - closed by finish()
        self._err = tempfile.TemporaryFile()  # noqa: SIM115
        self._in = tempfile.TemporaryFile()  # noqa: SIM115
        if stdin is not None:
            self._in.write(stdin)
            self._in.seek(0)
        self.started = time.monotonic()
        self.proc = subprocess.Popen(
            self.argv,
            stdin=self._in,
            stdout=self._out,
            stderr=self._err,
            env=env,
            cwd=cwd,
            start_new_session=True,
        )
        self.pid = self.proc.pid

    def send(self, sig: int, *, group: bool = False) -> None:
        with contextlib.suppress(ProcessLookupError):
            if group:
                os.killpg(self.pid, sig)
            else:
                os.kill(self.pid, sig)

    def finish(self, timeout: float, *, extra_watch: dict[int, str] | None = None) -> Result:
        """Wait up to ``timeout`` s; then look for processes it left behind (group and known)."""
        timed_out = False
        try:
            rc: int | None = self.proc.wait(timeout=timeout)
        except subprocess.TimeoutExpired:
            timed_out = True
            kill_group(self.pid)
            rc = self.proc.wait()
        seconds = time.monotonic() - self.started
        watch = dict(extra_watch or {})
        deadline = time.monotonic() + SURVIVOR_GRACE

        def gone() -> bool:
            return not group_members(self.pid) and not still_alive(watch)

        survivors: dict[int, str] = {}
        if not wait_until(gone, deadline, 0.05):
            survivors = still_alive({**group_members(self.pid), **watch})
            kill_group(self.pid)
            for pid in survivors:
                with contextlib.suppress(ProcessLookupError):
                    os.kill(pid, signal.SIGKILL)
        result = Result(
            self.argv, rc, _read(self._out), _read(self._err), seconds, timed_out, survivors
        )
        for fh in (self._out, self._err, self._in):
            fh.close()
        return result


def _read(fh: Any) -> bytes:
    fh.seek(0)
    data: bytes = fh.read()
    return data


def spawn(
    args: Sequence[str], *, env: dict[str, str], cwd: Path | None = None, stdin: bytes | None = None
) -> Running:
    """Start ``atlas ARGS`` without waiting."""
    return Running(args, env=env, cwd=cwd, stdin=stdin)


def run(
    args: Sequence[str],
    *,
    env: dict[str, str],
    timeout: float = 60.0,
    cwd: Path | None = None,
    stdin: bytes | None = None,
) -> Result:
    """Run ``atlas ARGS`` to completion (or its deadline)."""
    return spawn(args, env=env, cwd=cwd, stdin=stdin).finish(timeout)
