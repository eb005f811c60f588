"""Importing an export (app/services/export.py): the database afterwards holds exactly the
exported dataset, written in one transaction through the one write path.

Nothing of the export is trusted: each source's text must have its exported SHA-256, and every
entity is planned as the seed plans its entries (every quote located in the verified text, every
truth rule applied) before one call to `write_entities` writes them all, with a revision per
changed entity. Entities the database holds and the export does not are deleted (each kept in a
tombstone, as a curator's delete is). The dataset version becomes the exported one when the
database is behind it; otherwise it goes one past its own, as any write.
"""

import datetime as dt
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

import orjson
from pydantic import ValidationError
from sqlalchemy import Engine, select
from sqlmodel import Session, SQLModel, col

from app.db import write_session
from app.models import ChangeKind, Origin, Revision, Tombstone
from app.models.base import table_of
from app.models.support import ClaimSupport, SubjectType
from app.pointers import body_pointer, shown
from app.resources._types import EntityKey, EntityRows
from app.resources.citations.models import Citation
from app.services.curate import WRITABLE
from app.services.entities import TABLES, group_rows, load_all
from app.services.export import FORMAT, PART_FILES, ExportDocument, schema_version
from app.services.quotes import sha256_hex
from app.services.seed_files import check_entry, entries_of
from app.services.seed_plan import citation_rows, claim_rows, entity_rows
from app.services.write import EntityWrite, WriteError, write_entities
from app.services.write_shape import NESTED, rows_to_json

__all__ = ["ImportRefusedError", "ImportReport", "Progress", "import_document"]

# (what is being done, how far, out of how many): for a progress bar.
Progress = Callable[[str, int, int], None]
Rows = dict[type[SQLModel], list[dict[str, Any]]]
_NESTED_FIELDS = {subject: name for name, _, subject, _ in NESTED}
_RESTORABLE = {r.type for r in WRITABLE}  # what an admin can restore (no route restores a source)


class ImportRefusedError(Exception):
    """The import was refused and nothing was written; `problems` says every reason."""

    def __init__(self, problems: list[str]) -> None:
        self.problems = problems
        super().__init__("import refused:\n" + "\n".join(f"  - {p}" for p in problems))


@dataclass
class ImportReport:
    version: int
    changed: bool
    entities: int  # sources and entities in the export
    deleted: int  # entities the database held and the export did not
    revisions: int
    counts: dict[str, dict[str, int]] = field(default_factory=dict)


def _parse(data: bytes) -> ExportDocument:
    try:
        raw = orjson.loads(data)
    except orjson.JSONDecodeError as exc:
        raise ImportRefusedError([f"not a JSON document: {exc}"]) from exc
    if not isinstance(raw, dict) or raw.get("format") != FORMAT:
        given = raw.get("format") if isinstance(raw, dict) else None
        raise ImportRefusedError([f"unknown format {given!r}: this version reads {FORMAT!r}"])
    try:
        return ExportDocument.model_validate(raw)
    except ValidationError as exc:
        raise ImportRefusedError(
            [f"{shown(body_pointer(e['loc'], raw))}: {e['msg']}" for e in exc.errors()]
        ) from exc


def _source_rows(document: ExportDocument, problems: list[str]) -> dict[str, dict[str, Any]]:
    """Each source's row as a curator's POST makes it, if its text is the one exported."""
    rows: dict[str, dict[str, Any]] = {}
    for i, source in enumerate(document.sources):
        digest = sha256_hex(source.text)
        if (digest, len(source.text)) != (source.sha256, source.length):
            problems.append(
                f"/sources/{i}/text: source {source.id!r} has SHA-256 {digest} and length "
                f"{len(source.text)}, not the exported {source.sha256} and {source.length}"
            )
            continue
        if source.id in rows:
            problems.append(f"/sources/{i}/id: source {source.id!r} is exported twice")
        metadata = source.model_dump(exclude={"sha256", "length"})
        rows[source.id] = {**metadata, "sha256": digest, "length": len(source.text)}
    return rows


def _plan(
    document: ExportDocument, texts: dict[str, str], problems: list[str], progress: Progress
) -> Rows:
    """Every row of every entity, as the seed plans its entries; problems with JSON Pointers."""
    rows: Rows = {table: [] for table in TABLES}
    groups = [
        (f"/collections/{r.collection}", r.seed[0], getattr(document.collections, r.collection))
        for r in WRITABLE
    ] + [(f"/parts/{f.key}", f, getattr(document.parts, f.key)) for f in PART_FILES]
    total = sum(len(bodies) for _, _, bodies in groups)
    done = 0
    seen: set[tuple[SubjectType, str]] = set()
    defaults = {"default_source": None, "default_attribution": None}
    for where, spec, bodies in groups:
        for i, body in enumerate(bodies):
            nested: dict[str, int] = {}
            for entry in entries_of(spec.file, spec.key, body, spec.subject_type, defaults):
                pointer = f"{where}/{i}"
                if entry.subject_type != spec.subject_type:
                    name = _NESTED_FIELDS[entry.subject_type.value]
                    pointer += f"/{name}/{nested.setdefault(name, 0)}"
                    nested[name] += 1
                if (entry.subject_type, entry.subject_id) in seen:
                    problems.append(f"{pointer}: {entry.subject_type.value} id taken twice")
                    continue
                seen.add((entry.subject_type, entry.subject_id))
                found = check_entry(entry, texts)
                problems += [f"{pointer}{p.pointer}: {p.message}" for p in found]
                if not found:
                    entity_rows(entry, rows)
                    rows[Citation].extend(citation_rows(entry, texts))
                    rows[ClaimSupport].extend(claim_rows(entry))
            done += 1
            progress("checking every quote", done, total)
    return rows


def _planned(document: ExportDocument, progress: Progress) -> dict[EntityKey, EntityRows]:
    """Every source and entity of the export, by key, or ImportRefusedError with every reason."""
    problems: list[str] = []
    sources = _source_rows(document, problems)
    if problems:  # every quote in a refused text would be refused too: say it once
        raise ImportRefusedError(problems)
    texts = {ident: row["text"] for ident, row in sources.items()}
    rows = _plan(document, texts, problems, progress)
    if problems:
        raise ImportRefusedError(problems)
    by_table = {table_of(t).name: r for t, r in rows.items()}
    by_table["source"] = list(sources.values())
    try:
        planned = group_rows(by_table)
    except ValueError as exc:  # a part that names no owner
        raise ImportRefusedError([str(exc)]) from exc
    exported = {("source", ident) for ident in sources} | {
        (r.type, str(getattr(body, r.id_column.name)))
        for r in WRITABLE
        for body in getattr(document.collections, r.collection)
    }
    strays = sorted(set(planned) - exported)
    if strays:
        raise ImportRefusedError(
            [
                f"rows name {kind} {ident!r}, which the export does not hold"
                for kind, ident in strays
            ]
        )
    return planned


def _check_schema(session: Session, document: ExportDocument) -> None:
    schema = schema_version(session=session)
    if document.schema_version != schema:
        raise ImportRefusedError(
            [
                f"the export is of schema {document.schema_version}, the database is at "
                f"{schema}: migrate one of them first (spacefacts db upgrade)"
            ]
        )


def _changed_texts(
    current: dict[EntityKey, EntityRows], planned: dict[EntityKey, EntityRows]
) -> list[str]:
    return [
        f"source {key[1]!r}: the database holds another text (SHA-256 {stored}); a source's "
        "text never changes"
        for key, rows in planned.items()
        if key[0] == "source" and key in current
        for stored in [current[key]["source"][0]["sha256"]]
        if stored != rows["source"][0]["sha256"]
    ]


def _tombstones(
    session: Session,
    *,
    current: dict[EntityKey, EntityRows],
    planned: dict[EntityKey, EntityRows],
    version: int,
) -> None:
    """Deleted entities wait in tombstones, as a curator's deletes do; re-created ones leave."""
    for stone in session.execute(select(Tombstone)).scalars():
        if (stone.entity_type, stone.entity_id) in planned:
            session.delete(stone)  # the export holds it again
    revisions = session.execute(
        select(Revision).where(
            col(Revision.version) == version, col(Revision.kind) == ChangeKind.delete
        )
    ).scalars()
    for revision in revisions:
        key = (revision.entity_type, revision.entity_id)
        if key[0] in _RESTORABLE and revision.id is not None:
            session.merge(
                Tombstone(
                    entity_type=key[0],
                    entity_id=key[1],
                    rows=rows_to_json(current[key]),
                    deleted_at=revision.created_at,
                    actor=revision.actor,
                    revision_id=revision.id,
                )
            )


def import_document(
    *,
    engine: Engine,
    data: bytes,
    actor: str,
    replace: bool = False,
    progress: Progress | None = None,
) -> ImportReport:
    """Make the database hold exactly the export in `data`, or refuse it whole (module doc).

    A database that holds data already is replaced only when `replace` says so: an import
    meant for an empty database must not silently undo a curator's work."""
    report: Progress = progress or (lambda _what, _done, _total: None)
    document = _parse(data)
    with Session(engine) as session:
        _check_schema(session, document)
    planned = _planned(document, report)  # no database needed: other writers go on meanwhile
    with write_session(engine) as session:
        _check_schema(session, document)  # still: a migration may have run in between
        current = load_all(session)
        if current and not replace:
            raise ImportRefusedError(
                [
                    f"the database holds {len(current)} entities: import into an empty "
                    "database, or replace its data with the export (--replace)"
                ]
            )
        problems = _changed_texts(current, planned)
        if problems:
            raise ImportRefusedError(problems)
        gone = sorted(set(current) - set(planned))
        writes = [EntityWrite(k, planned[k], actor) for k in sorted(planned)]
        writes += [EntityWrite(k, None, actor) for k in gone]
        report("writing", 0, 1)
        try:
            result = write_entities(
                session,
                writes=writes,
                origin=Origin.curator,
                reason=f"import of dataset version {document.dataset_version}",
                current=current,
                now=dt.datetime.now(dt.UTC),
                min_version=document.dataset_version,
            )
        except WriteError as exc:
            raise ImportRefusedError(exc.problems) from exc
        if result.changed:
            _tombstones(session, current=current, planned=planned, version=result.version)
        report("writing", 1, 1)
    return ImportReport(
        version=result.version,
        changed=result.changed,
        entities=len(planned),
        deleted=len(gone),
        revisions=len(result.revisions),
        counts=result.counts,
    )
