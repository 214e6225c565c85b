"""A checkpoint in front of the SDK's stdio reader: every request with an id gets an answer.

The ``mcp`` SDK drops a line it cannot validate without a word, so a client that sent a
request with an ``id`` but no ``method``, or with positional ``params``, would wait
forever. :func:`screen` looks at each line first and answers what the SDK would swallow,
following JSON-RPC 2.0:

- not JSON: ``-32700`` Parse error, id null;
- not an object (a batch, a number), no ``method``, a bad ``id`` or ``jsonrpc``:
  ``-32600`` Invalid Request, with the id when there is a usable one (null otherwise);
- ``params`` that is not an object: ``-32602`` Invalid params, with the id;
- anything else the SDK's own message model rejects: ``-32600`` with the id.

A notification (a ``method`` and no ``id``) is never answered, nor is a response from the
client (``result`` or ``error``): a bad one is logged and dropped. Valid lines pass on
untouched; unknown methods are left to the SDK, which answers ``-32601``.

The end of input waits for the answers still owed (:class:`Owed`): the SDK cancels what is
running when its reader ends, so a client that sends its last request and closes stdin
would otherwise get no answer to it. A request the client cancelled is owed nothing.
"""

from __future__ import annotations

import json
import logging
from collections import Counter
from collections.abc import Callable
from typing import Any

import attrs

__all__ = [
    "INVALID_PARAMS",
    "INVALID_REQUEST",
    "PARSE_ERROR",
    "Owed",
    "ScreenedLines",
    "SharedWriter",
    "Verdict",
    "screen",
]

log = logging.getLogger(__name__)

PARSE_ERROR = -32700
INVALID_REQUEST = -32600
INVALID_PARAMS = -32602


@attrs.frozen
class Verdict:
    """What to do with one line: pass it on, answer it (``reply``), or drop it."""

    line: str | None = None
    reply: dict[str, Any] | None = None
    note: str = ""
    #: the id of a request passed on: it is owed an answer
    asks: Any = None
    #: the id of the request a ``notifications/cancelled`` passed on withdraws
    cancels: Any = None


def _error(id_: Any, code: int, message: str) -> Verdict:
    reply = {"jsonrpc": "2.0", "id": id_, "error": {"code": code, "message": message}}
    return Verdict(reply=reply, note=message)


def _drop(note: str) -> Verdict:
    return Verdict(note=note)


def _no_constants(name: str) -> Any:
    raise ValueError(f"{name} is not JSON")


def _encodable(message: Any) -> bool:
    try:
        json.dumps(message, ensure_ascii=False).encode("utf-8")
    except (UnicodeEncodeError, RecursionError):
        return False
    return True


def _usable_id(value: Any) -> bool:
    return isinstance(value, str | int) and not isinstance(value, bool)


def request_key(value: Any) -> Any:
    """An id as the SDK correlates it: ``"7"`` and ``7`` are one request."""
    if isinstance(value, str):
        try:
            return int(value)
        except ValueError:
            pass
    return value


def _sdk_check(line: str) -> str | None:
    """Why the SDK's message model rejects ``line`` (its first complaint), or None."""
    import mcp_types as types
    from pydantic import ValidationError

    try:
        types.jsonrpc_message_adapter.validate_json(line, by_name=False)
    except ValidationError as exc:
        errors = exc.errors()
        first: dict[str, Any] = dict(errors[0]) if errors else {}
        where = ".".join(str(p) for p in first.get("loc", ()) if not isinstance(p, int))
        return f"{where}: {first.get('msg', 'invalid')}" if where else str(first.get("msg"))
    except ValueError as exc:
        return str(exc)
    return None


def screen(line: str) -> Verdict:
    """The verdict on one line read from the client (see the module docstring)."""
    if not line.strip():
        return _drop("")
    try:
        message = json.loads(line, parse_constant=_no_constants)
    except (ValueError, RecursionError) as exc:
        return _error(None, PARSE_ERROR, f"Parse error: {str(exc).splitlines()[0][:200]}")
    if isinstance(message, list):
        return _error(None, INVALID_REQUEST, "Invalid Request: batches are not supported")
    if not isinstance(message, dict):
        return _error(None, INVALID_REQUEST, "Invalid Request: a message must be a JSON object")

    has_id = "id" in message
    id_ = message.get("id")
    if "method" not in message and ("result" in message or "error" in message):
        # a response to one of our requests: never answered, even when malformed
        problem = _sdk_check(line)
        return _drop(f"dropped a malformed response: {problem}") if problem else Verdict(line)
    if has_id and not _usable_id(id_):
        return _error(None, INVALID_REQUEST, "Invalid Request: id must be a string or an integer")
    reply_id = id_ if has_id else None
    method = message.get("method")
    notification = not has_id and isinstance(method, str)

    problem = ""
    code = INVALID_REQUEST
    if message.get("jsonrpc") != "2.0":
        problem = 'Invalid Request: "jsonrpc" must be "2.0"'
    elif "method" not in message:
        problem = "Invalid Request: no method"
    elif not isinstance(method, str):
        problem = "Invalid Request: method must be a string"
    elif "params" in message and not isinstance(message["params"], dict):
        problem, code = "Invalid params: params must be an object", INVALID_PARAMS
    else:
        sdk = _sdk_check(line)
        problem = f"Invalid Request: {sdk}" if sdk else ""
    if not problem and not _encodable(message):
        # a lone surrogate (``"\\ud800"``) would break the UTF-8 of our answer later
        problem = "Invalid Request: a string holds a lone surrogate, which is not Unicode text"
    if not problem:
        if has_id:
            return Verdict(line, asks=request_key(id_))
        if method == "notifications/cancelled":
            cancelled = (message.get("params") or {}).get("requestId")
            if _usable_id(cancelled):
                return Verdict(line, cancels=request_key(cancelled))
        return Verdict(line)
    if notification:
        return _drop(f"dropped a malformed notification {method!r}: {problem}")
    return _error(reply_id, code, problem)


class Owed:
    """The requests passed on to the SDK and not answered yet (a multiset of ids)."""

    def __init__(self) -> None:
        import anyio

        self._ids: Counter[Any] = Counter()
        self._changed = anyio.Event()

    def __len__(self) -> int:
        return sum(self._ids.values())

    def add(self, key: Any) -> None:
        self._ids[key] += 1

    def answered(self, key: Any) -> None:
        if self._ids[key] > 1:
            self._ids[key] -= 1
        else:
            self.withdraw(key)

    def withdraw(self, key: Any) -> None:
        """``key`` is owed nothing more (answered, or cancelled by the client)."""
        self._ids.pop(key, None)
        self._changed.set()

    async def settled(self) -> None:
        """Return once every request is answered or withdrawn."""
        import anyio

        while self._ids:
            self._changed = anyio.Event()
            await self._changed.wait()


class SharedWriter:
    """The server's stdout, shared by the SDK's writer and :class:`ScreenedLines`.

    One lock around every write and flush, so two answers never interleave on the wire.
    Each answer the SDK writes is crossed off :attr:`owed`.
    """

    def __init__(self, stream: Any) -> None:
        import anyio

        self._stream = stream
        self._lock = anyio.Lock()
        self.owed = Owed()

    async def write(self, text: str) -> None:
        async with self._lock:
            await self._stream.write(text)
        if self.owed:
            self._cross_off(text)

    def _cross_off(self, text: str) -> None:
        try:
            message = json.loads(text)
        except ValueError:
            return
        if isinstance(message, dict) and ("result" in message or "error" in message):
            self.owed.answered(request_key(message.get("id")))

    async def flush(self) -> None:
        async with self._lock:
            await self._stream.flush()

    async def send_line(self, text: str) -> None:
        """``text`` and a newline, flushed, as one unit."""
        async with self._lock:
            await self._stream.write(text + "\n")
            await self._stream.flush()


class ScreenedLines:
    """The client's lines, as the SDK's stdio reader iterates them, after :func:`screen`.

    Lines the SDK would swallow are answered here (on ``out``) or dropped; the rest are
    handed on unchanged.
    """

    def __init__(
        self, lines: Any, out: SharedWriter, judge: Callable[[str], Verdict] = screen
    ) -> None:
        self._lines = lines.__aiter__()
        self._out = out
        self._judge = judge

    def __aiter__(self) -> ScreenedLines:
        return self

    async def __anext__(self) -> str:
        while True:
            try:
                line: str = await self._lines.__anext__()
            except StopAsyncIteration:
                # the SDK cancels what still runs once its reader ends: answer first
                await self._out.owed.settled()
                raise
            verdict = self._judge(line)
            if verdict.asks is not None:
                self._out.owed.add(verdict.asks)
            if verdict.cancels is not None:
                self._out.owed.withdraw(verdict.cancels)
            if verdict.line is not None:
                return verdict.line
            if verdict.reply is not None:
                log.info("atlas: answered an invalid message: %s", verdict.note)
                await self._out.send_line(json.dumps(verdict.reply, separators=(",", ":")))
            elif verdict.note:
                log.warning("atlas: %s", verdict.note)
