"""Migrations build the schema the models describe, on both engines, both ways."""

from alembic.autogenerate import compare_metadata
from alembic.runtime.migration import MigrationContext
from sqlalchemy import inspect, text

from app import migrate
from app.models import metadata
from app.models.search import include_name
from tests.conftest import Database

APP_TABLES = set(metadata.tables)


def _tables(db: Database) -> set[str]:
    # The native search objects (FTS5 tables on SQLite) are no model's; migrations own them.
    names = set(inspect(db.engine).get_table_names()) - {"alembic_version"}
    return {name for name in names if include_name(name, "table", {})}


def _diff(db: Database) -> list[object]:
    with db.engine.connect() as conn:
        context = MigrationContext.configure(
            conn,
            opts={
                "compare_type": True,
                "compare_server_default": True,
                "include_name": include_name,
            },
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


def _native_objects(db: Database) -> set[str]:
    query = {
        "sqlite": "SELECT name FROM sqlite_master WHERE name LIKE 'search%' AND type != 'index'",
        "postgresql": "SELECT indexname FROM pg_indexes WHERE tablename = 'search_document'"
        " AND indexname LIKE '%terms'",
    }[db.kind]
    with db.engine.connect() as conn:
        return set(conn.execute(text(query)).scalars())


# An FTS5 table and the shadow tables it keeps its index and content in.
_FTS5_PARTS = ("", "_data", "_idx", "_content", "_docsize", "_config")


def test_migration_makes_and_removes_the_native_index(migrated_db: Database) -> None:
    native = {
        "sqlite": {"search_document"}
        | {f"search_{fts}fts{part}" for fts in ("", "entity_", "citation_") for part in _FTS5_PARTS}
        | {f"search_document_fts_{op}" for op in ("insert", "update", "delete")}
        | {f"search_document_tier_fts_{op}" for op in ("update", "delete")},
        "postgresql": {f"ix_search_document_{tier}terms" for tier in ("", "entity_", "citation_")},
    }[migrated_db.kind]
    assert _native_objects(migrated_db) == native
    migrate.downgrade(migrated_db.url, "a23ad4533914")
    assert _native_objects(migrated_db) == set()
    assert "search_document" not in inspect(migrated_db.engine).get_table_names()
    migrate.upgrade(migrated_db.url)
    assert _native_objects(migrated_db) == native
