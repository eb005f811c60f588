"""Listing programs: sorts, filters and the query they make."""

from dataclasses import dataclass
from enum import StrEnum
from typing import Annotated, Any

from fastapi import Query
from sqlalchemy import or_, select
from sqlmodel import col

from app.resources._types import Filtered
from app.resources.agencies.models import Agency
from app.resources.programs.models import Location, Program, ProgramLocation, ProgramParticipant
from app.routes.params import TEXT_PATTERN, IdItem, enum_param, ids_param, values
from app.services.basis import exclude_inferred

__all__ = ["SORT_COLUMNS", "ProgramFilters", "ProgramSort", "list_query"]


class ProgramSort(StrEnum):
    id = "id"
    name = "name"


SORT_COLUMNS: dict[str, Any] = {
    ProgramSort.id: col(Program.id),
    ProgramSort.name: col(Program.name),
}


@dataclass(frozen=True)
class ProgramFilters:
    agency: Annotated[list[IdItem] | None, ids_param("Programs an agency takes part in.")] = None
    country: Annotated[
        list[IdItem] | None,
        ids_param("Programs a country takes part in, directly or through an agency."),
    ] = None
    location: Annotated[
        list[Location] | None, enum_param("Where the program is to be built or operate.")
    ] = None
    q: Annotated[
        str | None,
        Query(
            min_length=1,
            max_length=200,
            pattern=TEXT_PATTERN,
            description="Text in name, acronym, summary or description (case-insensitive).",
        ),
    ] = None


def list_query(filters: ProgramFilters, *, stated_only: bool) -> Filtered:
    """Programs matching every filter given (values within one filter are alternatives)."""
    agency, country, location = values(filters.agency), values(filters.country), filters.location
    query = select(col(Program.id))
    claims: list[str] = []  # the claims the filters read: stated ones only, with basis=stated
    participants = select(col(ProgramParticipant.program_id))
    if stated_only:
        participants = exclude_inferred(
            participants,
            subject_type="program_participant",
            id_column=col(ProgramParticipant.id),
            claims=["party"],
        )
    if agency:
        query = query.where(
            col(Program.id).in_(participants.where(col(ProgramParticipant.agency_id).in_(agency)))
        )
    if country:
        # A country takes part directly, or through one of its agencies.
        via_agency = select(col(Agency.id)).where(col(Agency.country_code).in_(country))
        if stated_only:
            via_agency = exclude_inferred(
                via_agency, subject_type="agency", id_column=col(Agency.id), claims=["country"]
            )
        query = query.where(
            col(Program.id).in_(
                participants.where(
                    or_(
                        col(ProgramParticipant.country_code).in_(country),
                        col(ProgramParticipant.agency_id).in_(via_agency),
                    )
                )
            )
        )
    if location:
        claims.append("locations")
        query = query.where(
            col(Program.id).in_(
                select(col(ProgramLocation.program_id)).where(
                    col(ProgramLocation.location).in_(location)
                )
            )
        )
    if filters.q:
        claims += ["name", "acronym", "summary", "description"]
        query = query.where(
            or_(
                *(
                    col(c).icontains(filters.q, autoescape=True)
                    for c in (Program.name, Program.acronym, Program.summary, Program.description)
                )
            )
        )
    return query, claims
