"""Reading the stored JSON documents of entities (see app/models/documents)."""

from typing import Any

from sqlalchemy import bindparam, select
from sqlmodel import Session, col

from app.models.documents import EntityDocument

# Built once: constructing a select per request cost three times what running it does.
_BY_IDS = select(col(EntityDocument.id), col(EntityDocument.body)).where(
    col(EntityDocument.type) == bindparam("kind"),
    col(EntityDocument.id).in_(bindparam("ids", expanding=True)),
)


def read_documents(*, session: Session, kind: str, ids: list[Any]) -> list[bytes]:
    """The stored documents of ids, in their order (ids with no document are left out)."""
    if not ids:
        return []
    rows = session.connection().execute(_BY_IDS, {"kind": kind, "ids": ids})
    found: dict[Any, str] = dict(rows.all())
    return [found[i].encode() for i in ids if i in found]


def read_document(*, session: Session, kind: str, ident: str) -> bytes | None:
    found = read_documents(session=session, kind=kind, ids=[ident])
    return found[0] if found else None
