"""The whole dataset as one JSON document, streamed in chunks: what `spacefacts import` (and
app/services/importer.py) needs to rebuild it in another database, and nothing else.

The document, one source or entity per line, keys of each object sorted:

    {"format":"spacefacts-export/1","schema_version":"<alembic head>","dataset_version":N,
    "sources":[ {every column of a source, its full text included}, ... ],
    "collections":{"countries":[ <the write body POST /v1/countries takes>, ... ], ...},
    "parts":{"reported_counts":[ <an agreements.yaml reported_counts entry>, ... ]}}

Collections come in registry order, entities and sources by id (code-point order on both
engines). `parts` holds the rows no write body carries (the counts a source reports, which
belong to an agreement or a program), as their seed file's entries. Everything is read in one
snapshot, so the bytes depend only on the data: the same data gives the same bytes.
"""

import datetime as dt
from collections.abc import Callable, Iterable, Iterator
from contextlib import contextmanager
from typing import Any, Literal

import orjson
from alembic.runtime.migration import MigrationContext
from pydantic import BaseModel, ConfigDict, Field, create_model
from sqlalchemy import Engine, and_, func, select
from sqlmodel import Session, SQLModel, col

from app.models.base import table_of
from app.models.common import MAX_BIGINT
from app.models.support import ClaimSupport, SubjectType
from app.resources._types import EntityRows, Resource, SeedFile
from app.resources.citations.models import Citation
from app.resources.registry import SEED_FILES
from app.resources.sources.models import Source, SourceCreate
from app.services.curate import WRITABLE
from app.services.dataset import current_version
from app.services.entities import load_entities
from app.services.seed_plan import SUBJECT_TABLES
from app.services.write_shape import NESTED, Json, body_of, part_body

__all__ = [
    "FORMAT",
    "PART_FILES",
    "ExportDocument",
    "count_items",
    "export_document",
    "id_batches",
    "read_snapshot",
    "schema_version",
]

FORMAT = "spacefacts-export/1"
BATCH = 500  # entities read and written per chunk
SOURCE_BATCH = 20  # sources per chunk: each carries its whole text
# Rows with claims of their own that no write body carries travel as their seed file's entries.
_CARRIED = {r.seed[0].subject_type for r in WRITABLE} | {SubjectType(n[2]) for n in NESTED}
PART_FILES: tuple[SeedFile, ...] = tuple(f for f in SEED_FILES if f.subject_type not in _CARRIED)

Tick = Callable[[], None]


class ExportSource(SourceCreate):
    """A source as exported: its metadata, its text, and the text's SHA-256 and length."""

    sha256: str = Field(pattern=r"^[0-9a-f]{64}$", max_length=64)
    length: int = Field(ge=1, le=MAX_BIGINT, json_schema_extra={"format": "int64"})


_STRICT = ConfigDict(extra="forbid")


def _list_of(model: type[SQLModel]) -> Any:
    return list[model]  # type: ignore[valid-type]


_BODIES: dict[str, Any] = {r.collection: (_list_of(r.seed[0].model), ...) for r in WRITABLE}
_PARTS: dict[str, Any] = {f.key: (_list_of(f.model), ...) for f in PART_FILES}
ExportCollections = create_model("ExportCollections", __config__=_STRICT, **_BODIES)
ExportParts = create_model("ExportParts", __config__=_STRICT, **_PARTS)


class ExportDocument(BaseModel):
    """Every source with its text, every entity as its write body, and the `parts` (counts)."""

    model_config = _STRICT

    format: Literal["spacefacts-export/1"] = Field(description="this document's format")
    schema_version: str | None = Field(
        description="the database's Alembic revision; an import needs the same",
        max_length=64,
        pattern=r"^[0-9A-Za-z_]+$",
    )
    dataset_version: int = Field(
        ge=0,
        le=MAX_BIGINT,
        description="the dataset version exported",
        json_schema_extra={"format": "int64"},
    )
    sources: list[ExportSource]
    collections: ExportCollections
    parts: ExportParts


@contextmanager
def read_snapshot(*, engine: Engine) -> Iterator[Session]:
    """A session whose every query sees one committed state, however long the reading takes."""
    with Session(engine) as session:
        if engine.dialect.name == "postgresql":
            connection = session.connection(
                execution_options={"isolation_level": "REPEATABLE READ"}
            )
            # Exempt from the serving engine's statement timeout (app/db.py): each batch sorts
            # its whole table by id in code-point order, which no index serves, so on a large
            # dataset one batch may outlast it. For this transaction only.
            connection.exec_driver_sql("SET LOCAL statement_timeout = 0")
        else:
            # pysqlite would run each SELECT in a transaction of its own; in WAL mode an open
            # read transaction keeps the snapshot of its first read.
            session.connection().exec_driver_sql("BEGIN")
        yield session


def schema_version(*, session: Session) -> str | None:
    """The database's Alembic revision (its `alembic_version` row)."""
    return MigrationContext.configure(session.connection()).get_current_revision()


def id_batches(
    *, session: Session, column: Any, size: int, where: Any = None
) -> Iterator[list[Any]]:
    """The column's values (of the rows `where` keeps) in code-point order, `size` at a time."""
    ordered: Any = col(column)
    if session.get_bind().dialect.name == "postgresql":
        ordered = ordered.collate("C")  # the database's collation may order ids otherwise
    last: Any = None
    while True:
        query = select(col(column)).order_by(ordered).limit(size)
        if where is not None:
            query = query.where(where)
        if last is not None:
            query = query.where(ordered > last)
        ids = list(session.execute(query).scalars())
        if not ids:
            return
        yield ids
        last = ids[-1]


def _line(value: Json) -> bytes:
    return orjson.dumps(value, option=orjson.OPT_SORT_KEYS)


def _array(batches: Iterable[list[bytes]]) -> Iterator[bytes]:
    """A JSON array, one item per line, one chunk per batch."""
    first = True
    for batch in batches:
        if batch:
            yield (b"[\n" if first else b",\n") + b",\n".join(batch)
            first = False
    yield b"[]" if first else b"\n]"


def _plain(value: Any) -> Any:
    return value.isoformat() if isinstance(value, dt.date) else value


def _sources(session: Session, tick: Tick) -> Iterator[list[bytes]]:
    table = table_of(Source)
    for ids in id_batches(session=session, column=Source.id, size=SOURCE_BATCH):
        rows = session.execute(select(table).where(table.c.id.in_(ids))).mappings()
        by_id = {r["id"]: {k: _plain(v) for k, v in r.items()} for r in rows}
        yield [_line(by_id[i]) for i in ids]
        for _ in ids:
            tick()


def _entities(session: Session, resource: Resource, tick: Tick) -> Iterator[list[bytes]]:
    for ids in id_batches(session=session, column=resource.id_column, size=BATCH):
        keys = [(resource.type, str(i)) for i in ids]
        found = load_entities(session, keys)
        yield [_line(body_of(resource, found[k])) for k in keys]
        for _ in ids:
            tick()


def _claim_rows(session: Session, subject_type: str, ids: list[str]) -> EntityRows:
    rows: EntityRows = {}
    for name, model in (("citation", Citation), ("claim_support", ClaimSupport)):
        where = and_(col(model.subject_type) == subject_type, col(model.subject_id).in_(ids))
        found = session.execute(select(table_of(model)).where(where)).mappings()
        rows[name] = [dict(r) for r in found]
    return rows


def _parts(session: Session, spec: SeedFile, tick: Tick) -> Iterator[list[bytes]]:
    model = SUBJECT_TABLES[spec.subject_type]
    table = table_of(model)
    for ids in id_batches(session=session, column=table.c.id, size=BATCH):
        found = session.execute(select(table).where(table.c.id.in_(ids))).mappings()
        by_id = {r["id"]: dict(r) for r in found}
        claims = _claim_rows(session, spec.subject_type.value, ids)
        yield [_line(part_body(spec.model, by_id[i], claims, spec.subject_type.value)) for i in ids]
        for _ in ids:
            tick()


def export_document(*, session: Session, on_item: Tick | None = None) -> Iterator[bytes]:
    """The export of what `session` sees (a `read_snapshot`), in chunks; `on_item` per item."""
    tick: Tick = on_item or (lambda: None)
    head = (
        ("format", FORMAT),
        ("schema_version", schema_version(session=session)),
        ("dataset_version", current_version(session=session)),
    )
    yield b"{" + b",".join(orjson.dumps(k) + b":" + orjson.dumps(v) for k, v in head)
    yield b',\n"sources":'
    yield from _array(_sources(session, tick))
    yield b',\n"collections":{'
    for i, resource in enumerate(WRITABLE):
        yield (b"\n" if i == 0 else b",\n") + orjson.dumps(resource.collection) + b":"
        yield from _array(_entities(session, resource, tick))
    yield b'},\n"parts":{'
    for i, spec in enumerate(PART_FILES):
        yield (b"\n" if i == 0 else b",\n") + orjson.dumps(spec.key) + b":"
        yield from _array(_parts(session, spec, tick))
    yield b"}}\n"


def count_items(*, session: Session) -> int:
    """How many sources, entities and parts an export of this data holds (for progress)."""
    tables: list[type[SQLModel]] = [
        Source,
        *(r.table for r in WRITABLE),
        *(SUBJECT_TABLES[f.subject_type] for f in PART_FILES),
    ]
    return sum(
        int(session.execute(select(func.count()).select_from(table_of(t))).scalar_one())
        for t in tables
    )
