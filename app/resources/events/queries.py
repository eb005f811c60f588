"""Listing the timeline: sorts, filters, the query they make, and one entity's fast path."""

import datetime as dt
from dataclasses import dataclass, replace
from enum import StrEnum
from typing import Annotated, Any

from fastapi import Query
from pydantic import StringConstraints
from sqlalchemy import Connection, or_, select
from sqlmodel import col

from app.models.base import table_of
from app.models.common import edtf_bounds
from app.resources._types import FastPage, Filtered
from app.resources.events.models import Event, EventEntity, EventKind
from app.resources.events.spans import BY_KIND, overlap_arms
from app.routes.params import Day, IdItem, enum_param, ids_param, values
from app.services.paging import SortKey, decode_cursor

__all__ = ["SORT_COLUMNS", "EventFilters", "EventSort", "fast_page", "list_query", "timeline"]

# A year or a month, as EDTF writes them; a whole day is a Day. Each pattern admits only
# values that exist, so every value the document allows is one the API accepts.
YEAR = "([1-9][0-9]{3}|0[1-9][0-9]{2}|00[1-9][0-9]|000[1-9])"  # 0001-9999
Year = Annotated[str, StringConstraints(pattern=f"^{YEAR}$", max_length=4)]
YearMonth = Annotated[str, StringConstraints(pattern=f"^{YEAR}-(0[1-9]|1[0-2])$", max_length=7)]
Bound = Year | YearMonth | Day


class EventSort(StrEnum):
    date = "date"
    id = "id"
    kind = "kind"


SORT_COLUMNS: dict[str, Any] = {
    EventSort.date: col(Event.date_sort),
    EventSort.id: col(Event.id),
    EventSort.kind: col(Event.kind),
}


@dataclass(frozen=True)
class EventFilters:
    kind: Annotated[list[EventKind] | None, enum_param("Kind of event.")] = None
    entity: Annotated[
        list[IdItem] | None,
        ids_param("Events concerning a program, agency, country, agreement or restriction."),
    ] = None
    start: Annotated[
        Bound | None,
        Query(
            alias="from",
            description="Events whose stated date or span overlaps the range starting at this "
            "year, month or day (YYYY, YYYY-MM or YYYY-MM-DD). Undated events are excluded.",
        ),
    ] = None
    end: Annotated[
        Bound | None,
        Query(
            alias="to",
            description="Events whose stated date or span overlaps the range ending at this year, "
            "month or day (its last day). Undated events are excluded.",
        ),
    ] = None


def _bound(value: str | dt.date | None, *, upper: bool) -> dt.date | None:
    """The first (or last) day of a year, month or day."""
    if value is None or isinstance(value, dt.date):
        return value
    lower_day, upper_day = edtf_bounds(value)
    return upper_day if upper else lower_day


def list_query(filters: EventFilters, *, stated_only: bool) -> Filtered:
    """Events matching every filter given.

    `from`/`to` keep events whose stated date or span overlaps [from, to]: an event of
    "the mid-2020s" (2020–2029) overlaps 2025; an open end ("by the end of the 2020s") counts
    as unbounded on that side. Events whose date the source leaves open are left out.
    """
    del stated_only  # no filter here reads another row's claim; the listing applies it
    kind, entity = values(filters.kind), values(filters.entity)
    start, end = _bound(filters.start, upper=False), _bound(filters.end, upper=True)
    query = select(col(Event.id))
    claims: list[str] = []  # the claims the filters read: stated ones only, with basis=stated
    if kind:
        claims.append("kind")
        query = query.where(col(Event.kind).in_(kind))
    if entity:
        claims.append("entities")
        related = select(col(EventEntity.event_id)).where(col(EventEntity.entity_id).in_(entity))
        query = query.where(col(Event.id).in_(related))
    if start is not None or end is not None:
        claims.append("date")
        query = query.where(col(Event.date_edtf).is_not(None))
    if start is not None:
        query = query.where(or_(col(Event.date_upper).is_(None), col(Event.date_upper) >= start))
    if end is not None:
        query = query.where(or_(col(Event.date_lower).is_(None), col(Event.date_lower) <= end))
    return query, claims


def timeline(
    filters: EventFilters, *, stated_only: bool, keys: list[SortKey], connection: Connection
) -> FastPage | None:
    """One entity's events by date, read in order from ix_event_entity_timeline, or None.

    The same rows, order and cursors as the general query (tests/test_api_resources.py), but
    a page is an index range: gathering a common entity's events and sorting them took
    0.3 s at a million events. DISTINCT: an id may name an entity of two types.
    """
    del connection  # the answer depends on the filters alone
    entity = values(filters.entity)
    only_entity = (
        len(entity) == 1
        and not filters.kind
        and filters.start is None
        and filters.end is None
        and not stated_only
    )
    if not (only_entity and len(keys) == 1 and keys[0].name == EventSort.date):
        return None
    query = (
        select(col(EventEntity.event_id)).where(col(EventEntity.entity_id) == entity[0]).distinct()
    )
    return FastPage(
        query,
        [SortKey(EventSort.date, col(EventEntity.date_sort), keys[0].descending)],
        col(EventEntity.event_id),
    )


def fast_page(
    filters: EventFilters,
    *,
    stated_only: bool,
    keys: list[SortKey],
    connection: Connection,
    sort: str,
    cursor: str | None,
) -> FastPage | None:
    """One entity's timeline, or a date range through ix_event_span, or None; `cursor` (made
    for the canonical `sort`) is the page's, which the range's arms start past."""
    found = timeline(filters, stated_only=stated_only, keys=keys, connection=connection)
    if found is not None or (filters.start is None and filters.end is None) or stated_only:
        # basis=stated leaves out rows the listing service filters afterwards: general path.
        return found
    kinds = sorted(set(values(filters.kind)))
    by_kind = 0 < len(kinds) <= BY_KIND  # then each arm holds one kind, ix_event_kind_span's
    rest = replace(filters, start=None, end=None, kind=None if by_kind else filters.kind)
    query, _ = list_query(rest, stated_only=stated_only)
    start, end = _bound(filters.start, upper=False), _bound(filters.end, upper=True)
    dialect = connection.dialect.name
    after = None
    if cursor is not None and len(keys) == 1 and keys[0].name == EventSort.date:
        event = table_of(Event).c
        # Refused here as keyset_page would refuse it: the same error, a step earlier.
        after, _ = decode_cursor(cursor, sort, [event.date_sort, event.id], None)
    return overlap_arms(
        query,
        start=start,
        end=end,
        keys=keys,
        dialect=dialect,
        kinds=kinds if by_kind else (),
        after=after,
    )
