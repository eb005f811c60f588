"""Curators' new sources: the text stored exactly as sent, its SHA-256 and length computed; the
same text twice is one source. A source's text never changes once stored."""

from sqlalchemy import select
from sqlmodel import Session, col

from app.models import Origin
from app.resources.sources.models import Source, SourceCreate
from app.services.documents import read_document
from app.services.preconditions import document_etag
from app.services.quotes import sha256_hex
from app.services.refusals import CurateError, Written
from app.services.write import EntityWrite, WriteError, write_entities

__all__ = ["create_source"]


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
    document = read_document(session=session, kind="source", ident=body.id)
    assert document is not None
    return Written(document, document_etag(document), result.revisions[0])
