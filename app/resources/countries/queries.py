"""Listing countries: sorts and the query (no filters)."""

from enum import StrEnum
from typing import Any

from sqlalchemy import select
from sqlmodel import col

from app.resources._types import Filtered
from app.resources.countries.models import Country

__all__ = ["SORT_COLUMNS", "CountrySort", "list_query"]


class CountrySort(StrEnum):
    code = "code"
    name = "name"


SORT_COLUMNS: dict[str, Any] = {
    CountrySort.code: col(Country.code),
    CountrySort.name: col(Country.name),
}


def list_query(filters: None, *, stated_only: bool) -> Filtered:
    del filters, stated_only  # no filters; the listing leaves out inferred rows
    query = select(col(Country.code))
    return query, []
