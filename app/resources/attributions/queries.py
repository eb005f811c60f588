"""Listing attributions: sorts, filters and the query they make."""

from dataclasses import dataclass
from enum import StrEnum
from typing import Annotated, Any

from sqlalchemy import select
from sqlmodel import col

from app.resources._types import Filtered
from app.resources.attributions.models import Attribution
from app.routes.params import IdItem, ids_param, values

__all__ = ["SORT_COLUMNS", "AttributionFilters", "AttributionSort", "list_query"]


class AttributionSort(StrEnum):
    id = "id"
    label = "label"


SORT_COLUMNS: dict[str, Any] = {
    AttributionSort.id: col(Attribution.id),
    AttributionSort.label: col(Attribution.label),
}


@dataclass(frozen=True)
class AttributionFilters:
    speaker: Annotated[list[IdItem] | None, ids_param("Words an agency speaks, e.g. `cnsa`.")] = (
        None
    )


def list_query(filters: AttributionFilters, *, stated_only: bool) -> Filtered:
    """Attributions matching every filter given."""
    del stated_only  # no filter here reads another row's claim; the listing applies it
    speaker = values(filters.speaker)
    query = select(col(Attribution.id))
    claims: list[str] = []
    if speaker:
        claims.append("speaker")
        query = query.where(col(Attribution.speaker_agency_id).in_(speaker))
    return query, claims
