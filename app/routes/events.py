import datetime as dt
from typing import Annotated

import edtf
from fastapi import APIRouter, Query, Request

from app.deps import EventDep, SessionDep
from app.models.common import edtf_bounds
from app.models.events import EventKind, EventPublic
from app.routes.common import (
    Cursor,
    Guard,
    JSONBytes,
    Limit,
    ids_param,
    page_of,
    page_response,
    responses,
    sort_param,
    split,
)
from app.services import events
from app.services.paging import InvalidInputError

router = APIRouter(prefix="/v1/events", tags=["events"], dependencies=[Guard])
KINDS = "|".join(k.value for k in EventKind)
DAY_MONTH_YEAR = r"^\d{4}(-\d{2}(-\d{2})?)?$"


def _bound(value: str | None, name: str, *, upper: bool) -> dt.date | None:
    if value is None:
        return None
    try:
        lower_day, upper_day = edtf_bounds(value)
    except (ValueError, edtf.parser.edtf_exceptions.EDTFParseException) as exc:
        raise InvalidInputError(
            f"{name}={value!r} is not a valid date.", field=f"query.{name}"
        ) from exc
    return upper_day if upper else lower_day


@router.get(
    "",
    summary="List the timeline",
    response_model=page_of(EventPublic),
    response_class=JSONBytes,
    responses=responses(),
)
def list_events(
    request: Request,
    session: SessionDep,
    kind: Annotated[
        str | None,
        Query(
            description=f"Kind: {KINDS.replace('|', ', ')}. Comma-separated values mean OR.",
            max_length=300,
            pattern=rf"^({KINDS})(,({KINDS}))*$",
        ),
    ] = None,
    entity: Annotated[
        str | None,
        ids_param("Events concerning a program, agency, country, agreement or restriction."),
    ] = None,
    start: Annotated[
        str | None,
        Query(
            alias="from",
            pattern=DAY_MONTH_YEAR,
            max_length=10,
            description="Events whose stated date or span overlaps the range starting at this "
            "year, month or day (YYYY, YYYY-MM or YYYY-MM-DD). Undated events are excluded.",
        ),
    ] = None,
    end: Annotated[
        str | None,
        Query(
            alias="to",
            pattern=DAY_MONTH_YEAR,
            max_length=10,
            description="Events whose stated date or span overlaps the range ending at this year, "
            "month or day (its last day). Undated events are excluded.",
        ),
    ] = None,
    sort: Annotated[str | None, sort_param(sorted(events.SORTS), "date")] = None,
    limit: Limit = 50,
    cursor: Cursor = None,
) -> JSONBytes:
    """Events and planned milestones, dated as the source states them; undated ones sort last."""
    items, page = events.list_events(
        session=session,
        kind=split(kind),
        entity=split(entity),
        start=_bound(start, "from", upper=False),
        end=_bound(end, "to", upper=True),
        sort=sort,
        limit=limit,
        cursor=cursor,
    )
    return page_response(request, items, page, limit)


@router.get(
    "/{event_id}",
    summary="Read an event",
    response_model=EventPublic,
    response_class=JSONBytes,
    responses=responses(not_found=True),
)
def read_event(event: EventDep) -> JSONBytes:
    """One event: its date as stated, what it concerns, and its citations."""
    return JSONBytes(event)
