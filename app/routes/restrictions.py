from typing import Annotated

from fastapi import APIRouter, Query, Request

from app.deps import DbDep, RestrictionDep, StatedOnly
from app.models.restrictions import RestrictionPublic
from app.routes.common import (
    ApiRoute,
    Cursor,
    Day,
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
from app.services import restrictions

router = APIRouter(
    prefix="/v1/restrictions", tags=["restrictions"], dependencies=[Guard], route_class=ApiRoute
)


@router.get(
    "",
    summary="List legal restrictions",
    response_model=page_of(RestrictionPublic),
    response_class=JSONBytes,
    responses=responses(),
)
async def list_restrictions(
    request: Request,
    db: DbDep,
    stated: StatedOnly,
    jurisdiction: Annotated[
        list[IdItem] | None, ids_param("Restrictions under a country's law.")
    ] = None,
    restricted_party: Annotated[
        list[IdItem] | None, ids_param("Restrictions binding an agency.")
    ] = None,
    counterpart: Annotated[
        list[IdItem] | None, ids_param("Restrictions on working with a country's bodies.")
    ] = None,
    active_on: Annotated[
        Day | None,
        Query(
            description="Restrictions that may be in force on this day (YYYY-MM-DD): their "
            "start's earliest possible day is on or before it.",
        ),
    ] = None,
    sort: Annotated[str | None, sort_param(sorted(restrictions.SORTS), "id")] = None,
    limit: Limit = 50,
    cursor: Cursor = None,
) -> JSONBytes:
    """Legal restrictions on who may work with whom, with their conditions and effects."""
    items, page = await db.run(
        lambda session: restrictions.list_restrictions(
            session=session,
            stated_only=stated,
            jurisdiction=values(jurisdiction),
            restricted_party=values(restricted_party),
            counterpart=values(counterpart),
            active_on=active_on,
            sort=sort,
            limit=limit,
            cursor=cursor,
        )
    )
    return page_response(request, items, page, limit, stated=stated)


@router.get(
    "/{restriction_id}",
    summary="Read a legal restriction",
    response_model=RestrictionPublic,
    response_class=JSONBytes,
    responses=responses(not_found=True),
)
async def read_restriction(restriction: RestrictionDep) -> JSONBytes:
    """One restriction: whom it binds, since when, the condition that lifts it, its effect."""
    return JSONBytes(restriction)
