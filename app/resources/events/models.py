"""The event table, with the entities it concerns, and their schemas."""

import datetime as dt
from enum import StrEnum

from sqlalchemy import Index, String
from sqlalchemy import Text as SAText
from sqlmodel import Field, SQLModel

from app.models.common import MAX_PARTS, EntityId, Slug, Text
from app.models.dates import DateBounds, Dated
from app.models.public import (
    PARAPHRASE,
    CitationList,
    DatePublic,
    IdOut,
    RefList,
    Supported,
    TextOut,
    UrlOut,
)
from app.models.support import (
    Citations,
    SubjectType,
)


class EventKind(StrEnum):
    agreement_signed = "agreement_signed"
    announcement = "announcement"
    statement = "statement"
    report = "report"
    confirmation = "confirmation"
    restriction_in_force = "restriction_in_force"
    planned_milestone = "planned_milestone"


class EventStatus(StrEnum):
    occurred = "occurred"
    planned = "planned"


class EventBase(Dated):
    kind: EventKind = Field(sa_type=String(40))
    status: EventStatus = Field(sa_type=String(16))
    summary: Text = Field(sa_type=SAText)


class Event(EventBase, DateBounds, table=True):
    __tablename__ = "event"
    __table_args__ = (
        Index("ix_event_sort", "date_sort", "id"),
        Index("ix_event_kind", "kind", "id"),
        Index("ix_event_kind_sort", "kind", "date_sort", "id"),
        # start/end: an overlap test, so one bound is selective for recent days, the other for
        # early ones; the planner picks by the bound it is given.
        Index("ix_event_date_upper", "date_upper"),
        Index("ix_event_date_lower", "date_lower"),
    )

    id: str = Field(primary_key=True, max_length=100)


class EventEntity(SQLModel, table=True):
    """A row an event concerns; backed by the event's `entities` claim."""

    __tablename__ = "event_entity"
    __table_args__ = (
        Index("ix_event_entity_entity", "entity_type", "entity_id"),
        # list_events filters by entity_id alone; event_id makes the lookup index-only.
        Index("ix_event_entity_entity_id", "entity_id", "event_id"),
        # One entity's timeline read in order: a page is an index range, however many events.
        Index("ix_event_entity_timeline", "entity_id", "date_sort", "event_id"),
    )

    event_id: str = Field(
        foreign_key="event.id", primary_key=True, max_length=100, ondelete="CASCADE"
    )
    entity_type: SubjectType = Field(primary_key=True, sa_type=String(32))
    entity_id: str = Field(primary_key=True, max_length=100)
    # The event's date_sort, copied by the loader (the same plan writes both rows).
    date_sort: dt.date


class EntityRef(SQLModel):
    type: SubjectType
    id: EntityId


class EventCreate(EventBase):
    id: Slug
    entities: list[EntityRef] = Field(max_length=MAX_PARTS)
    citations: Citations


class EventPublic(Supported):
    id: IdOut
    url: UrlOut
    kind: EventKind
    status: EventStatus
    summary: TextOut = Field(description=PARAPHRASE)
    date: DatePublic
    entities: RefList
    citations: CitationList
