"""GET /v1/feed.json and /v1/feed.atom: the same items, newest first, in two formats."""

import datetime as dt
from dataclasses import dataclass
from typing import Annotated

from fastapi import Depends, Query, Request
from sqlmodel import Session
from starlette.responses import Response

from app.db import Db
from app.deps import DbDep
from app.middleware.negotiation import accepts
from app.models.public import NO_NUL
from app.routes.common import ApiRoute, Guard, JSONBytes, responses
from app.routes.params import Cursor, IdItem, Instant, Limit, enum_param, ids_param, values
from app.routes.router import Router
from app.services.dataset import read_version_info
from app.services.feed import (
    FeedFilters,
    FeedType,
    decode_position,
    encode_position,
    feed_slots,
)
from app.services.feed_items import JsonFeedItem, items_for
from app.services.feed_render import (
    ATOM_MEDIA_TYPE,
    JSON_FEED_MEDIA_TYPE,
    FeedLinks,
    JsonFeed,
    atom,
    json_feed,
)

__all__ = ["FeedQuery", "base_url", "router"]

router = Router(prefix="/v1", tags=["feed"], dependencies=[Guard], route_class=ApiRoute)


@dataclass(frozen=True)
class FeedQuery:
    type: Annotated[
        list[FeedType] | None,
        enum_param("`event`: the timeline as the sources report it; `change`: the revision log."),
    ] = None
    entity: Annotated[
        list[IdItem] | None,
        ids_param("Items about these entities: their changes, and events that concern them."),
    ] = None
    since: Annotated[
        Instant | None,
        Query(
            description="Only items updated after this instant (RFC 3339, with its offset).",
            json_schema_extra={"maxLength": 40},
        ),
    ] = None

    def filters(self) -> FeedFilters:
        since = self.since
        if since is not None:  # compared in UTC: SQLite keeps times as UTC text
            since = since.astimezone(dt.UTC)
        return FeedFilters(
            types=frozenset(values(self.type) or list(FeedType)),
            entities=frozenset(values(self.entity)),
            since=since,
        )


FeedQueryDep = Annotated[FeedQuery, Depends()]


def base_url(request: Request) -> str:
    """The API's absolute base URL: the configured public one, else the request's own."""
    configured: str | None = request.app.state.config.public_url
    return (configured or str(request.base_url)).rstrip("/")


def _links(request: Request, *, other: str, next_cursor: str | None) -> FeedLinks:
    base = base_url(request)
    query = request.url.query
    here = f"{base}{request.url.path}" + (f"?{query}" if query else "")
    there = f"{base}/v1/{other}" + (f"?{query}" if query else "")
    following = None
    if next_cursor is not None:
        target = request.url.include_query_params(cursor=next_cursor)
        following = f"{base}{target.path}?{target.query}"
    return FeedLinks(
        base=base, self_url=here, next_url=following, alternate=there, home=f"{base}/dashboard"
    )


class JsonFeedResponse(JSONBytes):
    media_type = JSON_FEED_MEDIA_TYPE


class AtomResponse(Response):
    media_type = ATOM_MEDIA_TYPE
    # The same bytes as text/xml (RFC 7303) for a client that asks for it (a browser, a
    # generated client that reads XML as text) and not for Atom.
    media_types = (ATOM_MEDIA_TYPE, "text/xml")


async def _page(
    request: Request, db: Db, query: FeedQuery, limit: int, cursor: str | None
) -> tuple[list[JsonFeedItem], str | None, dt.datetime | None]:
    """A page of items, the next page's cursor, and when the dataset last changed."""
    after = decode_position(cursor) if cursor is not None else None
    base = base_url(request)

    def read(session: Session) -> tuple[list[JsonFeedItem], str | None, dt.datetime | None]:
        slots, last = feed_slots(session=session, filters=query.filters(), after=after, limit=limit)
        items = items_for(session=session, slots=slots, base=base)
        updated = read_version_info(session=session).created_at
        return items, (encode_position(last) if last is not None else None), updated

    return await db.run(read, thread=True)


def _answer(response: Response, links: FeedLinks, other_type: str) -> Response:
    link = [f'<{links.alternate}>; rel="alternate"; type="{other_type}"']
    if links.next_url is not None:
        link.append(f'<{links.next_url}>; rel="next"')
    response.headers["Link"] = ", ".join(link)
    return response


FEED_DOC = (
    "Items: timeline events as the sources report them and data changes from the revision "
    "log, newest first by the dataset version that last touched them; within one version the "
    "changes (newest first), then the events, latest stated date first, undated ones last. "
    "Poll with `If-None-Match` for a 304."
)


@router.get(
    "/feed.json",
    summary="The feed, as JSON Feed 1.1",
    description=FEED_DOC,
    response_model=JsonFeed,
    response_class=JsonFeedResponse,
    responses=responses(),
)
async def read_json_feed(
    request: Request,
    db: DbDep,
    query: FeedQueryDep,
    limit: Limit = 50,
    cursor: Cursor = None,
) -> Response:
    """What happened and what changed, as JSON Feed 1.1, paged by `next_url`."""
    items, next_cursor, _ = await _page(request, db, query, limit, cursor)
    links = _links(request, other="feed.atom", next_cursor=next_cursor)
    return _answer(JsonFeedResponse(json_feed(items=items, links=links)), links, ATOM_MEDIA_TYPE)


@router.get(
    "/feed.atom",
    summary="The feed, as Atom 1.0",
    description=FEED_DOC,
    response_class=AtomResponse,
    responses={
        **responses(),
        200: {
            "description": 'An Atom 1.0 feed (RFC 4287), paged by RFC 5005 `rel="next"`.',
            "content": {
                kind: {"schema": {"type": "string", "maxLength": 10_000_000, "pattern": NO_NUL}}
                for kind in AtomResponse.media_types
            },
        },
    },
)
async def read_atom_feed(
    request: Request,
    db: DbDep,
    query: FeedQueryDep,
    limit: Limit = 50,
    cursor: Cursor = None,
) -> Response:
    """What happened and what changed, as Atom 1.0, paged by `rel="next"` links."""
    items, next_cursor, changed = await _page(request, db, query, limit, cursor)
    links = _links(request, other="feed.json", next_cursor=next_cursor)
    updated = changed or dt.datetime.now(dt.UTC)
    body = atom(items=items, links=links, updated=updated)
    accept = request.headers.get("accept")
    kind = next((m for m in AtomResponse.media_types if accepts(accept, m)), ATOM_MEDIA_TYPE)
    return _answer(AtomResponse(body, media_type=kind), links, JSON_FEED_MEDIA_TYPE)
