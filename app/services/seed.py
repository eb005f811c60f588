"""Loading the seed into the database in one transaction, touching only rows that changed."""

from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from sqlalchemy import Engine, and_, delete, insert, select, update
from sqlmodel import Session, SQLModel

from app.models import EntityDocument, Source
from app.models.base import table_of
from app.services.dataset import bump_version, current_version
from app.services.document_builder import build_documents
from app.services.seed_files import SeedError, read_seed
from app.services.seed_plan import TABLE_ORDER, Rows, plan_rows

Progress = Callable[[str], None]


@dataclass
class LoadReport:
    version: int
    changed: bool
    counts: dict[str, dict[str, int]] = field(default_factory=dict)
    rows: dict[str, int] = field(default_factory=dict)


def _pk_columns(table: type[SQLModel]) -> list[Any]:
    return list(table_of(table).primary_key.columns)


def _key(table: type[SQLModel], row: dict[str, Any]) -> tuple[Any, ...]:
    return tuple(row[col.name] for col in _pk_columns(table))


def _existing(session: Session, table: type[SQLModel]) -> dict[tuple[Any, ...], dict[str, Any]]:
    result = session.execute(select(table_of(table)))
    return {_key(table, dict(r)): dict(r) for r in result.mappings()}


def _where_key(table: type[SQLModel], key: tuple[Any, ...]) -> Any:
    return and_(*(col == value for col, value in zip(_pk_columns(table), key, strict=True)))


def _refuse_changed_sources(existing: dict[tuple[Any, ...], dict[str, Any]], rows: Rows) -> None:
    problems = [
        f"source {row['id']!r}: stored text has SHA-256 {existing[(row['id'],)]['sha256']}, "
        f"the seed's has {row['sha256']}; a source's text never changes: add a new source"
        for row in rows[Source]
        if (row["id"],) in existing and existing[(row["id"],)]["sha256"] != row["sha256"]
    ]
    if problems:
        raise SeedError(problems)


def _sync_tables(
    session: Session, tables: list[type[SQLModel]], rows: Rows, progress: Progress
) -> dict[str, dict[str, int]]:
    """Make each table hold exactly `rows[table]`, touching only what differs."""
    columns = {t: [c.name for c in table_of(t).columns] for t in tables}
    desired = {t: {_key(t, r): {c: r.get(c) for c in columns[t]} for r in rows[t]} for t in tables}
    existing = {t: _existing(session, t) for t in tables}
    counts = {table_of(t).name: {"inserted": 0, "updated": 0, "deleted": 0} for t in tables}
    # Children go first when deleting, parents first when writing, so no foreign key is broken.
    for table in reversed(tables):
        gone = [k for k in existing[table] if k not in desired[table]]
        for key in gone:
            session.execute(delete(table_of(table)).where(_where_key(table, key)))
        counts[table_of(table).name]["deleted"] = len(gone)
    for table in tables:
        name = table_of(table).name
        progress(f"{name}: {len(desired[table])} rows")
        new = [row for key, row in desired[table].items() if key not in existing[table]]
        if new:
            session.execute(insert(table_of(table)), new)
        changed = [
            (key, row)
            for key, row in desired[table].items()
            if key in existing[table] and existing[table][key] != row
        ]
        for key, row in changed:
            session.execute(update(table_of(table)).where(_where_key(table, key)).values(row))
        counts[name]["inserted"] = len(new)
        counts[name]["updated"] = len(changed)
    return counts


def _sync(session: Session, rows: Rows, progress: Progress) -> dict[str, dict[str, int]]:
    _refuse_changed_sources(_existing(session, Source), rows)
    counts = _sync_tables(session, TABLE_ORDER, rows, progress)
    # Documents are built from the rows just written, inside the same transaction.
    documents: Rows = {EntityDocument: list(build_documents(session=session))}
    return counts | _sync_tables(session, [EntityDocument], documents, progress)


def load_seed(*, engine: Engine, seed_dir: Path, progress: Progress | None = None) -> LoadReport:
    """Make the database hold exactly what the seed states; all or nothing, a no-op if equal."""
    report = progress or (lambda _message: None)
    report(f"reading {seed_dir}")
    seed = read_seed(seed_dir)
    rows = plan_rows(seed)
    with Session(engine) as session, session.begin():
        counts = _sync(session, rows, report)
        changed = any(n for table in counts.values() for n in table.values())
        if changed:
            version = bump_version(
                session=session, origin="seed", summary=counts, seed_digest=seed.digest
            )
        else:
            version = current_version(session=session)
    return LoadReport(
        version=version,
        changed=changed,
        counts=counts,
        rows={table_of(t).name: len(rows[t]) for t in TABLE_ORDER},
    )
