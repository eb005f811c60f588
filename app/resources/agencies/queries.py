"""Listing agencies: sorts, filters and the query they make."""

from dataclasses import dataclass
from enum import StrEnum
from typing import Annotated, Any

from sqlalchemy import select
from sqlmodel import col

from app.resources._types import Filtered
from app.resources.agencies.models import Agency, AgencyKind
from app.resources.programs.models import ProgramParticipant
from app.routes.params import IdItem, enum_param, ids_param, values
from app.services.basis import exclude_inferred

__all__ = ["SORT_COLUMNS", "AgencyFilters", "AgencySort", "list_query"]


class AgencySort(StrEnum):
    id = "id"
    name = "name"


SORT_COLUMNS: dict[str, Any] = {AgencySort.id: col(Agency.id), AgencySort.name: col(Agency.name)}


@dataclass(frozen=True)
class AgencyFilters:
    country: Annotated[list[IdItem] | None, ids_param("Agencies of a country (ISO code).")] = None
    kind: Annotated[list[AgencyKind] | None, enum_param("Kind of body.")] = None
    program: Annotated[list[IdItem] | None, ids_param("Agencies taking part in a program.")] = None


def list_query(filters: AgencyFilters, *, stated_only: bool) -> Filtered:
    """Agencies matching every filter given (values within one filter are alternatives)."""
    country, kind, program = values(filters.country), values(filters.kind), values(filters.program)
    query = select(col(Agency.id))
    claims: list[str] = []  # the claims the filters read: stated ones only, with basis=stated
    if country:
        claims.append("country")
        query = query.where(col(Agency.country_code).in_(country))
    if kind:
        claims.append("kind")
        query = query.where(col(Agency.kind).in_(kind))
    if program:
        taking_part = select(col(ProgramParticipant.agency_id)).where(
            col(ProgramParticipant.program_id).in_(program)
        )
        if stated_only:
            taking_part = exclude_inferred(
                taking_part,
                subject_type="program_participant",
                id_column=col(ProgramParticipant.id),
                claims=["party"],
            )
        query = query.where(col(Agency.id).in_(taking_part))
    return query, claims
