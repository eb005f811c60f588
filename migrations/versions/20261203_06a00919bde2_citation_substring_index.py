"""citation quotes get a trigram index for `q`, the substring filter

`/v1/citations?q=` keeps only quotes holding q, case-insensitively: a LIKE '%q%' that no B-tree
serves, so every such request read every quote (285 ms at a million citations). Each engine
now keeps a trigram index of the quotes, and the query asks it first.

SQLite: an FTS5 table with the `trigram` tokenizer. Its rows are numbered by
`citation_fts_key`, whose INTEGER PRIMARY KEY VACUUM never renumbers (the citation table's own
rowid it may), so triggers find a changed or deleted quote's row by the citation's id.
PostgreSQL: a GIN `gin_trgm_ops` index on the quote, which serves ILIKE as it stands.

Revision ID: 06a00919bde2
Revises: 3f8a1c2d9e47
Create Date: 2026-12-03 13:40:00
"""

from collections.abc import Sequence

from alembic import op

revision: str = "06a00919bde2"
down_revision: str | None = "3f8a1c2d9e47"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

SQLITE_UP = [
    """
    CREATE TABLE citation_fts_key (
        fts_rowid INTEGER PRIMARY KEY,
        citation_id VARCHAR(200) NOT NULL UNIQUE
    )
    """,
    "CREATE VIRTUAL TABLE citation_fts USING fts5(exact, tokenize = 'trigram')",
    """
    CREATE TRIGGER citation_fts_insert AFTER INSERT ON citation BEGIN
        INSERT INTO citation_fts_key (citation_id) VALUES (new.id);
        INSERT INTO citation_fts (rowid, exact)
        SELECT fts_rowid, new.exact FROM citation_fts_key WHERE citation_id = new.id;
    END
    """,
    """
    CREATE TRIGGER citation_fts_delete AFTER DELETE ON citation BEGIN
        DELETE FROM citation_fts
        WHERE rowid = (SELECT fts_rowid FROM citation_fts_key WHERE citation_id = old.id);
        DELETE FROM citation_fts_key WHERE citation_id = old.id;
    END
    """,
    """
    CREATE TRIGGER citation_fts_update AFTER UPDATE OF id, exact ON citation BEGIN
        UPDATE citation_fts SET exact = new.exact
        WHERE rowid = (SELECT fts_rowid FROM citation_fts_key WHERE citation_id = old.id);
        UPDATE citation_fts_key SET citation_id = new.id WHERE citation_id = old.id;
    END
    """,
    "INSERT INTO citation_fts_key (citation_id) SELECT id FROM citation ORDER BY id",
    """
    INSERT INTO citation_fts (rowid, exact)
    SELECT k.fts_rowid, c.exact
    FROM citation_fts_key AS k JOIN citation AS c ON c.id = k.citation_id
    """,
]
SQLITE_DOWN = [
    "DROP TRIGGER citation_fts_update",
    "DROP TRIGGER citation_fts_delete",
    "DROP TRIGGER citation_fts_insert",
    "DROP TABLE citation_fts",
    "DROP TABLE citation_fts_key",
]
POSTGRESQL_UP = [
    "CREATE EXTENSION IF NOT EXISTS pg_trgm",
    "CREATE INDEX ix_citation_exact_trgm ON citation USING gin (exact gin_trgm_ops)",
]
# The extension stays: another database object may have come to use it.
POSTGRESQL_DOWN = ["DROP INDEX ix_citation_exact_trgm"]


def _native(statements: dict[str, list[str]]) -> None:
    for statement in statements.get(op.get_bind().dialect.name, []):
        op.execute(statement)


def upgrade() -> None:
    _native({"sqlite": SQLITE_UP, "postgresql": POSTGRESQL_UP})


def downgrade() -> None:
    _native({"sqlite": SQLITE_DOWN, "postgresql": POSTGRESQL_DOWN})
