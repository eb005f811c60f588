"""Listing restrictions: sorts, filters and the query they make."""

from dataclasses import dataclass
from enum import StrEnum
from typing import Annotated, Any

from fastapi import Query
from sqlalchemy import select
from sqlmodel import col

from app.resources._types import Filtered
from app.resources.restrictions.models import Restriction, RestrictionParty
from app.routes.params import Day, IdItem, ids_param, values

__all__ = ["SORT_COLUMNS", "RestrictionFilters", "RestrictionSort", "list_query"]


class RestrictionSort(StrEnum):
    id = "id"
    name = "name"


SORT_COLUMNS: dict[str, Any] = {
    RestrictionSort.id: col(Restriction.id),
    RestrictionSort.name: col(Restriction.name),
}


@dataclass(frozen=True)
class RestrictionFilters:
    jurisdiction: Annotated[
        list[IdItem] | None, ids_param("Restrictions under a country's law.")
    ] = None
    restricted_party: Annotated[
        list[IdItem] | None, ids_param("Restrictions binding an agency.")
    ] = None
    counterpart: Annotated[
        list[IdItem] | None, ids_param("Restrictions on working with a country's bodies.")
    ] = None
    active_on: Annotated[
        Day | None,
        Query(
            description="Restrictions that may be in force on this day (YYYY-MM-DD): their "
            "start's earliest possible day is on or before it.",
        ),
    ] = None


def list_query(filters: RestrictionFilters, *, stated_only: bool) -> Filtered:
    """Restrictions matching every filter given.

    `active_on` keeps restrictions that may be in force on that day: their start's earliest
    possible day is on or before it (no restriction in the data has a stated end).
    """
    del stated_only  # no filter here reads another row's claim; the listing applies it
    jurisdiction, counterpart = values(filters.jurisdiction), values(filters.counterpart)
    restricted_party = values(filters.restricted_party)
    query = select(col(Restriction.id))
    claims: list[str] = []  # the claims the filters read: stated ones only, with basis=stated
    if jurisdiction:
        claims.append("jurisdiction")
        query = query.where(col(Restriction.jurisdiction_code).in_(jurisdiction))
    if counterpart:
        claims.append("counterpart")
        query = query.where(col(Restriction.counterpart_country_code).in_(counterpart))
    if restricted_party:
        claims.append("restricted_parties")
        bound = select(col(RestrictionParty.restriction_id)).where(
            col(RestrictionParty.agency_id).in_(restricted_party)
        )
        query = query.where(col(Restriction.id).in_(bound))
    if filters.active_on is not None:
        claims.append("since")
        query = query.where(col(Restriction.since_lower) <= filters.active_on)
    return query, claims
