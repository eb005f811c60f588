"""Migrations build the schema the models describe, on both engines, both ways."""

from alembic.autogenerate import compare_metadata
from alembic.runtime.migration import MigrationContext
from sqlalchemy import inspect

from app import migrate
from app.models import metadata
from tests.conftest import Database

APP_TABLES = set(metadata.tables)


def _tables(db: Database) -> set[str]:
    return set(inspect(db.engine).get_table_names()) - {"alembic_version"}


def _diff(db: Database) -> list[object]:
    with db.engine.connect() as conn:
        context = MigrationContext.configure(
            conn, opts={"compare_type": True, "compare_server_default": True}
        )
        return list(compare_metadata(context, metadata))


def test_upgrade_from_empty_creates_every_table(empty_db: Database) -> None:
    assert _tables(empty_db) == set()
    migrate.upgrade(empty_db.url)
    assert _tables(empty_db) == APP_TABLES
    assert migrate.current_revision(empty_db.engine) == migrate.head_revision()


def test_models_and_migrations_do_not_differ(migrated_db: Database) -> None:
    assert _diff(migrated_db) == []


def test_downgrade_to_base_then_upgrade_again(migrated_db: Database) -> None:
    migrate.downgrade(migrated_db.url, "base")
    assert _tables(migrated_db) == set()
    assert migrate.current_revision(migrated_db.engine) is None
    migrate.upgrade(migrated_db.url)
    assert _tables(migrated_db) == APP_TABLES
    assert _diff(migrated_db) == []


def test_constraints_are_named_by_the_convention(migrated_db: Database) -> None:
    inspector = inspect(migrated_db.engine)
    fks = {fk["name"] for fk in inspector.get_foreign_keys("signatory")}
    assert fks == {
        "fk_signatory_agreement_id_agreement",
        "fk_signatory_agency_id_agency",
        "fk_signatory_country_code_country",
    }
    assert inspector.get_pk_constraint("citation")["name"] == "pk_citation"
