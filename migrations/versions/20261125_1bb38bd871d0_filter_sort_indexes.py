"""filter sort indexes

An index for every filter and every sort the list endpoints offer: a sort's index is its column
then the id (the keyset's tiebreak); a filter column on a big collection leads an index ending in
the keyset of the default sort and one ending in that of sort=date. Single-column indexes that a
wider one now starts with are replaced by it under the same name.

Revision ID: 1bb38bd871d0
Revises: cf4ec5e6e976
Create Date: 2026-11-25 17:48:37.320664
"""

from collections.abc import Sequence

from alembic import op

revision: str = "1bb38bd871d0"
down_revision: str | None = "cf4ec5e6e976"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

# (table, index name, columns after this revision, columns before it or None if it is new)
INDEXES: list[tuple[str, str, list[str], list[str] | None]] = [
    ("agency", "ix_agency_name", ["name", "id"], None),
    ("agreement", "ix_agreement_name", ["name", "id"], None),
    ("agreement", "ix_agreement_sort", ["date_sort", "id"], None),
    ("citation", "ix_citation_attribution_id", ["attribution_id", "id"], ["attribution_id"]),
    ("citation", "ix_citation_source", ["source_id", "id"], None),
    ("citation", "ix_citation_source_start", ["source_id", "start", "id"], ["source_id", "start"]),
    ("citation", "ix_citation_start", ["start", "id"], None),
    ("country", "ix_country_name", ["name", "code"], None),
    ("event", "ix_event_kind", ["kind", "id"], ["kind"]),
    ("event", "ix_event_kind_sort", ["kind", "date_sort", "id"], None),
    ("event", "ix_event_date_lower", ["date_lower"], None),
    ("event", "ix_event_date_upper", ["date_upper"], None),
    ("event_entity", "ix_event_entity_entity_id", ["entity_id", "event_id"], None),
    ("program", "ix_program_name", ["name", "id"], None),
    ("restriction", "ix_restriction_name", ["name", "id"], None),
    ("signatory", "ix_signatory_agency_id", ["agency_id", "id"], ["agency_id"]),
    ("signatory", "ix_signatory_agency_sort", ["agency_id", "date_sort", "id"], None),
    ("signatory", "ix_signatory_agreement", ["agreement_id", "id"], None),
    ("signatory", "ix_signatory_country_code", ["country_code", "id"], ["country_code"]),
    ("signatory", "ix_signatory_country_sort", ["country_code", "date_sort", "id"], None),
    ("signatory", "ix_signatory_status", ["status", "id", "date_upper", "date_edtf"], ["status"]),
    ("signatory", "ix_signatory_status_sort", ["status", "date_sort", "id"], None),
    ("source", "ix_source_title", ["title", "id"], None),
]


def upgrade() -> None:
    for table, name, columns, before in INDEXES:
        if before is not None:
            op.drop_index(name, table_name=table)
        op.create_index(name, table, columns, unique=False)


def downgrade() -> None:
    for table, name, _, before in reversed(INDEXES):
        op.drop_index(name, table_name=table)
        if before is not None:
            op.create_index(name, table, before, unique=False)
