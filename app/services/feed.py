"""The feed's items, newest first: data changes from the revision log, and the timeline's
events as the sources report them.

Every item sits at the dataset version of the write that last touched it: a change at its own,
an event at its latest revision's. Versions run newest first; within one version the changes
come first (newest first), then the events that write touched, by stated date, latest first,
with events the source leaves undated (a relative phrase, or none) after the dated ones, by id.
An edited event therefore rises to the top again, as an updated entry does in any feed reader.
Pages are keysets over that order: new writes never shift a page already handed out.
"""

import base64
import binascii
import datetime as dt
from dataclasses import dataclass
from enum import StrEnum
from typing import TypeAlias, cast

import orjson
from sqlalchemy import and_, case, func, or_, select
from sqlalchemy.sql.elements import ColumnElement
from sqlmodel import Session, col

from app.models import Revision
from app.models.common import UNDATED_SORT, as_utc
from app.resources.events.models import Event, EventEntity
from app.services.paging import InvalidInputError

__all__ = [
    "FeedFilters",
    "FeedType",
    "Position",
    "Slot",
    "decode_position",
    "encode_position",
    "feed_slots",
]


class FeedType(StrEnum):
    """What a feed item is: a timeline event, or a change to the data."""

    event = "event"
    change = "change"


@dataclass(frozen=True)
class FeedFilters:
    types: frozenset[FeedType]
    entities: frozenset[str]
    since: dt.datetime | None


# Where an item sits: (version, 0, revision id) for a change;
# (version, 1, undated 0|1, stated date's ordinal, event id) for an event.
Position: TypeAlias = tuple[int, int, int] | tuple[int, int, int, int, str]


@dataclass(frozen=True)
class Slot:
    """One item of a page, before it is rendered."""

    type: FeedType
    position: Position
    revision_id: int  # the change's, or the event's latest
    entity_type: str
    entity_id: str
    updated: dt.datetime

    @property
    def order(self) -> tuple[int, int, int, int, str]:
        if self.type is FeedType.change:
            version, _group, rid = self.position[:3]
            return (-version, 0, -rid, 0, "")
        version, _group, undated, day, ident = self.position  # type: ignore[misc]
        return (-version, 1, undated, -day, ident)


def encode_position(position: Position) -> str:
    """An opaque cursor: the position of a page's last item."""
    return base64.urlsafe_b64encode(orjson.dumps(position)).decode().rstrip("=")


def decode_position(cursor: str) -> Position:
    """The position a cursor names; a 400 for anything this service did not make."""
    problem = InvalidInputError(
        "The cursor is malformed; start again without it.",
        kind="invalid-cursor",
        field="query.cursor",
    )
    try:
        raw = orjson.loads(base64.urlsafe_b64decode(cursor + "=" * (-len(cursor) % 4)))
    except (binascii.Error, ValueError) as exc:
        raise problem from exc
    if not isinstance(raw, list) or len(raw) not in (3, 5):
        raise problem
    if not all(isinstance(v, int) and not isinstance(v, bool) for v in raw[:-1]):
        raise problem
    if len(raw) == 3 and raw[1] == 0 and isinstance(raw[2], int):
        return (raw[0], 0, raw[2])
    if len(raw) == 5 and raw[1] == 1 and raw[2] in (0, 1) and isinstance(raw[4], str):
        return (raw[0], 1, raw[2], raw[3], raw[4])
    raise problem


def _change_slots(
    session: Session, *, filters: FeedFilters, after: Position | None, limit: int
) -> list[Slot]:
    query = select(
        col(Revision.id),
        col(Revision.version),
        col(Revision.entity_type),
        col(Revision.entity_id),
        col(Revision.created_at),
    ).order_by(col(Revision.id).desc())
    if after is not None:
        # Revision ids grow with versions: within a version the changes precede the events.
        bound = col(Revision.id) < after[2] if after[1] == 0 else col(Revision.version) < after[0]
        query = query.where(bound)
    if filters.entities:
        query = query.where(col(Revision.entity_id).in_(sorted(filters.entities)))
    if filters.since is not None:
        query = query.where(col(Revision.created_at) > filters.since)
    return [
        Slot(FeedType.change, (version, 0, rid), rid, kind, ident, as_utc(at))
        for rid, version, kind, ident, at in session.execute(query.limit(limit))
    ]


def _event_after(
    after: Position, version: ColumnElement[int], undated: ColumnElement[int]
) -> ColumnElement[bool]:
    if after[1] == 0:  # after a change: every event of its version is still to come
        return version <= after[0]
    _v, _g, was_undated, day, ident = after  # type: ignore[misc]
    sort = col(Event.date_sort)
    at = dt.date.fromordinal(day)
    within = or_(
        undated > was_undated,
        and_(undated == was_undated, or_(sort < at, and_(sort == at, col(Event.id) > ident))),
    )
    return or_(version < after[0], and_(version == after[0], within))


def _event_slots(
    session: Session, *, filters: FeedFilters, after: Position | None, limit: int
) -> list[Slot]:
    latest = (
        select(col(Revision.entity_id).label("event_id"), func.max(col(Revision.id)).label("rid"))
        .where(col(Revision.entity_type) == "event")
        .group_by(col(Revision.entity_id))
        .subquery()
    )
    undated = case((col(Event.date_sort) == UNDATED_SORT, 1), else_=0)
    version = cast(ColumnElement[int], col(Revision.version))
    query = (
        select(
            col(Event.id),
            col(Event.date_sort),
            version,
            col(Revision.id),
            col(Revision.created_at),
            undated,
        )
        .join(latest, latest.c.event_id == col(Event.id))
        .join(Revision, col(Revision.id) == latest.c.rid)
        .order_by(version.desc(), undated, col(Event.date_sort).desc(), col(Event.id))
    )
    if after is not None:
        query = query.where(_event_after(after, version, undated))
    if filters.entities:
        wanted = sorted(filters.entities)
        concerned = select(col(EventEntity.event_id)).where(col(EventEntity.entity_id).in_(wanted))
        query = query.where(or_(col(Event.id).in_(wanted), col(Event.id).in_(concerned)))
    if filters.since is not None:
        query = query.where(col(Revision.created_at) > filters.since)
    return [
        Slot(
            FeedType.event,
            (v, 1, int(u), day.toordinal(), ident),
            rid,
            "event",
            ident,
            as_utc(at),
        )
        for ident, day, v, rid, at, u in session.execute(query.limit(limit))
    ]


def feed_slots(
    *, session: Session, filters: FeedFilters, after: Position | None, limit: int
) -> tuple[list[Slot], Position | None]:
    """One page of items in feed order, and the position to continue after (None: the end)."""
    slots: list[Slot] = []
    if FeedType.change in filters.types:
        slots += _change_slots(session, filters=filters, after=after, limit=limit + 1)
    if FeedType.event in filters.types:
        slots += _event_slots(session, filters=filters, after=after, limit=limit + 1)
    slots.sort(key=lambda s: s.order)
    page = slots[:limit]
    more = len(slots) > limit
    return page, (page[-1].position if more and page else None)
