"""GET /v1/stream: every change as it is committed, as Server-Sent Events, resumable."""

import random
from dataclasses import dataclass
from typing import Annotated

import anyio
import anyio.to_thread
import orjson
from fastapi import Header, Request
from sqlalchemy import Engine
from sqlmodel import Session
from starlette.responses import Response
from starlette.types import Message, Receive, Scope, Send

from app.errors import ProblemError, problem_response
from app.middleware.negotiation import accepts
from app.models.public import NO_NUL
from app.routes.common import ApiRoute, Guard, problem_response_doc
from app.routes.feed import FeedQueryDep, base_url
from app.routes.router import Router
from app.services.feed import FeedFilters
from app.services.stream import StreamHub, changes_after, latest_revision, revision_at

__all__ = ["EventStream", "router"]

router = Router(prefix="/v1", tags=["feed"], dependencies=[Guard], route_class=ApiRoute)
MEDIA_TYPE = "text/event-stream"
BATCH = 100  # changes read and sent at a time when catching up
# The last event of a stream whose server is shutting down. No `id:` line, so the client keeps
# the last change's id as its Last-Event-ID; `retry:` (jittered, so a restarted server's
# clients do not all come back at once) tells EventSource when to reconnect, through the load
# balancer, to a server that is staying.
BYE = (
    b'retry: %d\nevent: bye\ndata: {"reason":"shutdown","detail":"This server is shutting '
    b'down. Reconnect with Last-Event-ID to resume where you left off."}\n\n'
)
BYE_RETRY_MS = (1000, 5000)


@dataclass(frozen=True)
class StreamSettings:
    heartbeat: float
    send_timeout: float


class EventStream(Response):
    """The stream as an ASGI response: it ends when the client leaves, or is too slow."""

    media_type = MEDIA_TYPE

    def __init__(
        self,
        *,
        hub: StreamHub,
        engine: Engine,
        filters: FeedFilters,
        after: int | None,
        base: str,
        settings: StreamSettings,
    ) -> None:
        super().__init__(media_type=MEDIA_TYPE)
        self._hub = hub
        self._session = Session(engine)
        self._filters = filters
        self._after = after
        self._base = base
        self._settings = settings

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if not self._hub.acquire():
            refused = ProblemError(
                503,
                f"This server holds {self._hub.max_clients} streams already; retry later.",
                kind="too-many-streams",
                headers={"Retry-After": "5"},
            )
            await problem_response(refused, scope["path"])(scope, receive, send)
            return
        try:
            await send(
                {
                    "type": "http.response.start",
                    "status": 200,
                    "headers": [
                        (b"content-type", b"text/event-stream; charset=utf-8"),
                        (b"cache-control", b"no-store"),
                        (b"x-accel-buffering", b"no"),  # proxies must not hold events back
                    ],
                }
            )
            if scope.get("state", {}).get("head"):  # a HEAD (app/middleware/http_cache.py)
                await send({"type": "http.response.body", "body": b"", "more_body": False})
                return
            async with anyio.create_task_group() as group:
                group.start_soon(self._until_disconnect, receive, group.cancel_scope)
                await self._pump(send)
                group.cancel_scope.cancel()
        finally:
            self._hub.release()
            self._session.close()

    @staticmethod
    async def _until_disconnect(receive: Receive, scope: anyio.CancelScope) -> None:
        while True:
            message: Message = await receive()
            if message["type"] == "http.disconnect":
                scope.cancel()
                return

    async def _emit(self, send: Send, chunk: bytes) -> bool:
        """Send, or give up on a client that reads too slowly to take it in time."""
        with anyio.move_on_after(self._settings.send_timeout) as waited:
            await send({"type": "http.response.body", "body": chunk, "more_body": True})
        return not waited.cancelled_caught

    def _read(self, after: int) -> tuple[list[bytes], int]:
        items, last = changes_after(
            session=self._session, filters=self._filters, after=after, limit=BATCH, base=self._base
        )
        self._session.rollback()  # end the read: the next one must see newer commits
        out = [
            b"id: %d\nevent: change\ndata: %s\n\n"
            % (item.spacefacts.revision, orjson.dumps(item.model_dump(mode="json", by_alias=True)))
            for item in items
        ]
        return out, last

    def _start(self) -> int:
        """Where to begin: after Last-Event-ID, else after `since`, else from now on."""
        position = self._after
        if position is None and self._filters.since is not None:
            position = revision_at(session=self._session, since=self._filters.since)
        elif position is None:
            position = latest_revision(session=self._session)
        self._session.rollback()
        return position

    async def _bye(self, send: Send) -> None:
        """Say why the stream ends, and end the response, so the connection can close."""
        if not await self._emit(send, BYE % random.randint(*BYE_RETRY_MS)):
            return
        with anyio.move_on_after(self._settings.send_timeout):
            await send({"type": "http.response.body", "body": b"", "more_body": False})

    async def _pump(self, send: Send) -> None:
        after = await anyio.to_thread.run_sync(self._start)
        if not await self._emit(send, b"retry: 2000\n: connected\n\n"):
            return
        while True:
            if self._hub.closing:
                await self._bye(send)
                return
            # Every revision up to the newest the hub has seen was committed before this read
            # began (writers take turns), so the read sees all of them: what the filters left
            # out need not be read again.
            horizon = self._hub.latest
            events, after = await anyio.to_thread.run_sync(self._read, after)
            for event in events:
                if not await self._emit(send, event):
                    return
            if len(events) == BATCH:
                continue  # catching up: read on before waiting
            after = max(after, horizon)
            moved = await self._hub.wait_beyond(after, timeout=self._settings.heartbeat)
            idle = not moved and not self._hub.closing
            if idle and not await self._emit(send, b": heartbeat\n\n"):
                return


def _resume_point(last_event_id: str | None) -> int | None:
    if last_event_id is None or not last_event_id.strip():
        return None
    value = last_event_id.strip()
    if not value.isascii() or not value.isdigit() or len(value) > 18:
        raise ProblemError(
            400,
            "Last-Event-ID must be the id of an event this stream sent (a revision number).",
            kind="invalid-parameter",
            errors=[{"location": "header.Last-Event-ID", "message": "not a revision number"}],
        )
    return int(value)


@router.get(
    "/stream",
    summary="Live changes (Server-Sent Events)",
    status_code=200,
    response_class=EventStream,
    responses={
        200: {
            "description": "`text/event-stream`: one `change` event per revision, its `id:` the "
            "revision number and its `data:` the JSON Feed item of `/v1/feed.json`; a "
            "`: heartbeat` comment every 15 s. Reconnect with `Last-Event-ID` to resume with no "
            "gap and no duplicate. When the server shuts down (a restart or a deploy), the "
            "stream ends with a `bye` event (no `id`, `data` a JSON object with `reason` "
            "`shutdown` and a `detail`) carrying a `retry:` of 1–5 s: reconnect then, with "
            "`Last-Event-ID`, and another server resumes the stream.",
            "content": {
                MEDIA_TYPE: {
                    "schema": {"type": "string", "maxLength": 100_000_000, "pattern": NO_NUL}
                }
            },
        },
        400: problem_response_doc("Invalid parameter or `Last-Event-ID`."),
        406: problem_response_doc("The Accept header does not admit `text/event-stream`."),
        429: problem_response_doc("Rate limit exceeded; retry after `Retry-After` seconds."),
        500: problem_response_doc("Server error; nothing internal is disclosed."),
        503: problem_response_doc("This server holds as many streams as it takes; retry later."),
    },
)
async def read_stream(
    request: Request,
    query: FeedQueryDep,
    last_event_id: Annotated[
        str | None,
        Header(
            alias="Last-Event-ID",
            max_length=20,
            pattern=r"^[0-9]*$",
            description="Resume after this event (browsers send it on reconnecting).",
        ),
    ] = None,
) -> EventStream:
    """Every change as it is committed, with the feed's filters; resumable by event id."""
    # Answered here: the stream passes by the cache layer, which turns other routes' 200s
    # that the client cannot take into 406s.
    if not accepts(request.headers.get("accept"), MEDIA_TYPE):
        raise ProblemError(406, f"This resource is only available as {MEDIA_TYPE}.")
    config = request.app.state.config
    return EventStream(
        hub=request.app.state.stream_hub,
        engine=request.app.state.engine,
        filters=query.filters(),
        after=_resume_point(last_event_id),
        base=base_url(request),
        settings=StreamSettings(config.stream_heartbeat, config.stream_send_timeout),
    )
