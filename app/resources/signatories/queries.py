"""Listing signatories: sorts, filters and the query they make."""

from dataclasses import dataclass
from enum import StrEnum
from typing import Annotated, Any

from fastapi import Query
from sqlalchemy import or_, select
from sqlmodel import col

from app.resources._types import Filtered
from app.resources.agreements.models import Agreement
from app.resources.signatories.models import Signatory, SignatoryStatus
from app.routes.params import Day, IdItem, enum_param, ids_param, values
from app.services.basis import exclude_inferred

__all__ = ["SORT_COLUMNS", "SignatoryFilters", "SignatorySort", "list_query"]


class SignatorySort(StrEnum):
    id = "id"
    date = "date"
    status = "status"
    agreement = "agreement"


SORT_COLUMNS: dict[str, Any] = {
    SignatorySort.id: col(Signatory.id),
    SignatorySort.date: col(Signatory.date_sort),
    SignatorySort.status: col(Signatory.status),
    SignatorySort.agreement: col(Signatory.agreement_id),
}


@dataclass(frozen=True)
class SignatoryFilters:
    agreement: Annotated[list[IdItem] | None, ids_param("Signatories of an agreement.")] = None
    program: Annotated[list[IdItem] | None, ids_param("Signatories of a program's agreements.")] = (
        None
    )
    country: Annotated[list[IdItem] | None, ids_param("Signatories that are this country.")] = None
    agency: Annotated[list[IdItem] | None, ids_param("Signatories that are this agency.")] = None
    status: Annotated[list[SignatoryStatus] | None, enum_param("Status of the party.")] = None
    as_of: Annotated[
        Day | None,
        Query(
            description="Parties that had signed on or before this day (YYYY-MM-DD): status "
            "`signed` and a stated date whose latest possible day is on or before it. A "
            "signature whose date the source leaves open is excluded unless `include_undated`.",
        ),
    ] = None
    include_undated: Annotated[
        bool,
        Query(description="With `as_of`, also keep signatures whose date the source leaves open."),
    ] = False


def list_query(filters: SignatoryFilters, *, stated_only: bool) -> Filtered:
    """Signatories matching every filter given.

    `as_of` keeps parties that signed on or before that day: status `signed` and a stated date
    whose latest possible day is on or before it. A signature whose date the source leaves
    open ("This past Tuesday") cannot be placed before any day, so it is left out unless
    `include_undated` is true.
    """
    program, status = values(filters.program), values(filters.status)
    query = select(col(Signatory.id))
    claims: list[str] = []  # the claims the filters read: stated ones only, with basis=stated
    if filters.agreement:
        claims.append("agreement")
        query = query.where(col(Signatory.agreement_id).in_(filters.agreement))
    if program:
        claims.append("agreement")
        in_program = select(col(Agreement.id)).where(col(Agreement.program_id).in_(program))
        if stated_only:
            in_program = exclude_inferred(
                in_program,
                subject_type="agreement",
                id_column=col(Agreement.id),
                claims=["program"],
            )
        query = query.where(col(Signatory.agreement_id).in_(in_program))
    if filters.country:
        claims.append("party")
        query = query.where(col(Signatory.country_code).in_(filters.country))
    if filters.agency:
        claims.append("party")
        query = query.where(col(Signatory.agency_id).in_(filters.agency))
    if status:
        claims.append("status")
        query = query.where(col(Signatory.status).in_(status))
    if filters.as_of is not None:
        claims += ["status", "date"]
        dated = col(Signatory.date_upper) <= filters.as_of
        undated = col(Signatory.date_edtf).is_(None)
        query = query.where(col(Signatory.status) == "signed").where(
            or_(dated, undated) if filters.include_undated else dated
        )
    return query, claims
