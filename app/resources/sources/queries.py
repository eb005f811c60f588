"""Listing sources: sorts and the query (no filters)."""

from enum import StrEnum
from typing import Any

from sqlalchemy import select
from sqlmodel import col

from app.resources._types import Filtered
from app.resources.sources.models import Source

__all__ = ["SORT_COLUMNS", "SourceSort", "list_query"]


class SourceSort(StrEnum):
    id = "id"
    title_ = "title"  # `title` would hide str.title


SORT_COLUMNS: dict[str, Any] = {
    SourceSort.id: col(Source.id),
    SourceSort.title_: col(Source.title),
}


def list_query(filters: None, *, stated_only: bool) -> Filtered:
    del filters, stated_only  # no filters; a source is a document, not a claim: no basis
    return select(col(Source.id)), []
