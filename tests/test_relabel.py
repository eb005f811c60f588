"""What a change reaches: references read only what they show, and renames are patched in place."""

from sqlalchemy import select
from sqlmodel import Session, col

from app.models import DocumentDependency, Origin
from app.resources._types import EntityKey, EntityRows
from app.services.rebuild import build_all, stored
from app.services.write import EntityWrite, WriteResult, write_entities
from tests.conftest import Database
from tests.test_write import _rows

NASA: EntityKey = ("agency", "nasa")
RENAMED = "National Aeronautics and Space Administration"


def _write(db: Database, key: EntityKey, rows: EntityRows) -> WriteResult:
    with Session(db.engine) as session, session.begin():
        return write_entities(
            session, writes=[EntityWrite(key, rows, "curator:test")], origin=Origin.curator
        )


def _rename(rows: EntityRows, name: str) -> EntityRows:
    """A name no quote gives: the curator marks the name claim descriptive, as the rules ask."""
    rows["agency"][0]["name"] = name
    for claim in rows["claim_support"]:
        if claim["claim"] == "name":
            claim["descriptive"] = True
    return rows


def _readers(db: Database, key: str) -> set[tuple[str, str]]:
    with Session(db.engine) as session:
        query = select(col(DocumentDependency.doc_type), col(DocumentDependency.doc_id)).where(
            col(DocumentDependency.key) == key
        )
        return {(kind, ident) for kind, ident in session.execute(query)}


def test_a_change_that_no_reference_shows_reaches_only_its_own_document(
    seeded_db: Database,
) -> None:
    assert len(_readers(seeded_db, "agency.label:id=nasa")) > 5
    rows = _rows(seeded_db, NASA)
    rows["agency"][0]["description"] = "The civil space agency of the United States."
    result = _write(seeded_db, NASA, rows)
    assert result.counts["entity_document"] == {"inserted": 0, "updated": 1, "deleted": 0}
    # Its own document, and its country's, which lists the agencies of the country whole.
    assert (result.rebuilt, result.patched) == (2, 0)


def test_a_rename_patches_every_reference_and_those_named_after_it(seeded_db: Database) -> None:
    readers = _readers(seeded_db, "agency.label:id=nasa")
    parties = _readers(seeded_db, "program_participant.label:id=artemis-nasa")
    assert parties - readers == set()  # a participant's reference reads its party's label too
    with Session(seeded_db.engine) as session:
        then = stored(session)
    result = _write(seeded_db, NASA, _rename(_rows(seeded_db, NASA), RENAMED))
    with Session(seeded_db.engine) as session:
        now = stored(session)
        assert now == build_all(session)
    changed = {doc for doc in now if now[doc].body != then[doc].body}
    assert readers < changed
    assert result.counts["entity_document"]["updated"] == len(changed)  # each counted once
    assert result.patched > 0
    for doc in parties:
        assert (
            f'{{"type":"program_participant","id":"artemis-nasa","name":"{RENAMED}",'
            in now[doc].body
        )
