"""Curators' writes: a write body (a resource's `*Create` schema) becomes the entity's rows, with
every quote located in its stored source and every truth rule applied (the seed's own checks,
`check_entry`), and goes through the one write path. Deleted entities keep their rows in a
tombstone, from which an admin restores them."""

import datetime as dt
from collections import defaultdict
from typing import Any

from pydantic import ValidationError
from sqlalchemy import select
from sqlmodel import Session, SQLModel, col

from app.models import Origin, Tombstone
from app.models.base import table_of
from app.models.common import as_utc
from app.models.support import ClaimSupport
from app.pointers import body_pointer, shown
from app.resources._types import EntityKey, EntityRows, Resource
from app.resources.citations.models import Citation
from app.resources.registry import RESOURCES
from app.resources.sources.models import Source
from app.services.documents import read_document
from app.services.entities import BY_NAME, TABLES, canonical, group_rows, load_entities
from app.services.preconditions import document_etag, precondition
from app.services.refusals import CurateError, Written, refuse
from app.services.seed_files import Entry, check_entry, entries_of
from app.services.seed_plan import citation_rows, claim_rows, entity_rows
from app.services.write import EntityWrite, WriteError, write_entities
from app.services.write_shape import (
    NESTED,
    Json,
    body_of,
    merge_patch,
    rows_from_json,
    rows_to_json,
)

__all__ = [
    "WRITABLE",
    "CurateError",
    "Written",
    "create_entity",
    "delete_entity",
    "restore_entity",
    "update_entity",
]

# Every resource with a history and a write schema; sources have their own write (sources.py).
WRITABLE = [r for r in RESOURCES if r.revised and r.seed and r.type != "source"]


def validate_body(resource: Resource, raw: Json) -> SQLModel:
    """The body as the resource's write schema, or a 422 pointing at each bad field."""
    try:
        return resource.seed[0].model.model_validate(raw)
    except ValidationError as exc:
        errors = [
            {"location": shown(body_pointer(e["loc"], raw)), "message": e["msg"]}
            for e in exc.errors()
        ]
        raise refuse(errors) from exc


def _entries(resource: Resource, body: SQLModel) -> list[tuple[str, Entry]]:
    """Each entry of the body (the entity and its nested parts) with its JSON Pointer."""
    spec = resource.seed[0]
    defaults = {"default_source": None, "default_attribution": None}
    fields = {subject: name for name, _, subject, _ in NESTED}
    counters: dict[str, int] = defaultdict(int)
    out = []
    for entry in entries_of(spec.file, spec.key, body, spec.subject_type, defaults):
        pointer = ""
        if entry.subject_type != spec.subject_type:
            name = fields[entry.subject_type.value]
            pointer = f"/{name}/{counters[name]}"
            counters[name] += 1
        out.append((pointer, entry))
    return out


def plan_entity(
    session: Session, *, resource: Resource, body: SQLModel, current: EntityRows | None
) -> EntityRows:
    """The entity's rows after writing `body`, or a 422 naming every broken rule."""
    entries = _entries(resource, body)
    cited = {
        q.source
        for _, e in entries
        for spec in e.citations.values()
        for q in spec.quotes
        if q.source
    }
    texts: dict[str, str] = dict(
        session.execute(
            select(col(Source.id), col(Source.text)).where(col(Source.id).in_(sorted(cited)))
        ).all()
    )
    errors = [
        {"location": pointer + p.pointer, "message": p.message}
        for pointer, entry in entries
        for p in check_entry(entry, texts)
    ]
    if errors:
        raise refuse(errors)
    rows: dict[type[SQLModel], list[dict[str, Any]]] = {t: [] for t in TABLES}
    for _, entry in entries:
        entity_rows(entry, rows)
        rows[Citation].extend(citation_rows(entry, texts))
        rows[ClaimSupport].extend(claim_rows(entry))
    key = (resource.type, _ident(resource, body))
    planned = group_rows({table_of(t).name: rows[t] for t in TABLES}).get(key, {})
    # Rows the write schema does not carry (counts the source reports) stay as they are.
    carried = {resource.seed[0].subject_type.value, *(n[2] for n in NESTED)}
    kept = [p for p in resource.parts if p.subject and p.subject not in carried]
    kept_tables = {table_of(p.table).name for p in kept}
    kept_subjects = {p.subject for p in kept}
    for table, table_rows in (current or {}).items():
        if table in kept_tables:
            planned[table] = table_rows
        elif table in ("citation", "claim_support"):
            extra = [r for r in table_rows if r["subject_type"] in kept_subjects]
            planned[table] = [*planned.get(table, []), *extra]
    planned = canonical(key, planned)
    _check_references(session, planned, main=table_of(resource.table).name)
    return planned


def _ident(resource: Resource, body: SQLModel) -> str:
    return str(getattr(body, resource.id_column.name))


def _check_references(session: Session, rows: EntityRows, *, main: str) -> None:
    """Every row the entity names exists (a foreign key would say so less helpfully)."""
    errors = []
    for table, table_rows in rows.items():
        for column in table_of(BY_NAME[table]).columns:
            for fk in column.foreign_keys:
                target = fk.column
                wanted = {r[column.name] for r in table_rows if r.get(column.name) is not None}
                own = {r[target.name] for r in rows.get(str(target.table.name), ())}
                wanted -= own
                if not wanted:
                    continue
                found = set(
                    session.execute(select(target).where(target.in_(sorted(wanted)))).scalars()
                )
                where = {main: f"/{column.name}", "citation": "/citations"}.get(table, "")
                errors += [
                    {"location": where, "message": f"{column.name} {v!r}: no such {target.table}"}
                    for v in sorted(wanted - found)
                ]
    if errors:
        raise refuse(errors)


def _tombstone(session: Session, key: EntityKey) -> Tombstone | None:
    return session.get(Tombstone, key)


def _write(
    session: Session,
    *,
    key: EntityKey,
    rows: EntityRows | None,
    actor: str,
    reason: str | None,
    current: EntityRows | None,
    restore: bool = False,
    now: dt.datetime | None = None,
) -> Written:
    try:
        result = write_entities(
            session,
            writes=[EntityWrite(key, rows, actor, restore=restore)],
            origin=Origin.curator,
            reason=reason,
            current={key: current} if current else {},
            now=now,
        )
    except WriteError as exc:
        raise CurateError(
            409 if exc.conflict else 422,
            " ".join(exc.problems),
            kind="conflict" if exc.conflict else "unprocessable",
            errors=[{"location": "", "message": p} for p in exc.problems],
        ) from exc
    document = read_document(connection=session.connection(), kind=key[0], ident=key[1])
    return Written(
        document,
        document_etag(document) if document is not None else None,
        result.revisions[0] if result.revisions else None,
    )


def _current(session: Session, resource: Resource, ident: str) -> EntityRows:
    key = (resource.type, ident)
    rows = load_entities(session, [key]).get(key)
    if rows is None:
        raise gone(session, resource, ident)
    return rows


def gone(session: Session, resource: Resource, ident: str) -> CurateError:
    """The 404 of an entity that is not there: saying when it was deleted, if it was."""
    stone = _tombstone(session, (resource.type, ident))
    if stone is None:
        return CurateError(404, f"No {resource.type} with id {ident!r}.", kind="not-found")
    history = f"/v1/{resource.collection}/{ident}/revisions"
    return CurateError(
        404,
        f"The {resource.type} {ident!r} was deleted at {as_utc(stone.deleted_at).isoformat()} by "
        f"{stone.actor}; its history is at {history}.",
        kind="deleted",
        headers={"Link": f'<{history}>; rel="version-history"'},
    )


def create_entity(
    session: Session, *, resource: Resource, body: SQLModel, actor: str, reason: str | None
) -> Written:
    """POST: a new entity, or 409 if its id is taken (or was, by an entity since deleted)."""
    ident = _ident(resource, body)
    key = (resource.type, ident)
    if load_entities(session, [key]):
        raise CurateError(409, f"A {resource.type} with id {ident!r} exists.", kind="conflict")
    if _tombstone(session, key) is not None:
        raise CurateError(
            409,
            f"The {resource.type} {ident!r} was deleted; restore it with POST "
            f"/v1/{resource.collection}/{ident}/restore, or choose another id.",
            kind="conflict",
        )
    rows = plan_entity(session, resource=resource, body=body, current=None)
    return _write(session, key=key, rows=rows, actor=actor, reason=reason, current=None)


def update_entity(
    session: Session,
    *,
    resource: Resource,
    ident: str,
    patch: Json,
    if_match: str | None,
    actor: str,
    reason: str | None,
) -> Written:
    """PATCH: a JSON Merge Patch of the entity's write body, if the client's ETag is current."""
    current = _current(session, resource, ident)
    precondition(session, resource=resource, ident=ident, if_match=if_match)
    merged = merge_patch(body_of(resource, current), patch)
    id_field = resource.id_column.name
    if merged.get(id_field) != ident:
        raise refuse([{"location": f"/{id_field}", "message": "an entity's id never changes"}])
    body = validate_body(resource, merged)
    rows = plan_entity(session, resource=resource, body=body, current=current)
    key = (resource.type, ident)
    return _write(session, key=key, rows=rows, actor=actor, reason=reason, current=current)


def delete_entity(
    session: Session,
    *,
    resource: Resource,
    ident: str,
    if_match: str | None,
    actor: str,
    reason: str | None,
) -> Written:
    """DELETE: the entity leaves every read; its rows wait in a tombstone for a restore."""
    current = _current(session, resource, ident)
    precondition(session, resource=resource, ident=ident, if_match=if_match)
    key = (resource.type, ident)
    now = dt.datetime.now(dt.UTC)  # the revision's time and the tombstone's
    written = _write(
        session, key=key, rows=None, actor=actor, reason=reason, current=current, now=now
    )
    assert written.revision is not None
    session.add(
        Tombstone(
            entity_type=key[0],
            entity_id=key[1],
            rows=rows_to_json(current),
            deleted_at=now,
            actor=actor,
            revision_id=written.revision,
        )
    )
    return written


def restore_entity(
    session: Session, *, resource: Resource, ident: str, actor: str, reason: str | None
) -> Written:
    """POST …/restore: a deleted entity back as it was, if what it names still exists."""
    key = (resource.type, ident)
    stone = _tombstone(session, key)
    if stone is None:
        if load_entities(session, [key]):
            raise CurateError(
                409, f"The {resource.type} {ident!r} is not deleted.", kind="conflict"
            )
        raise CurateError(404, f"No deleted {resource.type} with id {ident!r}.", kind="not-found")
    rows = rows_from_json(stone.rows)
    _check_references(session, rows, main=table_of(resource.table).name)
    written = _write(
        session, key=key, rows=rows, actor=actor, reason=reason, current=None, restore=True
    )
    session.delete(stone)
    return written
