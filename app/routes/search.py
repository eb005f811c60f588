from typing import Annotated

from fastapi import Query, Request
from sqlalchemy import Connection

from app.deps import StatedReadingDep
from app.models.common import Basis
from app.models.public import SearchHitPublic, SearchType
from app.routes.common import ApiRoute, Guard, JSONBytes, page_of, page_response, responses
from app.routes.params import TEXT_PATTERN, Cursor, Limit, enum_param, values
from app.routes.router import Router
from app.services import search
from app.services.dataset import Total
from app.services.paging import InvalidInputError, PageResult, decode_plain_cursor, encode_cursor
from app.services.refs import url_for

router = Router(prefix="/v1/search", tags=["search"], dependencies=[Guard], route_class=ApiRoute)
TYPES = "|".join(search.TYPE_ORDER)


@router.get(
    "",
    summary="Search everything",
    response_model=page_of(SearchHitPublic),
    response_class=JSONBytes,
    responses=responses(),
)
async def search_all(
    request: Request,
    reading: StatedReadingDep,
    q: Annotated[
        str,
        Query(
            min_length=1,
            max_length=search.MAX_QUERY_LENGTH,
            pattern=TEXT_PATTERN,
            description="Words to find; all must match, the last also as a prefix.",
        ),
    ],
    type: Annotated[list[SearchType] | None, enum_param("Only hits of these types.")] = None,
    limit: Limit = 20,
    cursor: Cursor = None,
) -> JSONBytes:
    """Full-text search over every entity and every citation quote, ranked, with snippets."""
    db, stated, serving = reading.db, reading.stated, reading.serving
    types = values(type) or None
    sort = f"search:{q}:{','.join(types or [])}:{'stated' if stated else 'all'}"
    after = None
    total = None
    if cursor is not None:
        (score, kind, ident), total = decode_plain_cursor(cursor, sort, (int, str, str), serving)
        if score not in (1, 2) or kind not in search.TYPE_ORDER:
            raise InvalidInputError(
                "The cursor is malformed; start again without it.",
                kind="invalid-cursor",
                field="query.cursor",
            )
        after = (score, kind, ident)

    carried = total  # the total a later page's cursor carries

    def find(connection: Connection) -> tuple[list[search.SearchHit], Total]:
        found = search.search(
            connection=connection,
            q=q,
            types=types,
            limit=limit + 1,
            after=after,
            stated_only=stated,
            serving=serving,
        )
        if carried is not None:
            return found, carried
        if after is None and len(found) <= limit:
            return found, Total(len(found))  # a first page that holds every hit has counted them
        return found, search.count(
            connection=connection, q=q, types=types, stated_only=stated, serving=serving
        )

    small = search.known_small(serving)
    if small is None:
        # Probed first, once per version (it reads at most INDEX_BELOW rows): a worker that
        # sent searches to its two threads until the size was known starved them behind the
        # loop's own requests (its first burst: p99 190-490 ms).
        small = await db.read(lambda c: search.small(connection=c, serving=serving))
    try:
        # In a thread even on SQLite (its cost grows with the matches), and bounded in time;
        # on the loop in a small table (a thread hop costs more there).
        hits, counted = await db.read(find, thread=not small)
    except ValueError as exc:
        raise InvalidInputError(str(exc), field="query.q") from exc
    more = len(hits) > limit
    hits = hits[:limit]
    last = hits[-1] if more and hits else None
    next_cursor = None
    if last is not None:
        keys = [last.score, last.type, last.id]
        next_cursor = encode_cursor(
            sort, keys, total=counted, version=serving.version if serving else None
        )
    items = [
        SearchHitPublic(
            type=SearchType(h.type),
            id=h.id,
            url=url_for(h.type, h.id),
            title=h.title,
            snippet=h.snippet,
            score=h.score,
            basis=Basis(h.basis),
        )
        .model_dump_json()
        .encode()
        for h in hits
    ]
    return page_response(
        request, items, PageResult([h.id for h in hits], next_cursor, counted), limit
    )
