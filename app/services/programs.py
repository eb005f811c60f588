"""Programs: filtered, sorted, paged, and hydrated with everything they carry."""

from collections import defaultdict
from collections.abc import Sequence
from typing import Any

from sqlalchemy import or_, select
from sqlmodel import Session, col

from app.models import (
    Agency,
    Agreement,
    EventEntity,
    Program,
    ProgramLocation,
    ProgramObjective,
    ProgramParticipant,
    ReportedCount,
)
from app.services.basis import exclude_inferred
from app.services.documents import read_document, read_documents
from app.services.paging import PageResult, keyset_page, parse_sort
from app.services.refs import Json, claim_bases, link, refs, support_for, url_for

SORTS: dict[str, Any] = {"id": col(Program.id), "name": col(Program.name)}


def list_programs(
    *,
    session: Session,
    agency: list[str],
    country: list[str],
    location: Sequence[str],
    q: str | None,
    sort: str | None,
    limit: int,
    cursor: str | None,
    stated_only: bool = False,
) -> tuple[list[bytes], PageResult]:
    """Programs matching every filter given (values within one filter are alternatives)."""
    query = select(col(Program.id))
    claims: list[str] = []  # the claims the filters read: stated ones only, with basis=stated
    participants = select(col(ProgramParticipant.program_id))
    if stated_only:
        participants = exclude_inferred(
            participants,
            subject_type="program_participant",
            id_column=col(ProgramParticipant.id),
            claims=["party"],
        )
    if agency:
        query = query.where(
            col(Program.id).in_(participants.where(col(ProgramParticipant.agency_id).in_(agency)))
        )
    if country:
        # A country takes part directly, or through one of its agencies.
        via_agency = select(col(Agency.id)).where(col(Agency.country_code).in_(country))
        if stated_only:
            via_agency = exclude_inferred(
                via_agency, subject_type="agency", id_column=col(Agency.id), claims=["country"]
            )
        query = query.where(
            col(Program.id).in_(
                participants.where(
                    or_(
                        col(ProgramParticipant.country_code).in_(country),
                        col(ProgramParticipant.agency_id).in_(via_agency),
                    )
                )
            )
        )
    if location:
        claims.append("locations")
        query = query.where(
            col(Program.id).in_(
                select(col(ProgramLocation.program_id)).where(
                    col(ProgramLocation.location).in_(location)
                )
            )
        )
    if q:
        claims += ["name", "acronym", "summary", "description"]
        query = query.where(
            or_(
                *(
                    col(c).icontains(q, autoescape=True)
                    for c in (Program.name, Program.acronym, Program.summary, Program.description)
                )
            )
        )
    if stated_only:
        query = exclude_inferred(
            query, subject_type="program", id_column=col(Program.id), claims=claims
        )
    canonical, keys = parse_sort(sort, allowed=SORTS, default="id")
    page = keyset_page(
        session=session,
        query=query,
        sort=canonical,
        keys=keys,
        id_column=col(Program.id),
        limit=limit,
        cursor=cursor,
    )
    return read_documents(session=session, kind="program", ids=page.keys), page


def read_program(*, session: Session, program_id: str) -> bytes | None:
    return read_document(session=session, kind="program", ident=program_id)


def hydrate_programs(*, session: Session, ids: list[str]) -> list[Json]:
    """Full program documents for ids, in the order given."""
    if not ids:
        return []
    programs = {
        p.id: p for p in session.execute(select(Program).where(col(Program.id).in_(ids))).scalars()
    }
    locations: dict[str, list[str]] = defaultdict(list)
    for program_id, location in session.execute(
        select(col(ProgramLocation.program_id), col(ProgramLocation.location))
        .where(col(ProgramLocation.program_id).in_(ids))
        .order_by(col(ProgramLocation.location))
    ):
        locations[program_id].append(location)
    objectives = _grouped(session, ProgramObjective, ids, order=col(ProgramObjective.position))
    participants = _grouped(session, ProgramParticipant, ids, order=col(ProgramParticipant.id))
    counts = _grouped(session, ReportedCount, ids, order=col(ReportedCount.id))
    agreements: dict[str, list[str]] = defaultdict(list)
    for agreement_id, program_id in session.execute(
        select(col(Agreement.id), col(Agreement.program_id))
        .where(col(Agreement.program_id).in_(ids))
        .order_by(col(Agreement.id))
    ):
        agreements[program_id].append(agreement_id)
    events: dict[str, list[str]] = defaultdict(list)
    for event_id, program_id in session.execute(
        select(col(EventEntity.event_id), col(EventEntity.entity_id))
        .where(col(EventEntity.entity_type) == "program", col(EventEntity.entity_id).in_(ids))
        .order_by(col(EventEntity.event_id))
    ):
        events[program_id].append(event_id)

    all_objectives = [o for group in objectives.values() for o in group]
    all_participants = [p for group in participants.values() for p in group]
    all_counts = [c for group in counts.values() for c in group]
    cited = support_for(session=session, subject_type="program", ids=ids)
    cited_objectives = support_for(
        session=session, subject_type="program_objective", ids=[o.id for o in all_objectives]
    )
    cited_participants = support_for(
        session=session, subject_type="program_participant", ids=[p.id for p in all_participants]
    )
    cited_counts = support_for(
        session=session, subject_type="reported_count", ids=[c.id for c in all_counts]
    )
    for_program = claim_bases(
        session=session,
        subject_type="agreement",
        claim="program",
        ids=[a for group in agreements.values() for a in group],
    )
    concerning = claim_bases(
        session=session,
        subject_type="event",
        claim="entities",
        ids=[e for group in events.values() for e in group],
    )
    wanted = {("agreement", a) for group in agreements.values() for a in group}
    wanted |= {("event", e) for group in events.values() for e in group}
    wanted |= {_party(p) for p in all_participants}
    wanted |= {("country", c.excludes_country_code) for c in all_counts if c.excludes_country_code}
    named = refs(session=session, wanted=wanted)

    out = []
    for program_id in ids:
        p = programs.get(program_id)
        if p is None:
            continue
        out.append(
            {
                "id": p.id,
                "url": url_for("program", p.id),
                "name": p.name,
                "acronym": p.acronym,
                "summary": p.summary,
                "description": p.description,
                "openness": p.openness,
                "locations": locations[p.id],
                "locations_phrase": p.locations_phrase,
                "objectives": [
                    {"id": o.id, "text": o.text, **cited_objectives[o.id]} for o in objectives[p.id]
                ],
                "participants": [
                    {
                        "id": pp.id,
                        "role": pp.role,
                        "party": named[_party(pp)],
                        **cited_participants[pp.id],
                    }
                    for pp in participants[p.id]
                ],
                "reported_counts": [
                    reported_count_json(c, named, cited_counts) for c in counts[p.id]
                ],
                "agreements": [
                    link(named[("agreement", a)], for_program[a]) for a in agreements[p.id]
                ],
                "events": [link(named[("event", e)], concerning[e]) for e in events[p.id]],
                **cited[p.id],
            }
        )
    return out


def _party(row: Any) -> tuple[str, str]:
    return ("agency", row.agency_id) if row.agency_id else ("country", row.country_code)


def _grouped(session: Session, table: Any, ids: list[str], *, order: Any) -> dict[str, list[Any]]:
    groups: dict[str, list[Any]] = defaultdict(list)
    for row in session.execute(
        select(table).where(col(table.program_id).in_(ids)).order_by(order)
    ).scalars():
        groups[row.program_id].append(row)
    return groups


def reported_count_json(
    row: ReportedCount, named: dict[tuple[str, str], Json], cited: dict[str, Json]
) -> Json:
    excludes = row.excludes_country_code
    return {
        "id": row.id,
        "relation": row.relation,
        "party_kind": row.party_kind,
        "count": row.count,
        "phrase": row.phrase,
        "excludes": named[("country", excludes)] if excludes else None,
        **cited[row.id],
    }
