"""What the write path checks before and while it writes: the truth rules, every quote at its
offsets, the references no foreign key can hold, and deletes that would orphan another entity."""

from collections import defaultdict
from collections.abc import Mapping, Sequence
from typing import TYPE_CHECKING

from sqlalchemy import select
from sqlmodel import Session, col

from app.models.base import table_of
from app.models.common import Basis
from app.models.support import SubjectType
from app.resources._types import EntityRows, Row
from app.resources.registry import BY_TYPE, RESOURCES
from app.resources.sources.models import Source
from app.services.entities import BY_NAME, TABLES
from app.services.quotes import anchor_at
from app.services.truth import Quote, Support, truth_problems

if TYPE_CHECKING:
    from app.services.write import EntityWrite

__all__ = ["dangling", "problems", "still_named"]

_DOCUMENT_TABLES = {table_of(r.table).name: r for r in RESOURCES}


def still_named(
    session: Session,
    old: Mapping[str, Mapping[tuple[object, ...], Row]],
    new: Mapping[str, Mapping[tuple[object, ...], Row]],
) -> list[str]:
    """An entity being deleted that another entity still names: refused, never cascaded.

    (A signatory would otherwise vanish with its agreement, unrecorded and still served.)
    """
    gone_rows = {
        name: {k for k in rows if k not in new.get(name, {})} for name, rows in old.items()
    }
    problems = []
    for name, resource in _DOCUMENT_TABLES.items():
        gone = sorted(str(k[0]) for k in gone_rows.get(name, ()))
        if not gone or not resource.revised:
            continue
        naming = [
            (other, column)
            for other in TABLES
            for column in table_of(other).columns
            for fk in column.foreign_keys
            if fk.column.table.name == name
            and str(table_of(other).name) in _DOCUMENT_TABLES
            and str(table_of(other).name) != name
        ]
        for other, column in naming:
            other_table = table_of(other)
            other_name = str(other_table.name)
            pk = list(other_table.primary_key.columns)
            rows = session.execute(select(*pk, column).where(column.in_(gone))).all()
            for row in rows:
                if tuple(row[: len(pk)]) in gone_rows.get(other_name, set()):
                    continue  # deleted in the same write
                problems.append(
                    f"{resource.type} {row[-1]!r} is still named by {other_name} {row[0]!r} "
                    f"({column.name}); change or delete that first"
                )
        entity = table_of(BY_NAME["event_entity"])
        for event_id, ident in session.execute(
            select(entity.c.event_id, entity.c.entity_id).where(
                entity.c.entity_type == resource.type, entity.c.entity_id.in_(gone)
            )
        ):
            if (event_id, resource.type, ident) not in gone_rows.get("event_entity", set()):
                problems.append(
                    f"{resource.type} {ident!r} is still named by event {event_id!r}; change or "
                    "delete that first"
                )
    return problems


def problems(session: Session, writes: Sequence["EntityWrite"]) -> list[str]:
    """Every truth rule and quote anchor the new rows break."""
    batch_texts = {
        r["id"]: r["text"] for w in writes for r in (w.rows or {}).get("source", ()) if r["text"]
    }
    cited = {r["source_id"] for w in writes for r in (w.rows or {}).get("citation", ())}
    texts = dict(
        session.execute(
            select(col(Source.id), col(Source.text)).where(
                col(Source.id).in_(sorted(cited - set(batch_texts)))
            )
        ).all()
    )
    texts.update(batch_texts)
    problems: list[str] = []
    for w in writes:
        if w.rows is None:
            continue
        label = f"{w.key[0]} {w.key[1]!r}"
        problems += [f"{label}: {p}" for p in _anchor_problems(w.rows, texts)]
        problems += [f"{label}: {p}" for p in _truth(w.rows, texts)]
    return problems


def _anchor_problems(rows: EntityRows, texts: Mapping[str, str]) -> list[str]:
    problems = []
    for c in rows.get("citation", ()):
        text = texts.get(c["source_id"])
        where = f"citation {c['id']!r}"
        if text is None:
            problems.append(f"{where}: no source {c['source_id']!r}")
        elif not 0 <= c["start"] < c["end"] <= len(text):
            problems.append(f"{where}: span [{c['start']}, {c['end']}) is outside the source")
        else:
            found = anchor_at(text, c["start"], c["end"])
            if (found.exact, found.prefix, found.suffix) != (c["exact"], c["prefix"], c["suffix"]):
                problems.append(f"{where}: the quote is not what the source says at that span")
    return problems


def _truth(rows: EntityRows, texts: Mapping[str, str]) -> list[str]:
    quotes: dict[tuple[str, str, str], list[Quote]] = defaultdict(list)
    for c in sorted(rows.get("citation", ()), key=lambda c: c["position"]):
        quotes[(c["subject_type"], c["subject_id"], c["claim"])].append(
            Quote(
                c["exact"], c["display"], c["attribution_id"], c["source_id"], c["start"], c["end"]
            )
        )
    claims: dict[tuple[str, str], dict[str, Support]] = defaultdict(dict)
    for s in rows.get("claim_support", ()):
        claims[(s["subject_type"], s["subject_id"])][s["claim"]] = Support(
            Basis(s["basis"]),
            s["reasoning"],
            s["convention"],
            s["descriptive"],
            tuple(quotes.get((s["subject_type"], s["subject_id"], s["claim"]), ())),
        )
    problems = [
        f"quotes for claim {claim!r} of {kind} {ident!r}, which has no basis"
        for (kind, ident, claim) in sorted(quotes)
        if claim not in claims[(kind, ident)]
    ]
    for table, table_rows in rows.items():
        if table not in SubjectType.__members__:
            continue
        for row in table_rows:
            ident = str(row.get("id") or row.get("code"))
            problems += [
                f"{table} {ident!r}: {p}"
                for p in truth_problems(
                    subject_type=SubjectType(table),
                    values=row,
                    claims=claims[(table, ident)],
                    sources=texts,
                )
            ]
    return problems


def dangling(session: Session, writes: Sequence["EntityWrite"]) -> list[str]:
    """What an event says it concerns must exist (no foreign key can say so)."""
    wanted: dict[str, set[str]] = defaultdict(set)
    for w in writes:
        for r in (w.rows or {}).get("event_entity", ()):
            wanted[r["entity_type"]].add(r["entity_id"])
    problems = []
    for kind, ids in sorted(wanted.items()):
        resource = BY_TYPE.get(kind)
        if resource is None:
            problems.append(f"event entity type {kind!r} is no resource")
            continue
        column = col(resource.id_column)
        found = set(session.execute(select(column).where(column.in_(ids))).scalars())
        problems += [f"event entity {kind} {i!r}: no such {kind}" for i in sorted(ids - found)]
    return problems
