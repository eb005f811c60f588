"""Program documents: locations, objectives, participants, counts, agreements; events linked."""

from collections import defaultdict
from typing import Any

from sqlalchemy import select
from sqlmodel import Session, col

from app.resources._types import Built, DepKey
from app.resources.agreements.models import Agreement, ReportedCount, ReportedCountPublic
from app.resources.programs.models import (
    Location,
    ObjectivePublic,
    ParticipantPublic,
    Program,
    ProgramLocation,
    ProgramObjective,
    ProgramParticipant,
    ProgramPublic,
)
from app.resources.reads import key, subject_keys
from app.services.refs import (
    Names,
    SupportFields,
    claim_bases,
    collection_url,
    in_order,
    link,
    refs,
    support_for,
    url_for,
)

__all__ = ["build_programs", "reported_count_json"]


def build_programs(session: Session, ids: list[str]) -> list[Built]:
    """Program documents for ids, in the order given (ids with no program are left out)."""
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
    wanted = {("agreement", a) for group in agreements.values() for a in group}
    wanted |= {party(p) for p in all_participants}
    wanted |= {("country", c.excludes_country_code) for c in all_counts if c.excludes_country_code}
    named = refs(session=session, wanted=wanted)

    out = []
    for p in in_order(ids, programs):
        deps: set[DepKey] = {
            key("program", "id", p.id),
            *(key(table, "program_id", p.id) for table in _LISTED_BY_PROGRAM),
            key("agreement", "program_id", p.id),
            *subject_keys("program", p.id),
        }
        for o in objectives[p.id]:
            deps |= subject_keys("program_objective", o.id)
        for pp in participants[p.id]:
            deps |= subject_keys("program_participant", pp.id) | named.deps(party(pp))
        for c in counts[p.id]:
            deps |= subject_keys("reported_count", c.id)
            deps |= named.deps(("country", c.excludes_country_code))
        for a in agreements[p.id]:
            deps |= subject_keys("agreement", a) | named.deps(("agreement", a))
        document = ProgramPublic(
            id=p.id,
            url=url_for("program", p.id),
            name=p.name,
            acronym=p.acronym,
            summary=p.summary,
            description=p.description,
            openness=p.openness,
            locations=[Location(loc) for loc in locations[p.id]],
            locations_phrase=p.locations_phrase,
            objectives=[
                ObjectivePublic(id=o.id, text=o.text, **cited_objectives[o.id])
                for o in objectives[p.id]
            ],
            participants=[
                ParticipantPublic(
                    id=pp.id, role=pp.role, party=named[party(pp)], **cited_participants[pp.id]
                )
                for pp in participants[p.id]
            ],
            reported_counts=[reported_count_json(c, named, cited_counts) for c in counts[p.id]],
            agreements=[link(named[("agreement", a)], for_program[a]) for a in agreements[p.id]],
            events_url=f"{collection_url('event')}?entity={p.id}",
            **cited[p.id],
        )
        out.append(Built(p.id, document, frozenset(deps)))
    return out


_LISTED_BY_PROGRAM = (
    "program_location",
    "program_objective",
    "program_participant",
    "reported_count",
)


def party(row: Any) -> tuple[str, str]:
    return ("agency", row.agency_id) if row.agency_id else ("country", row.country_code)


def _grouped(session: Session, table: Any, ids: list[str], *, order: Any) -> dict[str, list[Any]]:
    groups: dict[str, list[Any]] = defaultdict(list)
    query = select(table).where(col(table.program_id).in_(ids)).order_by(order)
    for row in session.execute(query).scalars():
        groups[row.program_id].append(row)
    return groups


def reported_count_json(
    row: ReportedCount, named: Names, cited: dict[str, SupportFields]
) -> ReportedCountPublic:
    excludes = row.excludes_country_code
    return ReportedCountPublic(
        id=row.id,
        relation=row.relation,
        party_kind=row.party_kind,
        count=row.count,
        phrase=row.phrase,
        excludes=named[("country", excludes)] if excludes else None,
        **cited[row.id],
    )
