"""Listing attributions: sorts, filters and the query they make."""

from dataclasses import dataclass
from enum import StrEnum
from typing import Annotated, Any

from sqlalchemy import Select, select
from sqlmodel import col

from app.resources.attributions.models import Attribution
from app.routes.params import IdItem, ids_param, values
from app.services.basis import exclude_inferred

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


def list_query(filters: AttributionFilters, *, stated_only: bool) -> Select[Any]:
    """Attributions matching every filter given."""
    speaker = values(filters.speaker)
    query = select(col(Attribution.id))
    claims: list[str] = []
    if speaker:
        claims.append("speaker")
        query = query.where(col(Attribution.speaker_agency_id).in_(speaker))
    if stated_only:
        query = exclude_inferred(
            query, subject_type="attribution", id_column=col(Attribution.id), claims=claims
        )
    return query
