"""search rows get a PostgreSQL index in code-point order, for reading hits in rank order

Hits rank by (score, type, id), ids compared by code point (COLLATE "C", as SQLite's BINARY).
A page of a common word is read in that order, segment by segment, and stops when full
(app/services/search_walk.py), instead of gathering and sorting every match: 0.5-0.7 s for a
word in a third of a million rows. The primary key's index orders by the database's collation,
which need not be "C", so PostgreSQL gets one in code-point order. SQLite's primary key is
already in that order.

Revision ID: 0e96a3643d15
Revises: a31d248d6073
Create Date: 2026-12-03 17:00:00
"""

from collections.abc import Sequence

from alembic import op

revision: str = "0e96a3643d15"
down_revision: str | None = "a31d248d6073"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    if op.get_bind().dialect.name == "postgresql":
        op.execute('CREATE INDEX ix_search_document_id_c ON search_document (id COLLATE "C")')


def downgrade() -> None:
    if op.get_bind().dialect.name == "postgresql":
        op.execute("DROP INDEX ix_search_document_id_c")
