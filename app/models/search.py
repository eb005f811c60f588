"""The search index: one derived row per searchable entity or citation, rebuilt by the seed load.

The native full-text objects over this table (SQLite's FTS5 table and its triggers, PostgreSQL's
GIN index) are made by a hand-written migration, because neither can be described by the models;
`include_name` tells Alembic's comparison to leave them alone. A batch rebuild of this table on
SQLite drops its triggers, so a migration that alters it must create them again.
"""

from sqlalchemy import String
from sqlalchemy import Text as SAText
from sqlmodel import Field, SQLModel

FTS_TABLE = "search_fts"
PG_TERMS_INDEX = "ix_search_document_terms"
# The same per tier, citations and the other rows (migration a5ba4687325d).
TIER_FTS_TABLES = {"entities": "search_entity_fts", "citations": "search_citation_fts"}
PG_TIER_TERMS_INDEXES = {
    "entities": "ix_search_document_entity_terms",
    "citations": "ix_search_document_citation_terms",
}
# The trigram index of citation quotes (migration 06a00919bde2), for `citations?q=`.
CITATION_FTS_TABLE = "citation_fts"
CITATION_FTS_KEY = "citation_fts_key"
PG_CITATION_TRIGRAM_INDEX = "ix_citation_exact_trgm"
# Events by span length class and date (migration a31d248d6073): an expression index, whose
# expression differs by engine (app/resources/events/spans.py).
EVENT_SPAN_INDEX = "ix_event_span"
EVENT_KIND_SPAN_INDEX = "ix_event_kind_span"  # the same, led by the kind (5c2e8b7f1d04)
# PostgreSQL: search rows' keys in code-point order, the order hits rank in (0e96a3643d15).
PG_SEARCH_KEY_INDEX = "ix_search_document_id_c"
_NATIVE_TABLES = (FTS_TABLE, *TIER_FTS_TABLES.values(), CITATION_FTS_TABLE)


class SearchDocument(SQLModel, table=True):
    __tablename__ = "search_document"

    id: str = Field(primary_key=True, max_length=240, description="'<entity_type>:<entity_id>'")
    # No index of its own: next to a full-text match the planners took it to read every row of
    # a type; a type's rows are a range of the primary key ('<type>:…') when one is wanted.
    entity_type: str = Field(max_length=32)
    entity_id: str = Field(max_length=200)
    title: str = Field(sa_type=SAText)
    body: str = Field(sa_type=SAText)
    # The words as the search service tokenizes them, space-separated. Both engines index these
    # rather than parse the text themselves, which is what makes their hits identical.
    title_terms: str = Field(sa_type=SAText)
    body_terms: str = Field(sa_type=SAText)
    # `inferred` when the title or body repeats a value some claim infers (or the row exists
    # only through inference): a hit repeats its values' basis, and basis=stated leaves it out.
    basis: str = Field(
        sa_type=String(16), default="stated", sa_column_kwargs={"server_default": "stated"}
    )
    # SQLite only, set by its triggers: the row's rowid in the FTS5 table, so that a changed or
    # deleted row's terms are found by key (the table's own rowid may change on VACUUM).
    fts_rowid: int | None = Field(default=None, unique=True, index=True)


def include_name(name: str | None, type_: str, parent_names: object) -> bool:
    """Alembic's name filter: skip the native search objects that no model describes."""
    del parent_names  # part of Alembic's signature
    if name is None:
        return True
    if type_ == "table":
        # FTS5 keeps its index in shadow tables named after the virtual table.
        return not any(name == t or name.startswith(f"{t}_") for t in _NATIVE_TABLES)
    if type_ == "index":
        native = (
            PG_TERMS_INDEX,
            *PG_TIER_TERMS_INDEXES.values(),
            PG_CITATION_TRIGRAM_INDEX,
            EVENT_SPAN_INDEX,
            EVENT_KIND_SPAN_INDEX,
            PG_SEARCH_KEY_INDEX,
        )
        return name not in native
    return True
