"""search document, with FTS5 on SQLite and a GIN index on PostgreSQL

Revision ID: 40eeed731ef3
Revises: a23ad4533914
Create Date: 2026-11-25 16:02:05.202651

The native objects index the space-separated terms the application stores, never the raw text,
so that both engines match exactly the same words (app/services/search_index.py says why).
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "40eeed731ef3"
down_revision: str | None = "a23ad4533914"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

# An FTS5 table of its own, keyed by the document id, rather than an external-content table:
# external content is keyed by rowid, which VACUUM may renumber in a table whose primary key is
# not an INTEGER. The price is a second copy of the terms and a scan per deleted document.
SQLITE_UP = [
    """
    CREATE VIRTUAL TABLE search_fts USING fts5(
        doc_id UNINDEXED, title, body, tokenize = 'unicode61 remove_diacritics 2'
    )
    """,
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
SQLITE_DOWN = [
    "DROP TRIGGER search_document_fts_update",
    "DROP TRIGGER search_document_fts_delete",
    "DROP TRIGGER search_document_fts_insert",
    "DROP TABLE search_fts",
]
# array_to_tsvector takes the terms as they are: no parser, no dictionary. The search service
# repeats this expression exactly, so that the planner can use the index.
POSTGRESQL_UP = [
    """
    CREATE INDEX ix_search_document_terms ON search_document USING gin ((
        array_to_tsvector(string_to_array(title_terms, ' '))
        || array_to_tsvector(string_to_array(body_terms, ' '))
    ))
    """,
]
POSTGRESQL_DOWN = ["DROP INDEX ix_search_document_terms"]


def _native(statements: dict[str, list[str]]) -> None:
    for statement in statements.get(op.get_bind().dialect.name, []):
        op.execute(statement)


def upgrade() -> None:
    op.create_table(
        "search_document",
        sa.Column("id", sa.String(length=240), nullable=False),
        sa.Column("entity_type", sa.String(length=32), nullable=False),
        sa.Column("entity_id", sa.String(length=200), nullable=False),
        sa.Column("title", sa.Text(), nullable=False),
        sa.Column("body", sa.Text(), nullable=False),
        sa.Column("title_terms", sa.Text(), nullable=False),
        sa.Column("body_terms", sa.Text(), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_search_document")),
    )
    with op.batch_alter_table("search_document", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_search_document_entity_type"), ["entity_type"], unique=False
        )
    _native({"sqlite": SQLITE_UP, "postgresql": POSTGRESQL_UP})


def downgrade() -> None:
    _native({"sqlite": SQLITE_DOWN, "postgresql": POSTGRESQL_DOWN})
    with op.batch_alter_table("search_document", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_search_document_entity_type"))
    op.drop_table("search_document")
