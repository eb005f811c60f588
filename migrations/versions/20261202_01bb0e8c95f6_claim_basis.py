"""claim basis

Every claim of every row gets a basis (stated or inferred, with reasoning and an optional
convention, and a flag for descriptive names) in claim_support; a signatory keeps the source's
words for its party, a program the source's words for where it is; a search row says whether it
repeats an inferred value. search_document gains its column by a plain ADD COLUMN: a batch
rebuild on SQLite would drop the full-text triggers.

Revision ID: 01bb0e8c95f6
Revises: 5d0c9e2a7b61
Create Date: 2026-12-02 06:48:43.707515
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "01bb0e8c95f6"
down_revision: str | None = "5d0c9e2a7b61"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "claim_support",
        sa.Column("subject_type", sa.String(length=32), nullable=False),
        sa.Column("subject_id", sa.String(length=100), nullable=False),
        sa.Column("claim", sa.String(length=64), nullable=False),
        sa.Column("basis", sa.String(length=16), nullable=False),
        sa.Column("reasoning", sa.Text(), nullable=True),
        sa.Column("convention", sa.Text(), nullable=True),
        sa.Column("descriptive", sa.Boolean(), nullable=False),
        sa.CheckConstraint(
            "basis = 'stated' OR reasoning IS NOT NULL",
            name=op.f("ck_claim_support_inferred_has_reasoning"),
        ),
        sa.PrimaryKeyConstraint(
            "subject_type", "subject_id", "claim", name=op.f("pk_claim_support")
        ),
    )
    with op.batch_alter_table("claim_support", schema=None) as batch_op:
        batch_op.create_index(
            "ix_claim_support_basis", ["subject_type", "claim", "basis", "subject_id"], unique=False
        )

    with op.batch_alter_table("program", schema=None) as batch_op:
        batch_op.add_column(sa.Column("locations_phrase", sa.Text(), nullable=True))

    op.add_column(
        "search_document",
        sa.Column("basis", sa.String(length=16), server_default="stated", nullable=False),
    )

    with op.batch_alter_table("signatory", schema=None) as batch_op:
        batch_op.add_column(sa.Column("party_phrase", sa.String(length=500), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table("signatory", schema=None) as batch_op:
        batch_op.drop_column("party_phrase")

    op.drop_column("search_document", "basis")

    with op.batch_alter_table("program", schema=None) as batch_op:
        batch_op.drop_column("locations_phrase")

    with op.batch_alter_table("claim_support", schema=None) as batch_op:
        batch_op.drop_index("ix_claim_support_basis")

    op.drop_table("claim_support")
