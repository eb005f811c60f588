"""Building stored documents, their dependency rows and their search rows from the rows.

`rebuild` rebuilds the documents a write reaches, `rebuild_all` every document; both write
only what differs. `build_all` builds without writing: the oracle the tests compare with.
"""

from collections import defaultdict
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field

from sqlalchemy import bindparam, delete, insert, select, update
from sqlmodel import Session, col

from app.models import DocumentDependency, EntityDocument, SearchDocument
from app.models.base import table_of
from app.resources._types import Built, DepKey, DocKey
from app.resources.registry import BY_TYPE, RESOURCES

__all__ = ["Stored", "build_all", "readers", "rebuild", "rebuild_all", "stored"]

BATCH = 500  # documents built per round trip


@dataclass(frozen=True)
class Stored:
    """What is stored for one document: its body, its reads, its search row."""

    body: str
    deps: frozenset[DepKey]
    search: tuple[tuple[str, str], ...] | None


@dataclass
class RebuildReport:
    built: int = 0
    # The new bodies of the documents asked for in `keep` (a write's own entities), None if gone.
    keep: frozenset[DocKey] = frozenset()
    bodies: dict[DocKey, str | None] = field(default_factory=dict)
    # inserted, updated and deleted rows of entity_document and search_document
    counts: dict[str, dict[str, int]] = field(
        default_factory=lambda: {
            t: {"inserted": 0, "updated": 0, "deleted": 0}
            for t in ("entity_document", "search_document")
        }
    )

    @property
    def written(self) -> int:
        return sum(sum(c.values()) for c in self.counts.values())


def _stored_of(kind: str, built: Built) -> Stored:
    search = BY_TYPE[kind].search
    row = search(built.document) if search is not None else None
    return Stored(
        built.document.model_dump_json(),
        built.deps,
        tuple(sorted(row.items())) if row is not None else None,
    )


def _batches(ids: list[str]) -> Iterator[list[str]]:
    for start in range(0, len(ids), BATCH):
        yield ids[start : start + BATCH]


def build(session: Session, docs: Iterable[DocKey]) -> dict[DocKey, Stored | None]:
    """What each document should now be, from the rows in this transaction (None: gone)."""
    by_type: dict[str, list[str]] = defaultdict(list)
    for kind, ident in sorted(set(docs)):
        by_type[kind].append(ident)
    out: dict[DocKey, Stored | None] = {}
    for kind, ids in by_type.items():
        for batch in _batches(ids):
            found = {b.id: b for b in BY_TYPE[kind].build(session, batch)}
            for ident in batch:
                b = found.get(ident)
                out[(kind, ident)] = _stored_of(kind, b) if b is not None else None
    return out


def build_all(session: Session) -> dict[DocKey, Stored]:
    """Every document as a full rebuild from the rows would store it."""
    keys: list[DocKey] = []
    for resource in RESOURCES:
        column = col(resource.id_column)
        keys += [(resource.type, i) for i in session.execute(select(column)).scalars()]
    return {k: v for k, v in build(session, keys).items() if v is not None}


def stored(session: Session, docs: Iterable[DocKey] | None = None) -> dict[DocKey, Stored]:
    """What is stored now for these documents (all of them when None)."""
    wanted = None if docs is None else set(docs)
    bodies = select(col(EntityDocument.type), col(EntityDocument.id), col(EntityDocument.body))
    deps_query = select(
        col(DocumentDependency.doc_type),
        col(DocumentDependency.doc_id),
        col(DocumentDependency.key),
    )
    # fts_rowid is SQLite's own bookkeeping, set by its triggers: not part of the row built.
    search_query = select(*(c for c in table_of(SearchDocument).columns if c.name != "fts_rowid"))
    if wanted is not None:
        types = sorted({k for k, _ in wanted})
        ids = sorted({i for _, i in wanted})
        bodies = bodies.where(col(EntityDocument.type).in_(types), col(EntityDocument.id).in_(ids))
        deps_query = deps_query.where(
            col(DocumentDependency.doc_type).in_(types), col(DocumentDependency.doc_id).in_(ids)
        )
        search_query = search_query.where(
            col(SearchDocument.id).in_(sorted(f"{k}:{i}" for k, i in wanted))
        )
    deps: dict[DocKey, set[DepKey]] = defaultdict(set)
    for kind, ident, dep in session.execute(deps_query):
        deps[(kind, ident)].add(dep)
    search: dict[DocKey, tuple[tuple[str, str], ...]] = {}
    for row in session.execute(search_query).mappings():
        search[(row["entity_type"], row["entity_id"])] = tuple(sorted(dict(row).items()))
    out = {}
    for kind, ident, body in session.execute(bodies):
        if wanted is None or (kind, ident) in wanted:
            key = (kind, ident)
            out[key] = Stored(body, frozenset(deps.get(key, set())), search.get(key))
    return out


def readers(session: Session, keys: Iterable[DepKey]) -> set[DocKey]:
    """The documents that read any of these keys."""
    wanted = sorted(set(keys))
    out: set[DocKey] = set()
    for start in range(0, len(wanted), BATCH):
        query = select(col(DocumentDependency.doc_type), col(DocumentDependency.doc_id)).where(
            col(DocumentDependency.key).in_(wanted[start : start + BATCH])
        )
        out |= {(kind, ident) for kind, ident in session.execute(query)}
    return out


def rebuild(
    session: Session, docs: Iterable[DocKey], *, keep: Iterable[DocKey] = ()
) -> RebuildReport:
    """Rebuild these documents, their reads and their search rows; write what differs. The
    report holds the new bodies of the documents in `keep`."""
    keys = sorted(set(docs))
    report = RebuildReport(keep=frozenset(keep))
    for start in range(0, len(keys), BATCH):
        batch = keys[start : start + BATCH]
        _write(session, build(session, batch), stored(session, batch), report)
    return report


def rebuild_all(session: Session) -> RebuildReport:
    """Rebuild every document, a batch at a time; remove those whose rows are gone."""
    report = RebuildReport()
    for resource in RESOURCES:
        column = col(resource.id_column)
        ids = list(session.execute(select(column).order_by(column)).scalars())
        kept = session.execute(
            select(col(EntityDocument.id)).where(col(EntityDocument.type) == resource.type)
        ).scalars()
        gone = sorted(set(kept) - set(ids))
        for batch in _batches(ids):
            keys = [(resource.type, i) for i in batch]
            _write(session, build(session, keys), stored(session, keys), report)
        for batch in _batches(gone):
            keys = [(resource.type, i) for i in batch]
            _write(session, dict.fromkeys(keys), stored(session, keys), report)
    return report


def _by_type(keys: list[DocKey]) -> dict[str, list[str]]:
    out: dict[str, list[str]] = defaultdict(list)
    for kind, ident in keys:
        out[kind].append(ident)
    return out


def _write(
    session: Session,
    fresh: dict[DocKey, Stored | None],
    now: dict[DocKey, Stored],
    report: RebuildReport,
) -> None:
    report.built += sum(1 for v in fresh.values() if v is not None)
    conn = session.connection()
    new_bodies, changed_bodies, gone = [], [], []
    dep_rows: list[dict[str, str]] = []
    stale_deps: list[DocKey] = []
    search_new: list[dict[str, str]] = []
    search_gone: list[str] = []
    search_replaced = 0
    for key, doc in fresh.items():
        old = now.get(key)
        kind, ident = key
        if key in report.keep:
            report.bodies[key] = doc.body if doc is not None else None
        if doc is None:
            if old is not None:
                gone.append(key)
            continue
        if old is None:
            new_bodies.append({"type": kind, "id": ident, "body": doc.body})
        elif old.body != doc.body:
            changed_bodies.append({"k": kind, "i": ident, "body": doc.body})
        if old is None or old.deps != doc.deps:
            if old is not None:
                stale_deps.append(key)
            dep_rows += [{"doc_type": kind, "doc_id": ident, "key": d} for d in sorted(doc.deps)]
        if (old.search if old is not None else None) != doc.search:
            if old is not None and old.search is not None:
                search_gone.append(f"{kind}:{ident}")
                search_replaced += doc.search is not None
            if doc.search is not None:
                search_new.append(dict(doc.search))
    # One statement per document type, not one per document: a rebuild writes thousands.
    for kind, ids in _by_type(gone + stale_deps).items():
        conn.execute(
            delete(DocumentDependency).where(
                col(DocumentDependency.doc_type) == kind, col(DocumentDependency.doc_id).in_(ids)
            )
        )
    for kind, ids in _by_type(gone).items():
        conn.execute(
            delete(EntityDocument).where(
                col(EntityDocument.type) == kind, col(EntityDocument.id).in_(ids)
            )
        )
    search_gone += [f"{kind}:{ident}" for kind, ident in gone]
    if search_gone:
        conn.execute(delete(SearchDocument).where(col(SearchDocument.id).in_(search_gone)))
    if new_bodies:
        conn.execute(insert(EntityDocument), new_bodies)
    if changed_bodies:
        conn.execute(
            update(EntityDocument)
            .where(
                col(EntityDocument.type) == bindparam("k"), col(EntityDocument.id) == bindparam("i")
            )
            .values(body=bindparam("body")),
            changed_bodies,
        )
    if dep_rows:
        conn.execute(insert(DocumentDependency), dep_rows)
    if search_new:
        conn.execute(insert(SearchDocument), search_new)
    documents, search = report.counts["entity_document"], report.counts["search_document"]
    documents["inserted"] += len(new_bodies)
    documents["updated"] += len(changed_bodies)
    documents["deleted"] += len(gone)
    search["inserted"] += len(search_new) - search_replaced
    search["updated"] += search_replaced
    search["deleted"] += len(search_gone) - search_replaced
