"""Listing countries: sorts and the query (no filters)."""

from enum import StrEnum
from typing import Any

from sqlalchemy import Select, select
from sqlmodel import col

from app.resources.countries.models import Country
from app.services.basis import exclude_inferred

__all__ = ["SORT_COLUMNS", "CountrySort", "list_query"]


class CountrySort(StrEnum):
    code = "code"
    name = "name"


SORT_COLUMNS: dict[str, Any] = {
    CountrySort.code: col(Country.code),
    CountrySort.name: col(Country.name),
}


def list_query(filters: None, *, stated_only: bool) -> Select[Any]:
    del filters  # countries take no filters
    query = select(col(Country.code))
    if stated_only:
        query = exclude_inferred(query, subject_type="country", id_column=col(Country.code))
    return query
