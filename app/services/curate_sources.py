"""Curators' new sources: the text stored exactly as sent, its SHA-256 and length computed; the
same text twice is one source. A source's text never changes once stored."""

import datetime as dt

from pydantic import ValidationError
from sqlalchemy import select
from sqlmodel import Session, col

from app.models import Origin
from app.pointers import body_pointer, shown
from app.resources.registry import BY_TYPE
from app.resources.sources.models import Source, SourceBase, SourceCreate
from app.services.documents import read_document
from app.services.entities import load_entities
from app.services.preconditions import document_etag, precondition
from app.services.quotes import sha256_hex
from app.services.refusals import CurateError, Written, refuse
from app.services.write import EntityWrite, WriteError, write_entities
from app.services.write_shape import Json, merge_patch

__all__ = ["create_source", "update_source"]


def create_source(session: Session, *, body: SourceCreate, actor: str) -> Written:
    """POST /v1/sources: 409 if the id is taken or the same text is stored under another id."""
    digest = sha256_hex(body.text)
    same = session.execute(
        select(col(Source.id)).where(col(Source.sha256) == digest).limit(1)
    ).scalar()
    if same is not None:
        raise CurateError(
            409,
            f"This text is stored already, as source {same!r}: cite that one.",
            kind="conflict",
            headers={"Location": f"/v1/sources/{same}"},
        )
    if session.get(Source, body.id) is not None:
        raise CurateError(409, f"A source with id {body.id!r} exists.", kind="conflict")
    row = {
        **body.model_dump(),
        "sha256": digest,
        "length": len(body.text),
    }
    try:
        result = write_entities(
            session,
            writes=[EntityWrite(("source", body.id), {"source": [row]}, actor)],
            origin=Origin.curator,
        )
    except WriteError as exc:
        raise CurateError(422, " ".join(exc.problems)) from exc
    document = read_document(connection=session.connection(), kind="source", ident=body.id)
    assert document is not None
    return Written(document, document_etag(document), result.revisions[0])


def update_source(
    session: Session, *, ident: str, patch: Json, if_match: str | None, actor: str
) -> Written:
    """PATCH /v1/sources/{id}: a merge patch of the metadata, if the client's ETag is current."""
    key = ("source", ident)
    current = load_entities(session, [key]).get(key)
    if current is None:
        raise CurateError(404, f"No source with id {ident!r}.", kind="not-found")
    precondition(session, resource=BY_TYPE["source"], ident=ident, if_match=if_match)
    row = current["source"][0]
    metadata = {name: row[name] for name in SourceBase.model_fields}
    merged = merge_patch(_plain(metadata), patch)
    try:
        changed = SourceBase.model_validate(merged)
    except ValidationError as exc:
        raise refuse(
            [
                {"location": shown(body_pointer(e["loc"], merged)), "message": e["msg"]}
                for e in exc.errors()
            ]
        ) from exc
    rows = {"source": [{**row, **changed.model_dump()}]}
    result = write_entities(
        session,
        writes=[EntityWrite(key, rows, actor)],
        origin=Origin.curator,
        current={key: current},
    )
    document = read_document(connection=session.connection(), kind="source", ident=ident)
    assert document is not None
    return Written(
        document, document_etag(document), result.revisions[0] if result.revisions else None
    )


def _plain(values: Json) -> Json:
    return {k: v.isoformat() if isinstance(v, dt.date) else v for k, v in values.items()}
