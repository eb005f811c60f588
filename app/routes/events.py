import datetime as dt
from typing import Annotated

from fastapi import APIRouter, Query, Request
from pydantic import StringConstraints

from app.deps import DbDep, EventDep, StatedOnly
from app.models.common import edtf_bounds
from app.models.events import EventKind, EventPublic
from app.routes.common import (
    ApiRoute,
    Cursor,
    Day,
    Guard,
    IdItem,
    JSONBytes,
    Limit,
    enum_param,
    ids_param,
    page_of,
    page_response,
    responses,
    sort_param,
    values,
)
from app.services import events

router = APIRouter(prefix="/v1/events", tags=["events"], dependencies=[Guard], route_class=ApiRoute)
KINDS = "|".join(k.value for k in EventKind)
# A year or a month, as EDTF writes them; a whole day is a Day. Each pattern admits only
# values that exist, so every value the document allows is one the API accepts.
YEAR = "([1-9][0-9]{3}|0[1-9][0-9]{2}|00[1-9][0-9]|000[1-9])"  # 0001-9999
Year = Annotated[str, StringConstraints(pattern=f"^{YEAR}$", max_length=4)]
YearMonth = Annotated[str, StringConstraints(pattern=f"^{YEAR}-(0[1-9]|1[0-2])$", max_length=7)]
Bound = Year | YearMonth | Day


def _bound(value: str | dt.date | None, *, upper: bool) -> dt.date | None:
    """The first (or last) day of a year, month or day."""
    if value is None or isinstance(value, dt.date):
        return value
    lower_day, upper_day = edtf_bounds(value)
    return upper_day if upper else lower_day


@router.get(
    "",
    summary="List the timeline",
    response_model=page_of(EventPublic),
    response_class=JSONBytes,
    responses=responses(),
)
async def list_events(
    request: Request,
    db: DbDep,
    stated: StatedOnly,
    kind: Annotated[list[EventKind] | None, enum_param("Kind of event.")] = None,
    entity: Annotated[
        list[IdItem] | None,
        ids_param("Events concerning a program, agency, country, agreement or restriction."),
    ] = None,
    start: Annotated[
        Bound | None,
        Query(
            alias="from",
            description="Events whose stated date or span overlaps the range starting at this "
            "year, month or day (YYYY, YYYY-MM or YYYY-MM-DD). Undated events are excluded.",
        ),
    ] = None,
    end: Annotated[
        Bound | None,
        Query(
            alias="to",
            description="Events whose stated date or span overlaps the range ending at this year, "
            "month or day (its last day). Undated events are excluded.",
        ),
    ] = None,
    sort: Annotated[str | None, sort_param(sorted(events.SORTS), "date")] = None,
    limit: Limit = 50,
    cursor: Cursor = None,
) -> JSONBytes:
    """Events and planned milestones, dated as the source states them; undated ones sort last."""
    items, page = await db.run(
        lambda session: events.list_events(
            session=session,
            stated_only=stated,
            kind=values(kind),
            entity=values(entity),
            start=_bound(start, upper=False),
            end=_bound(end, upper=True),
            sort=sort,
            limit=limit,
            cursor=cursor,
        )
    )
    return page_response(request, items, page, limit, stated=stated)


@router.get(
    "/{event_id}",
    summary="Read an event",
    response_model=EventPublic,
    response_class=JSONBytes,
    responses=responses(not_found=True),
)
async def read_event(event: EventDep) -> JSONBytes:
    """One event: its date as stated, what it concerns, and its citations."""
    return JSONBytes(event)
