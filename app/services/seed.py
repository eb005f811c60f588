"""Loading the seed through the write path: the seed reconciles the entities it owns, and
reports, never overwrites, an entity a curator changed."""

from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

from sqlalchemy import Engine, select
from sqlmodel import Session, col

from app.db import write_session
from app.models import DocumentDependency, EntityDocument, EntityOrigin, Origin
from app.models.base import table_of
from app.resources._types import EntityKey, EntityRows
from app.resources.registry import BY_TYPE
from app.services.dataset import bump_version
from app.services.entities import TABLES, entity_hash, group_rows, load_all
from app.services.rebuild import rebuild_all
from app.services.seed_files import Seed, SeedError, read_seed
from app.services.seed_plan import plan_rows
from app.services.write import EntityWrite, write_entities

__all__ = ["Conflict", "LoadReport", "load_seed", "seed_writes"]

Progress = Callable[[str], None]


@dataclass(frozen=True)
class Conflict:
    """An entity the seed and a curator both changed: left as the curator wrote it."""

    entity_type: str
    entity_id: str
    actor: str

    def __str__(self) -> str:
        return (
            f"{self.entity_type} {self.entity_id!r}: changed by {self.actor} and by the seed "
            "since the seed last wrote it; left as the curator wrote it"
        )


@dataclass
class LoadReport:
    version: int
    changed: bool
    counts: dict[str, dict[str, int]] = field(default_factory=dict)
    rows: dict[str, int] = field(default_factory=dict)
    conflicts: list[Conflict] = field(default_factory=list)
    revisions: int = 0


def _actors(seed: Seed) -> dict[EntityKey, str]:
    actors = {("source", source_id): "seed:sources.yaml" for source_id in seed.sources}
    for entry in seed.entries:
        if entry.subject_type.value in BY_TYPE:
            actors[(entry.subject_type.value, entry.subject_id)] = f"seed:{entry.file}"
    return actors


def _refuse_changed_sources(
    current: dict[EntityKey, EntityRows], planned: dict[EntityKey, EntityRows]
) -> None:
    problems = []
    for key, rows in planned.items():
        if key[0] != "source" or key not in current:
            continue
        stored, wanted = current[key]["source"][0]["sha256"], rows["source"][0]["sha256"]
        if stored != wanted:
            problems.append(
                f"source {key[1]!r}: stored text has SHA-256 {stored}, the seed's has {wanted}; "
                "a source's text never changes: add a new source"
            )
    if problems:
        raise SeedError(problems)


def seed_writes(
    *,
    planned: dict[EntityKey, EntityRows],
    current: dict[EntityKey, EntityRows],
    origins: dict[EntityKey, EntityOrigin],
    actors: dict[EntityKey, str],
) -> tuple[list[EntityWrite], list[Conflict]]:
    """What the seed writes, entity by entity, and where it meets a curator's change."""
    writes, conflicts = [], []
    owned_now = {k for k in current if k[0] in BY_TYPE and BY_TYPE[k[0]].revised}
    for key in sorted(set(planned) | owned_now):
        origin = origins.get(key)
        plan = planned.get(key)
        digest = entity_hash(plan) if plan is not None else None
        if origin is not None and origin.origin == Origin.curator:
            if digest != origin.seed_hash:
                conflicts.append(Conflict(key[0], key[1], origin.actor))
            continue
        if plan is not None:
            writes.append(EntityWrite(key, plan, actors.get(key, "seed"), digest))
        elif key in current:
            actor = origin.actor if origin is not None else "seed"
            writes.append(EntityWrite(key, None, actor, None))
    return writes, conflicts


def _index_missing(session: Session) -> bool:
    """Documents stored before the dependency index existed: they must all be rebuilt once."""
    has_docs = session.execute(select(col(EntityDocument.id)).limit(1)).first() is not None
    has_deps = session.execute(select(col(DocumentDependency.key)).limit(1)).first() is not None
    return has_docs and not has_deps


def load_seed(*, engine: Engine, seed_dir: Path, progress: Progress | None = None) -> LoadReport:
    """Reconcile the database with the seed through the write path; all or nothing."""
    report = progress or (lambda _message: None)
    report(f"reading {seed_dir}")
    seed = read_seed(seed_dir)
    rows = plan_rows(seed)
    planned = group_rows({table_of(t).name: rows[t] for t in TABLES})
    with write_session(engine) as session:
        if _index_missing(session):
            report("rebuilding every document once, to index what each reads")
            rebuilt = rebuild_all(session)
            if rebuilt.written:
                bump_version(
                    session=session, origin="rebuild", summary={"documents": rebuilt.written}
                )
        current = load_all(session)
        _refuse_changed_sources(current, planned)
        origins = {
            (o.entity_type, o.entity_id): o for o in session.execute(select(EntityOrigin)).scalars()
        }
        writes, conflicts = seed_writes(
            planned=planned, current=current, origins=origins, actors=_actors(seed)
        )
        report(f"{len(planned)} entities planned, {len(conflicts)} conflict(s)")
        result = write_entities(
            session,
            writes=writes,
            origin=Origin.seed,
            reason=f"seed {seed.digest[:12]}",
            current=current,
            seed_digest=seed.digest,
        )
    return LoadReport(
        version=result.version,
        changed=result.changed,
        counts=result.counts,
        rows={table_of(t).name: len(rows[t]) for t in TABLES},
        conflicts=conflicts,
        revisions=len(result.revisions),
    )
