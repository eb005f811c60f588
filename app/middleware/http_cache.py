"""HTTP caching in front of every GET: ETag/Last-Modified validators, preconditions (304, 412),
HEAD, compression, and a cache of finished response bytes keyed by dataset version.

The ETag is derived from the dataset version (which the VersionWatcher re-reads at most every
`ttl` seconds) and the request target. Preconditions are evaluated, in RFC 9110 §13.2.2's
order, only where the answer would be a 200: on a stored answer (stored only when it was a 200)
or after the route has run, never ahead of the route's own validation and 404s. Bodies are
stored already compressed, once per (version, target, coding).

The cache is bounded by entries and by bytes (bodies, headers and keys), evicting the least
recently used. Its key is the host, the path and the query string, except on the paths named
`query_free`: the documentation, its static files and the dashboard, whose answers do not depend
on the query (every other route refuses a parameter it does not declare, with a 400 that is not
stored), so `/openapi.json?cachebust=N` is one entry, not N.

A GET with an `Authorization` header is neither served from nor stored in the cache, and its
answers are `private` (RFC 9111 §3.5: no shared cache may reuse an answer to a request that
carried credentials, so no `Vary: Authorization` is needed). Other methods pass through; after
an unsafe one answered 2xx (a write), the version is re-read on the next request, so this worker
serves the write at once (and every other worker within `ttl`).
"""

import functools
import gzip
import hashlib
from collections.abc import Callable

from sqlalchemy import Engine
from starlette.datastructures import MutableHeaders
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from app.db_errors import RETRY_AFTER
from app.middleware.conditional import (
    VARY,
    Conditions,
    precondition_answer,
    read_conditions,
    send_answer,
    send_problem,
    validators,
)
from app.middleware.negotiation import accepts, choose_encoding
from app.middleware.response_store import Key, ResponseStore, Stored
from app.replica import READ_ENGINE
from app.services.dataset import TOTAL_LIMIT, Serving, VersionInfo, VersionWatcher

try:
    import brotli  # type: ignore[import-untyped]

    CODINGS: tuple[str, ...] = ("br", "gzip")
except ImportError:  # pragma: no cover - brotli is a dependency; this keeps it optional
    CODINGS = ("gzip",)

COMPRESSIBLE = ("application/json", "application/problem+json", "text/", "application/javascript")
MAX_COUNTS = 4096  # distinct filters whose count a process keeps per dataset version
# Replaced when stored; and never stored: an X-Request-ID belongs to one request, not to the hits
# (the request-id layer, outside this one, adds each request's own).
DROPPED = {
    *(b"content-length", b"content-encoding", b"etag", b"last-modified", b"cache-control"),
    b"x-request-id",
}
UNSAFE = frozenset({"POST", "PUT", "PATCH", "DELETE"})


@functools.lru_cache(maxsize=256)
def _encoding(accept_encoding: str | None) -> str:
    return choose_encoding(accept_encoding, CODINGS)


@functools.lru_cache(maxsize=256)
def _accepts(accept: str | None, media_type: str) -> bool:
    return accepts(accept, media_type)


def compress(body: bytes, coding: str) -> bytes:
    # The fastest levels, as ASP.NET Core's brotli and nginx's gzip default to: a miss pays for
    # its compression while it is served (brotli 5 was a quarter of a miss's time), for bodies
    # a quarter to a third smaller than these levels give; and hits reuse them.
    if coding == "br":
        return bytes(brotli.compress(body, quality=1))
    return gzip.compress(body, compresslevel=1, mtime=0)


def _etag(info: VersionInfo, target: bytes, coding: str) -> str:
    digest = hashlib.blake2b(target, digest_size=8).hexdigest()
    return f'"{info.version}-{digest}-{coding}"'


class HTTPCacheMiddleware:
    def __init__(
        self,
        app: ASGIApp,
        *,
        versions: VersionWatcher,
        max_entries: int = 4096,
        max_bytes: int = 64 * 2**20,
        min_compress: int = 1024,
        max_body: int = 4 * 1024 * 1024,
        bypass: tuple[str, ...] = ("/healthz",),
        query_free: tuple[str, ...] = (),
        version_wait: float = 2.0,
        cold_wait: float = 12.0,
        total_limit: int = TOTAL_LIMIT,
        on_outcome: Callable[[str], None] | None = None,
    ) -> None:
        self.app = app
        self.versions = versions
        self.total_limit = total_limit  # where the counts of list pages stop (`Serving`)
        # Told "hit", "miss" or "private" (credentials) per GET or HEAD it could serve (metrics).
        self.on_outcome = on_outcome
        self.min_compress = min_compress
        self.max_body = min(max_body, max_bytes)
        self.bypass = bypass
        # Paths (and, ending in "/", path prefixes) whose answers ignore the query string.
        self.query_free = frozenset(p for p in query_free if not p.endswith("/"))
        self.query_free_prefixes = tuple(p for p in query_free if p.endswith("/"))
        self.stored = ResponseStore(max_entries=max_entries, max_bytes=max_bytes)
        self._serving_state: Serving | None = None
        self.version_wait = version_wait
        self.cold_wait = cold_wait

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        if scope["method"] not in ("GET", "HEAD"):
            unsafe = scope["method"] in UNSAFE
            await self.app(scope, receive, self._expiring(send) if unsafe else send)
            return
        head = scope["method"] == "HEAD"
        if head:
            scope = {**scope, "method": "GET"}  # HEAD is GET without the body, everywhere
        if scope["path"] in self.bypass:
            if head:  # told, so that a stream that never ends answers with its headers alone
                scope = {**scope, "state": {**scope.get("state", {}), "head": True}}
            await self.app(scope, receive, _without_body(send) if head else send)
            return
        reading = self.versions.serve() or await self.versions.refreshed(
            wait=self.version_wait, cold_wait=self.cold_wait
        )
        if reading is None:
            await send_problem(
                send,
                status=503,
                kind="service-unavailable",
                detail="The database is unavailable; retry after Retry-After seconds.",
                path=scope["path"],
                extra=[(b"retry-after", str(RETRY_AFTER).encode())],
            )
            return
        info = reading.info
        request = read_conditions(scope["headers"])
        coding = _encoding(request.accept_encoding)
        # The Host is part of the key: the feeds' links are absolute, built from it.
        host = (request.host or "").encode("latin-1")
        path = scope["path"]
        query_free = path in self.query_free or path.startswith(self.query_free_prefixes)
        target = host + b" " + path.encode() + (b"" if query_free else b"?" + scope["query_string"])
        key = (info.version, coding, target)
        # A request with credentials never gets a stored answer: it may be answered otherwise.
        stored = self.stored.get(key) if request.authorization is None else None
        if stored is None or not _accepts(request.accept, stored.media_type):
            if self.on_outcome is not None:
                self.on_outcome("miss" if request.authorization is None else "private")
            # Unknown yet, or not servable to this client (the route answers with its 406):
            # the route decides, and preconditions apply only if it answers 200.
            etag = stored.etag if stored is not None else _etag(info, target, coding)
            await self._call_app(
                scope,
                receive,
                send,
                head=head,
                key=key,
                etag=etag,
                info=info,
                reads=reading.engine,
                request=request,
            )
            return
        if self.on_outcome is not None:
            self.on_outcome("hit")
        if request.conditional and await precondition_answer(
            send, request=request, etag=stored.etag, info=info, path=scope["path"]
        ):
            return
        self.stored.touch(key)
        await send_answer(
            send, status=200, headers=stored.headers, body=b"" if head else stored.body
        )

    def _expiring(self, send: Send) -> Send:
        """`send`, which on a 2xx start (the write is committed by then) makes the next
        request re-read the version, before the client can see the answer and ask again."""

        async def wrapped(message: Message) -> None:
            if message["type"] == "http.response.start" and 200 <= message["status"] < 300:
                self.versions.expire()
            await send(message)

        return wrapped

    async def _call_app(
        self,
        scope: Scope,
        receive: Receive,
        send: Send,
        *,
        head: bool,
        key: Key,
        etag: str,
        info: VersionInfo,
        reads: Engine,
        request: Conditions,
    ) -> None:
        start: Message | None = None
        chunks: list[bytes] = []

        async def capture(message: Message) -> None:
            nonlocal start
            if message["type"] == "http.response.start":
                start = message
            elif message["type"] == "http.response.body":
                chunks.append(message.get("body", b""))

        # The version travels with the request, in the scope's state, to the routes that page;
        # so does the database it was read from, where the routes read (app/replica.py).
        state = {
            **scope.get("state", {}),
            "serving": self._serving(info.version),
            READ_ENGINE: reads,
        }
        try:
            await self.app({**scope, "state": state}, receive, capture)
        except Exception:
            # FastAPI's error layer answered (a 500 problem) and then re-raised for the server
            # to log: pass its answer on before the exception goes up.
            if start is not None:
                headers = start.get("headers", [])
                await send_answer(
                    send, status=int(start["status"]), headers=headers, body=b"".join(chunks)
                )
            raise
        assert start is not None
        body = b"".join(chunks)
        status = int(start["status"])
        raw = MutableHeaders(raw=list(start.get("headers", [])))
        media_type = raw.get("content-type", "").split(";")[0].strip()
        if status != 200:
            raw.append("Vary", VARY)
            await send_answer(send, status=status, headers=raw.raw, body=b"" if head else body)
            return
        coding = key[1]
        own = raw.get("etag")
        if own is not None and own.endswith('"'):
            # A route that knows its representation's own validator (an entity's document)
            # gives it: unlike the version's, it survives writes elsewhere. Suffixed by coding.
            etag = f'{own[:-1]}-{coding}"'
        headers = [(k, v) for k, v in raw.raw if k.lower() not in DROPPED]
        compressible = media_type.startswith(COMPRESSIBLE)
        if coding != "identity" and compressible and len(body) >= self.min_compress:
            body = compress(body, coding)
            headers.append((b"content-encoding", coding.encode()))
        private = request.authorization is not None
        headers += validators(info, etag, private=private)
        headers.append((b"content-length", str(len(body)).encode()))
        if not private and len(body) <= self.max_body:
            self.stored.put(key, Stored(headers, body, media_type, etag))
        if not _accepts(request.accept, media_type):
            # Let through for its errors (it accepts problems only); its 200 is not servable.
            await send_problem(
                send,
                status=406,
                kind="not-acceptable",
                detail=f"This resource is only available as {media_type}.",
                path=scope["path"],
                extra=[],
            )
            return
        if request.conditional and await precondition_answer(
            send, request=request, etag=etag, info=info, path=scope["path"]
        ):
            return
        await send_answer(send, status=200, headers=headers, body=b"" if head else body)

    def _serving(self, version: int) -> Serving:
        state = self._serving_state
        if state is None or state.version != version or len(state.counts) > MAX_COUNTS:
            # Counts made at an older version are dropped with it (and the lot when full).
            state = self._serving_state = Serving(version, {}, self.total_limit)
        return state


def _without_body(send: Send) -> Send:
    async def wrapped(message: Message) -> None:
        if message["type"] == "http.response.body":
            message = {**message, "body": b""}
        await send(message)

    return wrapped
