"""What the HTTP cache layer decides a GET on: the request's conditional headers, the validators
and caching headers of an answer, and RFC 9110 §13.2.2's precondition answers (412 and 304)."""

import functools
from dataclasses import dataclass

from starlette.types import Send

from app.errors import problem_body
from app.middleware.negotiation import (
    etag_matches,
    etag_matches_strong,
    http_date,
    parse_http_date,
)
from app.services.dataset import VersionInfo

CACHE_CONTROL = "public, max-age=60, stale-while-revalidate=300"
# For an answer to a request that carried credentials (RFC 9111 §3.5): no shared cache may
# store it, and the client's own cache revalidates it each time, so a curator sees their write.
PRIVATE_CACHE_CONTROL = "private, no-cache"
VARY = "Accept, Accept-Encoding"


@dataclass
class Conditions:
    """The request headers this layer decides on (the first of each, as Starlette reads them)."""

    accept: str | None = None
    accept_encoding: str | None = None
    if_none_match: str | None = None
    if_modified_since: str | None = None
    if_match: str | None = None
    if_unmodified_since: str | None = None
    authorization: str | None = None
    host: str | None = None

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
    b"authorization": "authorization",
    b"host": "host",
}


def read_conditions(raw: list[tuple[bytes, bytes]]) -> Conditions:
    # One pass over the raw headers: a hit is too cheap to build a Headers object for.
    found = Conditions()
    for name, value in raw:
        field = _FIELDS.get(name)
        if field is not None and getattr(found, field) is None:
            setattr(found, field, value.decode("latin-1"))
    return found


@functools.lru_cache(maxsize=1024)
def validators(info: VersionInfo, etag: str, *, private: bool) -> list[tuple[bytes, bytes]]:
    # Cached: formatting the date was most of a 304's own cost. Callers never mutate the list.
    cache_control = PRIVATE_CACHE_CONTROL if private else CACHE_CONTROL
    headers = [
        (b"etag", etag.encode()),
        (b"cache-control", cache_control.encode()),
        (b"vary", VARY.encode()),
    ]
    if info.created_at is not None:
        headers.append((b"last-modified", http_date(info.created_at).encode()))
    return headers


async def send_answer(
    send: Send, *, status: int, headers: list[tuple[bytes, bytes]], body: bytes
) -> None:
    await send({"type": "http.response.start", "status": status, "headers": headers})
    await send({"type": "http.response.body", "body": body})


async def send_problem(
    send: Send,
    *,
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
    await send_answer(send, status=status, headers=headers, body=body)


def _modified_after(since: str | None, info: VersionInfo) -> bool | None:
    """Whether the data changed after an HTTP-date; None when there is nothing to compare."""
    moment = parse_http_date(since) if since is not None else None
    if moment is None or info.created_at is None:
        return None
    return info.created_at.replace(microsecond=0) > moment


async def precondition_answer(
    send: Send, *, request: Conditions, etag: str, info: VersionInfo, path: str
) -> bool:
    """Answer a 412 or a 304 for a target whose answer is a 200, in RFC 9110 §13.2.2's order;
    False when the 200 itself is the answer."""
    if request.if_match is not None:
        failed = not etag_matches_strong(request.if_match, etag)
    else:
        failed = _modified_after(request.if_unmodified_since, info) is True
    private = request.authorization is not None
    if failed:
        detail = "The representation is not the one your If-Match or If-Unmodified-Since names."
        current = [
            (k, v)
            for k, v in validators(info, etag, private=private)
            if k in (b"etag", b"last-modified")
        ]
        await send_problem(
            send, status=412, kind="precondition-failed", detail=detail, path=path, extra=current
        )
        return True
    if request.if_none_match is not None:
        fresh = etag_matches(request.if_none_match, etag)
    else:
        fresh = _modified_after(request.if_modified_since, info) is False
    if fresh:
        await send_answer(
            send, status=304, headers=validators(info, etag, private=private), body=b""
        )
        return True
    return False
