"""The one write path: revisions, ownership between the seed and curators, refusals."""

import copy
from pathlib import Path

import orjson
import pytest
from sqlalchemy import delete, func, select
from sqlmodel import Session, col

from app.models import DocumentDependency, EntityOrigin, Origin, Revision
from app.resources._types import EntityKey, EntityRows
from app.resources.agencies.models import Agency
from app.services.dataset import current_version
from app.services.entities import load_entities
from app.services.rebuild import build_all, stored
from app.services.seed import load_seed
from app.services.write import EntityWrite, WriteError, write_entities
from tests.conftest import Database
from tests.helpers import edit, snapshot

CNSA: EntityKey = ("agency", "cnsa")


def _rows(db: Database, key: EntityKey) -> EntityRows:
    with Session(db.engine) as session:
        return copy.deepcopy(load_entities(session, [key])[key])


def _write(db: Database, key: EntityKey, rows: EntityRows | None, actor: str = "alice") -> None:
    with Session(db.engine) as session, session.begin():
        write_entities(
            session, writes=[EntityWrite(key, rows, f"curator:{actor}")], origin=Origin.curator
        )


def _revisions(db: Database) -> list[Revision]:
    with Session(db.engine) as session:
        return list(session.execute(select(Revision).order_by(col(Revision.id))).scalars())


def _consistent(db: Database) -> None:
    with Session(db.engine) as session:
        assert stored(session) == build_all(session)


def test_the_seed_records_one_creation_per_entity(seeded_db: Database) -> None:
    revisions = _revisions(seeded_db)
    assert len(revisions) == 36
    assert {(r.kind, r.version, r.before) for r in revisions} == {("create", 1, None)}
    by_key = {(r.entity_type, r.entity_id): r for r in revisions}
    assert by_key[CNSA].actor == "seed:agencies.yaml"
    assert by_key[("source", "russia-china-moon-article")].actor == "seed:sources.yaml"
    with Session(seeded_db.engine) as session:
        assert by_key[CNSA].after == stored(session, [CNSA])[CNSA].body


def test_a_repeated_seed_load_writes_nothing(seeded_db: Database) -> None:
    before = snapshot(seeded_db.engine)
    report = load_seed(engine=seeded_db.engine, seed_dir=Path("seed"))
    assert not report.changed
    assert report.revisions == 0
    assert snapshot(seeded_db.engine) == before


def test_a_change_records_one_revision_with_before_and_after(seeded_db: Database) -> None:
    rows = _rows(seeded_db, CNSA)
    rows["agency"][0]["description"] = "The space agency of the People's Republic of China."
    with Session(seeded_db.engine) as session:
        old = stored(session, [CNSA])[CNSA].body
    _write(seeded_db, CNSA, rows)
    revision = _revisions(seeded_db)[-1]
    assert (revision.entity_type, revision.entity_id, revision.kind) == ("agency", "cnsa", "update")
    assert (revision.actor, revision.version) == ("curator:alice", 2)
    assert revision.before == old
    assert orjson.loads(revision.after or "")["description"] == rows["agency"][0]["description"]
    assert len(_revisions(seeded_db)) == 37
    _consistent(seeded_db)


def test_a_rename_reaches_every_document_that_shows_the_name(seeded_db: Database) -> None:
    rows = _rows(seeded_db, CNSA)
    # Still words of its quote ("China National Space Administration"), as the rules require.
    rows["agency"][0]["name"] = "China National Space"
    _write(seeded_db, CNSA, rows)
    _consistent(seeded_db)
    with Session(seeded_db.engine) as session:
        shown = [
            body
            for (kind, _), s in stored(session).items()
            if "China National Space" in (body := s.body)
        ]
    assert len(shown) > 3  # the agency, its country, its programs, its citations


def test_a_delete_is_a_revision_and_removes_the_documents(seeded_db: Database) -> None:
    key: EntityKey = ("event", "ilrs-road-map")
    _write(seeded_db, key, None)
    revision = _revisions(seeded_db)[-1]
    assert (revision.kind, revision.after) == ("delete", None)
    assert revision.before is not None
    with Session(seeded_db.engine) as session:
        assert key not in stored(session)
    _consistent(seeded_db)


def test_a_write_that_breaks_a_rule_writes_nothing(seeded_db: Database) -> None:
    rows = _rows(seeded_db, CNSA)
    rows["agency"][0]["name"] = "Chinese Space Agency"  # in no quote of the row
    before = snapshot(seeded_db.engine)
    with pytest.raises(WriteError) as caught:
        _write(seeded_db, CNSA, rows)
    assert any("occurs in none of the row's quotes" in p for p in caught.value.problems)
    assert snapshot(seeded_db.engine) == before


def test_an_entity_others_name_cannot_be_deleted(seeded_db: Database) -> None:
    before = snapshot(seeded_db.engine)
    with pytest.raises(WriteError) as caught:
        _write(seeded_db, ("agreement", "artemis-accords"), None)
    assert any("still named by signatory" in p for p in caught.value.problems)
    assert snapshot(seeded_db.engine) == before


def test_a_curators_entity_survives_a_seed_load(seeded_db: Database) -> None:
    rows = _rows(seeded_db, CNSA)
    new: EntityRows = copy.deepcopy(rows)
    for table in new.values():
        for row in table:
            for column in ("id", "subject_id"):
                if row.get(column) == "cnsa":
                    row[column] = "cnsa-copy"
            if "id" in row and str(row["id"]).startswith("agency-cnsa-"):
                row["id"] = str(row["id"]).replace("agency-cnsa-", "agency-cnsa-copy-")
    _write(seeded_db, ("agency", "cnsa-copy"), new)
    report = load_seed(engine=seeded_db.engine, seed_dir=Path("seed"))
    assert not report.changed
    assert report.conflicts == []
    with Session(seeded_db.engine) as session:
        assert session.get(Agency, "cnsa-copy") is not None
        origin = session.get_one(EntityOrigin, ("agency", "cnsa-copy"))
        assert (origin.origin, origin.actor) == ("curator", "curator:alice")
    _consistent(seeded_db)


def test_a_curators_change_stands_when_the_seed_did_not_change(seeded_db: Database) -> None:
    rows = _rows(seeded_db, CNSA)
    rows["agency"][0]["description"] = "Curated."
    _write(seeded_db, CNSA, rows)
    report = load_seed(engine=seeded_db.engine, seed_dir=Path("seed"))
    assert (report.changed, report.conflicts) == (False, [])
    with Session(seeded_db.engine) as session:
        assert session.get_one(Agency, "cnsa").description == "Curated."


def test_a_seed_and_curator_conflict_is_reported_not_overwritten(
    seeded_db: Database, seed_copy: Path
) -> None:
    rows = _rows(seeded_db, CNSA)
    rows["agency"][0]["description"] = "Curated."
    _write(seeded_db, CNSA, rows)
    edit(
        seed_copy / "agencies.yaml",
        "name: China National Space Administration\n",
        "name: China National Space\n",
    )
    version = current_version(session=Session(seeded_db.engine))
    report = load_seed(engine=seeded_db.engine, seed_dir=seed_copy)
    assert [str(c) for c in report.conflicts] == [
        "agency 'cnsa': changed by curator:alice and by the seed since the seed last wrote it; "
        "left as the curator wrote it"
    ]
    assert not report.changed
    assert report.version == version
    with Session(seeded_db.engine) as session:
        agency = session.get_one(Agency, "cnsa")
        assert (agency.name, agency.description) == (
            "China National Space Administration",
            "Curated.",
        )


def test_the_seed_does_not_bring_back_what_a_curator_deleted(seeded_db: Database) -> None:
    key: EntityKey = ("event", "ilrs-road-map")
    _write(seeded_db, key, None)
    report = load_seed(engine=seeded_db.engine, seed_dir=Path("seed"))
    assert (report.changed, report.conflicts) == (False, [])
    with Session(seeded_db.engine) as session:
        assert key not in stored(session)
        assert session.execute(select(func.count()).select_from(Revision)).scalar_one() == 37


def test_a_seed_load_indexes_documents_stored_before_the_index(seeded_db: Database) -> None:
    # A database migrated from before the write path holds documents but no dependency rows.
    with seeded_db.engine.begin() as conn:
        conn.execute(delete(DocumentDependency))
    report = load_seed(engine=seeded_db.engine, seed_dir=Path("seed"))
    assert not report.changed  # the documents were right: only their reads were missing
    _consistent(seeded_db)


def test_rows_in_another_order_are_no_change(seeded_db: Database) -> None:
    key: EntityKey = ("program", "ilrs")
    rows = {
        table: list(reversed(found)) for table, found in reversed(_rows(seeded_db, key).items())
    }
    for row in rows["program_objective"]:
        del row["text"]  # a column left out reads as null: a real change, refused by the rules
        break
    with pytest.raises(WriteError):
        _write(seeded_db, key, rows)
    rows = {table: list(reversed(found)) for table, found in _rows(seeded_db, key).items()}
    before = snapshot(seeded_db.engine)
    _write(seeded_db, key, rows)
    assert snapshot(seeded_db.engine) == before


def test_rows_of_another_entity_are_refused(seeded_db: Database) -> None:
    rows = _rows(seeded_db, CNSA)
    rows["agency"] += _rows(seeded_db, ("agency", "nasa"))["agency"]
    with pytest.raises(WriteError, match="rows of agency 'nasa' cannot be written as"):
        _write(seeded_db, CNSA, rows)
