"""The timeline, dated as the sources state it."""

from app.models.support import SubjectType
from app.resources._types import Part, Resource, SearchRow, SeedFile
from app.resources.events.documents import build_events
from app.resources.events.models import Event, EventCreate, EventEntity, EventPublic
from app.resources.events.queries import (
    SORT_COLUMNS,
    EventFilters,
    EventSort,
    fast_page,
    list_query,
)
from app.services.search_index import document_basis, search_row


def _search(doc: EventPublic) -> SearchRow:
    phrase = doc.date.phrase
    fields = ("summary", "date") if phrase else ("summary",)
    return search_row(
        "event", doc.id, doc.summary, phrase or "", basis=document_basis(doc, *fields)
    )


resource = Resource(
    type="event",
    collection="events",
    description="The timeline, dated as the sources state it.",
    table=Event,
    id_column=Event.id,
    public=EventPublic,
    build=build_events,
    sorts=EventSort,
    sort_columns=SORT_COLUMNS,
    default_sort=EventSort.date,
    path_param="event_id",
    example_id="ilrs-mou-signed",
    list_query=list_query,
    docs=(
        "List the timeline",
        "Events and planned milestones, dated as the source states them; undated ones sort last.",
        "Read an event",
        "One event: its date as stated, what it concerns, and its citations.",
    ),
    filters=EventFilters,
    parts=(Part(EventEntity, "event_id"),),
    search=_search,
    fast_page=fast_page,
    seed=(SeedFile("events.yaml", "events", EventCreate, SubjectType.event),),
)
