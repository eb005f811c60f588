"""The one write path: every change to the data — a seed load, a curator's write, an import —
goes through `write_entities`, which in one transaction validates, writes the rows, rebuilds
exactly the documents the change reaches, records a revision per changed entity and adds one
dataset version."""

import datetime as dt
from collections import defaultdict
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field

from sqlalchemy import and_, delete, insert, select, update
from sqlalchemy.exc import IntegrityError
from sqlmodel import Session, col

from app.models import ChangeKind, EntityOrigin, Origin, Revision
from app.models.base import table_of
from app.models.common import Basis
from app.models.support import SubjectType
from app.resources._types import DocKey, EntityKey, EntityRows, Row
from app.resources.reads import touched
from app.resources.registry import BY_TYPE, RESOURCES
from app.resources.sources.models import Source
from app.services.dataset import bump_version, current_version
from app.services.entities import BY_NAME, TABLES, load_entities, pk_of
from app.services.quotes import anchor_at
from app.services.rebuild import readers, rebuild, stored
from app.services.truth import Quote, Support, truth_problems

__all__ = ["EntityWrite", "WriteError", "WriteResult", "write_entities"]

_DOCUMENT_TABLES = {table_of(r.table).name: r for r in RESOURCES}


class WriteError(Exception):
    """The write was refused and nothing was written; `problems` says every reason."""

    def __init__(self, problems: list[str]) -> None:
        self.problems = problems
        super().__init__("write refused:\n" + "\n".join(f"  - {p}" for p in problems))


@dataclass(frozen=True)
class EntityWrite:
    """An entity's complete rows after the write (None deletes it), and who writes them."""

    key: EntityKey
    rows: EntityRows | None
    actor: str
    seed_hash: str | None = None  # the seed's digest of these rows, for a seed write


@dataclass
class WriteResult:
    version: int
    changed: bool
    revisions: list[int] = field(default_factory=list)
    counts: dict[str, dict[str, int]] = field(default_factory=dict)
    documents: int = 0


def write_entities(
    session: Session,
    *,
    writes: Sequence[EntityWrite],
    origin: Origin,
    reason: str | None = None,
    current: Mapping[EntityKey, EntityRows] | None = None,
    now: dt.datetime | None = None,
    seed_digest: str | None = None,
) -> WriteResult:
    """Apply `writes` in the caller's transaction; raises WriteError (nothing written) if any
    entity breaks a rule. `current` may hold the entities' rows already read."""
    now = now or dt.datetime.now(dt.UTC)
    keys = [w.key for w in writes]
    if current is None:
        current = load_entities(session, keys)
    changed = [w for w in writes if (w.rows or None) != (current.get(w.key) or None)]
    _record_origins(session, writes, origin)
    if not changed:
        return WriteResult(current_version(session=session), False)
    problems = _problems(session, changed)
    if problems:
        raise WriteError(problems)
    own_docs: list[DocKey] = [w.key for w in changed]
    before = {k: v.body for k, v in stored(session, own_docs).items()}
    counts, keys_touched, created = _write_rows(session, changed, current)
    problems = _dangling(session, changed)
    if problems:
        raise WriteError(problems)
    report = rebuild(session, readers(session, keys_touched) | set(created) | set(own_docs))
    counts |= {t: c for t, c in report.counts.items() if any(c.values())}
    version = bump_version(
        session=session, origin=origin.value, summary=counts, seed_digest=seed_digest
    )
    result = WriteResult(version, True, counts=counts, documents=report.written)
    for w in changed:
        if not BY_TYPE[w.key[0]].revised:
            continue
        old, new = before.get(w.key), report.bodies.get(w.key, before.get(w.key))
        kind = (
            ChangeKind.create
            if old is None
            else ChangeKind.delete
            if new is None
            else ChangeKind.update
        )
        revision = Revision(
            version=version,
            entity_type=w.key[0],
            entity_id=w.key[1],
            kind=kind,
            actor=w.actor,
            reason=reason,
            created_at=now,
            before=old,
            after=new,
        )
        session.add(revision)
        session.flush()
        assert revision.id is not None
        result.revisions.append(revision.id)
    return result


def _write_rows(
    session: Session, writes: Sequence[EntityWrite], current: Mapping[EntityKey, EntityRows]
) -> tuple[dict[str, dict[str, int]], set[str], list[DocKey]]:
    """Write the rows that differ; the counts per table, the keys touched, documents created."""
    old: dict[str, dict[tuple[object, ...], Row]] = defaultdict(dict)
    new: dict[str, dict[tuple[object, ...], Row]] = defaultdict(dict)
    for w in writes:
        for name, rows in (current.get(w.key) or {}).items():
            old[name].update((pk_of(name, r), r) for r in rows)
        for name, rows in (w.rows or {}).items():
            new[name].update((pk_of(name, r), r) for r in rows)
    problems = _still_named(session, old, new)
    if problems:
        raise WriteError(problems)
    counts: dict[str, dict[str, int]] = {}
    keys: set[str] = set()
    created: list[DocKey] = []
    conn = session.connection()
    names = [str(table_of(t).name) for t in TABLES]
    try:
        for name in reversed(names):
            gone = [k for k in old[name] if k not in new[name]]
            table = table_of(BY_NAME[name])
            for k in gone:
                pk = table.primary_key.columns
                conn.execute(
                    delete(table).where(and_(*(c == v for c, v in zip(pk, k, strict=True))))
                )
            keys |= touched(name, (old[name][k] for k in gone))
            counts[name] = {"inserted": 0, "updated": 0, "deleted": len(gone)}
        for name in names:
            table = table_of(BY_NAME[name])
            pk = table.primary_key.columns
            added = [r for k, r in new[name].items() if k not in old[name]]
            if added:
                conn.execute(insert(table), added)
            altered = [(k, r) for k, r in new[name].items() if k in old[name] and old[name][k] != r]
            for k, r in altered:
                where = and_(*(c == v for c, v in zip(pk, k, strict=True)))
                conn.execute(update(table).where(where).values(r))
                keys |= touched(name, [old[name][k], r])
            keys |= touched(name, added)
            counts[name].update(inserted=len(added), updated=len(altered))
            resource = _DOCUMENT_TABLES.get(name)
            if resource is not None:
                created += [(resource.type, str(r[resource.id_column.name])) for r in added]
    except IntegrityError as exc:
        raise WriteError([f"a reference does not hold: {exc.orig}"]) from exc
    return {t: c for t, c in counts.items() if any(c.values())}, keys, created


def _still_named(
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


def _record_origins(session: Session, writes: Sequence[EntityWrite], origin: Origin) -> None:
    """Remember who owns each entity written (the seed's digest too, for a seed write)."""
    known = {
        (o.entity_type, o.entity_id): o
        for o in session.execute(
            select(EntityOrigin).where(
                col(EntityOrigin.entity_id).in_(sorted({w.key[1] for w in writes}))
            )
        ).scalars()
    }
    for w in writes:
        found = known.get(w.key)
        seed_hash = w.seed_hash if origin is Origin.seed else (found.seed_hash if found else None)
        if found is None:
            session.add(
                EntityOrigin(
                    entity_type=w.key[0],
                    entity_id=w.key[1],
                    origin=origin,
                    actor=w.actor,
                    seed_hash=seed_hash,
                )
            )
        elif (found.origin, found.actor, found.seed_hash) != (origin, w.actor, seed_hash):
            found.origin, found.actor, found.seed_hash = origin, w.actor, seed_hash
            session.add(found)
    session.flush()


def _problems(session: Session, writes: Sequence[EntityWrite]) -> list[str]:
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


def _dangling(session: Session, writes: Sequence[EntityWrite]) -> list[str]:
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
