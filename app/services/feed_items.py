"""Feed items as JSON Feed 1.1 items: one model, which the JSON Feed, the Atom feed and the live
stream all render."""

import datetime as dt
import html
from typing import Any, Literal

import orjson
from pydantic import BaseModel, ConfigDict, Field
from sqlalchemy import func, select
from sqlmodel import Session, col

from app.models import ChangeKind, Revision
from app.models.common import as_utc
from app.models.public import NO_NUL, DatePublic, IdOut, Int64Out, NameOut, TextOut, UrlOut
from app.services.documents import read_documents
from app.services.feed import FeedType, Slot
from app.services.history import changed_fields
from app.services.refs import url_for
from app.services.write_shape import Json

__all__ = [
    "FeedAuthor",
    "FeedEntity",
    "FeedExtension",
    "FeedQuote",
    "JsonFeedItem",
    "items_for",
]

PAST = {"create": "created", "update": "updated", "delete": "deleted", "restore": "restored"}
AbsoluteUrl = str  # the feed formats want absolute URLs: the API's base URL and a path


class FeedEntity(BaseModel):
    type: IdOut
    id: IdOut
    url: UrlOut = Field(description="the entity in the API (a 404 with its history once deleted)")


class FeedQuote(BaseModel):
    """A citation of the entity, as its document carries it."""

    claim: NameOut
    exact: TextOut
    basis: Literal["stated", "inferred"]
    attribution: IdOut | None = Field(description="whose words these are (an attribution id)")
    source: IdOut
    url: UrlOut


class FeedExtension(BaseModel):
    """What spacefacts adds to each item (JSON Feed's `_` extension)."""

    about: Literal["/docs#feeds"] = "/docs#feeds"
    type: FeedType
    entity: FeedEntity
    revision: Int64Out = Field(description="the change's revision (an event: its latest one)")
    version: Int64Out = Field(description="the dataset version that revision made")
    change: ChangeKind | None = Field(description="a change's kind; null for an event")
    actor: NameOut | None = Field(description="who made the change: a seed file or a key's name")
    reason: TextOut | None
    changed: list[NameOut] = Field(
        max_length=100, description="the document's top-level fields the change touched"
    )
    date: DatePublic | None = Field(description="an event's date as the source states it")
    quotes: list[FeedQuote] = Field(max_length=1000)
    document: dict[str, object] | None = Field(
        description="the entity's document: after the change (null after a delete), or now"
    )


class FeedAuthor(BaseModel):
    name: NameOut


class JsonFeedItem(BaseModel):
    """One item: a timeline event, or a change to the data. The same item is the data of a
    stream message (`/v1/stream`)."""

    model_config = ConfigDict(populate_by_name=True)

    id: str = Field(
        max_length=200,
        pattern=r"^urn:spacefacts:(event|revision):[A-Za-z0-9-]+$",
        description="stable: `urn:spacefacts:event:<id>` or `urn:spacefacts:revision:<n>`",
    )
    url: AbsoluteUrl = Field(
        max_length=2048,
        description="the permalink of the entity",
        json_schema_extra={"format": "uri"},
    )
    title: TextOut
    summary: TextOut = Field(description="the cited quote and its basis")
    content_text: TextOut
    content_html: str = Field(max_length=100_000, pattern=NO_NUL)
    date_published: dt.datetime = Field(json_schema_extra={"maxLength": 40})
    date_modified: dt.datetime = Field(json_schema_extra={"maxLength": 40})
    authors: list[FeedAuthor] = Field(max_length=1)
    tags: list[NameOut] = Field(max_length=10)
    spacefacts: FeedExtension = Field(alias="_spacefacts")


def _quotes(document: Json | None, claims: list[str] | None = None) -> list[FeedQuote]:
    """The document's citations (anywhere in it), those of `claims` first."""
    found: list[FeedQuote] = []

    def walk(node: Any) -> None:
        if isinstance(node, dict):
            if "exact" in node and "claim" in node and "source" in node:
                found.append(FeedQuote.model_validate(node))
                return
            for value in node.values():
                walk(value)
        elif isinstance(node, list):
            for value in node:
                walk(value)

    walk((document or {}).get("citations", []))
    for key, value in (document or {}).items():
        if key != "citations":
            walk(value)
    if claims:
        found.sort(key=lambda q: q.claim.split(".")[0] not in claims)
    return found


def _summary(quotes: list[FeedQuote], fallback: str) -> str:
    if not quotes:
        return fallback
    q = quotes[0]
    words = f"words of {q.attribution}" if q.attribution else f"source {q.source}"
    return f"“{q.exact}” ({q.basis}; {words})"


def _content(lead: str, quotes: list[FeedQuote]) -> tuple[str, str]:
    text = [lead] + [f"“{q.exact}” — {q.basis}, {q.attribution or q.source}" for q in quotes]
    markup = [f"<p>{html.escape(lead)}</p>"] + [
        f"<blockquote><p>{html.escape(q.exact)}</p><footer>{html.escape(q.basis)}: "
        f"{html.escape(q.attribution or q.source)}</footer></blockquote>"
        for q in quotes
    ]
    return "\n\n".join(text), "".join(markup)


def _name(document: Json | None, fallback: str) -> str:
    for key in ("name", "title", "summary"):
        value = (document or {}).get(key)
        if isinstance(value, str):
            return value
    return fallback


def _change_item(revision: Revision, *, base: str) -> JsonFeedItem:
    assert revision.id is not None
    before = orjson.loads(revision.before) if revision.before else None
    after = orjson.loads(revision.after) if revision.after else None
    document = after if after is not None else before
    changed = changed_fields(before, after)
    quotes = _quotes(document, changed)
    path = url_for(revision.entity_type, revision.entity_id)
    at = as_utc(revision.created_at)
    kind = ChangeKind(revision.kind)  # stored as text
    title = f"{revision.entity_type} {revision.entity_id} {PAST[kind]}"
    lead = f"{title} by {revision.actor}" + (
        f": {', '.join(changed)} changed" if kind is ChangeKind.update else ""
    )
    text, markup = _content(f"{lead}. {_name(document, revision.entity_id)}", quotes)
    return JsonFeedItem(
        id=f"urn:spacefacts:revision:{revision.id}",
        url=base + path,
        title=title,
        summary=_summary(quotes, title),
        content_text=text,
        content_html=markup,
        date_published=at,
        date_modified=at,
        authors=[FeedAuthor(name=revision.actor)],
        tags=["change", kind.value, revision.entity_type],
        spacefacts=FeedExtension(
            type=FeedType.change,
            entity=FeedEntity(type=revision.entity_type, id=revision.entity_id, url=path),
            revision=revision.id,
            version=revision.version,
            change=kind,
            actor=revision.actor,
            reason=revision.reason,
            changed=changed,
            date=None,
            quotes=quotes,
            document=after,
        ),
    )


def _event_item(slot: Slot, document: Json, published: dt.datetime, *, base: str) -> JsonFeedItem:
    quotes = _quotes(document)
    date = DatePublic.model_validate(document["date"])
    when = date.edtf or date.phrase or "date not stated"
    title = f"{document['summary']} ({when})"
    text, markup = _content(document["summary"], quotes)
    return JsonFeedItem(
        id=f"urn:spacefacts:event:{slot.entity_id}",
        url=base + document["url"],
        title=title,
        summary=_summary(quotes, title),
        content_text=text,
        content_html=markup,
        date_published=published,
        date_modified=slot.updated,
        authors=[FeedAuthor(name="spacefacts")],
        tags=["event", document["kind"], document["status"]],
        spacefacts=FeedExtension(
            type=FeedType.event,
            entity=FeedEntity(type="event", id=slot.entity_id, url=document["url"]),
            revision=slot.revision_id,
            version=slot.position[0],
            change=None,
            actor=None,
            reason=None,
            changed=[],
            date=date,
            quotes=quotes,
            document=document,
        ),
    )


def items_for(*, session: Session, slots: list[Slot], base: str) -> list[JsonFeedItem]:
    """The items of a page of slots, in the slots' order."""
    changes = [s.revision_id for s in slots if s.type is FeedType.change]
    revisions = {
        r.id: r
        for r in session.execute(select(Revision).where(col(Revision.id).in_(changes))).scalars()
    }
    events = [s.entity_id for s in slots if s.type is FeedType.event]
    documents = {
        d["id"]: d
        for d in map(
            orjson.loads, read_documents(connection=session.connection(), kind="event", ids=events)
        )
    }
    first = dict(
        session.execute(
            select(col(Revision.entity_id), func.min(col(Revision.created_at)))
            .where(col(Revision.entity_type) == "event", col(Revision.entity_id).in_(events))
            .group_by(col(Revision.entity_id))
        ).all()
    )
    out = []
    for slot in slots:
        if slot.type is FeedType.change:
            out.append(_change_item(revisions[slot.revision_id], base=base))
        else:
            published = as_utc(first[slot.entity_id])
            out.append(_event_item(slot, documents[slot.entity_id], published, base=base))
    return out
