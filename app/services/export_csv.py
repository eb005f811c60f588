"""One collection as CSV (RFC 4180: a header row, CRLF line ends, UTF-8): a row per entity, by
id, flattened from the public document the API serves for it.

Columns follow the resource's public model, field by field:

- a value is written as it is: text, numbers in decimal, `true`/`false`, nothing for null;
- an object becomes a column per field, named with dots (`date.edtf`, `program.id`), all empty
  when it is null;
- `citations` becomes two columns: `citations`, how many there are, and `citations.exact`, their
  distinct exact quotes in order, joined by " | ", so a reader sees the words behind the row;
- `claims` becomes `claims.inferred`: the claims whose basis is inferred (all others are
  stated), joined by "; ";
- a list of values, or of objects with ids (references, reported counts, objectives), becomes
  the values or ids joined by "; "; any other list (a citation's selectors) its compact JSON.
"""

import csv
import io
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from enum import StrEnum
from types import NoneType, UnionType
from typing import TYPE_CHECKING, Annotated, Any, Union, get_args, get_origin

import orjson
from pydantic import BaseModel
from sqlalchemy import func, select
from sqlmodel import Session, col

from app.models.documents import EntityDocument
from app.models.public import CitationInline, ClaimPublic
from app.resources._types import Resource
from app.resources.registry import BY_COLLECTION, RESOURCES
from app.services.export import id_batches

__all__ = ["Column", "ExportCollection", "collection_csv", "columns", "count_documents", "csv_rows"]

BATCH = 500
QUOTES = " | "
VALUES = "; "

if TYPE_CHECKING:
    ExportCollection = StrEnum
else:
    # Built from the registry, so OpenAPI and the CLI list every collection.
    ExportCollection = StrEnum(
        "ExportCollection", [(r.collection, r.collection) for r in RESOURCES]
    )


@dataclass(frozen=True)
class Column:
    name: str
    path: tuple[str, ...]
    cell: Callable[[Any], str]


def _scalar(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, str):
        return value
    if isinstance(value, int | float):
        return str(value)
    return orjson.dumps(value).decode()


def _count(value: Any) -> str:
    return str(len(value or ()))


def _quotes(value: Any) -> str:
    return QUOTES.join(dict.fromkeys(c["exact"] for c in value or ()))


def _inferred(value: Any) -> str:
    return VALUES.join(c["claim"] for c in value or () if c["basis"] == "inferred")


def _ids(value: Any) -> str:
    return VALUES.join(_scalar(item["id"]) for item in value or ())


def _joined(value: Any) -> str:
    return VALUES.join(_scalar(item) for item in value or ())


def _json(value: Any) -> str:
    return "" if value is None else orjson.dumps(value).decode()


def _bare(annotation: Any) -> Any:
    """The type inside Annotated[...] and `X | None`."""
    while True:
        if get_origin(annotation) is Annotated:
            annotation = get_args(annotation)[0]
        elif get_origin(annotation) in (Union, UnionType):
            members = [a for a in get_args(annotation) if a is not NoneType]
            if len(members) != 1:
                return annotation
            annotation = members[0]
        else:
            return annotation


def _is_model(kind: Any) -> bool:
    return isinstance(kind, type) and issubclass(kind, BaseModel)


def _columns(annotation: Any, name: str, path: tuple[str, ...]) -> list[Column]:
    kind = _bare(annotation)
    if _is_model(kind):
        return [
            column
            for field, info in kind.model_fields.items()
            for column in _columns(info.annotation, f"{name}.{field}", (*path, field))
        ]
    if get_origin(kind) is not list:
        return [Column(name, path, _scalar)]
    item = _bare(get_args(kind)[0])
    if item is CitationInline:
        return [Column(name, path, _count), Column(f"{name}.exact", path, _quotes)]
    if item is ClaimPublic:
        return [Column(f"{name}.inferred", path, _inferred)]
    if _is_model(item):
        return [Column(name, path, _ids if "id" in item.model_fields else _json)]
    if get_origin(item) in (Union, UnionType):
        return [Column(name, path, _json)]
    return [Column(name, path, _joined)]


def columns(*, resource: Resource) -> list[Column]:
    """The CSV columns of a resource, in its public model's field order."""
    return [
        column
        for field, info in resource.public.model_fields.items()
        for column in _columns(info.annotation, field, (field,))
    ]


def _cell(document: Any, column: Column) -> str:
    value = document
    for step in column.path:
        value = value.get(step) if isinstance(value, dict) else None
    return column.cell(value)


def csv_rows(*, resource: Resource, documents: list[bytes]) -> list[list[str]]:
    """The CSV row of each stored document."""
    table = columns(resource=resource)
    return [[_cell(orjson.loads(d), c) for c in table] for d in documents]


def _text(rows: list[list[str]]) -> bytes:
    buffer = io.StringIO()
    csv.writer(buffer, lineterminator="\r\n").writerows(rows)
    return buffer.getvalue().encode("utf-8")


def collection_csv(
    *, session: Session, collection: str, on_item: Callable[[], None] | None = None
) -> Iterator[bytes]:
    """The collection's CSV, a chunk per batch of entities (use export.read_snapshot)."""
    resource = BY_COLLECTION[collection]
    tick = on_item or (lambda: None)
    yield _text([[c.name for c in columns(resource=resource)]])
    kind = col(EntityDocument.type) == resource.type
    for ids in id_batches(session=session, column=EntityDocument.id, size=BATCH, where=kind):
        found = dict(
            session.execute(
                select(col(EntityDocument.id), col(EntityDocument.body)).where(
                    kind, col(EntityDocument.id).in_(ids)
                )
            ).all()
        )
        yield _text(csv_rows(resource=resource, documents=[found[i].encode() for i in ids]))
        for _ in ids:
            tick()


def count_documents(*, session: Session, collection: str) -> int:
    """How many rows the collection's CSV holds (for progress)."""
    kind = col(EntityDocument.type) == BY_COLLECTION[collection].type
    return int(session.execute(select(func.count()).where(kind)).scalar_one())
