from typing import Annotated

from fastapi import APIRouter, Request

from app.deps import CountryDep, DbDep, StatedOnly
from app.models.entities import CountryPublic
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
from app.services import agencies

router = APIRouter(
    prefix="/v1/countries", tags=["countries"], dependencies=[Guard], route_class=ApiRoute
)


@router.get(
    "",
    summary="List countries",
    response_model=page_of(CountryPublic),
    response_class=JSONBytes,
    responses=responses(),
)
async def list_countries(
    request: Request,
    db: DbDep,
    stated: StatedOnly,
    sort: Annotated[str | None, sort_param(sorted(agencies.COUNTRY_SORTS), "code")] = None,
    limit: Limit = 50,
    cursor: Cursor = None,
) -> JSONBytes:
    """Countries the sources name, by ISO 3166-1 alpha-2 code."""
    items, page = await db.run(
        lambda session: agencies.list_countries(
            session=session, stated_only=stated, sort=sort, limit=limit, cursor=cursor
        )
    )
    return page_response(request, items, page, limit, stated=stated)


@router.get(
    "/{code}",
    summary="Read a country",
    response_model=CountryPublic,
    response_class=JSONBytes,
    responses=responses(not_found=True),
)
async def read_country(country: CountryDep) -> JSONBytes:
    """One country: its name, its agencies, and the citations naming it."""
    return JSONBytes(country)
