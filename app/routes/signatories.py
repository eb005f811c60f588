from typing import Annotated

from fastapi import APIRouter, Query, Request

from app.deps import DbDep, SignatoryDep, StatedOnly
from app.models.agreements import SignatoryPublic, SignatoryStatus
from app.routes.common import (
    ApiRoute,
    Cursor,
    Day,
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
from app.services import agreements

router = APIRouter(
    prefix="/v1/signatories", tags=["signatories"], dependencies=[Guard], route_class=ApiRoute
)
STATUSES = "|".join(s.value for s in SignatoryStatus)


@router.get(
    "",
    summary="List signatories",
    response_model=page_of(SignatoryPublic),
    response_class=JSONBytes,
    responses=responses(),
)
async def list_signatories(
    request: Request,
    db: DbDep,
    stated: StatedOnly,
    agreement: Annotated[list[IdItem] | None, ids_param("Signatories of an agreement.")] = None,
    program: Annotated[
        list[IdItem] | None, ids_param("Signatories of a program's agreements.")
    ] = None,
    country: Annotated[list[IdItem] | None, ids_param("Signatories that are this country.")] = None,
    agency: Annotated[list[IdItem] | None, ids_param("Signatories that are this agency.")] = None,
    status: Annotated[list[SignatoryStatus] | None, enum_param("Status of the party.")] = None,
    as_of: Annotated[
        Day | None,
        Query(
            description="Parties that had signed on or before this day (YYYY-MM-DD): status "
            "`signed` and a stated date whose latest possible day is on or before it. A "
            "signature whose date the source leaves open is excluded unless `include_undated`.",
        ),
    ] = None,
    include_undated: Annotated[
        bool,
        Query(description="With `as_of`, also keep signatures whose date the source leaves open."),
    ] = False,
    sort: Annotated[str | None, sort_param(sorted(agreements.SIGNATORY_SORTS), "id")] = None,
    limit: Limit = 50,
    cursor: Cursor = None,
) -> JSONBytes:
    """Who signed (or intends to sign) which agreement, across all agreements."""
    items, page = await db.run(
        lambda session: agreements.list_signatories(
            session=session,
            stated_only=stated,
            agreement=values(agreement),
            program=values(program),
            country=values(country),
            agency=values(agency),
            status=values(status),
            as_of=as_of,
            include_undated=include_undated,
            sort=sort,
            limit=limit,
            cursor=cursor,
        )
    )
    return page_response(request, items, page, limit, stated=stated)


@router.get(
    "/{signatory_id}",
    summary="Read a signatory",
    response_model=SignatoryPublic,
    response_class=JSONBytes,
    responses=responses(not_found=True),
)
async def read_signatory(signatory: SignatoryDep) -> JSONBytes:
    """One party to one agreement, with its status, date as stated and citations."""
    return JSONBytes(signatory)
