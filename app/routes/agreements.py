"""One agreement's signatories, a sub-collection beside the generic list and read."""

from typing import Annotated

from fastapi import Request

from app.deps import AgreementDep, StatedReadingDep
from app.resources.registry import BY_TYPE
from app.resources.signatories.models import SignatoryPublic, SignatoryStatus
from app.resources.signatories.queries import SignatoryFilters, SignatorySort
from app.routes.common import ApiRoute, Guard, JSONBytes, page_of, page_response, responses
from app.routes.params import Cursor, Limit, enum_param, sort_param
from app.routes.router import Router
from app.services.listing import list_documents

router = Router(
    prefix="/v1/agreements", tags=["agreements"], dependencies=[Guard], route_class=ApiRoute
)


@router.get(
    "/{agreement_id}/signatories",
    summary="List an agreement's signatories",
    response_model=page_of(SignatoryPublic),
    response_class=JSONBytes,
    responses=responses(not_found=True),
)
async def list_agreement_signatories(
    request: Request,
    reading: StatedReadingDep,
    _agreement: AgreementDep,  # a 404 for an unknown agreement, not an empty page
    status: Annotated[list[SignatoryStatus] | None, enum_param("Status of the party.")] = None,
    sort: Annotated[str | None, sort_param(sorted(SignatorySort), SignatorySort.id)] = None,
    limit: Limit = 50,
    cursor: Cursor = None,
) -> JSONBytes:
    """The parties named for one agreement (signed, intending to sign, counterparty)."""
    filters = SignatoryFilters(agreement=[request.path_params["agreement_id"]], status=status)
    stated = reading.stated
    items, page = await reading.db.read(
        lambda connection: list_documents(
            connection=connection,
            resource=BY_TYPE["signatory"],
            filters=filters,
            stated_only=stated,
            sort=sort,
            limit=limit,
            cursor=cursor,
            serving=reading.serving,
        )
    )
    return page_response(request, items, page, limit, stated=stated)
