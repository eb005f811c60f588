"""A request id on every request and every answer, outermost of all the layers.

The id is the client's `X-Request-ID` when it is well-formed: 1 to 128 characters, each an ASCII
letter, digit, `.`, `_`, `:` or `-` (a UUID, a ULID, a trace id, a load balancer's id all fit).
Anything else (empty, too long, spaces, quotes, control characters, non-ASCII) is replaced by
a new id, 32 hex digits from the OS's random source, so a client cannot write arbitrary text
into the logs or into a header it gets back. Only the first `X-Request-ID` of a request counts.

The id goes into the scope's state (`app.logs.request_id(scope)`; `request.state.request_id`
in a route), where the access log and the error handler read it, and out as the answer's
`X-Request-ID`. The header is added here, after every inner layer has answered, so it is on
cache hits, 304s, problems and streams alike, and the response cache never sees it: a stored
answer cannot carry another request's id.

An exception that reaches this layer has been answered already (FastAPI's 500 handler) or is
answered here with a 500 problem. It is logged once, as one line (app/logs.py), and not raised
further: the server would log it again as a many-line traceback without the request id.
"""

import os
import re

from starlette.types import ASGIApp, Message, Receive, Scope, Send

from app import logs
from app.middleware.conditional import send_problem

HEADER = b"x-request-id"
WELL_FORMED = re.compile(rb"[A-Za-z0-9._:-]{1,128}")


def incoming_id(headers: list[tuple[bytes, bytes]]) -> str | None:
    """The request's own `X-Request-ID`, if it has one and it is well-formed."""
    for name, value in headers:
        if name == HEADER:  # ASGI servers give header names in lowercase
            return value.decode("ascii") if WELL_FORMED.fullmatch(value) else None
    return None


def new_id() -> str:
    return os.urandom(16).hex()


class RequestIdMiddleware:
    def __init__(
        self,
        app: ASGIApp,
        *,
        log_format: logs.LogFormat = "auto",
        write: logs.Writer = logs.stderr,
    ) -> None:
        self.app = app
        self.write = write
        self.text = logs.writes_text(log_format)

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        rid = incoming_id(scope["headers"]) or new_id()
        scope = {**scope, "state": {**scope.get("state", {}), logs.REQUEST_ID: rid}}
        header = (HEADER, rid.encode("ascii"))
        started = False

        async def send_with_id(message: Message) -> None:
            nonlocal started
            if message["type"] == "http.response.start":
                started = True
                # A new list: the one given may be a stored answer's, shared by every hit.
                message = {**message, "headers": [*message.get("headers", ()), header]}
            await send(message)

        try:
            await self.app(scope, receive, send_with_id)
        except Exception as exc:
            if not logs.was_logged(exc):
                route = scope.get("route")
                line = logs.error_line(
                    exc=exc,
                    request_id=rid,
                    method=scope["method"],
                    path=scope["path"],
                    route=getattr(route, "path", None),
                    text=self.text,
                )
                self.write(line)
            if not started:
                await send_problem(
                    send_with_id,
                    status=500,
                    kind="internal-error",
                    detail="The server failed to answer this request; it has been logged.",
                    path=scope["path"],
                    extra=[],
                )
