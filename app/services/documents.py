"""Reading the stored JSON documents of entities (see app/models/documents)."""

from typing import Any

from sqlalchemy import select
from sqlmodel import Session, col

from app.models.documents import EntityDocument


def read_documents(*, session: Session, kind: str, ids: list[Any]) -> list[bytes]:
    """The stored documents of ids, in their order (ids with no document are left out)."""
    if not ids:
        return []
    found = dict(
        session.execute(
            select(col(EntityDocument.id), col(EntityDocument.body)).where(
                col(EntityDocument.type) == kind, col(EntityDocument.id).in_(ids)
            )
        ).all()
    )
    return [found[i].encode() for i in ids if i in found]


def read_document(*, session: Session, kind: str, ident: str) -> bytes | None:
    found = read_documents(session=session, kind=kind, ids=[ident])
    return found[0] if found else None
