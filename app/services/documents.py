"""Reading the stored JSON documents of entities (see app/models/documents)."""

from typing import Any

import orjson
from sqlalchemy import ARRAY, Connection, String, any_, bindparam, func, select
from sqlmodel import col

from app.models.documents import EntityDocument

# Built once: constructing a select per request cost three times what running it does. The
# ids are one bound value, not an expanding IN: that is rendered anew at each execution, which
# cost a 20-document read a third of its time. SQLite reads them from a JSON array, PostgreSQL
# from an array.
_WANTED = func.json_each(bindparam("ids")).table_valued("value")
_BY_IDS = {
    "sqlite": select(col(EntityDocument.id), col(EntityDocument.body)).where(
        col(EntityDocument.type) == bindparam("kind"),
        col(EntityDocument.id).in_(select(_WANTED.c.value)),
    ),
    "postgresql": select(col(EntityDocument.id), col(EntityDocument.body)).where(
        col(EntityDocument.type) == bindparam("kind"),
        col(EntityDocument.id) == any_(bindparam("ids", type_=ARRAY(String))),
    ),
}
# One id: an expanding IN is rendered anew at each execution (a third of this read's time).
_BY_ID = select(col(EntityDocument.body)).where(
    col(EntityDocument.type) == bindparam("kind"),
    col(EntityDocument.id) == bindparam("ident"),
)


def read_documents(*, connection: Connection, kind: str, ids: list[Any]) -> list[bytes]:
    """The stored documents of ids, in their order (ids with no document are left out)."""
    if not ids:
        return []
    dialect = connection.dialect.name
    wanted = orjson.dumps(ids).decode() if dialect == "sqlite" else list(ids)
    rows = connection.execute(_BY_IDS[dialect], {"kind": kind, "ids": wanted})
    found: dict[Any, str] = dict(rows.all())
    return [found[i].encode() for i in ids if i in found]


def read_document(*, connection: Connection, kind: str, ident: str) -> bytes | None:
    """The stored document of one id, or None."""
    body = connection.execute(_BY_ID, {"kind": kind, "ident": ident}).scalar()
    return None if body is None else body.encode()
