from typing import Annotated

from fastapi import APIRouter, Request

from app.deps import AgencyDep, DbDep, StatedOnly
from app.models.entities import AgencyKind, AgencyPublic
from app.routes.common import (
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
from app.services import agencies

router = APIRouter(
    prefix="/v1/agencies", tags=["agencies"], dependencies=[Guard], route_class=ApiRoute
)
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
    country: Annotated[list[IdItem] | None, ids_param("Agencies of a country (ISO code).")] = None,
    kind: Annotated[list[AgencyKind] | None, enum_param("Kind of body.")] = None,
    program: Annotated[list[IdItem] | None, ids_param("Agencies taking part in a program.")] = None,
    sort: Annotated[str | None, sort_param(sorted(agencies.AGENCY_SORTS), "id")] = None,
    limit: Limit = 50,
    cursor: Cursor = None,
) -> JSONBytes:
    """Space agencies, government offices and legislatures, with their citations."""
    items, page = await db.run(
        lambda session: agencies.list_agencies(
            session=session,
            stated_only=stated,
            country=values(country),
            kind=values(kind),
            program=values(program),
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
