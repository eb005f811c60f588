"""HTTP caching in front of every GET: ETag/Last-Modified validators, preconditions (304, 412),
HEAD, compression, and a cache of finished response bytes keyed by dataset version.

The ETag is derived from the dataset version (which the VersionWatcher re-reads at most every
`ttl` seconds) and the request target. Preconditions are evaluated, in RFC 9110 §13.2.2's
order, only where the answer would be a 200: on a stored answer (stored only when it was a 200)
or after the route has run, never ahead of the route's own validation and 404s. Bodies are
stored already compressed, once per (version, target, coding).
"""

import functools
import gzip
import hashlib
from collections import OrderedDict
from dataclasses import dataclass

import anyio.to_thread
from starlette.datastructures import MutableHeaders
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from app.errors import problem_body
from app.middleware.negotiation import (
    accepts,
    choose_encoding,
    etag_matches,
    etag_matches_strong,
    http_date,
    parse_http_date,
)
from app.services.dataset import Serving, VersionInfo, VersionWatcher

try:
    import brotli  # type: ignore[import-untyped]

    CODINGS: tuple[str, ...] = ("br", "gzip")
except ImportError:  # pragma: no cover - brotli is a dependency; this keeps it optional
    CODINGS = ("gzip",)

CACHE_CONTROL = "public, max-age=60, stale-while-revalidate=300"
VARY = "Accept, Accept-Encoding"
COMPRESSIBLE = ("application/json", "application/problem+json", "text/", "application/javascript")
MAX_COUNTS = 4096  # distinct filters whose count a process keeps per dataset version
DROPPED = {b"content-length", b"content-encoding", b"etag", b"last-modified", b"cache-control"}


@dataclass(frozen=True)
class Stored:
    headers: list[tuple[bytes, bytes]]
    body: bytes
    media_type: str
    etag: str


@dataclass
class Conditions:
    """The request headers this layer decides on (the first of each, as Starlette reads them)."""

    accept: str | None = None
    accept_encoding: str | None = None
    if_none_match: str | None = None
    if_modified_since: str | None = None
    if_match: str | None = None
    if_unmodified_since: str | None = None

    @property
    def conditional(self) -> bool:
        """Whether any precondition was sent (most requests send none: a hit skips the rest)."""
        return not (
            self.if_match is None
            and self.if_none_match is None
            and self.if_unmodified_since is None
            and self.if_modified_since is None
        )


_FIELDS = {
    b"accept": "accept",
    b"accept-encoding": "accept_encoding",
    b"if-none-match": "if_none_match",
    b"if-modified-since": "if_modified_since",
    b"if-match": "if_match",
    b"if-unmodified-since": "if_unmodified_since",
}


def _conditions(raw: list[tuple[bytes, bytes]]) -> Conditions:
    # One pass over the raw headers: a hit is too cheap to build a Headers object for.
    found = Conditions()
    for name, value in raw:
        field = _FIELDS.get(name)
        if field is not None and getattr(found, field) is None:
            setattr(found, field, value.decode("latin-1"))
    return found


@functools.lru_cache(maxsize=256)
def _encoding(accept_encoding: str | None) -> str:
    return choose_encoding(accept_encoding, CODINGS)


@functools.lru_cache(maxsize=256)
def _accepts(accept: str | None, media_type: str) -> bool:
    return accepts(accept, media_type)


def _compress(body: bytes, coding: str) -> bytes:
    if coding == "br":
        return bytes(brotli.compress(body, quality=5))
    return gzip.compress(body, compresslevel=6, mtime=0)


def _etag(info: VersionInfo, target: bytes, coding: str) -> str:
    digest = hashlib.blake2b(target, digest_size=8).hexdigest()
    return f'"{info.version}-{digest}-{coding}"'


@functools.lru_cache(maxsize=1024)
def _validators(info: VersionInfo, etag: str) -> list[tuple[bytes, bytes]]:
    # Cached: formatting the date was most of a 304's own cost. Callers never mutate the list.
    headers = [
        (b"etag", etag.encode()),
        (b"cache-control", CACHE_CONTROL.encode()),
        (b"vary", VARY.encode()),
    ]
    if info.created_at is not None:
        headers.append((b"last-modified", http_date(info.created_at).encode()))
    return headers


class HTTPCacheMiddleware:
    def __init__(
        self,
        app: ASGIApp,
        *,
        versions: VersionWatcher,
        max_entries: int = 4096,
        min_compress: int = 1024,
        max_body: int = 4 * 1024 * 1024,
        bypass: tuple[str, ...] = ("/healthz",),
    ) -> None:
        self.app = app
        self.versions = versions
        self.max_entries = max_entries
        self.min_compress = min_compress
        self.max_body = max_body
        self.bypass = bypass
        self._store: OrderedDict[tuple[int, str, bytes], Stored] = OrderedDict()
        self._store_version = -1
        self._serving_state: Serving | None = None

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http" or scope["method"] not in ("GET", "HEAD"):
            await self.app(scope, receive, send)
            return
        head = scope["method"] == "HEAD"
        if head:
            scope = {**scope, "method": "GET"}  # HEAD is GET without the body, everywhere
        if scope["path"] in self.bypass:
            await self.app(scope, receive, _without_body(send) if head else send)
            return
        info = self.versions.cached()
        if info is None:  # stale: the re-read is a blocking query, so it runs in a thread
            info = await anyio.to_thread.run_sync(self.versions.current)
        request = _conditions(scope["headers"])
        coding = _encoding(request.accept_encoding)
        target = scope["path"].encode() + b"?" + scope["query_string"]
        key = (info.version, coding, target)
        stored = self._store.get(key)
        if stored is None or not _accepts(request.accept, stored.media_type):
            # Unknown yet, or not servable to this client (the route answers with its 406):
            # the route decides, and preconditions apply only if it answers 200.
            etag = stored.etag if stored is not None else _etag(info, target, coding)
            await self._call_app(
                scope, receive, send, head=head, key=key, etag=etag, info=info, request=request
            )
            return
        if request.conditional and await _precondition_answer(
            send, request, stored.etag, info, scope["path"]
        ):
            return
        self._store.move_to_end(key)
        await _send(send, 200, stored.headers, b"" if head else stored.body)

    async def _call_app(
        self,
        scope: Scope,
        receive: Receive,
        send: Send,
        *,
        head: bool,
        key: tuple[int, str, bytes],
        etag: str,
        info: VersionInfo,
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

        # The version travels with the request, in the scope's state, to the routes that page.
        state = {**scope.get("state", {}), "serving": self._serving(info.version)}
        try:
            await self.app({**scope, "state": state}, receive, capture)
        except Exception:
            # FastAPI's error layer answered (a 500 problem) and then re-raised for the server
            # to log: pass its answer on before the exception goes up.
            if start is not None:
                await _send(send, int(start["status"]), start.get("headers", []), b"".join(chunks))
            raise
        assert start is not None
        body = b"".join(chunks)
        status = int(start["status"])
        raw = MutableHeaders(raw=list(start.get("headers", [])))
        media_type = raw.get("content-type", "").split(";")[0].strip()
        if status != 200:
            raw.append("Vary", VARY)
            await _send(send, status, raw.raw, b"" if head else body)
            return
        headers = [(k, v) for k, v in raw.raw if k.lower() not in DROPPED]
        coding = key[1]
        compressible = media_type.startswith(COMPRESSIBLE)
        if coding != "identity" and compressible and len(body) >= self.min_compress:
            body = _compress(body, coding)
            headers.append((b"content-encoding", coding.encode()))
        headers += _validators(info, etag)
        headers.append((b"content-length", str(len(body)).encode()))
        if len(body) <= self.max_body:
            self._remember(key, Stored(headers, body, media_type, etag))
        if not _accepts(request.accept, media_type):
            # Let through for its errors (it accepts problems only); its 200 is not servable.
            detail = f"This resource is only available as {media_type}."
            await _send_problem(send, 406, "not-acceptable", detail, scope["path"], [])
            return
        if request.conditional and await _precondition_answer(
            send, request, etag, info, scope["path"]
        ):
            return
        await _send(send, 200, headers, b"" if head else body)

    def _serving(self, version: int) -> Serving:
        state = self._serving_state
        if state is None or state.version != version or len(state.counts) > MAX_COUNTS:
            # Counts made at an older version are dropped with it (and the lot when full).
            state = self._serving_state = Serving(version, {})
        return state

    def _remember(self, key: tuple[int, str, bytes], stored: Stored) -> None:
        if key[0] != self._store_version:
            # A new version makes every stored body stale at once.
            self._store.clear()
            self._store_version = key[0]
        self._store[key] = stored
        while len(self._store) > self.max_entries:
            self._store.popitem(last=False)


def _without_body(send: Send) -> Send:
    async def wrapped(message: Message) -> None:
        if message["type"] == "http.response.body":
            message = {**message, "body": b""}
        await send(message)

    return wrapped


async def _send(send: Send, status: int, headers: list[tuple[bytes, bytes]], body: bytes) -> None:
    await send({"type": "http.response.start", "status": status, "headers": headers})
    await send({"type": "http.response.body", "body": body})


async def _send_problem(
    send: Send,
    status: int,
    kind: str,
    detail: str,
    path: str,
    extra: list[tuple[bytes, bytes]],
) -> None:
    body = problem_body(status=status, kind=kind, detail=detail, instance=path, errors=None)
    headers = [
        (b"content-type", b"application/problem+json"),
        (b"cache-control", b"no-store"),
        (b"content-length", str(len(body)).encode()),
        (b"vary", VARY.encode()),
        *extra,
    ]
    await _send(send, status, headers, body)


def _modified_after(since: str | None, info: VersionInfo) -> bool | None:
    """Whether the data changed after an HTTP-date; None when there is nothing to compare."""
    moment = parse_http_date(since) if since is not None else None
    if moment is None or info.created_at is None:
        return None
    return info.created_at.replace(microsecond=0) > moment


async def _precondition_answer(
    send: Send, request: Conditions, etag: str, info: VersionInfo, path: str
) -> bool:
    """Answer a 412 or a 304 for a target whose answer is a 200, in RFC 9110 §13.2.2's order;
    False when the 200 itself is the answer."""
    if request.if_match is not None:
        failed = not etag_matches_strong(request.if_match, etag)
    else:
        failed = _modified_after(request.if_unmodified_since, info) is True
    if failed:
        detail = "The representation is not the one your If-Match or If-Unmodified-Since names."
        current = [(k, v) for k, v in _validators(info, etag) if k in (b"etag", b"last-modified")]
        await _send_problem(send, 412, "precondition-failed", detail, path, current)
        return True
    if request.if_none_match is not None:
        fresh = etag_matches(request.if_none_match, etag)
    else:
        fresh = _modified_after(request.if_modified_since, info) is False
    if fresh:
        await _send(send, 304, _validators(info, etag), b"")
        return True
    return False
