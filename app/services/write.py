"""The one write path: every change to the data — a seed load, a curator's write, an import —
goes through `write_entities`, which in one transaction validates, writes the rows, rebuilds
exactly the documents the change reaches, records a revision per changed entity and adds one
dataset version."""

import datetime as dt
from collections import defaultdict
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field, replace

from sqlalchemy import and_, delete, insert, select, update
from sqlalchemy.exc import IntegrityError
from sqlmodel import Session, col

from app.models import ChangeKind, EntityOrigin, Origin, Revision
from app.models.base import table_of
from app.resources._types import DocKey, EntityKey, EntityRows, Row
from app.resources.reads import relabeled, self_labeled, touched
from app.resources.registry import BY_TYPE, RESOURCES
from app.services import checks
from app.services.dataset import bump_version, current_version
from app.services.entities import BY_NAME, TABLES, canonical, load_entities, pk_of
from app.services.rebuild import readers, rebuild, stored
from app.services.relabel import RefRow, patch_references, references

__all__ = ["EntityWrite", "WriteError", "WriteResult", "write_entities"]

_DOCUMENT_TABLES = {table_of(r.table).name: r for r in RESOURCES}


class WriteError(Exception):
    """The write was refused and nothing was written; `problems` says every reason.

    `conflict` marks a refusal because of other entities (one still names a deleted one), not
    because of the rows written.
    """

    def __init__(self, problems: list[str], *, conflict: bool = False) -> None:
        self.problems = problems
        self.conflict = conflict
        super().__init__("write refused:\n" + "\n".join(f"  - {p}" for p in problems))


@dataclass(frozen=True)
class EntityWrite:
    """An entity's complete rows after the write (None deletes it), and who writes them."""

    key: EntityKey
    rows: EntityRows | None
    actor: str
    seed_hash: str | None = None  # the seed's digest of these rows, for a seed write
    restore: bool = False  # a deleted entity brought back (recorded as a restore, not a create)


@dataclass
class WriteResult:
    version: int
    changed: bool
    revisions: list[int] = field(default_factory=list)
    counts: dict[str, dict[str, int]] = field(default_factory=dict)
    documents: int = 0  # rows of entity_document and search_document written
    rebuilt: int = 0  # documents built again from the rows (those the change reaches)
    patched: int = 0  # documents whose references to a renamed row were patched in place


def write_entities(
    session: Session,
    *,
    writes: Sequence[EntityWrite],
    origin: Origin,
    reason: str | None = None,
    current: Mapping[EntityKey, EntityRows] | None = None,
    now: dt.datetime | None = None,
    seed_digest: str | None = None,
    min_version: int = 0,
) -> WriteResult:
    """Apply `writes` in the caller's transaction; raises WriteError (nothing written) if any
    entity breaks a rule. `current` may hold the entities' rows already read; `min_version` is
    the least dataset version the change makes (an import's, app/services/importer.py)."""
    now = now or dt.datetime.now(dt.UTC)
    try:
        writes = [
            replace(w, rows=canonical(w.key, w.rows)) if w.rows is not None else w for w in writes
        ]
    except ValueError as exc:
        raise WriteError([str(exc)]) from exc
    keys = [w.key for w in writes]
    if current is None:
        current = load_entities(session, keys)
    changed = [w for w in writes if (w.rows or None) != (current.get(w.key) or None)]
    # A write that changes nothing takes no ownership; the seed records its digests regardless
    # (the first load after the write path existed writes them for every entity it owns).
    _record_origins(session, writes if origin is Origin.seed else changed, origin)
    if not changed:
        return WriteResult(current_version(session=session), False)
    problems = checks.problems(session, changed)
    if problems:
        raise WriteError(problems)
    own_docs: list[DocKey] = [w.key for w in changed]
    before = {k: v.body for k, v in stored(session, own_docs).items()}
    rows_now, rows_then = _row_maps(changed, current)
    renamed = _renamed(rows_now, rows_then)
    shown = references(session, renamed)
    counts, keys_touched, created = _write_rows(session, rows_now, rows_then)
    problems = checks.dangling(session, changed)
    if problems:
        raise WriteError(problems)
    reached = readers(session, keys_touched) | set(created) | set(own_docs)
    after = references(session, renamed)
    patched = patch_references(session, before=shown, after=after, rebuilt=reached)
    report = rebuild(session, reached, keep=own_docs)
    if patched:
        report.counts["entity_document"]["updated"] += patched
    counts |= {t: c for t, c in report.counts.items() if any(c.values())}
    version = bump_version(
        session=session,
        origin=origin.value,
        summary=counts,
        seed_digest=seed_digest,
        min_version=min_version,
    )
    result = WriteResult(
        version,
        True,
        counts=counts,
        documents=report.written,
        rebuilt=report.built,
        patched=patched,
    )
    for w in changed:
        if not BY_TYPE[w.key[0]].revised:
            continue
        old, new = before.get(w.key), report.bodies.get(w.key, before.get(w.key))
        kind = (
            ChangeKind.restore
            if w.restore
            else ChangeKind.create
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


RowMap = dict[str, dict[tuple[object, ...], Row]]  # rows by table name, then primary key


def _row_maps(
    writes: Sequence[EntityWrite], current: Mapping[EntityKey, EntityRows]
) -> tuple[RowMap, RowMap]:
    """The rows the written entities have now, and those they will have."""
    old: RowMap = defaultdict(dict)
    new: RowMap = defaultdict(dict)
    for w in writes:
        for name, rows in (current.get(w.key) or {}).items():
            old[name].update((pk_of(name, r), r) for r in rows)
        for name, rows in (w.rows or {}).items():
            new[name].update((pk_of(name, r), r) for r in rows)
    return old, new


def _renamed(old: RowMap, new: RowMap) -> list[RefRow]:
    """Rows kept whose references change in place (app/services/relabel.py)."""
    return sorted(
        (name, str(k[0]))
        for name, rows in new.items()
        if self_labeled(name)
        for k, row in rows.items()
        if k in old[name] and relabeled(name, old[name][k], row)
    )


def _write_rows(
    session: Session, old: RowMap, new: RowMap
) -> tuple[dict[str, dict[str, int]], set[str], list[DocKey]]:
    """Write the rows that differ; the counts per table, the keys touched, documents created.

    An update touches its row's label key only when the references to the row cannot be
    patched in place (`_renamed` lists those that can)."""
    problems = checks.still_named(session, old, new)
    if problems:
        raise WriteError(problems, conflict=True)
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
                keys |= touched(name, [old[name][k], r], labels=False)
                if not self_labeled(name) and relabeled(name, old[name][k], r):
                    keys |= touched(name, [r])
            keys |= touched(name, added)
            counts[name].update(inserted=len(added), updated=len(altered))
            resource = _DOCUMENT_TABLES.get(name)
            if resource is not None:
                created += [(resource.type, str(r[resource.id_column.name])) for r in added]
    except IntegrityError as exc:
        raise WriteError([f"a reference does not hold: {exc.orig}"]) from exc
    return {t: c for t, c in counts.items() if any(c.values())}, keys, created


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
