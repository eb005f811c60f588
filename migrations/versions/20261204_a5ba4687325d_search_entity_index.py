"""search rows other than citations get a full-text index of their own

A search for a word common in citation quotes and rare in the entities ranked before them
("moon" at a million rows: 333,358 matches, 7 of them not citations) read its 1,000-row walk
budget in the events' segments and then gathered every match through the full index, to sort
them: 177-228 ms. Citations rank last and never score 2, so the search now takes the other rows
apart (app/services/search.py): their matches through this index, which holds only them, then
the citations in key order. Neither full index can narrow by type before gathering.

SQLite: a second FTS5 table, rows numbered by the search row's `fts_rowid` as `search_fts` is,
kept in step by triggers of its own. PostgreSQL: a partial GIN index of the same expression as
ix_search_document_terms, over the rows whose type is not 'citation'.

Revision ID: a5ba4687325d
Revises: 5c2e8b7f1d04
Create Date: 2026-12-04 09:40:00
"""

from collections.abc import Sequence

from alembic import op

revision: str = "a5ba4687325d"
down_revision: str | None = "5c2e8b7f1d04"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

# The update trigger also indexes a new row: the insert trigger numbers it with an UPDATE.
SQLITE_UP = [
    """
    CREATE VIRTUAL TABLE search_entity_fts USING fts5(
        title, body, tokenize = 'unicode61 remove_diacritics 2'
    )
    """,
    """
    CREATE TRIGGER search_document_entity_fts_delete AFTER DELETE ON search_document BEGIN
        DELETE FROM search_entity_fts WHERE rowid = old.fts_rowid;
    END
    """,
    """
    CREATE TRIGGER search_document_entity_fts_update AFTER UPDATE ON search_document
    WHEN new.fts_rowid IS NOT NULL BEGIN
        DELETE FROM search_entity_fts WHERE rowid = old.fts_rowid;
        INSERT INTO search_entity_fts (rowid, title, body)
        SELECT new.fts_rowid, new.title_terms, new.body_terms
        WHERE new.entity_type <> 'citation';
    END
    """,
    """
    INSERT INTO search_entity_fts (rowid, title, body)
    SELECT fts_rowid, title_terms, body_terms FROM search_document
    WHERE entity_type <> 'citation'
    """,
]
SQLITE_DOWN = [
    "DROP TRIGGER search_document_entity_fts_update",
    "DROP TRIGGER search_document_entity_fts_delete",
    "DROP TABLE search_entity_fts",
]
POSTGRESQL_UP = [
    """
    CREATE INDEX ix_search_document_entity_terms ON search_document USING gin ((
        array_to_tsvector(string_to_array(title_terms, ' '))
        || array_to_tsvector(string_to_array(body_terms, ' '))
    ))
    WHERE entity_type <> 'citation'
    """,
]
POSTGRESQL_DOWN = ["DROP INDEX ix_search_document_entity_terms"]


def _native(statements: dict[str, list[str]]) -> None:
    for statement in statements.get(op.get_bind().dialect.name, []):
        op.execute(statement)


def upgrade() -> None:
    _native({"sqlite": SQLITE_UP, "postgresql": POSTGRESQL_UP})


def downgrade() -> None:
    _native({"sqlite": SQLITE_DOWN, "postgresql": POSTGRESQL_DOWN})
