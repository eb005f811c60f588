"""One JSON line per request, written in batches.

uvicorn's access log formats and flushes a record per request through `logging`, which cost
about a third of the throughput of a cached answer here. This layer builds each line with
orjson, queues it, and writes everything queued in one system call once the event loop has
run the callbacks that are ready: under load that is a batch per loop turn, and nothing is
held back longer than a loop turn, so a crash loses no line that was not already in flight.

Each line carries the request id (app/middleware/request_id.py) and never a header: no
`Authorization`, no cookie. Keys travel only in `Authorization`; one a client puts in the URL
anyway (`?api_key=…`, `?token=…`, or a bare `sf_…` key) is written as REDACTED.

When stderr is a terminal (or SPACEFACTS_LOG_FORMAT=text) the line is a short one for people
instead: `12:00:01 GET /v1/programs?x=1 200 1234B 2.1ms id=…`.
"""

import asyncio
import re
import time
from typing import Any
from urllib.parse import quote

import orjson
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from app import logs

# The values of query parameters named like credentials, and anything shaped like an API key
# (app/services/keys.py: "sf_" and 43 URL-safe characters).
_SECRET_PARAM = re.compile(
    r"(?i)(?:^|(?<=&))((?:access_token|api_key|apikey|key|token|password|secret|authorization)"
    r"=)[^&]*"
)
_KEY = re.compile(r"sf_[A-Za-z0-9_-]{20,}")


def redacted(text: str) -> str:
    """`text` (a path or query) with credentials replaced; unchanged, and fast, without any."""
    if "=" in text:
        text = _SECRET_PARAM.sub(r"\1REDACTED", text)
    if "sf_" in text:
        text = _KEY.sub("sf_REDACTED", text)
    return text


class AccessLogMiddleware:
    def __init__(
        self,
        app: ASGIApp,
        *,
        write: logs.Writer = logs.stderr,
        log_format: logs.LogFormat = "auto",
    ) -> None:
        self.app = app
        self._write = write
        self._text = logs.writes_text(log_format)
        self._pending: list[bytes] = []
        self._scheduled = False

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        began = time.perf_counter()
        status = 500  # what the client gets if the app fails before it answers
        size = 0

        async def observe(message: Message) -> None:
            nonlocal status, size
            if message["type"] == "http.response.start":
                status = message["status"]
            elif message["type"] == "http.response.body":
                size += len(message.get("body", b""))
            await send(message)

        try:
            await self.app(scope, receive, observe)
        finally:
            client = scope.get("client")
            line: dict[str, Any] = {
                "time": round(time.time(), 3),
                "request_id": logs.request_id(scope),
                "client": client[0] if client else None,
                "method": scope["method"],
                "path": redacted(scope["path"]),
                "query": redacted(scope["query_string"].decode("latin-1")),
                "status": status,
                "bytes": size,
                "ms": round((time.perf_counter() - began) * 1000, 3),
            }
            if self._text:
                self._pending.append(_human(line))
            else:
                self._pending.append(orjson.dumps(line, option=orjson.OPT_APPEND_NEWLINE))
            if not self._scheduled:
                self._scheduled = True
                asyncio.get_running_loop().call_soon(self.flush)

    def flush(self) -> None:
        """Write every queued line at once."""
        self._scheduled = False
        if self._pending:
            data = b"".join(self._pending)
            self._pending.clear()
            self._write(data)


# What a human line keeps as it is; anything else in the path or query (a decoded `%0A`, say)
# is percent-encoded again, so a request cannot forge a line of its own.
_SHOWN = "/:@!$&'()*+,;=-._~%?"


def _human(line: dict[str, Any]) -> bytes:
    """`12:00:01 GET /v1/programs?x=1 200 1234B 2.1ms id=…`, for a person at a terminal."""
    target = quote(line["path"], safe=_SHOWN)
    if line["query"]:
        target += "?" + quote(line["query"], safe=_SHOWN)
    return (
        f"{logs.clock(line['time'])} {line['method']} {target} {line['status']} "
        f"{line['bytes']}B {line['ms']:.1f}ms id={line['request_id']}\n"
    ).encode()
