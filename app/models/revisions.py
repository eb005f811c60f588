"""What the write path keeps besides the data: every change, who owns each entity, and which
stored document reads which rows (see app/services/write.py)."""

import datetime as dt
from enum import StrEnum

from sqlalchemy import BigInteger, Column, DateTime, Index, Integer, String
from sqlalchemy import Text as SAText
from sqlmodel import Field, SQLModel


class ChangeKind(StrEnum):
    create = "create"
    update = "update"
    delete = "delete"
    restore = "restore"


class Origin(StrEnum):
    """Who owns an entity: the seed reconciles only what it owns."""

    seed = "seed"
    curator = "curator"


class Revision(SQLModel, table=True):
    """One change to one entity: its public document before and after, who, why, when."""

    __tablename__ = "revision"
    __table_args__ = (
        Index("ix_revision_entity", "entity_type", "entity_id", "id"),
        Index("ix_revision_version", "version", "id"),
    )

    # SQLite numbers rows only for an INTEGER PRIMARY KEY (its rowid); BIGINT elsewhere.
    id: int | None = Field(
        default=None,
        sa_column=Column(
            BigInteger().with_variant(Integer, "sqlite"), primary_key=True, autoincrement=True
        ),
    )
    version: int = Field(sa_type=BigInteger, description="the dataset version the change made")
    entity_type: str = Field(max_length=32)
    entity_id: str = Field(max_length=200)
    kind: ChangeKind = Field(sa_type=String(16))
    actor: str = Field(max_length=200, description="e.g. 'seed:agencies.yaml' or a key's name")
    reason: str | None = Field(default=None, sa_type=SAText)
    created_at: dt.datetime = Field(sa_column=Column(DateTime(timezone=True), nullable=False))
    before: str | None = Field(default=None, sa_type=SAText, description="JSON document")
    after: str | None = Field(default=None, sa_type=SAText, description="JSON document")


class EntityOrigin(SQLModel, table=True):
    """Where an entity came from; kept after the entity is deleted, so the seed never brings
    back what a curator removed."""

    __tablename__ = "entity_origin"

    entity_type: str = Field(primary_key=True, max_length=32)
    entity_id: str = Field(primary_key=True, max_length=200)
    origin: Origin = Field(sa_type=String(16))
    actor: str = Field(max_length=200, description="who wrote it last")
    seed_hash: str | None = Field(
        default=None,
        max_length=64,
        description="SHA-256 of the seed's rows for it when the seed last agreed with the data",
    )


class DocumentDependency(SQLModel, table=True):
    """One read a stored document made: `key` is 'table:column=value' (app/resources/reads.py).

    A write touches the keys of every row it changes (old and new values), and rebuilds exactly
    the documents that read one of them.
    """

    __tablename__ = "document_dependency"
    __table_args__ = (Index("ix_document_dependency_key", "key", "doc_type", "doc_id"),)

    doc_type: str = Field(primary_key=True, max_length=32)
    doc_id: str = Field(primary_key=True, max_length=200)
    key: str = Field(primary_key=True, max_length=400)


class Tombstone(SQLModel, table=True):
    """A deleted entity's rows, kept so that it can be restored and its 404 can say when it
    went and where its history is."""

    __tablename__ = "tombstone"

    entity_type: str = Field(primary_key=True, max_length=32)
    entity_id: str = Field(primary_key=True, max_length=200)
    rows: str = Field(sa_type=SAText, description="the entity's rows, as JSON by table")
    deleted_at: dt.datetime = Field(sa_column=Column(DateTime(timezone=True), nullable=False))
    actor: str = Field(max_length=200)
    revision_id: int = Field(sa_type=BigInteger, description="the delete's revision")


class DatasetVersion(SQLModel, table=True):
    """One row per change to the data; the newest row is the version that caches key on."""

    __tablename__ = "dataset_version"

    version: int = Field(sa_column=Column(BigInteger, primary_key=True, autoincrement=False))
    created_at: dt.datetime = Field(sa_column=Column(DateTime(timezone=True), nullable=False))
    origin: str = Field(sa_type=String(32), description="what made the change, e.g. 'seed'")
    seed_digest: str | None = Field(default=None, max_length=64)
    summary: str = Field(sa_type=SAText, description="what changed, as JSON counts per table")
