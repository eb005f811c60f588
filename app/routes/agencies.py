from typing import Annotated

from fastapi import APIRouter, Query, Request

from app.deps import AgencyDep, DbDep, StatedOnly
from app.models.entities import AgencyKind, AgencyPublic
from app.routes.common import (
    Cursor,
    Guard,
    JSONBytes,
    Limit,
    ids_param,
    page_of,
    page_response,
    responses,
    sort_param,
    split,
)
from app.services import agencies

router = APIRouter(prefix="/v1/agencies", tags=["agencies"], dependencies=[Guard])
KINDS = "|".join(k.value for k in AgencyKind)


@router.get(
    "",
    summary="List agencies",
    response_model=page_of(AgencyPublic),
    response_class=JSONBytes,
    responses=responses(),
)
async def list_agencies(
    request: Request,
    db: DbDep,
    stated: StatedOnly,
    country: Annotated[str | None, ids_param("Agencies of a country (ISO code).")] = None,
    kind: Annotated[
        str | None,
        Query(
            description=f"Kind of body: {KINDS.replace('|', ', ')}. Comma-separated values mean "
            "OR. Agencies whose kind the source does not state match no kind.",
            max_length=200,
            pattern=rf"^({KINDS})(,({KINDS}))*$",
        ),
    ] = None,
    program: Annotated[str | None, ids_param("Agencies taking part in a program.")] = None,
    sort: Annotated[str | None, sort_param(sorted(agencies.AGENCY_SORTS), "id")] = None,
    limit: Limit = 50,
    cursor: Cursor = None,
) -> JSONBytes:
    """Space agencies, government offices and legislatures, with their citations."""
    items, page = await db.run(
        lambda session: agencies.list_agencies(
            session=session,
            stated_only=stated,
            country=split(country),
            kind=split(kind),
            program=split(program),
            sort=sort,
            limit=limit,
            cursor=cursor,
        )
    )
    return page_response(request, items, page, limit, stated=stated)


@router.get(
    "/{agency_id}",
    summary="Read an agency",
    response_model=AgencyPublic,
    response_class=JSONBytes,
    responses=responses(not_found=True),
)
async def read_agency(agency: AgencyDep) -> JSONBytes:
    """One agency: its country, the programs it takes part in, and its citations."""
    return JSONBytes(agency)
