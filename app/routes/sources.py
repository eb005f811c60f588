from typing import Annotated

from fastapi import APIRouter, Query, Request
from pydantic import Field
from starlette.responses import PlainTextResponse

from app.deps import DbDep, SourceDep
from app.models.sources import SourcePublic
from app.routes.common import (
    ApiRoute,
    Cursor,
    Guard,
    JSONBytes,
    Limit,
    page_of,
    page_response,
    responses,
    sort_param,
)
from app.services import sources
from app.services.paging import InvalidInputError
from app.services.seed_files import MAX_SOURCE_LENGTH

router = APIRouter(
    prefix="/v1/sources", tags=["sources"], dependencies=[Guard], route_class=ApiRoute
)


class SourceText(PlainTextResponse):
    media_type = "text/plain"


@router.get(
    "",
    summary="List sources",
    response_model=page_of(SourcePublic),
    response_class=JSONBytes,
    responses=responses(),
)
async def list_sources(
    request: Request,
    db: DbDep,
    sort: Annotated[str | None, sort_param(sorted(sources.SOURCE_SORTS), "id")] = None,
    limit: Limit = 50,
    cursor: Cursor = None,
) -> JSONBytes:
    """The source documents every citation quotes, with their SHA-256 and length."""
    items, page = await db.run(
        lambda session: sources.list_sources(session=session, sort=sort, limit=limit, cursor=cursor)
    )
    return page_response(request, items, page, limit)


@router.get(
    "/{source_id}",
    summary="Read a source",
    response_model=SourcePublic,
    response_class=JSONBytes,
    responses=responses(not_found=True),
)
async def read_source(source: SourceDep) -> JSONBytes:
    """One source's metadata; its text is at `text_url`."""
    return JSONBytes(source)


Offset = Query(
    ge=0, le=10**9, description="Offset in Unicode code points; `start` must not exceed `end`."
)
CodePoint = Annotated[int, Field(json_schema_extra={"format": "int64"})]


@router.get(
    "/{source_id}/text",
    summary="Read a source's text",
    response_class=SourceText,
    responses={
        200: {
            "description": "The text, verbatim (no NUL characters: a source cannot hold them).",
            "content": {
                "text/plain": {
                    "schema": {
                        "type": "string",
                        "maxLength": MAX_SOURCE_LENGTH,
                        "pattern": "^[^\\x00]*$",
                    }
                }
            },
        },
        **responses(not_found=True),
    },
)
async def read_source_text(
    request: Request,
    _source: SourceDep,  # a 404 for an unknown source, before any span is cut
    db: DbDep,
    start: Annotated[CodePoint | None, Offset] = None,
    end: Annotated[CodePoint | None, Offset] = None,
) -> SourceText:
    """The verbatim text (UTF-8), or its span [start, end) in code points, sliced as in Python."""
    if start is not None and end is not None and start > end:
        raise InvalidInputError(
            f"`start` ({start}) must not be greater than `end` ({end}): the span is "
            "[start, end) in code points.",
            field="query.start",
        )
    source_id = request.path_params["source_id"]
    text = await db.run(
        lambda session: sources.source_text(
            session=session, source_id=source_id, start=start, end=end
        )
    )
    return SourceText(text or "", media_type="text/plain; charset=utf-8")
