"""Event documents: the date as stated and what the event concerns."""

from collections import defaultdict

from sqlalchemy import select
from sqlmodel import Session, col

from app.resources._types import Built
from app.resources.events.models import Event, EventEntity, EventPublic
from app.resources.reads import key, subject_keys
from app.services.refs import date_json, in_order, refs, support_for, url_for

__all__ = ["build_events"]


def build_events(session: Session, ids: list[str]) -> list[Built]:
    rows = {e.id: e for e in session.execute(select(Event).where(col(Event.id).in_(ids))).scalars()}
    entities: dict[str, list[tuple[str, str]]] = defaultdict(list)
    for event_id, kind, ident in session.execute(
        select(col(EventEntity.event_id), col(EventEntity.entity_type), col(EventEntity.entity_id))
        .where(col(EventEntity.event_id).in_(ids))
        .order_by(col(EventEntity.entity_type), col(EventEntity.entity_id))
    ):
        entities[event_id].append((kind, ident))
    named = refs(session=session, wanted={e for group in entities.values() for e in group})
    cited = support_for(session=session, subject_type="event", ids=ids)
    out = []
    for e in in_order(ids, rows):
        deps = {
            key("event", "id", e.id),
            key("event_entity", "event_id", e.id),
            *subject_keys("event", e.id),
            *named.deps(*entities[e.id]),
        }
        document = EventPublic(
            id=e.id,
            url=url_for("event", e.id),
            kind=e.kind,
            status=e.status,
            summary=e.summary,
            date=date_json(e.date_edtf, e.date_phrase, e.date_lower, e.date_upper),
            entities=[named[ref] for ref in entities[e.id] if ref in named],
            **cited[e.id],
        )
        out.append(Built(e.id, document, frozenset(deps)))
    return out
