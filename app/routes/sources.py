"""A source's verbatim text, a sub-resource beside the generic list and read."""

from typing import Annotated

from fastapi import Query, Request
from pydantic import Field
from starlette.responses import PlainTextResponse

from app.deps import DbDep, SourceDep
from app.resources.sources.models import MAX_SOURCE_LENGTH
from app.routes.common import ApiRoute, Guard, responses
from app.routes.router import Router
from app.services import sources
from app.services.paging import InvalidInputError

router = Router(prefix="/v1/sources", tags=["sources"], dependencies=[Guard], route_class=ApiRoute)


class SourceText(PlainTextResponse):
    media_type = "text/plain"


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
