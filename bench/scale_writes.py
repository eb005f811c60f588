"""The write path at scale, for `make bench-scale`: a full rebuild, then one-entity changes.

Every write runs as the app's do, in `app.db.write_session` (one transaction, BEGIN IMMEDIATE on
SQLite, committed at the end). The full rebuild is what `spacefacts rebuild` does: `rebuild_all`
(every document, its dependency rows and its search row built again by the real builders) and a
dataset version, committed. The synthetic documents are template copies with no dependency rows
until it runs, so it comes first. Should it fail (it stops at the first document that cannot be
built), the error and the time to it are reported, and the same rebuild is made a batch at a
time, each batch in a savepoint and a failing batch one document at a time, so that the changes
after it still meet real dependency rows; the documents it could not build are named.

A change is one entity's rows changed through `write_entities`, each run in its own write
transaction: read the entity's rows, write them with one value changed, commit. Runs alternate
between the entity's own value and another, so each one really changes something; the median is
reported, with the part of it spent in `rebuild` (the documents the change reaches, built and
written) and how many documents that was.
"""

import copy
import statistics
import sys
import time
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field

from sqlalchemy import Engine, func, select
from sqlmodel import Session, col

from app.db import make_engine, write_session
from app.models import DocumentDependency, Origin
from app.resources._types import DocKey, EntityKey, EntityRows
from app.resources.registry import RESOURCES
from app.services import write
from app.services.dataset import bump_version
from app.services.entities import load_entities
from app.services.rebuild import RebuildReport, rebuild, rebuild_all
from app.services.write import EntityWrite, WriteResult, write_entities
from bench.scale_report import BUDGET_S, RUNS

WRITE_RUNS = 3  # at least this many runs of each change (RUNS at most, fewer past the budget)
FALLBACK_BATCH = 5000  # documents per savepoint when the one-transaction rebuild failed
ALTERED_NAME = "National Aeronautics and Space Administration"
REVISED = " (revised)"

_rebuilds: list[tuple[float, int]] = []  # (ms, documents built) of each rebuild a write made
_rebuild = rebuild


def _timed_rebuild(
    session: Session, docs: Iterable[DocKey], *, keep: Iterable[DocKey] = ()
) -> RebuildReport:
    began = time.perf_counter()
    report = _rebuild(session, docs, keep=keep)
    _rebuilds.append(((time.perf_counter() - began) * 1000, report.built))
    return report


# write_entities looks rebuild up at call time: its share of a change is timed.
write.rebuild = _timed_rebuild  # type: ignore[attr-defined]


@dataclass
class FullRebuild:
    seconds: float  # rebuild_all and the commit, or the time until it failed
    built: int = 0  # documents built
    written: int = 0  # rows of entity_document and search_document inserted, updated or deleted
    dependencies: int = 0  # document_dependency rows after it
    error: str | None = None  # why rebuild_all failed (nothing of it was kept)
    # When it failed: the same rebuild a batch at a time, and the documents it could not build.
    fallback_seconds: float | None = None
    failed: list[str] = field(default_factory=list)


@dataclass
class Change:
    ms: float  # median of the runs: read the rows, write_entities, commit
    rebuild_ms: float  # the part of it in rebuild: the documents reached, built and written
    built: int  # documents rebuilt (built again from the rows: those the change reaches)
    patched: int  # documents whose references to a renamed row were patched in place
    documents: int  # rows of entity_document written (bodies that changed)
    search: int  # rows of search_document written
    revisions: int  # revisions recorded per run
    runs: int
    error: str | None = None  # why the write failed, if it did (nothing of it was kept)


def _first_line(exc: BaseException) -> str:
    text = f"{type(exc).__name__}: {exc}"
    return text.splitlines()[0][:300]


def _dependencies(engine: Engine) -> int:
    with Session(engine) as session:
        return int(session.execute(select(func.count()).select_from(DocumentDependency)).one()[0])


def _rebuild_in_batches(session: Session, keys: list[DocKey], failed: list[str]) -> RebuildReport:
    """Rebuild keys in savepoints of FALLBACK_BATCH; a batch that fails, one at a time."""
    total = RebuildReport()
    for start in range(0, len(keys), FALLBACK_BATCH):
        batch = keys[start : start + FALLBACK_BATCH]
        try:
            with session.begin_nested():
                part = rebuild(session, batch)
        except Exception:
            for one in batch:
                try:
                    with session.begin_nested():
                        part = rebuild(session, [one])
                except Exception as exc:
                    failed.append(f"{one[0]} {one[1]}: {_first_line(exc)}")
                    continue
                total.built += part.built
                _add_counts(total, part)
            continue
        total.built += part.built
        _add_counts(total, part)
    return total


def _add_counts(total: RebuildReport, part: RebuildReport) -> None:
    for table, counts in part.counts.items():
        for kind, n in counts.items():
            total.counts[table][kind] += n


def full_rebuild(engine: Engine, label: str) -> FullRebuild:
    began = time.perf_counter()
    try:
        with write_session(engine) as session:
            report = rebuild_all(session)
            if report.written:
                bump_version(session=session, origin="rebuild", summary=report.counts)
    except Exception as exc:
        result = FullRebuild(time.perf_counter() - began, error=_first_line(exc))
        print(
            f"  {label} full rebuild FAILED after {result.seconds:.1f}s: {result.error}",
            file=sys.stderr,
        )
    else:
        result = FullRebuild(time.perf_counter() - began, report.built, report.written)
        result.dependencies = _dependencies(engine)
        print(
            f"  {label} full rebuild: {result.seconds:.1f}s, {result.built:,} documents built, "
            f"{result.written:,} rows written, {result.dependencies:,} dependency rows",
            file=sys.stderr,
        )
        return result
    # The same documents, so that the changes below meet real dependency rows.
    began = time.perf_counter()
    with write_session(engine) as session:
        report = RebuildReport()
        for resource in RESOURCES:
            column = col(resource.id_column)
            ids = session.execute(select(column).order_by(column)).scalars()
            part = _rebuild_in_batches(session, [(resource.type, i) for i in ids], result.failed)
            report.built += part.built
            _add_counts(report, part)
        bump_version(session=session, origin="rebuild", summary=report.counts)
    result.fallback_seconds = time.perf_counter() - began
    result.built, result.written = report.built, report.written
    result.dependencies = _dependencies(engine)
    print(
        f"  {label} rebuild a batch at a time instead: {result.fallback_seconds:.1f}s, "
        f"{result.built:,} documents built, {len(result.failed)} could not be: "
        + "; ".join(result.failed),
        file=sys.stderr,
    )
    return result


def revise_summary(rows: EntityRows) -> EntityRows:
    out = copy.deepcopy(rows)
    (event,) = out["event"]
    event["summary"] += REVISED
    return out


def other_status(rows: EntityRows) -> EntityRows:
    out = copy.deepcopy(rows)
    (signatory,) = out["signatory"]
    signatory["status"] = "intends_to_sign" if signatory["status"] == "signed" else "signed"
    return out


def describe_agency(rows: EntityRows) -> EntityRows:
    """Another description: nothing a reference to the agency shows."""
    out = copy.deepcopy(rows)
    (agency,) = out["agency"]
    agency["description"] = (agency["description"] or "") + REVISED
    return out


def rename_agency(rows: EntityRows) -> EntityRows:
    """Another name: one no quote gives, so the curator marks the name claim descriptive."""
    out = copy.deepcopy(rows)
    (agency,) = out["agency"]
    agency["name"] = ALTERED_NAME
    claims = out.setdefault("claim_support", [])
    named = [c for c in claims if c["claim"] == "name"]
    for claim in named:
        claim["descriptive"] = True
    if not named:
        claims.append(
            {
                "subject_type": "agency",
                "subject_id": agency["id"],
                "claim": "name",
                "basis": "stated",
                "reasoning": None,
                "convention": None,
                "descriptive": True,
            }
        )
        claims.sort(key=lambda c: (c["subject_type"], c["subject_id"], c["claim"]))
    return out


def changes(
    picks: dict[str, str],
) -> dict[str, tuple[EntityKey, Callable[[EntityRows], EntityRows]]]:
    return {
        "event summary (of a synthetic program)": (
            ("event", picks["changed_event"]),
            revise_summary,
        ),
        "event summary (of Artemis, as 40% are)": (
            ("event", picks["changed_event_common"]),
            revise_summary,
        ),
        "signatory status": (("signatory", picks["changed_signatory"]), other_status),
        f"rare agency name ({picks['rare_agency']})": (
            ("agency", picks["rare_agency"]),
            rename_agency,
        ),
        f"common agency name ({picks['common_agency']})": (
            ("agency", picks["common_agency"]),
            rename_agency,
        ),
        f"common agency description ({picks['common_agency']})": (
            ("agency", picks["common_agency"]),
            describe_agency,
        ),
    }


def measure_change(
    engine: Engine, key: EntityKey, alter: Callable[[EntityRows], EntityRows]
) -> Change:
    with Session(engine) as session:
        own = load_entities(session, [key])[key]
    values = (alter(own), own)  # run i writes values[i % 2]: each run changes the entity
    runs: list[float] = []
    parts: list[float] = []
    result: WriteResult | None = None
    while len(runs) < RUNS and (len(runs) < WRITE_RUNS or sum(runs) < BUDGET_S * 1000):
        _rebuilds.clear()
        rows = values[len(runs) % 2]
        began = time.perf_counter()
        try:
            with write_session(engine) as session:
                current = load_entities(session, [key])
                result = write_entities(
                    session,
                    writes=[EntityWrite(key=key, rows=rows, actor="bench")],
                    origin=Origin.curator,
                    current=current,
                )
        except Exception as exc:
            ms = (time.perf_counter() - began) * 1000
            return Change(
                ms, sum(m for m, _ in _rebuilds), 0, 0, 0, 0, 0, len(runs) + 1, _first_line(exc)
            )
        runs.append((time.perf_counter() - began) * 1000)
        parts.append(sum(m for m, _ in _rebuilds))
    assert result is not None  # at least one run
    counts = result.counts
    return Change(
        statistics.median(runs),
        statistics.median(parts),
        sum(n for _, n in _rebuilds),
        result.patched,
        sum(counts.get("entity_document", {}).values()),
        sum(counts.get("search_document", {}).values()),
        len(result.revisions),
        len(runs),
    )


def measure_writes(
    url: str, picks: dict[str, str], *, label: str
) -> tuple[FullRebuild, dict[str, Change]]:
    engine = make_engine(url)
    try:
        rebuilt = full_rebuild(engine, label)
        out: dict[str, Change] = {}
        for name, (key, alter) in changes(picks).items():
            change = out[name] = measure_change(engine, key, alter)
            if change.error is not None:
                print(
                    f"  {label} write {name}: FAILED after {change.ms:.0f} ms: {change.error}",
                    file=sys.stderr,
                )
            else:
                print(
                    f"  {label} write {name}: {change.ms:.2f} ms ({change.rebuild_ms:.2f} ms "
                    f"rebuilding {change.built:,} documents, {change.patched:,} patched)",
                    file=sys.stderr,
                )
        return rebuilt, out
    finally:
        engine.dispose()
