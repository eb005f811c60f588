from typing import Annotated

from fastapi import APIRouter, Request

from app.deps import AgreementDep, DbDep, StatedOnly
from app.models.agreements import (
    AgreementKind,
    AgreementPublic,
    SignatoryPublic,
    SignatoryStatus,
)
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
from app.services import agreements

router = APIRouter(
    prefix="/v1/agreements", tags=["agreements"], dependencies=[Guard], route_class=ApiRoute
)
KINDS = "|".join(k.value for k in AgreementKind)


@router.get(
    "",
    summary="List agreements",
    response_model=page_of(AgreementPublic),
    response_class=JSONBytes,
    responses=responses(),
)
async def list_agreements(
    request: Request,
    db: DbDep,
    stated: StatedOnly,
    program: Annotated[list[IdItem] | None, ids_param("Agreements of a program.")] = None,
    party: Annotated[
        list[IdItem] | None, ids_param("Agreements an agency or country is a signatory party to.")
    ] = None,
    kind: Annotated[list[AgreementKind] | None, enum_param("Kind of agreement.")] = None,
    sort: Annotated[str | None, sort_param(sorted(agreements.AGREEMENT_SORTS), "id")] = None,
    limit: Limit = 50,
    cursor: Cursor = None,
) -> JSONBytes:
    """Agreements (memoranda, accords), with dates as stated and parties counted but unnamed."""
    items, page = await db.run(
        lambda session: agreements.list_agreements(
            session=session,
            stated_only=stated,
            program=values(program),
            party=values(party),
            kind=values(kind),
            sort=sort,
            limit=limit,
            cursor=cursor,
        )
    )
    return page_response(request, items, page, limit, stated=stated)


@router.get(
    "/{agreement_id}",
    summary="Read an agreement",
    response_model=AgreementPublic,
    response_class=JSONBytes,
    responses=responses(not_found=True),
)
async def read_agreement(agreement: AgreementDep) -> JSONBytes:
    """One agreement: its program, date, purpose, effect, reported counts and citations."""
    return JSONBytes(agreement)


@router.get(
    "/{agreement_id}/signatories",
    summary="List an agreement's signatories",
    response_model=page_of(SignatoryPublic),
    response_class=JSONBytes,
    responses=responses(not_found=True),
)
async def list_agreement_signatories(
    request: Request,
    db: DbDep,
    stated: StatedOnly,
    _agreement: AgreementDep,  # a 404 for an unknown agreement, not an empty page
    status: Annotated[list[SignatoryStatus] | None, enum_param("Status of the party.")] = None,
    sort: Annotated[str | None, sort_param(sorted(agreements.SIGNATORY_SORTS), "id")] = None,
    limit: Limit = 50,
    cursor: Cursor = None,
) -> JSONBytes:
    """The parties named for one agreement (signed, intending to sign, counterparty)."""
    items, page = await db.run(
        lambda session: agreements.list_signatories(
            session=session,
            stated_only=stated,
            agreement=[request.path_params["agreement_id"]],
            program=[],
            country=[],
            agency=[],
            status=values(status),
            as_of=None,
            include_undated=False,
            sort=sort,
            limit=limit,
            cursor=cursor,
        )
    )
    return page_response(request, items, page, limit, stated=stated)
