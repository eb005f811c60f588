"""Entities as the write path sees them: every row of one resource's entity, across tables.

An entity is what a revision is about: a program with its locations, objectives, participants
and counts, with the claims and quotes of each; an event with what it concerns. Rows are
grouped by owner with the resources' `parts`; claims and quotes go with their subject's owner.
"""

import hashlib
from collections import defaultdict
from collections.abc import Iterable, Mapping
from typing import Any

import orjson
from sqlalchemy import and_, or_, select
from sqlmodel import Session, SQLModel, col

from app.models.base import table_of
from app.models.support import ClaimSupport
from app.resources._types import EntityKey, EntityRows, Row
from app.resources.agencies.models import Agency
from app.resources.agreements.models import Agreement, ReportedCount
from app.resources.attributions.models import Attribution
from app.resources.citations.models import Citation
from app.resources.countries.models import Country
from app.resources.events.models import Event, EventEntity
from app.resources.programs.models import (
    Program,
    ProgramLocation,
    ProgramObjective,
    ProgramParticipant,
)
from app.resources.registry import BY_TYPE, RESOURCES
from app.resources.restrictions.models import Restriction, RestrictionParty
from app.resources.signatories.models import Signatory
from app.resources.sources.models import Source

__all__ = [
    "CLAIM_TABLES",
    "TABLES",
    "canonical",
    "entity_hash",
    "group_rows",
    "load_all",
    "load_entities",
    "pk_of",
]

# Parents before children: inserts run in this order, deletes in reverse.
TABLES: list[type[SQLModel]] = [
    Source,
    Country,
    Agency,
    Attribution,
    Program,
    ProgramLocation,
    ProgramObjective,
    ProgramParticipant,
    Agreement,
    Signatory,
    ReportedCount,
    Restriction,
    RestrictionParty,
    Event,
    EventEntity,
    Citation,
    ClaimSupport,
]
BY_NAME: dict[str, type[SQLModel]] = {str(table_of(t).name): t for t in TABLES}
CLAIM_TABLES = ("citation", "claim_support")  # rows that go with their subject's owner
_MAIN = {table_of(r.table).name: r for r in RESOURCES if r.revised}
_PARTS = [(table_of(p.table).name, r, p) for r in RESOURCES for p in r.parts]


def pk_of(table: str, row: Mapping[str, Any]) -> tuple[Any, ...]:
    return tuple(row[c.name] for c in table_of(BY_NAME[table]).primary_key.columns)


def _normal(table: str, row: Mapping[str, Any]) -> Row:
    return {str(c.name): row.get(c.name) for c in table_of(BY_NAME[table]).columns}


def group_rows(rows: Mapping[str, Iterable[Mapping[str, Any]]]) -> dict[EntityKey, EntityRows]:
    """Rows by table name, grouped into entities (each table's rows in key order)."""
    out: dict[EntityKey, EntityRows] = defaultdict(lambda: defaultdict(list))
    subject_owner: dict[tuple[str, str], EntityKey] = {}
    for table in BY_NAME:
        if table in CLAIM_TABLES:
            continue
        for raw in rows.get(table, ()):
            row = _normal(table, raw)
            owner = _owner(table, row)
            out[owner][table].append(row)
            for name, _, part in _PARTS:
                if name == table and part.subject and row[part.column] is not None:
                    subject_owner[(part.subject, row["id"])] = owner
    for table in CLAIM_TABLES:
        for raw in rows.get(table, ()):
            row = _normal(table, raw)
            subject = (row["subject_type"], row["subject_id"])
            owner = subject_owner.get(subject, subject)
            out[owner][table].append(row)
    return {
        key: {t: _in_key_order(t, r) for t, r in sorted(tables.items())}
        for key, tables in out.items()
    }


def _in_key_order(table: str, rows: list[Row]) -> list[Row]:
    return sorted(rows, key=lambda row: pk_of(table, row))


def canonical(key: EntityKey, rows: EntityRows) -> EntityRows:
    """An entity's rows as the database would give them back (every column, in key order);
    ValueError if a row belongs to another entity."""
    grouped = group_rows(rows)
    strays = sorted(k for k in grouped if k != key)
    if strays:
        raise ValueError(f"rows of {strays[0][0]} {strays[0][1]!r} cannot be written as {key}")
    return grouped.get(key, {})


def _owner(table: str, row: Row) -> EntityKey:
    main = _MAIN.get(table)
    if main is not None:
        return (main.type, str(row[main.id_column.name]))
    for name, resource, part in _PARTS:
        if name == table and row[part.column] is not None:
            return (resource.type, str(row[part.column]))
    raise ValueError(f"a {table} row belongs to no entity: {row}")


def load_all(session: Session) -> dict[EntityKey, EntityRows]:
    """Every entity in the database."""
    rows = {
        name: [dict(r) for r in session.execute(select(table_of(t))).mappings()]
        for name, t in BY_NAME.items()
    }
    return group_rows(rows)


def load_entities(session: Session, keys: Iterable[EntityKey]) -> dict[EntityKey, EntityRows]:
    """The current rows of these entities (an entity with no rows is left out)."""
    by_type: dict[str, set[str]] = defaultdict(set)
    for kind, ident in keys:
        by_type[kind].add(ident)
    rows: dict[str, list[dict[str, Any]]] = defaultdict(list)
    subjects: dict[str, set[str]] = defaultdict(set)
    for kind, ids in by_type.items():
        resource = BY_TYPE[kind]
        main = table_of(resource.table)
        rows[main.name] += _select(session, main.name, main.c[resource.id_column.name].in_(ids))
        subjects[kind] |= ids
        for part in resource.parts:
            table = table_of(part.table)
            found = _select(session, table.name, table.c[part.column].in_(ids))
            rows[table.name] += found
            if part.subject:
                subjects[part.subject] |= {r["id"] for r in found}
    for table_name, model in (("citation", Citation), ("claim_support", ClaimSupport)):
        condition = or_(
            *(
                and_(col(model.subject_type) == kind, col(model.subject_id).in_(ids))
                for kind, ids in subjects.items()
                if ids
            )
        )
        rows[table_name] += _select(session, table_name, condition)
    grouped = group_rows(rows)
    wanted = {(kind, ident) for kind, ids in by_type.items() for ident in ids}
    return {key: value for key, value in grouped.items() if key in wanted}


def _select(session: Session, table: str, condition: Any) -> list[dict[str, Any]]:
    query = select(table_of(BY_NAME[table])).where(condition)
    return [dict(r) for r in session.execute(query).mappings()]


def entity_hash(rows: EntityRows) -> str:
    """A digest of an entity's rows: equal rows, equal digests, on both engines."""
    blob = orjson.dumps(rows, option=orjson.OPT_SORT_KEYS | orjson.OPT_NON_STR_KEYS)
    return hashlib.sha256(blob).hexdigest()
