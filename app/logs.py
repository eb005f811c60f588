"""What the process writes to stderr: the request id it is about, and one line per event.

Two formats. `json` (the default wherever stderr is not a terminal: containers, files, log
shippers) is one JSON object per line, so a collector never has to stitch lines together. `text`
(when stderr is a terminal, or SPACEFACTS_LOG_FORMAT=text) is a short line a person can read.

This module imports nothing of the app's, so the middleware and the error handlers can share it.
"""

import os
import sys
import time
import traceback
from collections.abc import Callable
from typing import Literal

import orjson
from starlette.types import Scope

LogFormat = Literal["auto", "json", "text"]
Writer = Callable[[bytes], None]
# The scope's "state" key of the request id (app/middleware/request_id.py puts it there);
# Starlette's `request.state.request_id` reads the same value.
REQUEST_ID = "request_id"
# An attribute set on an exception once it has been logged, so the outermost layer does not log
# it a second time when it arrives there.
_LOGGED = "_spacefacts_logged"


def request_id(scope: Scope) -> str | None:
    """The id of the request `scope` belongs to (None outside the request-id middleware)."""
    value = scope.get("state", {}).get(REQUEST_ID)
    return value if isinstance(value, str) else None


def stderr(data: bytes) -> None:
    """Write straight to file descriptor 2: no buffer to lose, one system call per batch."""
    os.write(sys.stderr.fileno(), data)


def writes_text(log_format: LogFormat) -> bool:
    """Whether to write human lines: asked for, or `auto` and stderr is a terminal."""
    if log_format != "auto":
        return log_format == "text"
    return stderr_is_terminal()


def stderr_is_terminal() -> bool:
    try:
        return os.isatty(sys.stderr.fileno())
    except (OSError, ValueError):  # stderr closed or replaced by an object without a descriptor
        return False


def clock(at: float) -> str:
    """The local time of day, to the second: enough for a person watching a terminal."""
    return time.strftime("%H:%M:%S", time.localtime(at))


def refusal_line(*, client: str | None, status: int, kind: str, text: bool) -> bytes:
    """One record of a connection the server answered itself, before any request reached the
    app (a timeout, headers too large, too many connections): who, and why."""
    now = time.time()
    if text:
        return f"{clock(now)} WARNING {client or '-'} refused {status} {kind}\n".encode()
    record = {
        "time": round(now, 3),
        "level": "warning",
        "event": "connection_refused",
        "client": client,
        "status": status,
        "kind": kind,
    }
    return orjson.dumps(record, option=orjson.OPT_APPEND_NEWLINE)


def mark_logged(exc: BaseException) -> None:
    setattr(exc, _LOGGED, True)


def was_logged(exc: BaseException) -> bool:
    return bool(getattr(exc, _LOGGED, False))


def error_line(
    *,
    exc: BaseException,
    request_id: str | None,
    method: str,
    path: str,
    route: str | None,
    text: bool,
    event: str = "unhandled_error",
    with_traceback: bool = True,
) -> bytes:
    """One record of an error; the traceback is one string field, never many lines (and left
    out for an expected failure, such as the database being down: one short line each).

    Messages and tracebacks stay in the server's log: the client's 500 discloses none of it.
    """
    now = time.time()
    trace = _clean("".join(traceback.format_exception(exc))) if with_traceback else ""
    message = _clean(str(exc))
    if not with_traceback:
        message = message.strip().split("\n", 1)[0]  # its first line: what failed, not the SQL
    level = "error" if with_traceback else "warning"
    if text:
        # A person at a terminal reads a traceback best as Python prints it.
        head = f"{clock(now)} {level.upper()} {method} {path} id={request_id} "
        head += f"{type(exc).__name__}: {message}"
        return (head + "\n" + trace if trace else head + "\n").encode("utf-8", "replace")
    record = {
        "time": round(now, 3),
        "level": level,
        "event": event,
        "request_id": request_id,
        "method": method,
        "path": path,
        "route": route,
        "error": type(exc).__name__,
        "message": message,
        "traceback": trace,
    }
    return orjson.dumps(record, option=orjson.OPT_APPEND_NEWLINE)


def _clean(value: str) -> str:
    """`value` without lone surrogates, which orjson refuses (a message may quote any input)."""
    return value.encode("utf-8", "replace").decode("utf-8")
