"""An entity's revisions, newest first, paged by revision id."""

import datetime as dt
from typing import Annotated

import orjson
from pydantic import BaseModel, Field
from sqlalchemy import select
from sqlmodel import Session, col

from app.models import ChangeKind, Revision
from app.models.common import as_utc
from app.models.public import IdOut, Int64Out, NameOut, TextOut

__all__ = ["RevisionPage", "RevisionPublic", "changed_fields", "list_revisions"]


class RevisionPublic(BaseModel):
    """One change to one entity: who made it, when, which fields it changed, and the entity's
    document before and after (null before a create, after a delete)."""

    id: Int64Out = Field(description="the revision's number; later changes have larger ones")
    version: Int64Out = Field(description="the dataset version the change made")
    entity_type: IdOut
    entity_id: IdOut
    kind: ChangeKind = Field(examples=["update"])
    actor: NameOut = Field(examples=["seed:agreements.yaml"], description="a seed file or a key")
    reason: TextOut | None
    created_at: dt.datetime = Field(description="when, in UTC", json_schema_extra={"maxLength": 40})
    changed: list[NameOut] = Field(
        max_length=100, description="the document's top-level fields that differ"
    )
    before: dict[str, object] | None
    after: dict[str, object] | None


class RevisionPage(BaseModel):
    items: list[RevisionPublic] = Field(max_length=200)
    next_cursor: Annotated[str, Field(max_length=20, pattern=r"^[0-9]+$")] | None = Field(
        description="the `cursor` of the next page; null on the last page"
    )
    limit: int = Field(ge=1, le=200, json_schema_extra={"format": "int32"})


def changed_fields(before: dict[str, object] | None, after: dict[str, object] | None) -> list[str]:
    """The top-level fields of a document that differ between two versions of it."""
    old, new = before or {}, after or {}
    return sorted(k for k in set(old) | set(new) if old.get(k) != new.get(k))


def list_revisions(
    *, session: Session, entity_type: str, entity_id: str, limit: int, cursor: int | None
) -> tuple[list[RevisionPublic], int | None]:
    """One page of an entity's revisions, newest first, and the cursor of the next page."""
    query = (
        select(Revision)
        .where(col(Revision.entity_type) == entity_type, col(Revision.entity_id) == entity_id)
        .order_by(col(Revision.id).desc())
        .limit(limit + 1)
    )
    if cursor is not None:
        query = query.where(col(Revision.id) < cursor)
    rows = list(session.execute(query).scalars())
    items = []
    for r in rows[:limit]:
        assert r.id is not None
        before = orjson.loads(r.before) if r.before else None
        after = orjson.loads(r.after) if r.after else None
        items.append(
            RevisionPublic(
                id=r.id,
                version=r.version,
                entity_type=r.entity_type,
                entity_id=r.entity_id,
                kind=r.kind,
                actor=r.actor,
                reason=r.reason,
                created_at=as_utc(r.created_at),
                changed=changed_fields(before, after),
                before=before,
                after=after,
            )
        )
    more = len(rows) > limit
    return items, (items[-1].id if more and items else None)
