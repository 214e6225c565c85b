"""Raw JSON-RPC over a real ``atlas mcp`` process: every request with an id is answered."""

from __future__ import annotations

import json
import os
import queue
import shutil
import subprocess
import sys
import threading
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from atlas_mcp.screen import INVALID_PARAMS, INVALID_REQUEST, PARSE_ERROR, screen

DEADLINE = 30.0  # seconds for one answer; a silent server fails long before a slow one

INITIALIZE = {
    "jsonrpc": "2.0",
    "id": "init",
    "method": "initialize",
    "params": {
        "protocolVersion": "2025-06-18",
        "capabilities": {},
        "clientInfo": {"name": "raw-test", "version": "1"},
    },
}


def atlas_executable() -> str:
    """The ``atlas`` script of the running environment."""
    beside = Path(sys.executable).with_name("atlas")
    found = str(beside) if beside.exists() else shutil.which("atlas")
    assert found, "the atlas command is not installed"
    return found


class RawServer:
    """``atlas mcp`` on pipes; a thread collects its stdout lines as they come."""

    def __init__(self, root: Path, env: dict[str, str] | None = None) -> None:
        self.proc = subprocess.Popen(
            [atlas_executable(), "mcp", "--root", str(root)],
            stdin=subprocess.PIPE,
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            env={**os.environ, "ATLAS_LOAD_PLUGINS": "mcp", **(env or {})},
        )
        self.lines: queue.Queue[bytes] = queue.Queue()
        assert self.proc.stdout is not None
        threading.Thread(target=self._pump, args=(self.proc.stdout,), daemon=True).start()

    def _pump(self, stream: Any) -> None:
        for line in stream:
            self.lines.put(line)

    def send(self, line: str | dict[str, Any]) -> None:
        text = line if isinstance(line, str) else json.dumps(line)
        assert self.proc.stdin is not None
        self.proc.stdin.write(text.encode("utf-8", "surrogatepass") + b"\n")
        self.proc.stdin.flush()

    def next(self, what: str) -> dict[str, Any]:
        """The next message from the server, within the deadline."""
        try:
            raw = self.lines.get(timeout=DEADLINE)
        except queue.Empty:
            pytest.fail(f"no answer to {what} within {DEADLINE} s")
        message: dict[str, Any] = json.loads(raw)
        return message

    def ask(self, line: str | dict[str, Any]) -> dict[str, Any]:
        self.send(line)
        return self.next(str(line)[:120])

    def close(self) -> None:
        if self.proc.stdin is not None:
            self.proc.stdin.close()
        try:
            self.proc.wait(timeout=DEADLINE)
        except subprocess.TimeoutExpired:
            self.proc.kill()
            self.proc.wait()


@pytest.fixture
def server(repo: Path) -> Iterator[RawServer]:
    raw = RawServer(repo)
    yield raw
    raw.close()


def call(id_: int, name: str, arguments: Any) -> dict[str, Any]:
    return {
        "jsonrpc": "2.0",
        "id": id_,
        "method": "tools/call",
        "params": {"name": name, "arguments": arguments},
    }


#: (line, the answer's id, its error code)
MALFORMED: list[tuple[str, Any, int]] = [
    ("nope{", None, PARSE_ERROR),
    ('{"jsonrpc": "2.0", "id": 1, "method": "ping", "params": {"x": NaN}}', None, PARSE_ERROR),
    ("[1, 2]", None, INVALID_REQUEST),
    ("[]", None, INVALID_REQUEST),
    ("3", None, INVALID_REQUEST),
    ('{"jsonrpc": "2.0", "id": 2}', 2, INVALID_REQUEST),
    ('{"jsonrpc": "2.0", "id": "s3", "method": "tools/list", "params": [1]}', "s3", INVALID_PARAMS),
    ('{"jsonrpc": "2.0", "id": 4, "method": 5}', 4, INVALID_REQUEST),
    ('{"id": 5, "method": "ping"}', 5, INVALID_REQUEST),
    ('{"jsonrpc": "2.0", "id": {"a": 1}, "method": "ping"}', None, INVALID_REQUEST),
    ('{"jsonrpc": "2.0", "id": 6, "method": "tools/call", "params": "x"}', 6, INVALID_PARAMS),
    ('{"jsonrpc": "2.0", "id": 7, "method": "frobnicate"}', 7, -32601),
]


def test_every_malformed_request_is_answered_and_the_session_goes_on(
    server: RawServer,
) -> None:
    # before the handshake, as a confused client might
    for line, id_, code in MALFORMED:
        answer = server.ask(line)
        assert answer.get("id", "missing") == id_, (line, answer)
        assert answer["error"]["code"] == code, (line, answer)

    hello = server.ask(INITIALIZE)
    assert hello["id"] == "init" and "serverInfo" in hello["result"]
    server.send({"jsonrpc": "2.0", "method": "notifications/initialized"})

    # and after it
    for line, id_, code in MALFORMED:
        answer = server.ask(line)
        assert answer.get("id", "missing") == id_ and answer["error"]["code"] == code, line

    result = server.ask(call(10, "query", {"task": "retry backoff", "top": 2}))
    assert result["id"] == 10 and not result["result"].get("isError"), result
    assert result["result"]["structuredContent"]["Files"][0]["Path"] == "src/payments/retry.py"


def test_notifications_and_client_responses_get_no_answer(server: RawServer) -> None:
    server.ask(INITIALIZE)
    server.send({"jsonrpc": "2.0", "method": "notifications/initialized"})
    silent = [
        '{"jsonrpc": "2.0", "method": "notifications/whatever", "params": [1]}',
        '{"jsonrpc": "2.0", "method": "notifications/whatever"}',
        '{"jsonrpc": "2.0", "id": 99, "result": {}}',  # a response to nothing we asked
        '{"jsonrpc": "2.0", "id": 98, "error": "not an object"}',  # a malformed response
        "",
    ]
    for number, line in enumerate(silent, 100):
        server.send(line)
        # the next thing on the wire is the ping's answer: nothing was said about `line`
        answer = server.ask({"jsonrpc": "2.0", "id": number, "method": "ping"})
        assert answer == {"jsonrpc": "2.0", "id": number, "result": {}}, (line, answer)


def test_bad_tool_arguments_are_tool_errors_never_internal(
    server: RawServer, repo: Path, tmp_path: Path
) -> None:
    (tmp_path / "private.txt").write_text("private notes\n")
    (repo / "notes.md").symlink_to(tmp_path / "private.txt")
    os.mkfifo(repo / "src" / "pipe.py")
    server.ask(INITIALIZE)
    server.send({"jsonrpc": "2.0", "method": "notifications/initialized"})
    cases: list[tuple[str, Any, str]] = [
        ("outline", {"path": "src/a\0b.py"}, "NUL byte"),
        ("render", {"paths": ["src/a\0b.py"]}, "NUL byte"),
        ("render", {"paths": ["../etc/passwd"]}, "refusing path outside the repository"),
        ("render", {"paths": ["notes.md"]}, "symlink to a place outside"),
        ("outline", {"path": "notes.md"}, "symlink to a place outside"),
        ("outline", {"path": " "}, "empty path"),
        ("query", {"task": ["retry"]}, "is not of type 'string'"),
        ("render", {"paths": "src/payments/retry.py"}, "is not of type 'array'"),
    ]
    for number, (name, arguments, message) in enumerate(cases, 20):
        answer = server.ask(call(number, name, arguments))
        assert answer["id"] == number, answer
        result = answer["result"]
        text = result["content"][0]["text"]
        assert result["isError"] and message in text, (name, arguments, text)
        assert "internal error" not in text and "private notes" not in text

    # a whole float where an integer is wanted is fine; a FIFO (never indexed) is a note,
    # never a hang
    started = time.monotonic()
    answer = server.ask(
        call(40, "render", {"paths": ["src/pipe.py", "README.md"], "max_tokens": 2e3})
    )
    text = answer["result"]["content"][0]["text"]
    assert not answer["result"].get("isError"), text
    assert "`src/pipe.py`: not in the index (no such file, or ignored)" in text
    assert "# Payments" in text
    assert time.monotonic() - started < DEADLINE
    top = server.ask(call(41, "query", {"task": "retry", "top": 1.0}))
    assert len(top["result"]["structuredContent"]["Files"]) == 1


def run_to_the_end(root: Path, lines: list[str | dict[str, Any]]) -> tuple[int, list[Any]]:
    """Start ``atlas mcp``, write ``lines``, close its stdin: (exit code, every answer)."""
    text = "".join((x if isinstance(x, str) else json.dumps(x)) + "\n" for x in lines)
    done = subprocess.run(
        [atlas_executable(), "mcp", "--root", str(root)],
        input=text.encode(),
        capture_output=True,
        timeout=DEADLINE * 2,
        env={**os.environ, "ATLAS_LOAD_PLUGINS": "mcp"},
    )
    return done.returncode, [json.loads(line) for line in done.stdout.splitlines()]


def test_requests_read_before_the_input_ends_are_answered_first(repo: Path) -> None:
    code, answers = run_to_the_end(
        repo,
        [
            INITIALIZE,
            {"jsonrpc": "2.0", "method": "notifications/initialized"},
            call(2, "query", {"task": "retry backoff", "top": 1}),
            {"jsonrpc": "2.0", "id": "3", "method": "ping"},
            call(4, "outline", {"path": "src/payments/retry.py"}),
        ],
    )
    assert code == 0
    by_id = {a["id"]: a for a in answers}
    assert sorted(by_id, key=str) == [2, "3", 4, "init"], answers
    assert by_id[2]["result"]["structuredContent"]["Files"][0]["Path"] == "src/payments/retry.py"
    assert by_id[4]["result"]["structuredContent"]["Symbols"]


def test_a_line_cut_short_by_the_end_of_input_is_answered_and_the_server_exits(
    repo: Path,
) -> None:
    partial = '{"jsonrpc": "2.0", "id": 9, "method": "tools/call", "params": {"name": "que'
    code, answers = run_to_the_end(repo, [INITIALIZE, partial])
    assert code == 0
    by_id = {a["id"]: a for a in answers}  # the screen may answer before the SDK does
    assert len(answers) == 2 and set(by_id) == {"init", None}
    assert by_id[None]["error"]["code"] == PARSE_ERROR


#: a signal that notes each task it scores, then holds the call until the test opens the gate
GATE_PLUGIN = """
import os, time
from pathlib import Path

import numpy as np
from atlas_core.api import Signal, hookimpl


class Gate(Signal):
    name = "gate"

    def score(self, ctx):
        folder = Path(os.environ["GATE_DIR"])
        with open(folder / "seen", "a") as fh:
            fh.write(ctx.query + "\\n")
        deadline = time.monotonic() + 60
        while not (folder / "open").exists() and time.monotonic() < deadline:
            time.sleep(0.01)
        return np.zeros(len(ctx.index))


@hookimpl
def atlas_register_signals(registry):
    registry.add(Gate())
"""


def until(check: Any, what: str) -> None:
    """Wait for ``check()`` to be true, within the deadline."""
    deadline = time.monotonic() + DEADLINE
    while not check():
        if time.monotonic() > deadline:
            pytest.fail(f"{what} did not happen within {DEADLINE} s")
        time.sleep(0.01)


def test_a_call_cancelled_while_it_waits_for_its_turn_never_runs(
    repo: Path, tmp_path: Path
) -> None:
    site, gate = tmp_path / "site", tmp_path / "gate"
    (site / "atlas_gate-0.1.dist-info").mkdir(parents=True)
    (site / "atlas_gate-0.1.dist-info" / "METADATA").write_text(
        "Metadata-Version: 2.1\nName: atlas-gate\nVersion: 0.1\n"
    )
    (site / "atlas_gate-0.1.dist-info" / "entry_points.txt").write_text(
        "[atlas]\ngate = atlas_fake_gate\n"
    )
    (site / "atlas_fake_gate.py").write_text(GATE_PLUGIN)
    gate.mkdir()
    with (repo / "atlas.toml").open("a") as fh:
        fh.write('[presets.gated]\nextends = "fast"\nsignals = { bm25f = 1.0, gate = 1.0 }\n')
    seen = gate / "seen"

    def tasks() -> list[str]:
        return seen.read_text().splitlines() if seen.exists() else []

    env = {"ATLAS_LOAD_PLUGINS": "mcp,gate", "PYTHONPATH": str(site), "GATE_DIR": str(gate)}
    server = RawServer(repo, env)
    try:
        server.ask(INITIALIZE)
        server.send({"jsonrpc": "2.0", "method": "notifications/initialized"})
        assert not server.ask(call(1, "query", {"task": "retry"}))["result"].get("isError")
        assert tasks() == []  # the gate runs in its preset only

        server.send(call(2, "query", {"task": "first", "preset": "gated"}))
        until(lambda: tasks() == ["first"], "the first gated call")
        server.send(call(3, "query", {"task": "third", "preset": "gated"}))  # waits its turn
        cancel = {"requestId": 3, "reason": "too slow"}
        server.send({"jsonrpc": "2.0", "method": "notifications/cancelled", "params": cancel})
        # the loop is free: a ping is answered while the first call still runs
        assert server.ask({"jsonrpc": "2.0", "id": 4, "method": "ping"})["id"] == 4

        (gate / "open").touch()
        assert server.next("the first call")["id"] == 2
        fifth = server.ask(call(5, "query", {"task": "fifth", "preset": "gated"}))
        assert fifth["id"] == 5, fifth  # nothing was said about the cancelled call
        assert tasks() == ["first", "fifth"]  # and it never ran
    finally:
        (gate / "open").touch()
        server.close()


#: a fuser that raises what the file MODE_FILE names, or leaves a non-daemon thread running
HOSTILE_PLUGIN = """
import os, threading, time
from pathlib import Path

from atlas_core.api import Fuser, WeightedFusion, hookimpl


class Weird(BaseException):
    pass


class Hostile(Fuser):
    name = "hostile"

    def fuse(self, scores, weights):
        mode = Path(os.environ["MODE_FILE"]).read_text()
        if mode == "thread":
            threading.Thread(target=lambda: time.sleep(3600), daemon=False).start()
        elif mode:
            raise eval(mode)
        return WeightedFusion().fuse(scores, weights)


@hookimpl
def atlas_register_fusers(registry):
    registry.add(Hostile())
"""


def test_a_plugin_exiting_or_interrupting_is_a_tool_error_and_the_server_goes_on(
    repo: Path, tmp_path: Path
) -> None:
    site, mode = tmp_path / "site", tmp_path / "mode"
    (site / "atlas_hostile-0.1.dist-info").mkdir(parents=True)
    (site / "atlas_hostile-0.1.dist-info" / "METADATA").write_text(
        "Metadata-Version: 2.1\nName: atlas-hostile\nVersion: 0.1\n"
    )
    (site / "atlas_hostile-0.1.dist-info" / "entry_points.txt").write_text(
        "[atlas]\nhostile = atlas_fake_hostile\n"
    )
    (site / "atlas_fake_hostile.py").write_text(HOSTILE_PLUGIN)
    with (repo / "atlas.toml").open("a") as fh:
        fh.write('[presets.hostile]\nextends = "fast"\nfuser = "hostile"\n')
    env = {"ATLAS_LOAD_PLUGINS": "mcp,hostile", "PYTHONPATH": str(site), "MODE_FILE": str(mode)}
    mode.write_text("")
    server = RawServer(repo, env)
    try:
        server.ask(INITIALIZE)
        server.send({"jsonrpc": "2.0", "method": "notifications/initialized"})
        raised = ["SystemExit(0)", "SystemExit(3)", "GeneratorExit()", "KeyboardInterrupt()"]
        for n, what in enumerate([*raised, "Weird('odd')"], 1):
            mode.write_text(what)
            answer = server.ask(call(n, "query", {"task": "retry", "preset": "hostile"}))
            assert answer["id"] == n and answer["result"]["isError"], answer
            message = answer["result"]["content"][0]["text"]
            assert message.startswith("plugin atlas-hostile: fuser hostile failed while fusing")
        mode.write_text("thread")  # a thread left running does not keep the server alive
        answer = server.ask(call(9, "query", {"task": "retry", "preset": "hostile"}))
        assert not answer["result"].get("isError"), answer
    finally:
        server.close()
    assert server.proc.returncode == 0


# -- the screen itself, in-process ------------------------------------------------------


@pytest.mark.parametrize(("line", "id_", "code"), MALFORMED[:-1])
def test_screen_answers_what_the_sdk_would_swallow(line: str, id_: Any, code: int) -> None:
    verdict = screen(line)
    assert verdict.line is None and verdict.reply is not None
    assert verdict.reply["id"] == id_ and verdict.reply["error"]["code"] == code
    assert verdict.reply["jsonrpc"] == "2.0" and verdict.reply["error"]["message"]


@pytest.mark.parametrize(
    "line",
    [
        json.dumps(INITIALIZE),
        '{"jsonrpc": "2.0", "id": 1, "method": "ping"}',
        '{"jsonrpc": "2.0", "method": "notifications/initialized"}',
        '{"jsonrpc": "2.0", "id": 1, "method": "frobnicate"}',  # the SDK says -32601
        '{"jsonrpc": "2.0", "id": 3, "result": {}}',
    ],
)
def test_screen_passes_valid_messages_untouched(line: str) -> None:
    assert screen(line).line == line


def test_screen_refuses_lone_surrogates_with_the_id() -> None:
    verdict = screen('{"jsonrpc": "2.0", "id": 8, "method": "ping", "params": {"x": "\\ud800"}}')
    assert verdict.reply is not None and verdict.reply["id"] == 8
    assert verdict.reply["error"]["code"] == INVALID_REQUEST


def test_the_screen_names_requests_owed_an_answer_and_cancellations() -> None:
    assert screen('{"jsonrpc": "2.0", "id": "7", "method": "ping"}').asks == 7  # as the SDK
    assert screen('{"jsonrpc": "2.0", "id": "a", "method": "ping"}').asks == "a"
    cancel = {"jsonrpc": "2.0", "method": "notifications/cancelled", "params": {"requestId": 7}}
    verdict = screen(json.dumps(cancel))
    assert verdict.cancels == 7 and verdict.asks is None and verdict.line
    assert screen('{"jsonrpc": "2.0", "id": 3, "result": {}}').asks is None
