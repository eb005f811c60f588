from typing import Annotated

from fastapi import APIRouter, Query, Request

from app.deps import CitationDep, DbDep, StatedOnly
from app.models.sources import CitationPublic
from app.routes.common import (
    TEXT_PATTERN,
    ApiRoute,
    Cursor,
    Guard,
    IdItem,
    JSONBytes,
    Limit,
    ids_param,
    page_of,
    page_response,
    responses,
    sort_param,
    values,
)
from app.services import sources

router = APIRouter(
    prefix="/v1/citations", tags=["citations"], dependencies=[Guard], route_class=ApiRoute
)


@router.get(
    "",
    summary="List citations",
    response_model=page_of(CitationPublic),
    response_class=JSONBytes,
    responses=responses(),
)
async def list_citations(
    request: Request,
    db: DbDep,
    stated: StatedOnly,
    source: Annotated[list[IdItem] | None, ids_param("Citations quoting a source.")] = None,
    attribution: Annotated[
        list[IdItem] | None,
        ids_param("Citations carrying someone's words, e.g. `cnsa-announcement`."),
    ] = None,
    q: Annotated[
        str | None,
        Query(
            min_length=1,
            max_length=200,
            pattern=TEXT_PATTERN,
            description="Case-insensitive text within the quote.",
        ),
    ] = None,
    sort: Annotated[str | None, sort_param(sorted(sources.CITATION_SORTS), "id")] = None,
    limit: Limit = 50,
    cursor: Cursor = None,
) -> JSONBytes:
    """Every quote that backs a fact, with its selectors, attribution and subject."""
    items, page = await db.run(
        lambda session: sources.list_citations(
            session=session,
            stated_only=stated,
            source=values(source),
            attribution=values(attribution),
            q=q,
            sort=sort,
            limit=limit,
            cursor=cursor,
        )
    )
    return page_response(request, items, page, limit, stated=stated)


@router.get(
    "/{citation_id}",
    summary="Read a citation",
    response_model=CitationPublic,
    response_class=JSONBytes,
    responses=responses(not_found=True),
)
async def read_citation(citation: CitationDep) -> JSONBytes:
    """One citation as a W3C Web Annotation target, with whose words it carries."""
    return JSONBytes(citation)
