from typing import Annotated

from fastapi import APIRouter, Query, Request

from app.deps import DbDep, ProgramDep, StatedOnly
from app.models.entities import Location, ProgramPublic
from app.routes.common import (
    TEXT_PATTERN,
    ApiRoute,
    Cursor,
    Guard,
    IdItem,
    JSONBytes,
    Limit,
    enum_param,
    ids_param,
    page_of,
    page_response,
    responses,
    sort_param,
    values,
)
from app.services import programs

router = APIRouter(
    prefix="/v1/programs", tags=["programs"], dependencies=[Guard], route_class=ApiRoute
)


@router.get(
    "",
    summary="List programs",
    response_model=page_of(ProgramPublic),
    response_class=JSONBytes,
    responses=responses(),
)
async def list_programs(
    request: Request,
    db: DbDep,
    stated: StatedOnly,
    agency: Annotated[list[IdItem] | None, ids_param("Programs an agency takes part in.")] = None,
    country: Annotated[
        list[IdItem] | None,
        ids_param("Programs a country takes part in, directly or through an agency."),
    ] = None,
    location: Annotated[
        list[Location] | None, enum_param("Where the program is to be built or operate.")
    ] = None,
    q: Annotated[
        str | None,
        Query(
            min_length=1,
            max_length=200,
            pattern=TEXT_PATTERN,
            description="Text in name, acronym, summary or description (case-insensitive).",
        ),
    ] = None,
    sort: Annotated[str | None, sort_param(sorted(programs.SORTS), "id")] = None,
    limit: Limit = 50,
    cursor: Cursor = None,
) -> JSONBytes:
    """Programs of international space cooperation, each with every citation that backs it."""
    items, page = await db.run(
        lambda session: programs.list_programs(
            session=session,
            stated_only=stated,
            agency=values(agency),
            country=values(country),
            location=values(location),
            q=q,
            sort=sort,
            limit=limit,
            cursor=cursor,
        )
    )
    return page_response(request, items, page, limit, stated=stated)


@router.get(
    "/{program_id}",
    summary="Read a program",
    response_model=ProgramPublic,
    response_class=JSONBytes,
    responses=responses(not_found=True),
)
async def read_program(program: ProgramDep) -> JSONBytes:
    """One program: locations, objectives, participants, agreements, events and citations."""
    return JSONBytes(program)
