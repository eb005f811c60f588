"""Turning a validated seed into the exact rows each table should hold."""

import datetime as dt
from collections.abc import Mapping
from typing import Any

from sqlmodel import SQLModel

from app.models.base import table_of
from app.models.common import edtf_bounds, sort_date
from app.models.support import ClaimSupport, SubjectType
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
from app.resources.restrictions.models import Restriction, RestrictionParty
from app.resources.signatories.models import Signatory
from app.resources.sources.models import Source
from app.services.entities import TABLES
from app.services.quotes import locate, sha256_hex
from app.services.seed_files import Entry, Seed, SeedError

SUBJECT_TABLES: dict[SubjectType, type[SQLModel]] = {
    SubjectType.attribution: Attribution,
    SubjectType.country: Country,
    SubjectType.agency: Agency,
    SubjectType.program: Program,
    SubjectType.program_objective: ProgramObjective,
    SubjectType.program_participant: ProgramParticipant,
    SubjectType.agreement: Agreement,
    SubjectType.signatory: Signatory,
    SubjectType.reported_count: ReportedCount,
    SubjectType.restriction: Restriction,
    SubjectType.event: Event,
}

Rows = dict[type[SQLModel], list[dict[str, Any]]]


def _date_columns(edtf_value: str | None) -> dict[str, dt.date | None]:
    lower, upper = edtf_bounds(edtf_value)
    return {"date_lower": lower, "date_upper": upper, "date_sort": sort_date(lower, upper)}


def _source_row(seed: Seed, source_id: str) -> dict[str, Any]:
    source = seed.sources[source_id]
    entry = source.entry.model_dump(exclude={"file", "sha256", "id", "retrieved_on"})
    retrieved = source.entry.retrieved_on
    return {
        **entry,
        "id": source_id,
        "retrieved_on": dt.date.fromisoformat(retrieved) if retrieved else None,
        "text": source.text,
        "sha256": sha256_hex(source.text),
        "length": len(source.text),
    }


def entity_rows(entry: Entry, rows: Rows) -> None:
    """Add the rows of one entry's own table(s) to `rows`."""
    values = dict(entry.values)
    kind = entry.subject_type
    row_id = {"id": entry.subject_id}
    if kind is SubjectType.country:
        rows[Country].append(values)
    elif kind is SubjectType.program:
        locations = values.pop("locations")
        rows[Program].append({**values, **row_id})
        rows[ProgramLocation].extend(
            {"program_id": entry.subject_id, "location": loc} for loc in locations
        )
    elif kind is SubjectType.restriction:
        parties = values.pop("restricted_parties")
        lower, _ = edtf_bounds(values["since_edtf"])
        rows[Restriction].append({**values, **row_id, "since_lower": lower})
        rows[RestrictionParty].extend(
            {"restriction_id": entry.subject_id, "agency_id": agency} for agency in parties
        )
    elif kind is SubjectType.event:
        entities = values.pop("entities")
        dates = _date_columns(values["date_edtf"])
        rows[Event].append({**values, **row_id, **dates})
        rows[EventEntity].extend(
            {
                "event_id": entry.subject_id,
                "entity_type": e["type"],
                "entity_id": e["id"],
                "date_sort": dates["date_sort"],
            }
            for e in entities
        )
    elif kind in (SubjectType.agreement, SubjectType.signatory):
        table = SUBJECT_TABLES[kind]
        rows[table].append({**values, **row_id, **_date_columns(values["date_edtf"])})
    else:
        rows[SUBJECT_TABLES[kind]].append({**values, **row_id})


def claim_rows(entry: Entry) -> list[dict[str, Any]]:
    return [
        {
            "subject_type": entry.subject_type.value,
            "subject_id": entry.subject_id,
            "claim": claim,
            "basis": spec.basis.value,
            "reasoning": spec.reasoning,
            "convention": spec.convention,
            "descriptive": spec.descriptive,
        }
        for claim, spec in entry.citations.items()
    ]


def citation_rows(entry: Entry, texts: Mapping[str, str]) -> list[dict[str, Any]]:
    """The citation rows of an entry whose quotes `check_entry` has located."""
    out = []
    for claim, claim_spec in entry.citations.items():
        for position, spec in enumerate(claim_spec.quotes, start=1):
            source_id = spec.source or entry.default_source
            attribution = spec.attribution or entry.default_attribution
            # check_entry has already refused a missing source or attribution
            assert source_id is not None
            assert attribution is not None
            anchor = locate(texts[source_id], spec.quote, spec.occurrence, start=spec.start)
            subject = entry.subject_id.lower()
            kind = entry.subject_type.value.replace("_", "-")
            out.append(
                {
                    "id": f"{kind}-{subject}-{claim.replace('_', '-')}-{position}",
                    "source_id": source_id,
                    "attribution_id": attribution,
                    "subject_type": entry.subject_type.value,
                    "subject_id": entry.subject_id,
                    "claim": claim,
                    "position": position,
                    "exact": anchor.exact,
                    "prefix": anchor.prefix,
                    "suffix": anchor.suffix,
                    "start": anchor.start,
                    "end": anchor.end,
                    "display": spec.display,
                }
            )
    return out


def _primary_key(table: type[SQLModel], row: dict[str, Any]) -> tuple[Any, ...]:
    columns = table_of(table).primary_key.columns
    return tuple(row.get(col.name) for col in columns)


def _check_references(rows: Rows, owners: dict[int, str]) -> list[str]:
    """Every foreign key, event entity and citation subject must name a planned row."""
    keys = {t: {_primary_key(t, r) for r in table_rows} for t, table_rows in rows.items()}
    by_name = {table_of(t).name: t for t in rows}
    problems: list[str] = []
    for table, table_rows in rows.items():
        fks = [
            (col.name, fk.column.table.name)
            for col in table_of(table).columns
            for fk in col.foreign_keys
        ]
        for row in table_rows:
            for column, target in fks:
                value = row.get(column)
                if value is not None and (value,) not in keys[by_name[target]]:
                    owner = owners.get(id(row), table_of(table).name)
                    problems.append(f"{owner}: {column} {value!r}: no such {target}")
    for row in rows[EventEntity]:
        entity_type = SubjectType(row["entity_type"])
        if (row["entity_id"],) not in keys[SUBJECT_TABLES[entity_type]]:
            problems.append(
                f"{owners[id(row)]}: entity {entity_type.value} {row['entity_id']!r}: "
                f"no such {entity_type.value}"
            )
    return problems


def plan_rows(seed: Seed) -> Rows:
    """Every row every table should hold after loading this seed."""
    rows: Rows = {table: [] for table in TABLES}
    rows[Source] = [_source_row(seed, source_id) for source_id in seed.sources]
    texts = {source_id: source.text for source_id, source in seed.sources.items()}
    owners: dict[int, str] = {}  # id(row) -> the seed entry that made it, for messages
    seen: dict[tuple[SubjectType, str], str] = {}
    problems: list[str] = []
    for entry in seed.entries:
        key = (entry.subject_type, entry.subject_id)
        if key in seen:
            problems.append(f"{entry.label}: id {entry.subject_id!r} already used by {seen[key]}")
            continue
        seen[key] = entry.label
        sizes = {table: len(table_rows) for table, table_rows in rows.items()}
        entity_rows(entry, rows)
        rows[Citation].extend(citation_rows(entry, texts))
        rows[ClaimSupport].extend(claim_rows(entry))
        for table, table_rows in rows.items():
            owners.update((id(row), entry.label) for row in table_rows[sizes[table] :])
    problems.extend(_check_references(rows, owners))
    if problems:
        raise SeedError(problems)
    return rows
