"""Listing citations: sorts, filters and the query they make."""

from dataclasses import dataclass
from enum import StrEnum
from typing import Annotated, Any

from fastapi import Query
from sqlalchemy import select
from sqlmodel import col

from app.models.common import Basis
from app.models.support import ClaimSupport
from app.resources._types import Filtered
from app.resources.citations.models import Citation
from app.routes.params import TEXT_PATTERN, IdItem, ids_param, values

__all__ = ["SORT_COLUMNS", "CitationFilters", "CitationSort", "list_query"]


class CitationSort(StrEnum):
    id = "id"
    start = "start"
    source = "source"


SORT_COLUMNS: dict[str, Any] = {
    CitationSort.id: col(Citation.id),
    CitationSort.start: col(Citation.start),
    CitationSort.source: col(Citation.source_id),
}


@dataclass(frozen=True)
class CitationFilters:
    source: Annotated[list[IdItem] | None, ids_param("Citations quoting a source.")] = None
    attribution: Annotated[
        list[IdItem] | None,
        ids_param("Citations carrying someone's words, e.g. `cnsa-announcement`."),
    ] = None
    q: Annotated[
        str | None,
        Query(
            min_length=1,
            max_length=200,
            pattern=TEXT_PATTERN,
            description="Case-insensitive text within the quote.",
        ),
    ] = None


def list_query(filters: CitationFilters, *, stated_only: bool) -> Filtered:
    """Citations matching every filter given; `q` is a case-insensitive substring of the quote."""
    source, attribution = values(filters.source), values(filters.attribution)
    query = select(col(Citation.id))
    if source:
        query = query.where(col(Citation.source_id).in_(source))
    if attribution:
        query = query.where(col(Citation.attribution_id).in_(attribution))
    if filters.q:
        query = query.where(col(Citation.exact).icontains(filters.q, autoescape=True))
    if stated_only:
        # A premise of an inference supports no value by itself: left out, like the value.
        inferred = select(ClaimSupport.subject_id).where(  # type: ignore[call-overload]
            col(ClaimSupport.subject_type) == col(Citation.subject_type),
            col(ClaimSupport.subject_id) == col(Citation.subject_id),
            col(ClaimSupport.claim) == col(Citation.claim),
            col(ClaimSupport.basis) == Basis.inferred.value,
        )
        query = query.where(~inferred.exists())
    return query, []  # a citation is no claim's subject: nothing more to leave out
