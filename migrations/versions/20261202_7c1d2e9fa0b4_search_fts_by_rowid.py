"""search rows find their FTS5 row by key

A write that changes one search row deleted its terms from the FTS5 table with
`WHERE doc_id = ?`, which FTS5 cannot index: a scan of every row (93 ms of a 103 ms one-event
change at 100,000 rows, most of one at a million). Each row now remembers its FTS5 rowid
(`fts_rowid`, set by the insert trigger from a counter, never from the table's own rowid, which
VACUUM may renumber) and the triggers find it by key. On PostgreSQL the column stays empty.

Revision ID: 7c1d2e9fa0b4
Revises: 556b8e3bde1e
Create Date: 2026-12-02 11:15:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "7c1d2e9fa0b4"
down_revision: str | None = "556b8e3bde1e"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

OLD_TRIGGERS = [
    """
    CREATE TRIGGER search_document_fts_insert AFTER INSERT ON search_document BEGIN
        INSERT INTO search_fts (doc_id, title, body)
        VALUES (new.id, new.title_terms, new.body_terms);
    END
    """,
    """
    CREATE TRIGGER search_document_fts_delete AFTER DELETE ON search_document BEGIN
        DELETE FROM search_fts WHERE doc_id = old.id;
    END
    """,
    """
    CREATE TRIGGER search_document_fts_update AFTER UPDATE ON search_document BEGIN
        DELETE FROM search_fts WHERE doc_id = old.id;
        INSERT INTO search_fts (doc_id, title, body)
        VALUES (new.id, new.title_terms, new.body_terms);
    END
    """,
]
# The insert trigger numbers the row; that update fires the update trigger, which indexes it.
NEW_TRIGGERS = [
    """
    CREATE TRIGGER search_document_fts_insert AFTER INSERT ON search_document BEGIN
        UPDATE search_document
        SET fts_rowid = (SELECT coalesce(max(fts_rowid), 0) + 1 FROM search_document)
        WHERE id = new.id;
    END
    """,
    """
    CREATE TRIGGER search_document_fts_delete AFTER DELETE ON search_document BEGIN
        DELETE FROM search_fts WHERE rowid = old.fts_rowid;
    END
    """,
    """
    CREATE TRIGGER search_document_fts_update AFTER UPDATE ON search_document
    WHEN new.fts_rowid IS NOT NULL BEGIN
        DELETE FROM search_fts WHERE rowid = old.fts_rowid;
        INSERT INTO search_fts (rowid, doc_id, title, body)
        VALUES (new.fts_rowid, new.id, new.title_terms, new.body_terms);
    END
    """,
]
DROP_TRIGGERS = [
    "DROP TRIGGER search_document_fts_update",
    "DROP TRIGGER search_document_fts_delete",
    "DROP TRIGGER search_document_fts_insert",
]
# Every row numbered once, and the FTS5 table made again with those numbers.
RENUMBER = [
    "UPDATE search_document SET fts_rowid = rowid",
    "DELETE FROM search_fts",
    """
    INSERT INTO search_fts (rowid, doc_id, title, body)
    SELECT fts_rowid, id, title_terms, body_terms FROM search_document
    """,
]
UNNUMBER = [
    "DELETE FROM search_fts",
    """
    INSERT INTO search_fts (doc_id, title, body)
    SELECT id, title_terms, body_terms FROM search_document
    """,
]


def _sqlite() -> bool:
    return op.get_bind().dialect.name == "sqlite"


def upgrade() -> None:
    # A plain ADD COLUMN: a batch rebuild on SQLite would drop the full-text triggers.
    op.add_column("search_document", sa.Column("fts_rowid", sa.Integer(), nullable=True))
    op.create_index(
        op.f("ix_search_document_fts_rowid"), "search_document", ["fts_rowid"], unique=True
    )
    if _sqlite():
        for statement in DROP_TRIGGERS + RENUMBER + NEW_TRIGGERS:
            op.execute(statement)


def downgrade() -> None:
    if _sqlite():
        for statement in DROP_TRIGGERS + UNNUMBER + OLD_TRIGGERS:
            op.execute(statement)
    op.drop_index(op.f("ix_search_document_fts_rowid"), table_name="search_document")
    if _sqlite():
        op.execute("ALTER TABLE search_document DROP COLUMN fts_rowid")
    else:
        op.drop_column("search_document", "fts_rowid")
