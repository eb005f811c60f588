"""search rows get a full-text index per tier: citations, and the other rows

A search for a word common in citation quotes and rare in the entities ranked before them
("moon" at a million rows: 333,358 matches, 7 of them not citations) read its 1,000-row walk
budget in the events' segments and then gathered every match through the full index, to sort
them: 177-228 ms. Citations rank last and never score 2, so the search now reads two tiers apart
(app/services/search.py): the other rows, then the citations, each in key order, or, when its
matches are too sparse for that, gathered through the index of that tier alone. The full index
cannot narrow by type before gathering, whichever tier is common and whichever rare.

SQLite: an FTS5 table per tier, rows numbered by the search row's `fts_rowid` as `search_fts`'s
are, kept in step by triggers of their own. PostgreSQL: a partial GIN index per tier, of the
same expression as ix_search_document_terms.

The index of the type alone goes: nothing reads search rows by type but search, where the
planners took it beside a full-text match and read every row of the type (on SQLite, every
citation for a word found in ten of them); a type's rows are a range of the primary key.

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
    CREATE VIRTUAL TABLE search_citation_fts USING fts5(
        title, body, tokenize = 'unicode61 remove_diacritics 2'
    )
    """,
    """
    CREATE TRIGGER search_document_tier_fts_delete AFTER DELETE ON search_document BEGIN
        DELETE FROM search_entity_fts WHERE rowid = old.fts_rowid;
        DELETE FROM search_citation_fts WHERE rowid = old.fts_rowid;
    END
    """,
    """
    CREATE TRIGGER search_document_tier_fts_update AFTER UPDATE ON search_document
    WHEN new.fts_rowid IS NOT NULL BEGIN
        DELETE FROM search_entity_fts WHERE rowid = old.fts_rowid;
        DELETE FROM search_citation_fts WHERE rowid = old.fts_rowid;
        INSERT INTO search_entity_fts (rowid, title, body)
        SELECT new.fts_rowid, new.title_terms, new.body_terms
        WHERE new.entity_type <> 'citation';
        INSERT INTO search_citation_fts (rowid, title, body)
        SELECT new.fts_rowid, new.title_terms, new.body_terms
        WHERE new.entity_type = 'citation';
    END
    """,
    """
    INSERT INTO search_entity_fts (rowid, title, body)
    SELECT fts_rowid, title_terms, body_terms FROM search_document
    WHERE entity_type <> 'citation'
    """,
    """
    INSERT INTO search_citation_fts (rowid, title, body)
    SELECT fts_rowid, title_terms, body_terms FROM search_document
    WHERE entity_type = 'citation'
    """,
]
SQLITE_DOWN = [
    "DROP TRIGGER search_document_tier_fts_update",
    "DROP TRIGGER search_document_tier_fts_delete",
    "DROP TABLE search_citation_fts",
    "DROP TABLE search_entity_fts",
]
_TERMS = """
    array_to_tsvector(string_to_array(title_terms, ' '))
    || array_to_tsvector(string_to_array(body_terms, ' '))
"""
POSTGRESQL_UP = [
    f"""
    CREATE INDEX ix_search_document_entity_terms ON search_document USING gin (({_TERMS}))
    WHERE entity_type <> 'citation'
    """,
    f"""
    CREATE INDEX ix_search_document_citation_terms ON search_document USING gin (({_TERMS}))
    WHERE entity_type = 'citation'
    """,
]
POSTGRESQL_DOWN = [
    "DROP INDEX ix_search_document_citation_terms",
    "DROP INDEX ix_search_document_entity_terms",
]


def _native(statements: dict[str, list[str]]) -> None:
    for statement in statements.get(op.get_bind().dialect.name, []):
        op.execute(statement)


def upgrade() -> None:
    _native({"sqlite": SQLITE_UP, "postgresql": POSTGRESQL_UP})
    # Not batch mode: rebuilding the table on SQLite would drop its full-text triggers.
    op.drop_index("ix_search_document_entity_type", table_name="search_document")


def downgrade() -> None:
    op.create_index(
        "ix_search_document_entity_type", "search_document", ["entity_type"], unique=False
    )
    _native({"sqlite": SQLITE_DOWN, "postgresql": POSTGRESQL_DOWN})
