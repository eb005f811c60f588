"""event entity timeline

event_entity carries its event's date_sort, so one entity's events are read in timeline order
straight from an index (entity_id, date_sort, event_id) instead of being gathered and sorted.
Existing rows take the value from their event; the loader writes both from the same plan.

Revision ID: 5d0c9e2a7b61
Revises: 1bb38bd871d0
Create Date: 2026-11-25 18:50:00.000000
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "5d0c9e2a7b61"
down_revision: str | None = "1bb38bd871d0"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    with op.batch_alter_table("event_entity") as batch:
        batch.add_column(sa.Column("date_sort", sa.Date(), nullable=True))
    op.execute(
        "UPDATE event_entity SET date_sort = "
        "(SELECT event.date_sort FROM event WHERE event.id = event_entity.event_id)"
    )
    with op.batch_alter_table("event_entity") as batch:
        batch.alter_column("date_sort", existing_type=sa.Date(), nullable=False)
        batch.create_index(
            "ix_event_entity_timeline", ["entity_id", "date_sort", "event_id"], unique=False
        )


def downgrade() -> None:
    with op.batch_alter_table("event_entity") as batch:
        batch.drop_index("ix_event_entity_timeline")
        batch.drop_column("date_sort")
