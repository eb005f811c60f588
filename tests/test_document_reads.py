"""Reading stored documents by id: several at once as one at a time, through the key."""

import re

from sqlalchemy import select
from sqlmodel import col

from app.models.documents import EntityDocument
from app.services.documents import read_document, read_documents
from tests.conftest import Database
from tests.helpers import captured, explain


def _ids(db: Database, kind: str) -> list[str]:
    with db.engine.connect() as connection:
        query = select(col(EntityDocument.id)).where(col(EntityDocument.type) == kind)
        return list(connection.execute(query.order_by(col(EntityDocument.id))).scalars())


def test_several_documents_come_in_the_order_asked_without_the_missing(
    seeded_db: Database,
) -> None:
    citations = _ids(seeded_db, "citation")
    assert len(citations) > 20
    asked = [*reversed(citations[:20]), "no-such-citation", citations[3], "cnsa"]
    with seeded_db.engine.connect() as connection:
        one_by_one = [
            found
            for ident in asked
            if (found := read_document(connection=connection, kind="citation", ident=ident))
        ]
        together = read_documents(connection=connection, kind="citation", ids=asked)
        # "cnsa" is an agency's id, not a citation's: the kind is part of the key.
        assert read_documents(connection=connection, kind="agency", ids=["cnsa"]) != []
        assert read_documents(connection=connection, kind="citation", ids=[]) == []
    assert together == one_by_one
    assert len(together) == 21  # the 20, and the 4th again; the missing and the agency left out


def test_several_documents_are_read_through_the_key(seeded_db: Database) -> None:
    ids = _ids(seeded_db, "citation")[:20]
    with captured(seeded_db.engine) as statements, seeded_db.engine.connect() as connection:
        read_documents(connection=connection, kind="citation", ids=ids)
    ((sql, params),) = statements
    plan = explain(seeded_db.engine, sql, params)
    assert not re.search(r"SCAN entity_document\b(?! USING)|Seq Scan on entity_document", plan)
    if seeded_db.kind == "sqlite":
        key = "USING INDEX sqlite_autoindex_entity_document_1 (type=? AND id=?)"
        assert f"SEARCH entity_document {key}" in plan, plan
    else:
        # Over a few seed rows the planner may filter the ids after the key's type range.
        assert re.search(r"(Index Scan using|Bitmap Index Scan on) pk_entity_document", plan), plan
