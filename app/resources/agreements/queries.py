"""Listing agreements: sorts, filters and the query they make."""

from dataclasses import dataclass
from enum import StrEnum
from typing import Annotated, Any

from sqlalchemy import or_, select
from sqlmodel import col

from app.resources._types import Filtered
from app.resources.agreements.models import Agreement, AgreementKind
from app.resources.signatories.models import Signatory
from app.routes.params import IdItem, enum_param, ids_param, values
from app.services.basis import exclude_inferred

__all__ = ["SORT_COLUMNS", "AgreementFilters", "AgreementSort", "list_query"]


class AgreementSort(StrEnum):
    id = "id"
    name = "name"
    date = "date"


SORT_COLUMNS: dict[str, Any] = {
    AgreementSort.id: col(Agreement.id),
    AgreementSort.name: col(Agreement.name),
    AgreementSort.date: col(Agreement.date_sort),
}


@dataclass(frozen=True)
class AgreementFilters:
    program: Annotated[list[IdItem] | None, ids_param("Agreements of a program.")] = None
    party: Annotated[
        list[IdItem] | None, ids_param("Agreements an agency or country is a signatory party to.")
    ] = None
    kind: Annotated[list[AgreementKind] | None, enum_param("Kind of agreement.")] = None


def list_query(filters: AgreementFilters, *, stated_only: bool) -> Filtered:
    """Agreements matching every filter given (values within one filter are alternatives)."""
    program, party, kind = values(filters.program), values(filters.party), values(filters.kind)
    query = select(col(Agreement.id))
    claims: list[str] = []  # the claims the filters read: stated ones only, with basis=stated
    if program:
        claims.append("program")
        query = query.where(col(Agreement.program_id).in_(program))
    if kind:
        claims.append("kind")
        query = query.where(col(Agreement.kind).in_(kind))
    if party:
        parties = select(col(Signatory.agreement_id)).where(
            or_(col(Signatory.agency_id).in_(party), col(Signatory.country_code).in_(party))
        )
        if stated_only:
            parties = exclude_inferred(
                parties, subject_type="signatory", id_column=col(Signatory.id), claims=["party"]
            )
        query = query.where(col(Agreement.id).in_(parties))
    return query, claims
