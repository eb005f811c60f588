"""The connection limits uvicorn lacks, added to its httptools protocol.

uvicorn (as pinned in uv.lock) drops an idle keep-alive connection after `timeout_keep_alive`,
but any byte cancels that timer, and nothing times a request that is being read: a client that
sends its headers a byte at a time (slowloris), or one byte after a response, or nothing at all
after connecting, keeps its connection, and a few thousand of them exhaust the process's file
descriptors. Its httptools parser also reads headers of any size (a 50 MiB header was read
whole). So `spacefacts serve` runs this protocol (uvicorn's `http=` option takes a class):

- a **header timer**, armed when a connection opens and when a response ends, that closes the
  connection unless a whole request line and headers arrive within SPACEFACTS_HEADER_TIMEOUT
  (408 if any byte came, silence otherwise), whatever trickles in meanwhile;
- a **header size** bound: past SPACEFACTS_MAX_HEADER_BYTES (16 KiB) received before the headers
  are whole, a 400 problem (the parser holds at most one more read's worth);
- a **body timer**, from the headers to the body's end, SPACEFACTS_BODY_TIMEOUT;
- a **connection cap** per worker, SPACEFACTS_MAX_CONNECTIONS: a connection past it is answered
  at once with a 503 problem and `Retry-After`, then closed, instead of being reset or queued.

uvicorn's h11 protocol bounds header size by itself, but served a cached answer at about half
the rate (3,350 against 6,450 requests/s here); these limits cost httptools about 6%.

In-flight requests and header counts are limited in the app (app/middleware/limits.py), where
the answer can be a problem like every other. This subclasses uvicorn's protocol and uses its
attributes (`cycle`, `transport`, `loop`, `connections`) and methods (`send_400_response`,
`on_response_complete`): tests/test_server_limits.py runs it as a real server, so a change to
them in an upgrade fails there.
"""

import asyncio
from http import HTTPStatus
from typing import Any, Literal

from uvicorn.config import Config
from uvicorn.protocols.http.httptools_impl import HttpToolsProtocol
from uvicorn.server import ServerState

from app import logs
from app.config import settings
from app.errors import problem_body

__all__ = ["GuardedHttpToolsProtocol", "problem_bytes"]


def problem_bytes(*, status: int, kind: str, detail: str, retry: int = 0) -> bytes:
    """A whole HTTP/1.1 answer that closes the connection: a problem about the connection (its
    `instance` is the root: no request, or no whole one, names another), written instead of
    anything the app answers."""
    body = problem_body(status=status, kind=kind, detail=detail, instance="/", errors=None)
    head = [
        f"HTTP/1.1 {status} {HTTPStatus(status).phrase}",
        "content-type: application/problem+json",
        f"content-length: {len(body)}",
        "connection: close",
        "access-control-allow-origin: *",
        "cache-control: no-store",
    ]
    if retry:
        head.append(f"retry-after: {retry}")
    return ("\r\n".join(head) + "\r\n\r\n").encode("latin-1") + body


Phase = Literal["headers", "body"] | None
LINGER = 2.0  # seconds a refused connection is read (and dropped) before it is closed


class GuardedHttpToolsProtocol(HttpToolsProtocol):
    """uvicorn's httptools protocol with the limits."""

    def __init__(
        self,
        config: Config,
        server_state: ServerState,
        app_state: dict[str, Any],
        _loop: asyncio.AbstractEventLoop | None = None,
    ) -> None:
        super().__init__(config, server_state, app_state, _loop)
        self._header_bytes = 0  # received since the request being read began
        self._timer: asyncio.TimerHandle | None = None
        self._deadline: float | None = None
        self._phase: Phase = None
        self._before: object = None  # the cycle of the request before the one being read
        self._got_bytes = False
        self._closing = False  # answered: what still comes is read and dropped until close

    def connection_made(self, transport: asyncio.Transport) -> None:  # type: ignore[override]
        super().connection_made(transport)
        if len(self.connections) > settings.max_connections:
            self._answer_and_close(
                problem_bytes(
                    status=503,
                    kind="overloaded",
                    detail="Too many connections to this server; retry shortly.",
                    retry=1,
                ),
                status=503,
                kind="overloaded",
            )
            return
        self._await_request()

    def connection_lost(self, exc: Exception | None) -> None:
        self._stop_timer()
        super().connection_lost(exc)

    def data_received(self, data: bytes) -> None:
        if self._closing:
            return
        self._got_bytes = True
        super().data_received(data)
        if self._phase == "headers" and not self._closing:
            # Still no whole request line and headers: all of it so far is theirs. (The parser
            # holds at most one more read's worth before this refuses them.)
            self._header_bytes += len(data)
            if self._header_bytes > settings.max_header_bytes and self.cycle is self._before:
                self.send_400_response("headers too large")
                return
        self._progress()

    def on_response_complete(self) -> None:
        super().on_response_complete()
        if not self.transport.is_closing():
            self._await_request()
            self._progress()  # a pipelined request may have been read already

    def send_400_response(self, msg: str) -> None:  # noqa: ARG002 - the problem says it
        """A malformed request, or headers past the size limit: a problem, then close."""
        self._answer_and_close(
            problem_bytes(
                status=400,
                kind="bad-request",
                detail="The request is malformed, or its request line and headers exceed "
                f"{settings.max_header_bytes} bytes.",
            ),
            status=400,
            kind="bad-request",
        )

    def _await_request(self) -> None:
        """Time the next request from now: its request line and headers, then its body."""
        self._phase, self._before, self._got_bytes = "headers", self.cycle, False
        self._header_bytes = 0
        self._arm(settings.header_timeout)

    def _progress(self) -> None:
        cycle = self.cycle
        if self._phase == "headers" and cycle is not None and cycle is not self._before:
            if cycle.more_body:
                self._phase = "body"
                self._arm(settings.body_timeout)
            else:
                self._phase = None
                self._disarm()
        elif self._phase == "body" and cycle is not None and not cycle.more_body:
            self._phase = None
            self._disarm()  # read whole: the app has it; its response re-arms the timer

    def _arm(self, seconds: float) -> None:
        # A deadline, and one timer that checks it: a busy keep-alive connection only moves the
        # deadline per request, instead of making and cancelling a timer each time (which cost
        # a tenth of a cached answer's throughput).
        self._deadline = self.loop.time() + seconds
        if self._timer is not None and self._timer.when() > self._deadline:
            self._timer.cancel()  # a sooner deadline than the one the timer waits for
            self._timer = None
        if self._timer is None:
            self._timer = self.loop.call_at(self._deadline, self._check)

    def _disarm(self) -> None:
        self._deadline = None

    def _stop_timer(self) -> None:
        self._deadline = None
        if self._timer is not None:
            self._timer.cancel()
            self._timer = None

    def _check(self) -> None:
        self._timer = None
        if self._deadline is None:
            return
        if self.loop.time() < self._deadline:
            self._timer = self.loop.call_at(self._deadline, self._check)
            return
        self._deadline = None
        self._timed_out()

    def _timed_out(self) -> None:
        if self.transport.is_closing():
            return
        # A request the app has not been given yet is answered here. Once it has the headers,
        # closing the connection tells it the client is gone (its body read ends).
        if self._closing or not (self._phase == "headers" and self._got_bytes):
            self.transport.close()
            return
        self._answer_and_close(
            problem_bytes(
                status=408, kind="request-timeout", detail="The request was not received in time."
            ),
            status=408,
            kind="request-timeout",
        )

    def _answer_and_close(self, answer: bytes, *, status: int, kind: str) -> None:
        """Send `answer`, then close gracefully: closing at once with the client's bytes still
        unread would make the kernel reset the connection, and the client might never read
        the answer. So the sending side is shut, what comes in is dropped, and the connection
        closes when the client closes its side or after LINGER seconds."""
        self._closing = True
        client = self.client[0] if self.client else None
        text = logs.writes_text(settings.log_format)
        logs.stderr(logs.refusal_line(client=client, status=status, kind=kind, text=text))
        self.transport.write(answer)
        if self.transport.can_write_eof():
            self.transport.write_eof()
        self._arm(LINGER)
