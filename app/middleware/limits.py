"""Per-process request limits: header fields per request, and requests in progress at once.

Past `max_in_flight` requests in progress, a request is answered at once with a 503 problem and
`Retry-After: 1` rather than queued behind the others: a client (or a balancer) can go
elsewhere or come back, and the process's memory and database pool stay bounded. Live streams
do not count (they last; /v1/stream has its own limit, SPACEFACTS_STREAM_MAX_CLIENTS). A request
with more than `max_headers` header fields is refused with 431 (their bytes are bounded by the
server, app/server_limits.py). The layer sits inside CORS, so a browser can read its answers.
"""

from starlette.types import ASGIApp, Receive, Scope, Send

from app.middleware.conditional import send_problem

__all__ = ["RequestLimitsMiddleware"]


class RequestLimitsMiddleware:
    def __init__(
        self,
        app: ASGIApp,
        *,
        max_in_flight: int,
        max_headers: int,
        exempt: tuple[str, ...] = ("/v1/stream",),
    ) -> None:
        self.app = app
        self.max_in_flight = max_in_flight
        self.max_headers = max_headers
        self.exempt = frozenset(exempt)
        self.in_flight = 0

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        path = scope["path"]
        if len(scope["headers"]) > self.max_headers:
            detail = f"More than {self.max_headers} header fields."
            await send_problem(
                send, status=431, kind="headers-too-large", detail=detail, path=path, extra=[]
            )
            return
        if path in self.exempt:
            await self.app(scope, receive, send)
            return
        if self.in_flight >= self.max_in_flight:
            detail = "This server has as many requests in progress as it takes; retry shortly."
            extra = [(b"retry-after", b"1")]
            await send_problem(
                send, status=503, kind="overloaded", detail=detail, path=path, extra=extra
            )
            return
        self.in_flight += 1
        try:
            await self.app(scope, receive, send)
        finally:
            self.in_flight -= 1
